import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// The stored event encoding is a contract with every ledger ever written: events are hash-chained
/// and never rewritten, so the bytes of every envelope format must decode forever.
///
/// `Fixtures/events-v<format>.hex` holds one stored body per line (`<type name> <hex>`), written
/// once by the encoder of that envelope format from the fixed samples below. The tests decode each
/// line with the current decoder, compare it with its sample, and re-encode it (in its format) to
/// the same bytes.
///
/// Never regenerate or edit a committed line. When an event type is added, append its sample at
/// the end of ``samples`` and run `LEDGER_WRITE_FIXTURES=1 swift test --filter EventFormatTests`:
/// the generator appends the missing lines and refuses to change existing ones. When a type's
/// schema changes (a new schema version), the old lines must still decode, upcast.
@Suite struct EventFormatTests {
    struct Sample {
        var sequence: UInt64
        var timestamp: Int64
        var context: CommandContext
        var workspace: String
        var payload: EventPayload
    }

    static let runID = "0123456789abcdef0123456789abcdef"
    static let http = CommandContext(actor: "ada", requestID: "req-7f3a", source: .http(remoteAddress: "10.0.0.7:51234", userAgent: "mlflow-python-client/3.17.0"))
    static let cli = CommandContext(actor: "operator", requestID: "", source: .cli)
    static let system = CommandContext.system(requestID: "bootstrap")

    static func tag(_ key: String, _ value: String) -> LedgerCore.Tag { LedgerCore.Tag(key: key, value: value) }

