/// Whose search it is: everything is listed, or only what one user may read.
///
/// A search for a user passes over what they may not read *before* it fills a page, so that a
/// page holds up to `maxResults` items they may read and its page token points at one of them:
/// neither a page nor a token gives away what they may not see.
public enum SearchVisibility: Sendable, Hashable {
    /// Everything (authentication off, or an admin).
    case everything
    /// What `username` may read: an effective permission of READ or higher (SPEC §2.5), with
    /// `defaultWorkspaceFloor` as `Ledger.effectivePermission` applies it.
    case readable(by: String, defaultWorkspaceFloor: PermissionLevel?)
}
