import Testing
@testable import LedgerCore

/// A decoder with an interner reads the same strings as one without, and shares one string for
/// equal stored forms.
@Suite struct StringInternerTests {
    /// Writes `strings` in the compact form of envelope format 2 (packed hexadecimal where it
    /// applies) and reads them back with `strings` as the reader's interner.
    static func roundTrip(_ strings: [String], interner: StringInterner?) throws -> [String] {
        var writer = BinaryWriter(compactStrings: true)
        for string in strings { writer.write(string) }
        return try writer.bytes.withUnsafeBytes { bytes in
            var reader = BinaryReader(bytes, compactStrings: true)
            reader.strings = interner
            return try strings.map { _ in try reader.readString() }
        }
    }

    /// Many distinct strings competing for few slots (and the same bytes once as UTF-8 and once
    /// as packed hexadecimal) come back exactly as written, in every order.
    @Test func internedStringsAreTheStringsWritten() throws {
        var random = RandomizedConsistencyTests.SplitMix64(seed: 7)
        let hexDigits = Array("0123456789abcdef")
        var pool: [String] = ["", "short", "member-12-abcdefg", String(repeating: "é", count: 40), String(repeating: "x", count: 200)]
        for _ in 0..<3_000 {
            // Run ids (packed), actors and workspaces (UTF-8), around the 15-byte inline limit.
            let hex = String((0..<(8 + 2 * random.below(20))).map { _ in hexDigits[random.below(16)] })
            pool.append(hex)
            pool.append("team-\(random.below(1_000))-" + String(repeating: "w", count: random.below(12)))
        }
        pool.append("3132333435363738393031323334353637") // the packed bytes of a UTF-8 string below
        pool.append("1234567890123456\u{37}")
        let strings = (0..<20_000).map { _ in pool[random.below(pool.count)] }
        let interner = StringInterner()
        #expect(try Self.roundTrip(strings, interner: interner) == strings)
        #expect(try Self.roundTrip(strings, interner: nil) == strings)
        // The interner keeps serving after its slots were taken over many times.
        #expect(try Self.roundTrip(strings.reversed(), interner: interner) == strings.reversed())
    }

    /// A repeated long string is built once: both reads return the same storage.
    @Test func aRepeatedStringIsBuiltOnce() throws {
        let runID = "0123456789abcdef0123456789abcdef"
        let actor = "member-12-abcdefgh"
        let read = try Self.roundTrip([runID, actor, runID, actor], interner: StringInterner())
        #expect(read == [runID, actor, runID, actor])
        #expect(read[0].utf8.withContiguousStorageIfAvailable { $0.baseAddress } == read[2].utf8.withContiguousStorageIfAvailable { $0.baseAddress })
        #expect(read[1].utf8.withContiguousStorageIfAvailable { $0.baseAddress } == read[3].utf8.withContiguousStorageIfAvailable { $0.baseAddress })
    }

    /// Malformed packed hexadecimal is refused with or without an interner.
    @Test func shortPackedHexadecimalIsRefused() throws {
        let stored: [UInt8] = [UInt8(2 << 1 | 1), 0xAB, 0xCD]
        for interner in [StringInterner(), nil] {
            #expect(throws: LedgerError.self) {
                try stored.withUnsafeBytes { bytes in
                    var reader = BinaryReader(bytes, compactStrings: true)
                    reader.strings = interner
                    _ = try reader.readString()
                }
            }
        }
    }
}
