import LedgerCore

/// What the caller of one request may do: everything without `--auth`; with it, what the
/// effective permission of SPEC §2.5 allows (admins everything).
struct Authorization: Sendable {
    /// The authenticated user; `nil` when authentication is off.
    let user: User?
    let ledger: Ledger
    /// `--default-workspace-permission`: every user's floor in `default`.
    let defaultWorkspaceFloor: PermissionLevel?
    let isEnabled: Bool

    var isAdmin: Bool { !isEnabled || user?.isAdmin == true }

    /// Throws 403 `PERMISSION_DENIED` unless the caller holds `level` on `target`.
    /// A target that does not exist (or lives in another workspace) is 404 first.
    ///
    /// - Parameter subject: What the message names, as the request named it (`run 'abc'` for a
    ///   run's experiment, `experiment 'name'` for one asked for by name): a refusal tells the
    ///   caller nothing they did not send, such as the id of an experiment they may not read.
    func require(_ level: PermissionLevel, on target: PermissionTarget, named subject: String? = nil) throws {
        guard isEnabled else { return }
        let effective = try permission(on: target)
        guard effective >= level else {
            throw LedgerError(.permissionDenied, "Permission denied: user '\(user?.username ?? "")' has \(effective.rawValue) on \(subject ?? Self.describe(target)); this needs \(level.rawValue).")
        }
    }

    /// Whose search this is: everything for an admin (or without authentication), otherwise what
    /// the caller may read.
    var searchVisibility: SearchVisibility {
        guard !isAdmin, let user else { return .everything }
        return .readable(by: user.username, defaultWorkspaceFloor: defaultWorkspaceFloor)
    }

    /// Throws 403 unless the caller is an admin.
    func requireAdmin(_ what: String) throws {
        guard !isAdmin else { return }
        throw LedgerError(.permissionDenied, "Permission denied: only admins may \(what).")
    }

    /// The caller's effective permission (MANAGE for everything when authentication is off).
    func permission(on target: PermissionTarget) throws -> PermissionLevel {
        guard isEnabled, let user else { return .manage }
        return try ledger.effectivePermission(of: user.username, on: target, defaultWorkspaceFloor: defaultWorkspaceFloor)
    }

    /// Whether the caller may read `target` (for filtering run searches by experiment).
    func canRead(_ target: PermissionTarget) -> Bool {
        guard isEnabled else { return true }
        return ((try? permission(on: target)) ?? .noPermissions) >= .read
    }

    static func describe(_ target: PermissionTarget) -> String {
        switch target {
        case .workspace(let name): "workspace '\(name)'"
        case .experiment(let id, _): "experiment \(id)"
        case .registeredModel(let name, _): "registered model '\(name)'"
        }
    }
}