    /// One event of every type with fixed values; append only (line i of the fixture is sample i).
    static let samples: [Sample] = {
        let payloads: [(CommandContext, String, EventPayload)] = [
            (system, "default", .workspaceCreated(name: "default", description: "Default workspace for legacy resources", defaultArtifactRoot: nil)),
            (http, "équipe-α", .workspaceCreated(name: "team-a", description: "Équipe α — vision 🚀", defaultArtifactRoot: "s3://bucket/team-a")),
            (http, "team-a", .workspaceUpdated(name: "team-a", description: FieldChange(before: nil, after: "new description"),
                                               defaultArtifactRoot: FieldChange(before: "s3://bucket/team-a", after: nil))),
            (cli, "team-a", .workspaceUpdated(name: "team-a", description: nil, defaultArtifactRoot: FieldChange(before: nil, after: "/mnt/artifacts"))),
            (cli, "team-a", .workspaceDeleted(name: "team-a", mode: .setDefault)),
            (http, "team-a", .experimentCreated(id: 42, name: "exp-one", artifactLocation: "s3://bucket/team-a/42",
                                                tags: [tag("mlflow.note.content", "hello\nworld"), tag("owner", "ada")])),
            (http, "team-a", .experimentRenamed(id: 42, from: "exp-one", to: "exp-two")),
            (http, "team-a", .experimentDeleted(id: 42)),
            (http, "team-a", .experimentRestored(id: 42)),
            (http, "team-a", .experimentTagSet(id: 42, key: "owner", value: "grace", previous: "ada")),
            (http, "team-a", .experimentTagSet(id: 42, key: "fresh", value: "", previous: nil)),
            (http, "team-a", .experimentTagDeleted(id: 42, key: "owner", previous: "grace")),
            (cli, "team-a", .experimentMoved(id: 42, from: "team-a", to: "default")),
            (cli, "team-a", .experimentPurged(id: 4_000_000_000, name: "exp-two")),
            (http, "team-a", .runCreated(runID: runID, experimentID: 42, name: "brave-otter-042", userID: "ada", startTime: 1_700_000_000_123,
                                         artifactURI: "s3://bucket/team-a/42/\(runID)/artifacts", tags: [tag("mlflow.user", "ada")])),
            (http, "team-a", .runUpdated(runID: runID, status: FieldChange(before: .running, after: .finished),
                                         endTime: FieldChange(before: nil, after: 1_700_000_100_000), name: FieldChange(before: "brave-otter-042", after: "final"))),
            (http, "team-a", .runUpdated(runID: runID, status: nil, endTime: FieldChange(before: 5, after: nil), name: nil)),
            (http, "team-a", .runDeleted(runID: runID)),
            (http, "team-a", .runRestored(runID: runID)),
            (http, "team-a", .runDataLogged(runID: runID, params: [tag("lr", "0.01"), tag("layers", "12")],
                                            metrics: [Metric(key: "loss", value: -0.25, timestamp: 1_700_000_000_500, step: -1),
                                                      Metric(key: "acc", value: 1e300, timestamp: 0, step: 7),
                                                      Metric(key: "inf", value: -.infinity, timestamp: -5, step: Int64.max)],
                                            tags: [tag("phase", "train")])),
            (http, "team-a", .runTagDeleted(runID: runID, key: "phase", previous: "train")),
            (cli, "team-a", .runPurged(runID: runID, experimentID: 42)),
            (http, "team-a", .registeredModelCreated(id: 7, name: "model-a", description: nil, tags: [tag("k", "v")])),
            (http, "team-a", .registeredModelCreated(id: 8, name: "model-b", description: "with a description", tags: [])),
            (http, "team-a", .registeredModelRenamed(id: 7, from: "model-a", to: "model-c")),
            (http, "team-a", .registeredModelUpdated(id: 7, description: FieldChange(before: nil, after: "a model"))),
            (http, "team-a", .registeredModelDeleted(id: 8, name: "model-b")),
            (http, "team-a", .registeredModelTagSet(id: 7, key: "k", value: "w", previous: "v")),
            (http, "team-a", .registeredModelTagDeleted(id: 7, key: "k", previous: "w")),
            (cli, "team-a", .registeredModelMoved(id: 7, name: "model-c", from: "team-a", to: "default")),
            (system, "default", .userCreated(username: "ada", isAdmin: true,
                                             password: PasswordHash(rounds: 600_000, salt: Array(0..<16), derivedKey: (0..<32).map { UInt8($0 * 7 % 256) }))),
            (cli, "default", .userPasswordChanged(username: "ada", password: PasswordHash(rounds: 1_000, salt: Array(repeating: 0xAB, count: 16),
                                                                                       derivedKey: Array(repeating: 0xCD, count: 32)))),
            (cli, "default", .userAdminChanged(username: "ada", isAdmin: FieldChange(before: true, after: false))),
            (cli, "default", .userDeleted(username: "ada")),
            (http, "team-a", .grantSet(resource: .workspace("team-a"), username: "ada", level: .noPermissions, previous: nil)),
            (http, "team-a", .grantSet(resource: .experiment(42), username: "ada", level: .edit, previous: .read)),
            (http, "team-a", .grantSet(resource: .registeredModel(7), username: "grace", level: .manage, previous: .use)),
            (http, "team-a", .grantRevoked(resource: .registeredModel(7), username: "ada", previous: .manage)),
        ]
        return payloads.enumerated().map { index, entry in
            Sample(sequence: UInt64(index) + 1, timestamp: 1_700_000_000_000_000 + Int64(index) * 1_001, context: entry.0, workspace: entry.1, payload: entry.2)
        }
    }()

    static func encode(_ sample: Sample, format: UInt8 = EventCodec.envelopeFormat) -> [UInt8] {
        EventCodec.encodeBody(sequence: sample.sequence, timestamp: sample.timestamp, context: sample.context, workspace: sample.workspace,
                              payload: sample.payload, format: format)
    }

    /// Every envelope format ever written, each with its fixture.
    static let formats: [UInt8] = Array(EventCodec.readableFormats)

    static func fixtureHeader(_ format: UInt8) -> String {
        """
        # Stored event bodies, envelope format \(format), schema version 1 of every event type.
        # One event per line: <type name> <hex of the body (everything the chain hash covers)>.
        # Written once by EventFormatTests (LEDGER_WRITE_FIXTURES=1); never edit or regenerate a line.
        """
    }

    // MARK: - The fixture

