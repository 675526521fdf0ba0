/// A user of the server. The password exists only as a slow salted hash.
public struct User: Sendable, Hashable {
    public var username: String
    public var isAdmin: Bool
    public var password: PasswordHash
    public var creationTime: Int64

    public init(username: String, isAdmin: Bool, password: PasswordHash, creationTime: Int64) {
        self.username = username
        self.isAdmin = isAdmin
        self.password = password
        self.creationTime = creationTime
    }
}
