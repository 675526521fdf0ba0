// The stored layout of each payload, schema version 1. Fields are written in declaration order.
// To evolve a type: append fields, bump `EventType.currentSchemaVersion`, and decode older
// versions by supplying the missing fields' defaults here (upcasting on read). Stored events are
// never rewritten: they are hash-chained.

extension BinaryWriter {
    mutating func write(_ tags: [Tag]) {
        writeVarint(UInt64(tags.count))
        for tag in tags {
            write(tag.key)
            write(tag.value)
        }
    }

    mutating func write(_ metrics: [Metric]) {
        writeVarint(UInt64(metrics.count))
        for metric in metrics {
            write(metric.key)
            write(metric.value)
            writeSignedVarint(metric.timestamp)
            writeSignedVarint(metric.step)
        }
    }

    mutating func write(_ change: FieldChange<String?>?) {
        guard let change else { return write(false) }
        write(true)
        write(change.before)
        write(change.after)
    }

    mutating func write(_ hash: PasswordHash) {
        write(hash.rounds)
        writeBytes(hash.salt)
        writeBytes(hash.derivedKey)
    }

    mutating func write(_ resource: GrantResource) {
        write(resource.kindByte)
        switch resource {
        case .workspace(let name): write(name)
        case .experiment(let id), .registeredModel(let id): writeSignedVarint(id)
        }
    }
}

extension BinaryReader {
    mutating func readTags() throws(LedgerError) -> [Tag] {
        let count = try readCount()
        var tags: [Tag] = []
        tags.reserveCapacity(count)
        for _ in 0..<count { tags.append(Tag(key: try readString(), value: try readString())) }
        return tags
    }

    mutating func readMetrics() throws(LedgerError) -> [Metric] {
        let count = try readCount()
        var metrics: [Metric] = []
        metrics.reserveCapacity(count)
        for _ in 0..<count {
            metrics.append(Metric(key: try readString(), value: try readDouble(), timestamp: try readSignedVarint(), step: try readSignedVarint()))
        }
        return metrics
    }

    mutating func readOptionalStringChange() throws(LedgerError) -> FieldChange<String?>? {
        guard try readBool() else { return nil }
        return FieldChange(before: try readOptionalString(), after: try readOptionalString())
    }

    mutating func readPasswordHash() throws(LedgerError) -> PasswordHash {
        PasswordHash(rounds: try readUInt32(), salt: try readBytes(), derivedKey: try readBytes())
    }

    mutating func readGrantResource() throws(LedgerError) -> GrantResource {
        switch try readUInt8() {
        case 1: return .workspace(try readString())
        case 2: return .experiment(try readSignedVarint())
        case 3: return .registeredModel(try readSignedVarint())
        case let other: throw LedgerError(.corruptedData, "invalid grant resource kind \(other)")
        }
    }

    mutating func readPermission() throws(LedgerError) -> PermissionLevel { try PermissionLevel(rank: try readUInt8()) }

    mutating func readRunStatus() throws(LedgerError) -> RunStatus { try RunStatus(byte: try readUInt8()) }

    mutating func readDeletionMode() throws(LedgerError) -> WorkspaceDeletionMode {
        switch try readUInt8() {
        case 0: return .restrict
        case 1: return .cascade
        case 2: return .setDefault
        case let other: throw LedgerError(.corruptedData, "invalid deletion mode byte \(other)")
        }
    }
}

extension WorkspaceDeletionMode {
    var byte: UInt8 {
        switch self {
        case .restrict: 0
        case .cascade: 1
        case .setDefault: 2
        }
    }
}