    @Test(arguments: formats)
    func everyStoredEventOfEachFormatStillDecodesToItsValues(format: UInt8) throws {
        let lines = try Self.fixtureLines(format)
        try #require(lines.count >= Self.samples.count, "the fixture lacks samples: run LEDGER_WRITE_FIXTURES=1 swift test --filter EventFormatTests")
        var typesSeen: Set<EventType> = []
        for (index, line) in lines.enumerated() {
            let sample = Self.samples[index]
            let type = try #require(EventType(name: line.typeName), "line \(index + 1): unknown type \(line.typeName)")
            #expect(type == sample.payload.type, "line \(index + 1)")
            typesSeen.insert(type)

            // Decode with the current decoder (the hash is not checked by the decoder: zeros do).
            let stored = line.body + [UInt8](repeating: 0, count: EventCodec.hashSize)
            let event = try stored.withUnsafeBytes { try EventCodec.decode(stored: $0) }
            #expect(event.sequence == sample.sequence, "line \(index + 1)")
            #expect(event.timestamp == sample.timestamp, "line \(index + 1)")
            #expect(event.actor == sample.context.actor, "line \(index + 1)")
            #expect(event.requestID == sample.context.requestID, "line \(index + 1)")
            #expect(event.source == sample.context.source, "line \(index + 1)")
            #expect(event.workspace == sample.workspace, "line \(index + 1)")
            #expect(event.schemaVersion == 1, "line \(index + 1)")
            #expect(event.payload == sample.payload, "line \(index + 1) (\(line.typeName))")
            #expect(event.hash == [UInt8](repeating: 0, count: EventCodec.hashSize))

            // Re-encoding gives back the stored bytes, while the type's schema is still version 1.
            if type.currentSchemaVersion == event.schemaVersion {
                let reencoded = EventCodec.encodeBody(
                    sequence: event.sequence, timestamp: event.timestamp,
                    context: CommandContext(actor: event.actor, requestID: event.requestID, source: event.source),
                    workspace: event.workspace, payload: event.payload, format: format)
                #expect(reencoded == line.body, "line \(index + 1) (\(line.typeName)) re-encodes to other bytes")
            }
        }
        #expect(typesSeen == Set(EventType.allCases), "types without a fixture line: \(Set(EventType.allCases).subtracting(typesSeen).map(\.name))")
    }

    /// The encoder still writes exactly the fixture's bytes for the fixed samples.
    @Test(arguments: formats)
    func theEncoderStillWritesTheFixtureBytes(format: UInt8) throws {
        let lines = try Self.fixtureLines(format)
        for (index, line) in lines.enumerated() where index < Self.samples.count {
            let sample = Self.samples[index]
            if sample.payload.type.currentSchemaVersion == 1 {
                #expect(Self.encode(sample, format: format) == line.body, "line \(index + 1) (\(line.typeName))")
            }
        }
    }

    /// Format 2 packs lowercase hexadecimal strings (run ids, request ids) and nothing else.
    @Test func formatTwoPacksHexadecimalIdsAndKeepsOtherStrings() throws {
        let runID = "0123456789abcdef0123456789abcdef"
        let context = CommandContext(actor: "ada", requestID: "5eed00000000002a9e3779b97f4a7c15",
                                     source: .http(remoteAddress: "10.0.0.7", userAgent: "mlflow-python-client/3.17.2"))
        let odd = ["", "abc", "0123456", "ABCDEF0123", "0123456789abcdeg", "12345678", "éàü-名前"]
        for (index, name) in odd.enumerated() {
            let payload = EventPayload.runTagDeleted(runID: runID, key: name.isEmpty ? "k" : name, previous: name)
            let v1 = EventCodec.encodeBody(sequence: UInt64(index + 1), timestamp: 7, context: context, workspace: "team-a", payload: payload, format: 1)
            let v2 = EventCodec.encodeBody(sequence: UInt64(index + 1), timestamp: 7, context: context, workspace: "team-a", payload: payload, format: 2)
            let decoded = try Self.decode(v2)
            #expect(decoded.payload == payload)
            #expect(decoded.requestID == context.requestID)
            #expect(try Self.decode(v1).payload == payload)
            // The run id and the request id each take 16 bytes fewer; "12345678" (hex digits) 4 fewer.
            #expect(v1.count - v2.count == 32 + (name == "12345678" ? 8 : 0), "\(name)")
        }
    }

