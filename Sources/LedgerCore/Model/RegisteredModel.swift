/// A registered model: a name, unique within its workspace, with a description and tags.
public struct RegisteredModel: Sendable, Hashable, Codable {
    /// An internal, stable id: grants follow the model through renames and moves.
    public var id: Int64
    public var name: String
    public var workspace: String
    public var description: String?
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    /// Tags in key order.
    public var tags: [Tag]

    public init(id: Int64, name: String, workspace: String, description: String?, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, tags: [Tag]) {
        self.id = id
        self.name = name
        self.workspace = workspace
        self.description = description
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.tags = tags
    }
}
