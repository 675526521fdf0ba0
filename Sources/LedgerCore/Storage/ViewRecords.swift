// The stored layout of each view record. Views are derived data: replay rebuilds them, so their
// layout may change with the projection version (a change triggers a rebuild on open).

extension Workspace {
    func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 96)
        w.write(name); w.write(description); w.write(defaultArtifactRoot)
        w.writeSignedVarint(creationTime); w.writeSignedVarint(lastUpdateTime)
        w.write(createdBy); w.write(updatedBy)
        return w.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        self = try BinaryReader.decode(bytes, "workspace record") { (r) throws(LedgerError) in
            Workspace(
                name: try r.readString(), description: try r.readOptionalString(), defaultArtifactRoot: try r.readOptionalString(),
                creationTime: try r.readSignedVarint(), lastUpdateTime: try r.readSignedVarint(),
                createdBy: try r.readString(), updatedBy: try r.readString())
        }
    }
}

extension Experiment {
    func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 128)
        w.writeSignedVarint(id); w.write(name); w.write(workspace); w.write(artifactLocation)
        w.write(lifecycleStage.byte); w.writeSignedVarint(creationTime); w.writeSignedVarint(lastUpdateTime)
        w.write(tags)
        return w.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        self = try BinaryReader.decode(bytes, "experiment record") { (r) throws(LedgerError) in
            Experiment(
                id: try r.readSignedVarint(), name: try r.readString(), workspace: try r.readString(),
                artifactLocation: try r.readString(), lifecycleStage: try LifecycleStage(byte: try r.readUInt8()),
                creationTime: try r.readSignedVarint(), lastUpdateTime: try r.readSignedVarint(), tags: try r.readTags())
        }
    }
}

extension Experiment {
    /// Whether the experiment record `bytes` names `workspace`. Reads only the fields before it
    /// (id, name), not the rest (tags above all): what resolving a permission target needs.
    static func record(_ bytes: UnsafeRawBufferPointer, isInWorkspace workspace: String) throws(LedgerError) -> Bool {
        var r = BinaryReader(bytes)
        _ = try r.readSignedVarint()
        try r.skipString()
        return try r.readStringMatches(workspace)
    }
}

extension RunInfo {
    func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 128)
        w.write(runID); w.writeSignedVarint(experimentID); w.write(runName); w.write(userID)
        w.write(status.byte); w.writeSignedVarint(startTime)
        w.write(endTime != nil); if let endTime { w.writeSignedVarint(endTime) }
        w.write(artifactURI); w.write(lifecycleStage.byte)
        return w.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        self = try BinaryReader.decode(bytes, "run record") { (r) throws(LedgerError) in
            let runID = try r.readString()
            let experimentID = try r.readSignedVarint()
            let runName = try r.readString()
            let userID = try r.readString()
            let status = try RunStatus(byte: try r.readUInt8())
            let startTime = try r.readSignedVarint()
            let endTime: Int64? = try r.readBool() ? try r.readSignedVarint() : nil
            return RunInfo(
                runID: runID, experimentID: experimentID, runName: runName, userID: userID, status: status,
                startTime: startTime, endTime: endTime, artifactURI: try r.readString(),
                lifecycleStage: try LifecycleStage(byte: try r.readUInt8()))
        }
    }
}

extension RunInfo {
    /// The experiment and lifecycle stage in the run record `bytes`, stepping over its strings:
    /// what logging to a run checks, for every metric, parameter and tag.
    static func experimentAndStage(ofRecord bytes: UnsafeRawBufferPointer) throws(LedgerError) -> (experimentID: Int64, stage: LifecycleStage) {
        try BinaryReader.decode(bytes, "run record") { (r) throws(LedgerError) in
            try r.skipString()
            let experimentID = try r.readSignedVarint()
            try r.skipString(); try r.skipString()
            _ = try r.readUInt8(); _ = try r.readSignedVarint()
            if try r.readBool() { _ = try r.readSignedVarint() }
            try r.skipString()
            return (experimentID, try LifecycleStage(byte: try r.readUInt8()))
        }
    }
}

extension RegisteredModel {
    func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 96)
        w.writeSignedVarint(id); w.write(name); w.write(workspace); w.write(description)
        w.writeSignedVarint(creationTimestamp); w.writeSignedVarint(lastUpdatedTimestamp); w.write(tags)
        return w.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        self = try BinaryReader.decode(bytes, "registered model record") { (r) throws(LedgerError) in
            RegisteredModel(
                id: try r.readSignedVarint(), name: try r.readString(), workspace: try r.readString(),
                description: try r.readOptionalString(), creationTimestamp: try r.readSignedVarint(),
                lastUpdatedTimestamp: try r.readSignedVarint(), tags: try r.readTags())
        }
    }
}

extension User {
    func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 96)
        w.write(username); w.write(isAdmin); w.write(password); w.writeSignedVarint(creationTime)
        return w.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        self = try BinaryReader.decode(bytes, "user record") { (r) throws(LedgerError) in
            User(username: try r.readString(), isAdmin: try r.readBool(), password: try r.readPasswordHash(), creationTime: try r.readSignedVarint())
        }
    }
}

extension User {
    /// The admin flag of the user record `bytes`, read without decoding the password hash.
    static func isAdmin(record bytes: UnsafeRawBufferPointer) throws(LedgerError) -> Bool {
        var r = BinaryReader(bytes)
        try r.skipString()
        return try r.readBool()
    }
}

extension BinaryReader {
    /// Reads a view record's string (UTF-8 after a varint length) and compares it with `expected`
    /// without building a `String`.
    mutating func readStringMatches(_ expected: String) throws(LedgerError) -> Bool {
        precondition(!compactStrings, "view records store plain UTF-8 strings")
        let stored = try readRaw(try readCount())
        var expected = expected
        return expected.withUTF8 { expected in
            guard expected.count == stored.count else { return false }
            for index in 0..<stored.count where stored[index] != expected[index] { return false }
            return true
        }
    }
}

extension [Tag] {
    /// Sets `key` to `value`, keeping key order.
    mutating func set(_ key: String, _ value: String) {
        if let i = firstIndex(where: { $0.key == key }) {
            self[i].value = value
        } else {
            let i = firstIndex(where: { $0.key > key }) ?? endIndex
            insert(Tag(key: key, value: value), at: i)
        }
    }

    /// The value of `key`, if present.
    func value(of key: String) -> String? { first(where: { $0.key == key })?.value }

    /// Tags with unique keys (the last value wins), in key order.
    func normalized() -> [Tag] {
        var result: [Tag] = []
        for tag in self { result.set(tag.key, tag.value) }
        return result
    }
}