extension EventPayload {
    /// Appends the payload's stored bytes (current schema version) to `w`.
    func encode(into w: inout BinaryWriter) {
        switch self {
        case let .workspaceCreated(name, description, root):
            w.write(name); w.write(description); w.write(root)
        case let .workspaceUpdated(name, description, root):
            w.write(name); w.write(description); w.write(root)
        case let .workspaceDeleted(name, mode):
            w.write(name); w.write(mode.byte)
        case let .experimentCreated(id, name, location, tags):
            w.writeSignedVarint(id); w.write(name); w.write(location); w.write(tags)
        case let .experimentRenamed(id, from, to):
            w.writeSignedVarint(id); w.write(from); w.write(to)
        case let .experimentDeleted(id), let .experimentRestored(id):
            w.writeSignedVarint(id)
        case let .experimentTagSet(id, key, value, previous):
            w.writeSignedVarint(id); w.write(key); w.write(value); w.write(previous)
        case let .experimentTagDeleted(id, key, previous):
            w.writeSignedVarint(id); w.write(key); w.write(previous)
        case let .experimentMoved(id, from, to):
            w.writeSignedVarint(id); w.write(from); w.write(to)
        case let .experimentPurged(id, name):
            w.writeSignedVarint(id); w.write(name)
        case let .runCreated(runID, experimentID, name, userID, startTime, artifactURI, tags):
            w.write(runID); w.writeSignedVarint(experimentID); w.write(name); w.write(userID)
            w.writeSignedVarint(startTime); w.write(artifactURI); w.write(tags)
        case let .runUpdated(runID, status, endTime, name):
            w.write(runID)
            if let status { w.write(true); w.write(status.before.byte); w.write(status.after.byte) } else { w.write(false) }
            if let endTime {
                w.write(true)
                w.write(endTime.before != nil); if let before = endTime.before { w.writeSignedVarint(before) }
                w.write(endTime.after != nil); if let after = endTime.after { w.writeSignedVarint(after) }
            } else {
                w.write(false)
            }
            if let name { w.write(true); w.write(name.before); w.write(name.after) } else { w.write(false) }
        case let .runDeleted(runID), let .runRestored(runID):
            w.write(runID)
        case let .runDataLogged(runID, params, metrics, tags):
            w.write(runID); w.write(params); w.write(metrics); w.write(tags)
        case let .runTagDeleted(runID, key, previous):
            w.write(runID); w.write(key); w.write(previous)
        case let .runPurged(runID, experimentID):
            w.write(runID); w.writeSignedVarint(experimentID)
        case let .registeredModelCreated(id, name, description, tags):
            w.writeSignedVarint(id); w.write(name); w.write(description); w.write(tags)
        case let .registeredModelRenamed(id, from, to):
            w.writeSignedVarint(id); w.write(from); w.write(to)
        case let .registeredModelUpdated(id, description):
            w.writeSignedVarint(id); w.write(description.before); w.write(description.after)
        case let .registeredModelDeleted(id, name):
            w.writeSignedVarint(id); w.write(name)
        case let .registeredModelTagSet(id, key, value, previous):
            w.writeSignedVarint(id); w.write(key); w.write(value); w.write(previous)
        case let .registeredModelTagDeleted(id, key, previous):
            w.writeSignedVarint(id); w.write(key); w.write(previous)
        case let .registeredModelMoved(id, name, from, to):
            w.writeSignedVarint(id); w.write(name); w.write(from); w.write(to)
        case let .userCreated(username, isAdmin, password):
            w.write(username); w.write(isAdmin); w.write(password)
        case let .userPasswordChanged(username, password):
            w.write(username); w.write(password)
        case let .userAdminChanged(username, isAdmin):
            w.write(username); w.write(isAdmin.before); w.write(isAdmin.after)
        case let .userDeleted(username):
            w.write(username)
        case let .grantSet(resource, username, level, previous):
            w.write(resource); w.write(username); w.write(level.rank)
            w.write(previous != nil); if let previous { w.write(previous.rank) }
        case let .grantRevoked(resource, username, previous):
            w.write(resource); w.write(username); w.write(previous.rank)
        }
    }

