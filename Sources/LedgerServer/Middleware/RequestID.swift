import Synchronization

/// Ids for requests that bring no usable `X-Request-Id`: UUID-shaped (version 4, RFC 9562
/// variant, lowercase), so logs and audits read as before.
///
/// Made from a counter and a random key drawn once per process, each half through a bijective
/// mix, so ids never repeat within a process and differ between processes. Making one costs
/// neither a system call nor a lock; Foundation's `UUID()` opened and read `/dev/urandom` on
/// every call, a tenth of the server's time on a small GET. The ids correlate requests with log
/// lines and events; nothing relies on them being unguessable.
enum RequestID {
    private static let key: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)

    /// A new id, as `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
    static func make() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let high = mix(count &+ key.0) & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = mix(count ^ key.1) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            func put(_ value: UInt64, nibbles: Int, shift: Int) {
                for nibble in stride(from: shift + (nibbles - 1) * 4, through: shift, by: -4) {
                    buffer[index] = digits.utf8Start[Int(value >> UInt64(nibble) & 0xF)]
                    index += 1
                }
            }
            func dash() { buffer[index] = UInt8(ascii: "-"); index += 1 }
            put(high, nibbles: 8, shift: 32); dash()
            put(high, nibbles: 4, shift: 16); dash()
            put(high, nibbles: 4, shift: 0); dash()
            put(low, nibbles: 4, shift: 48); dash()
            put(low, nibbles: 12, shift: 0)
            return index
        }
    }

    /// SplitMix64's finaliser: a bijection on 64 bits that spreads every input bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
