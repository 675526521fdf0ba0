import Foundation
import LedgerLMDB
import Testing

/// A durable environment with `preallocation` keeps zero-filled, flushed space past its last used
/// page, so that commits write into allocated space instead of growing the file page by page.
@Suite struct PreallocationTests {
    static let step = 256 << 10

    static func configuration(durable: Bool = true, preallocation: Int = step) -> Environment.Configuration {
        var configuration = testConfiguration()
        configuration.durable = durable
        configuration.preallocation = preallocation
        return configuration
    }

    static func fileSize(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? NSNumber)?.intValue ?? -1
    }

    /// The file sizes seen after each of `commits` commits of a 2,000-byte value each.
    static func sizesWhileGrowing(_ env: Environment, _ path: String, commits: Int) throws -> [Int] {
        let db = try env.openDatabase("main")
        return try (0..<commits).map { index in
            try env.write { try $0.put(db, key: bigEndianKey(UInt64(index)), value: patternValue(UInt64(index), count: 2_000)) }
            return try fileSize(path)
        }
    }

    @Test func theZeroFilledSpaceStaysAheadOfTheUsedPages() throws {
        try withTemporaryDirectory { path in
            do {
                let env = try Environment(path: path, configuration: Self.configuration())
                let sizes = try Self.sizesWhileGrowing(env, path, commits: 300)
                let used = env.usedSize
                // Topped up to a step ahead at the start of a transaction when less than half was
                // left; the last commit has used a page or two of it since.
                #expect(sizes.last! >= used + Self.step / 4, "file \(sizes.last!) bytes, \(used) used")
                #expect(sizes.last! <= used + Self.step)
                let file = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
                #expect(file[used...].allSatisfy { $0 == 0 }, "the space past the used pages is not zeros")
            }
            // Written data reads back after reopening, zeros and all.
            let env = try Environment(path: path, configuration: Self.configuration())
            let db = try env.openDatabase("main", create: false)
            for index in [0, 150, 299] {
                let value = try env.read { try $0.get(db, key: bigEndianKey(UInt64(index))) }
                #expect(value == patternValue(UInt64(index), count: 2_000))
            }
        }
    }

    @Test func theFileGrowsInStepsNotPageByPage() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, configuration: Self.configuration())
            let sizes = try Self.sizesWhileGrowing(env, path, commits: 300)
            let steps = zip(sizes, sizes.dropFirst()).map { $1 - $0 }.filter { $0 != 0 }
            // About 1.2 MB of pages written: a few top-ups, each of half a step or more.
            #expect(steps.count >= 2)
            #expect(steps.allSatisfy { $0 >= Self.step / 2 }, "the file grew by \(steps)")
        }
        // Without preallocation, the same commits grow the file again and again.
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, configuration: Self.configuration(preallocation: 0))
            let sizes = try Self.sizesWhileGrowing(env, path, commits: 300)
            #expect(Set(sizes).count > 50)
        }
    }

    @Test func aScratchEnvironmentDoesNotPreallocate() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, configuration: Self.configuration(durable: false))
            let sizes = try Self.sizesWhileGrowing(env, path, commits: 100)
            #expect(sizes.last! < env.usedSize + Self.step / 2)
        }
    }
}
