/// Builders of the byte keys of every database. Integers are big-endian so keys sort like the
/// numbers; a 0 byte separates a variable-length scope from what follows (scopes never hold 0).
enum Keys {
    static func be64(_ value: UInt64) -> [UInt8] {
        var w = BinaryWriter(capacity: 8)
        w.write(value)
        return w.bytes
    }

    static func sequence(_ sequence: UInt64) -> [UInt8] { be64(sequence) }

    static func id(_ id: Int64) -> [UInt8] { be64(UInt64(bitPattern: id)) }

    static func decodeBE64(_ bytes: UnsafeRawBufferPointer) throws(LedgerError) -> UInt64 {
        guard bytes.count == 8 else { throw LedgerError(.corruptedData, "expected an 8-byte key or value, found \(bytes.count) bytes") }
        var r = BinaryReader(bytes)
        return try r.readUInt64()
    }

    /// `scope ‖ 0 ‖ name`.
    static func scoped(_ scope: String, _ name: String) -> [UInt8] {
        var key = Array(scope.utf8)
        key.append(0)
        key.append(contentsOf: name.utf8)
        return key
    }

    /// `scope ‖ 0`: the prefix of every key of `scope`.
    static func prefix(_ scope: String) -> [UInt8] {
        var key = Array(scope.utf8)
        key.append(0)
        return key
    }

    static func runsByExperiment(_ experimentID: Int64, startTime: Int64, runID: String) -> [UInt8] {
        var key = id(experimentID)
        key += be64(~UInt64(bitPattern: startTime) ^ (1 << 63)) // newest first, sign-safe
        key += Array(runID.utf8)
        return key
    }

    /// The value of a metric history entry (36 bytes): BE64 sequence ‖ BE32 index in the event ‖
    /// value ‖ timestamp ‖ step (the latest-metric record), so values sort in logging order.
    /// `metric_chunks` key: run id ‖ 0 ‖ metric key ‖ 0 ‖ BE32 chunk index (metric keys hold no
    /// NUL, so a metric's chunks never interleave with another's).
    static func metricChunk(_ runID: String, _ key: String, _ index: UInt32) -> [UInt8] {
        var bytes = metricChunksPrefix(runID, key)
        withUnsafeBytes(of: index.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    static func metricChunksPrefix(_ runID: String, _ key: String) -> [UInt8] {
        var bytes = scoped(runID, key)
        bytes.append(0)
        return bytes
    }

    static func grantResource(_ resource: GrantResource) -> [UInt8] {
        var key: [UInt8] = [resource.kindByte]
        switch resource {
        case .workspace(let name): key += Array(name.utf8)
        case .experiment(let id), .registeredModel(let id): key += Self.id(id)
        }
        return key
    }

    /// `grants` key: kind ‖ resource ‖ 0 ‖ username.
    static func grant(_ resource: GrantResource, _ username: String) -> [UInt8] {
        var key = grantResource(resource)
        key.append(0)
        key += Array(username.utf8)
        return key
    }

    static func grantsPrefix(_ resource: GrantResource) -> [UInt8] {
        var key = grantResource(resource)
        key.append(0)
        return key
    }

    /// `grants_by_user` key: username ‖ 0 ‖ kind ‖ resource.
    static func grantByUser(_ username: String, _ resource: GrantResource) -> [UInt8] {
        prefix(username) + grantResource(resource)
    }

    static func decodeGrantResource(_ bytes: some Collection<UInt8>) throws(LedgerError) -> GrantResource {
        guard let kind = bytes.first else { throw LedgerError(.corruptedData, "empty grant resource key") }
        let rest = Array(bytes.dropFirst())
        switch kind {
        case 1: return .workspace(String(decoding: rest, as: UTF8.self))
        case 2, 3:
            guard rest.count == 8 else { throw LedgerError(.corruptedData, "grant resource id of \(rest.count) bytes") }
            let id = Int64(bitPattern: rest.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            return kind == 2 ? .experiment(id) : .registeredModel(id)
        default: throw LedgerError(.corruptedData, "invalid grant resource kind \(kind)")
        }
    }

    // The listing index (GSI): a partition byte, then the partition's scope, then the sort key.
    // Names live here too, beside the listing entries a create writes anyway: a create then
    // dirties leaves under one root instead of a second database's root and leaf. 0x04 held the
    // "all experiments" partition of projection version 4; a listing of every experiment now
    // walks the active and deleted partitions together.
    static let workspacesPartition: UInt8 = 0x01
    static func experimentPartition(_ stage: LifecycleStage) -> UInt8 {
        switch stage {
        case .active: 0x02
        case .deleted: 0x03
        }
    }
    static let experimentNamesPartition: UInt8 = 0x05
    static let registeredModelNamesPartition: UInt8 = 0x06

    static func workspaceListing(_ name: String) -> [UInt8] { [workspacesPartition] + Array(name.utf8) }

    static func experimentListingPrefix(_ stage: LifecycleStage, workspace: String) -> [UInt8] {
        [experimentPartition(stage)] + prefix(workspace)
    }

    static func experimentListing(_ stage: LifecycleStage, workspace: String, id experimentID: Int64) -> [UInt8] {
        experimentListingPrefix(stage, workspace: workspace) + id(experimentID)
    }

    /// `0x05 ‖ workspace ‖ 0 ‖ name` → BE64 experiment id (names are unique per workspace).
    static func experimentName(_ workspace: String, _ name: String) -> [UInt8] {
        [experimentNamesPartition] + scoped(workspace, name)
    }

    /// `0x06 ‖ workspace ‖ 0 ‖ name` → BE64 model id.
    static func registeredModelName(_ workspace: String, _ name: String) -> [UInt8] {
        [registeredModelNamesPartition] + scoped(workspace, name)
    }

    static func registeredModelNamesPrefix(workspace: String) -> [UInt8] {
        [registeredModelNamesPartition] + prefix(workspace)
    }

    /// The key of the next id in `experiments` and `registered_models`: nine 0xFF bytes sort after
    /// every 8-byte id key, so the counter sits on the page of the newest records, which a create
    /// writes anyway.
    static let idCounter = [UInt8](repeating: 0xFF, count: 9)
}

extension Array where Element == UInt8 {
    /// True when `self` begins with `prefix`.
    func hasPrefix(_ prefix: [UInt8]) -> Bool { count >= prefix.count && self[..<prefix.count].elementsEqual(prefix) }
}

extension UnsafeRawBufferPointer {
    /// True when the bytes begin with `prefix`.
    func hasPrefix(_ prefix: [UInt8]) -> Bool {
        if prefix.isEmpty { return true }
        return count >= prefix.count && prefix.withUnsafeBytes { p in memcmp(baseAddress!, p.baseAddress!, prefix.count) == 0 }
    }

    /// LMDB's default order of keys: negative when `self` sorts before `other` (memcmp over the
    /// common length, then the shorter first), 0 when equal.
    func compareInKeyOrder(_ other: UnsafeRawBufferPointer) -> Int {
        let common = Swift.min(count, other.count)
        if common > 0 {
            let order = memcmp(baseAddress!, other.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return count - other.count
    }

    /// True when both hold the same bytes (memcmp, not a generic walk byte by byte).
    func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        count == other.count && (count == 0 || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