    /// Decodes a payload of `type` stored with `schemaVersion`, consuming the rest of `r`.
    static func decode(type: EventType, schemaVersion: UInt16, from r: inout BinaryReader) throws(LedgerError) -> EventPayload {
        guard schemaVersion >= 1, schemaVersion <= type.currentSchemaVersion else {
            throw LedgerError(.incompatibleFormat, "\(type.name) event has schema version \(schemaVersion); this build reads up to \(type.currentSchemaVersion): upgrade the ledger software")
        }
        switch type {
        case .workspaceCreated:
            return .workspaceCreated(name: try r.readString(), description: try r.readOptionalString(), defaultArtifactRoot: try r.readOptionalString())
        case .workspaceUpdated:
            return .workspaceUpdated(name: try r.readString(), description: try r.readOptionalStringChange(), defaultArtifactRoot: try r.readOptionalStringChange())
        case .workspaceDeleted:
            return .workspaceDeleted(name: try r.readString(), mode: try r.readDeletionMode())
        case .experimentCreated:
            return .experimentCreated(id: try r.readSignedVarint(), name: try r.readString(), artifactLocation: try r.readString(), tags: try r.readTags())
        case .experimentRenamed:
            return .experimentRenamed(id: try r.readSignedVarint(), from: try r.readString(), to: try r.readString())
        case .experimentDeleted:
            return .experimentDeleted(id: try r.readSignedVarint())
        case .experimentRestored:
            return .experimentRestored(id: try r.readSignedVarint())
        case .experimentTagSet:
            return .experimentTagSet(id: try r.readSignedVarint(), key: try r.readString(), value: try r.readString(), previous: try r.readOptionalString())
        case .experimentTagDeleted:
            return .experimentTagDeleted(id: try r.readSignedVarint(), key: try r.readString(), previous: try r.readString())
        case .experimentMoved:
            return .experimentMoved(id: try r.readSignedVarint(), from: try r.readString(), to: try r.readString())
        case .experimentPurged:
            return .experimentPurged(id: try r.readSignedVarint(), name: try r.readString())
        case .runCreated:
            return .runCreated(
                runID: try r.readString(), experimentID: try r.readSignedVarint(), name: try r.readString(), userID: try r.readString(),
                startTime: try r.readSignedVarint(), artifactURI: try r.readString(), tags: try r.readTags())
        case .runUpdated:
            let runID = try r.readString()
            let status: FieldChange<RunStatus>? = try r.readBool() ? FieldChange(before: try r.readRunStatus(), after: try r.readRunStatus()) : nil
            var endTime: FieldChange<Int64?>?
            if try r.readBool() {
                let before: Int64? = try r.readBool() ? try r.readSignedVarint() : nil
                let after: Int64? = try r.readBool() ? try r.readSignedVarint() : nil
                endTime = FieldChange(before: before, after: after)
            }
            let name: FieldChange<String>? = try r.readBool() ? FieldChange(before: try r.readString(), after: try r.readString()) : nil
            return .runUpdated(runID: runID, status: status, endTime: endTime, name: name)
        case .runDeleted:
            return .runDeleted(runID: try r.readString())
        case .runRestored:
            return .runRestored(runID: try r.readString())
        case .runDataLogged:
            return .runDataLogged(runID: try r.readString(), params: try r.readTags(), metrics: try r.readMetrics(), tags: try r.readTags())
        case .runTagDeleted:
            return .runTagDeleted(runID: try r.readString(), key: try r.readString(), previous: try r.readString())
        case .runPurged:
            return .runPurged(runID: try r.readString(), experimentID: try r.readSignedVarint())
        case .registeredModelCreated:
            return .registeredModelCreated(id: try r.readSignedVarint(), name: try r.readString(), description: try r.readOptionalString(), tags: try r.readTags())
        case .registeredModelRenamed:
            return .registeredModelRenamed(id: try r.readSignedVarint(), from: try r.readString(), to: try r.readString())
        case .registeredModelUpdated:
            return .registeredModelUpdated(id: try r.readSignedVarint(), description: FieldChange(before: try r.readOptionalString(), after: try r.readOptionalString()))
        case .registeredModelDeleted:
            return .registeredModelDeleted(id: try r.readSignedVarint(), name: try r.readString())
        case .registeredModelTagSet:
            return .registeredModelTagSet(id: try r.readSignedVarint(), key: try r.readString(), value: try r.readString(), previous: try r.readOptionalString())
        case .registeredModelTagDeleted:
            return .registeredModelTagDeleted(id: try r.readSignedVarint(), key: try r.readString(), previous: try r.readString())
        case .registeredModelMoved:
            return .registeredModelMoved(id: try r.readSignedVarint(), name: try r.readString(), from: try r.readString(), to: try r.readString())
        case .userCreated:
            return .userCreated(username: try r.readString(), isAdmin: try r.readBool(), password: try r.readPasswordHash())
        case .userPasswordChanged:
            return .userPasswordChanged(username: try r.readString(), password: try r.readPasswordHash())
        case .userAdminChanged:
            return .userAdminChanged(username: try r.readString(), isAdmin: FieldChange(before: try r.readBool(), after: try r.readBool()))
        case .userDeleted:
            return .userDeleted(username: try r.readString())
        case .grantSet:
            let resource = try r.readGrantResource()
            let username = try r.readString()
            let level = try r.readPermission()
            let previous: PermissionLevel? = try r.readBool() ? try r.readPermission() : nil
            return .grantSet(resource: resource, username: username, level: level, previous: previous)
        case .grantRevoked:
            return .grantRevoked(resource: try r.readGrantResource(), username: try r.readString(), previous: try r.readPermission())
        }
    }
}
