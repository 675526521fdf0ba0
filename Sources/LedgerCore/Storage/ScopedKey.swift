import LedgerLMDB

/// The key `scope ‖ 0 ‖ name` of ``Keys/scoped(_:_:)``, assembled on the stack whenever LMDB or
/// the staging asks for its bytes, instead of in a new array: a rebuild builds one for every
/// metric point it logs.
struct ScopedKey: RawBytes {
    let scope: String
    let name: String

    init(_ scope: String, _ name: String) {
        self.scope = scope
        self.name = name
    }

    /// The key as an array, as ``Keys/scoped(_:_:)`` builds it.
    var bytes: [UInt8] { withRawBytes { Array($0) } }

    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var scope = self.scope
        var name = self.name
        return try scope.withUTF8 { scope in
            try name.withUTF8 { name in
                try withUnsafeTemporaryAllocation(byteCount: scope.count + 1 + name.count, alignment: 1) { key in
                    if !scope.isEmpty { key.baseAddress!.copyMemory(from: scope.baseAddress!, byteCount: scope.count) }
                    key[scope.count] = 0
                    if !name.isEmpty { (key.baseAddress! + scope.count + 1).copyMemory(from: name.baseAddress!, byteCount: name.count) }
                    return try body(UnsafeRawBufferPointer(key))
                }
            }
        }
    }
}