    /// Writes the fixture: only with LEDGER_WRITE_FIXTURES=1. Appends lines for new samples and
    /// refuses to change a line already committed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LEDGER_WRITE_FIXTURES"] == "1"), arguments: formats)
    func writeFixture(format: UInt8) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/events-v\(format).hex")
        let existing = FileManager.default.fileExists(atPath: url.path) ? try Self.parse(String(contentsOf: url, encoding: .utf8)) : []
        var text = Self.fixtureHeader(format) + "\n"
        for (index, sample) in Self.samples.enumerated() {
            let body = Self.encode(sample, format: format)
            if index < existing.count {
                guard existing[index].typeName == sample.payload.type.name, existing[index].body == body else {
                    Issue.record("line \(index + 1) of the committed fixture differs from what this build writes; the fixture is left unchanged")
                    return
                }
            }
            text += "\(sample.payload.type.name) \(body.hexString)\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
        print("wrote \(Self.samples.count) events to \(url.path)")
    }

    // MARK: - Refusing what this build cannot read

    @Test func aNewerSchemaVersionIsRefusedAsIncompatible() async throws {
        for sample in Self.samples {
            var body = Self.encode(sample)
            let newer = sample.payload.type.currentSchemaVersion + 1
            body[EventCodec.typeOffset + 2] = UInt8(newer >> 8)
            body[EventCodec.typeOffset + 3] = UInt8(newer & 0xFF)
            await expectLedgerError(.incompatibleFormat) { try Self.decode(body) }
            // Version 0 never existed.
            body[EventCodec.typeOffset + 2] = 0
            body[EventCodec.typeOffset + 3] = 0
            await expectLedgerError(.incompatibleFormat) { try Self.decode(body) }
        }
    }

    @Test func anUnknownEnvelopeFormatOrEventTypeIsRefusedAsIncompatible() async throws {
        var body = Self.encode(Self.samples[1])
        body[0] = EventCodec.envelopeFormat + 1
        await expectLedgerError(.incompatibleFormat) { try Self.decode(body) }

        body = Self.encode(Self.samples[1])
        let unknown: UInt16 = 999
        #expect(EventType(rawValue: unknown) == nil)
        body[EventCodec.typeOffset] = UInt8(unknown >> 8)
        body[EventCodec.typeOffset + 1] = UInt8(unknown & 0xFF)
        await expectLedgerError(.incompatibleFormat) { try Self.decode(body) }
    }

    /// Every truncation of every sample is `corruptedData`, never a crash and never a success.
    @Test func everyTruncatedBodyIsCorruptedData() async throws {
        for sample in Self.samples {
            let body = Self.encode(sample)
            for length in 0..<body.count {
                await expectLedgerError(.corruptedData) { try Self.decode(Array(body.prefix(length))) }
            }
            // Trailing bytes are refused too.
            await expectLedgerError(.corruptedData) { try Self.decode(body + [0]) }
        }
    }

