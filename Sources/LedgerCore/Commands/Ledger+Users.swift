import LedgerLMDB

extension Ledger {
    /// Creates a user. The password is hashed (slowly, on a queue of its own: neither the writer
    /// thread nor the caller's) before the command is queued.
    ///
    /// - Parameter hashRounds: PBKDF2 iterations; lower only in tests.
    public func createUser(username: String, password: String, isAdmin: Bool = false,
                           hashRounds: UInt32 = PasswordHash.recommendedRounds, context: CommandContext) async throws -> User {
        try Validation.username(username)
        try Validation.password(password)
        let hash = try await PasswordHash.making(password: password, rounds: hashRounds)
        return try await submit(context) { txn, decision in
            guard try decision.reader.user(username, txn) == nil else {
                throw LedgerError(.resourceAlreadyExists, "User '\(username)' already exists.")
            }
            decision.emit(.userCreated(username: username, isAdmin: isAdmin, password: hash), in: Workspace.defaultName)
            return User(username: username, isAdmin: isAdmin, password: hash, creationTime: decision.milliseconds)
        }
    }

    /// Replaces a user's password.
    public func updatePassword(username: String, password: String, hashRounds: UInt32 = PasswordHash.recommendedRounds, context: CommandContext) async throws {
        try Validation.password(password)
        let hash = try await PasswordHash.making(password: password, rounds: hashRounds)
        try await submit(context) { txn, decision in
            _ = try decision.reader.requireUser(username, txn)
            decision.emit(.userPasswordChanged(username: username, password: hash), in: Workspace.defaultName)
        }
    }

    /// Grants or removes the admin flag.
    public func setAdmin(username: String, isAdmin: Bool, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let user = try decision.reader.requireUser(username, txn)
            guard user.isAdmin != isAdmin else { return }
            decision.emit(.userAdminChanged(username: username, isAdmin: FieldChange(before: user.isAdmin, after: isAdmin)), in: Workspace.defaultName)
        }
    }

    /// Deletes a user and every grant they hold (each an event).
    public func deleteUser(username: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            _ = try decision.reader.requireUser(username, txn)
            for grant in try decision.reader.grants(of: username, txn) {
                let workspace = try Self.workspace(of: grant.resource, decision.reader, txn)
                decision.emit(.grantRevoked(resource: grant.resource, username: username, previous: grant.level), in: workspace)
            }
            decision.emit(.userDeleted(username: username), in: Workspace.defaultName)
        }
    }

    /// Sets `username`'s permission on `target` (creating or replacing the grant).
    public func setPermission(_ level: PermissionLevel, for username: String, on target: PermissionTarget, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let (resource, workspace) = try decision.reader.resolve(target, txn)
            _ = try decision.reader.requireUser(username, txn)
            let previous = try decision.reader.grant(resource, username, txn)
            guard previous != level else { return }
            decision.emit(.grantSet(resource: resource, username: username, level: level, previous: previous), in: workspace)
        }
    }

    /// Removes `username`'s grant on `target`.
    ///
    /// - Throws: `resourceDoesNotExist` when there is no such grant.
    public func revokePermission(for username: String, on target: PermissionTarget, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let (resource, workspace) = try decision.reader.resolve(target, txn)
            _ = try decision.reader.requireUser(username, txn)
            guard let previous = try decision.reader.grant(resource, username, txn) else {
                throw LedgerError(.resourceDoesNotExist, "User '\(username)' has no permission on \(resource.entity)")
            }
            decision.emit(.grantRevoked(resource: resource, username: username, previous: previous), in: workspace)
        }
    }

    static func workspace(of resource: GrantResource, _ reader: StateReader, _ txn: borrowing Transaction) throws -> String {
        switch resource {
        case .workspace(let name): return name
        case .experiment(let id): return try reader.experiment(id, txn)?.workspace ?? Workspace.defaultName
        case .registeredModel(let id): return try reader.registeredModel(id, txn)?.workspace ?? Workspace.defaultName
        }
    }
}