    /// Random damage (seeded, reproducible) decodes or is refused with a ledger error; no crash.
    @Test func randomlyDamagedBodiesNeverCrashTheDecoder() throws {
        var rng = RandomizedConsistencyTests.SplitMix64(seed: 0x5EED_F00D)
        var refused = 0
        for round in 0..<5_000 {
            var body = Self.encode(Self.samples[round % Self.samples.count])
            for _ in 0...(rng.below(3)) {
                body[rng.below(body.count)] = UInt8(truncatingIfNeeded: rng.next())
            }
            do {
                _ = try Self.decode(body)
            } catch let error as LedgerError {
                #expect(error.code == .corruptedData || error.code == .incompatibleFormat, "round \(round): \(error)")
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    // MARK: - The chain hash

    /// The chain hash is SHA-256 of the previous hash followed by the body (FIPS 180-2 vectors).
    @Test func chainHashIsSHA256OfPreviousHashAndBody() {
        #expect(EventCodec.chainHash(previous: [], body: Array("abc".utf8)).hexString
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(EventCodec.chainHash(previous: Array(message.prefix(32)), body: Array(message.dropFirst(32))).hexString
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let body = Array(message.dropFirst(32))
        let viaBuffer = body.withUnsafeBytes { EventCodec.chainHash(previous: message.prefix(32), body: $0) }
        #expect(viaBuffer.hexString == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// A stored event of a newer schema, with a valid chain: verify reports it as undecodable
    /// (no hash problem), reading it is refused as incompatible, and a rebuild refuses too,
    /// leaving the views as they were.
    @Test func aStoredEventOfANewerSchemaIsRefusedByTheLedger() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-format-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var target: UInt64 = 0
        try await withReopenableLedger(directory) { ledger in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            target = try ledger.head().sequence
            _ = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
        }
        // Bump the schema version of one event and rehash the chain from there, as a newer build
        // would have written it.
        try TamperDetectionTests.withDatabases(directory, ["events", TamperDetectionTests.main]) { txn, databases in
            var previous = EventCodec.genesisHash
            var sequence: UInt64 = 1
            var head = LogHead.empty
            while let stored = try txn.get(databases[0], key: Keys.sequence(sequence)) {
                var body = Array(stored.dropLast(EventCodec.hashSize))
                if sequence == target { body[EventCodec.typeOffset + 3] += 1 }
                let hash = EventCodec.chainHash(previous: previous, body: body)
                try txn.put(databases[0], key: Keys.sequence(sequence), value: body + hash)
                head = LogHead(sequence: sequence, timestamp: try body.withUnsafeBytes { try EventCodec.timestamp(ofBody: $0) }, hash: hash)
                previous = hash
                sequence += 1
            }
            try txn.put(databases[1], key: EventLog.MetaKey.head, value: head.encoded())
        }
        try await withReopenableLedger(directory) { ledger in
            let report = try ledger.verify()
            #expect(report.firstProblem?.kind == .undecodable)
            #expect(report.firstProblem?.sequence == target)
            #expect(report.firstProblem?.detail.contains("schema version 2") == true, "\(report.problems)")
            #expect(!report.problems.contains { $0.kind == .hashMismatch || $0.kind == .headMismatch })
            await expectLedgerError(.incompatibleFormat) { try ledger.events(from: target, limit: 1) }
            #expect(try ledger.events(from: 1, limit: Int(target) - 1).count == Int(target) - 1)
            await expectLedgerError(.incompatibleFormat) { try ledger.rebuildProjections() }
            #expect(try ledger.workspace(named: "team-a").name == "team-a", "a refused rebuild leaves the views")
        }
    }

    // MARK: - Helpers

    struct FixtureLine {
        var typeName: String
        var body: [UInt8]
    }

    static func fixtureLines(_ format: UInt8) throws -> [FixtureLine] {
        let url = try #require(Bundle.module.url(forResource: "events-v\(format)", withExtension: "hex", subdirectory: "Fixtures"),
                               "Fixtures/events-v\(format).hex is missing from the test bundle")
        return try parse(String(contentsOf: url, encoding: .utf8))
    }

    static func parse(_ text: String) throws -> [FixtureLine] {
        try text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { return nil }
            let parts = line.split(separator: " ")
            try #require(parts.count == 2, "malformed fixture line: \(line)")
            return FixtureLine(typeName: String(parts[0]), body: try hexBytes(parts[1]))
        }
    }

    static func hexBytes(_ hex: some StringProtocol) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        try #require(digits.count % 2 == 0, "odd number of hex digits")
        func value(_ digit: UInt8) throws -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            default: throw LedgerError(.corruptedData, "bad hex digit \(digit)")
            }
        }
        return try stride(from: 0, to: digits.count, by: 2).map { try value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }

    /// Decodes a body followed by a zero hash.
    static func decode(_ body: [UInt8]) throws -> RecordedEvent {
        let stored = body + [UInt8](repeating: 0, count: EventCodec.hashSize)
        return try stored.withUnsafeBytes { try EventCodec.decode(stored: $0) }
    }
}
