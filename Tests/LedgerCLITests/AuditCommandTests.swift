import Foundation
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// `ledger audit`: filters, the three formats, secrets, `--verify`, bad input.
@Suite struct AuditCommandTests {
    /// Runs `ledger audit --format json` with `options` and returns the parsed lines.
    static func auditJSON(_ directory: String, _ options: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [[String: Any]] {
        let result = try await runLedger(["audit", "--format", "json", "--data-dir", directory] + options)
        try #require(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
        return try parseJSONLines(result.stdout, sourceLocation: sourceLocation)
    }

    /// The microseconds `--since`/`--until` understand for `text`, parsed as the command does.
    static func microseconds(_ text: String) throws -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: text))
        return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// Each filter alone and combined prints exactly the events a plain scan of the log selects,
    /// in sequence order.
    @Test func filtersSelectWhatAScanOfTheLogSelects() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let all = try await eventsOfLedger(directory)
            #expect(all.count == Int(history.head.sequence))
            let since = iso8601(microseconds: history.boundaries[1])
            let until = iso8601(microseconds: history.boundaries[2])
            let (sinceTime, untilTime) = (try Self.microseconds(since), try Self.microseconds(until))
            let teamBExperiment = try #require(all.first { $0.type == .experimentCreated && $0.workspace == "team-b" }).entity.description

            let cases: [(options: [String], expected: (RecordedEvent) -> Bool)] = [
                ([], { _ in true }),
                (["--workspace", "team-a"], { $0.workspace == "team-a" }),
                (["--actor", "bob"], { $0.actor == "bob" }),
                (["--type", "run.created"], { $0.type == .runCreated }),
                (["--type", "run.created", "--type", "grant.set"], { $0.type == .runCreated || $0.type == .grantSet }),
                (["--entity", "experiment"], { $0.entity.kind == .experiment }),
                (["--entity", teamBExperiment], { $0.entity.description == teamBExperiment }),
                (["--entity", "workspace:team-b"], { $0.entity.description == "workspace:team-b" }),
                (["--since", since], { $0.timestamp >= sinceTime }),
                (["--until", until], { $0.timestamp <= untilTime }),
                (["--since", since, "--until", until], { $0.timestamp >= sinceTime && $0.timestamp <= untilTime }),
                (["--workspace", "team-b", "--actor", "bob", "--type", "run.created", "--type", "run.data_logged", "--since", since],
                 { $0.workspace == "team-b" && $0.actor == "bob" && [.runCreated, .runDataLogged].contains($0.type) && $0.timestamp >= sinceTime }),
                (["--actor", "carol", "--entity", "run", "--until", until], { $0.actor == "carol" && $0.entity.kind == .run && $0.timestamp <= untilTime }),
                (["--workspace", "team-a", "--actor", "nobody"], { _ in false }),
            ]
            for (options, predicate) in cases {
                let expected = all.filter(predicate).map(\.sequence)
                if !options.isEmpty && !options.contains("nobody") {
                    #expect(!expected.isEmpty && expected.count < all.count, "\(options) should select some events, not all")
                }
                let printed = sequences(try await Self.auditJSON(directory, options))
                #expect(printed == expected, "\(options)")
            }
        }
    }

    /// One object per line with every field; sources, actors and the change as the log records them.
    @Test func jsonLinesCarryEveryField() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let lines = try await Self.auditJSON(directory, [])
            #expect(sequences(lines) == Array(1...history.head.sequence))
            let required: Set<String> = ["time", "sequence", "actor", "source", "workspace", "type", "entity", "change", "changes", "request_id"]
            for line in lines {
                #expect(required.isSubset(of: Set(line.keys)), "\(line.keys.sorted())")
                let time = try #require(line["time"] as? String)
                #expect(time.hasSuffix("Z"), "UTC: \(time)")
                #expect((try? Self.microseconds(time)) != nil, "ISO-8601: \(time)")
                #expect(line["changes"] is [[String: Any]])
            }

            let update = try #require(lines.first { ($0["sequence"] as? NSNumber)?.uint64Value == history.workspaceUpdate })
            #expect(update["actor"] as? String == "alice")
            #expect(update["source"] as? String == "http")
            #expect(update["remote_address"] as? String == "10.0.0.5")
            #expect(update["user_agent"] as? String == "mlflow-python/2.20")
            #expect(update["request_id"] as? String == "req-alice")
            #expect(update["workspace"] as? String == "team-a")
            #expect(update["type"] as? String == "workspace.updated")
            #expect(update["entity"] as? String == "workspace:team-a")
            #expect(update["change"] as? String == "description: 'first' → '\(DemoHistory.teamADescription)'")
            let changes = try #require(update["changes"] as? [[String: Any]])
            #expect(changes.count == 1)
            #expect(changes.first?["field"] as? String == "description")
            #expect(changes.first?["before"] as? String == "first")
            #expect(changes.first?["after"] as? String == DemoHistory.teamADescription)

            let first = try #require(lines.first)
            #expect(first["actor"] as? String == "system")
            #expect(first["source"] as? String == "system")
            let byCarol = try #require(lines.first { $0["actor"] as? String == "carol" })
            #expect(byCarol["source"] as? String == "cli")
            #expect(byCarol["remote_address"] == nil)
        }
    }

    /// CSV: a header row, then one record per event holding what the JSON line holds; fields with
    /// commas, quotes and line breaks are quoted.
    @Test func csvIsProperlyQuotedAndMatchesJSON() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let result = try await runLedger(["audit", "--format", "csv", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("\"\"A\"\""), "inner quotes are doubled")
            let records = try parseCSV(result.stdout)
            let header = try #require(records.first)
            #expect(header == ["time", "sequence", "actor", "source", "remote_address", "user_agent", "request_id", "workspace", "type", "entity", "change"])
            let rows = records.dropFirst()
            #expect(rows.count == Int(history.head.sequence))
            #expect(rows.allSatisfy { $0.count == header.count }, "every record has every column")

            let json = try await Self.auditJSON(directory, [])
            for (row, line) in zip(rows, json) {
                let field = Dictionary(uniqueKeysWithValues: zip(header, row))
                #expect(field["sequence"] == (line["sequence"] as? NSNumber)?.stringValue)
                for key in ["time", "actor", "source", "request_id", "workspace", "type", "entity", "change"] {
                    #expect(field[key] == line[key] as? String, "\(key) of event \(field["sequence"] ?? "?")")
                }
                #expect(field["remote_address"] == (line["remote_address"] as? String ?? ""))
            }
            let update = try #require(rows.first { $0[1] == String(history.workspaceUpdate) })
            #expect(update[10] == "description: 'first' → '\(DemoHistory.teamADescription)'")
            #expect(update[10].contains(",") && update[10].contains("\"") && update[10].contains("\n"))
            // A quote alone, and a line break alone, make a field quoted too.
            #expect(rows.contains { $0[8] == "registered_model.created" && $0[10].hasSuffix("description: ∅ → '\(DemoHistory.modelADescription)'") })
            #expect(rows.contains { $0[8] == "experiment.tag_set" && $0[10] == "tag.note: ∅ → '\(DemoHistory.noteTag)'" })
            #expect(result.stdout.contains(#","model_id: ∅ → '"#) && result.stdout.contains(#"'; name: ∅ → 'model-a'; description: ∅ → 'the ""best"" model'""#))
            #expect(result.stdout.contains("\"tag.note: ∅ → 'line one\nline two'\"\r\n"))
        }
    }

    @Test func tableHasAHeaderAndARowPerEvent() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let result = try await runLedger(["audit", "--workspace", "team-b", "--type", "run.created", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["TIME", "SEQ", "ACTOR", "SOURCE", "WORKSPACE", "TYPE", "ENTITY", "CHANGE"])
            #expect(lines.count == 1 + history.teamB.runs, "\(result)")
            for line in lines.dropFirst() {
                let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                #expect(cells.count > 7, "\(line)")
                #expect(cells[4] == "team-b" || cells[5] == "team-b", "\(line)")
                #expect(line.contains(" run.created "), "\(line)")
                #expect(line.contains("run_id: ∅ → '"), "\(line)")
            }
            // Bob's runs came over HTTP (the address is shown); carol's from the CLI.
            #expect(lines.contains { $0.contains(" bob ") && $0.contains("http 10.0.0.6") })
            #expect(lines.contains { $0.contains(" carol ") && $0.contains(" cli ") })
        }
    }

    /// Control characters in values are escaped in the table: a value can neither break a row nor
    /// forge one.
    @Test func tableEscapesLineBreaksInValues() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            try await withReopenableLedger(directory) { ledger in
                let forged = "x\n2026-01-01T00:00:00.000Z 1       mallory      cli              team-a           workspace.deleted\r\u{1B}[2K\tdone"
                _ = try await ledger.updateWorkspace(name: "empty", WorkspaceUpdate(description: forged), context: Actors.carol)
            }
            let result = try await runLedger(["audit", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 1 + Int(history.head.sequence) + 1, "one line per event: \(result)")
            #expect(!lines.contains { $0.hasPrefix("2026-01-01") }, "a forged row")
            let update = try #require(lines.first { $0.contains(" \(history.workspaceUpdate) ") && $0.contains("workspace.updated") })
            #expect(update.hasSuffix(#"description: 'first' → 'Team "A", vision\nsecond line'"#), "\(update)")
            let last = try #require(lines.last)
            #expect(last.contains(#"x\n2026-01-01T00:00:00.000Z 1"#) && last.contains(#"\r\u{1B}[2K\tdone"#), "\(last)")
            #expect(!result.stdout.contains("\u{1B}"), "no terminal escape reaches the terminal")
        }
    }

    /// A password shows as "password set", never as the hash or the salt, in any format.
    @Test func passwordChangesNeverShowTheHash() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let secrets = [history.derivedKey.hex, history.salt.hex, Data(history.derivedKey).base64EncodedString(), Data(history.salt).base64EncodedString()]
            #expect(history.derivedKey.count >= 16 && history.salt.count >= 8)
            for format in ["table", "json", "csv"] {
                let result = try await runLedger(["audit", "--format", format, "--data-dir", directory])
                #expect(result.status == 0, "\(result)")
                #expect(result.stdout.contains("password set"), "\(format)")
                for secret in secrets {
                    #expect(!result.stdout.lowercased().contains(secret.lowercased()), "\(format) shows a password hash or salt")
                }
            }
            let changed = try await Self.auditJSON(directory, ["--type", "user.password_changed"])
            #expect(sequences(changed) == [history.passwordChange])
            #expect(changed.first?["change"] as? String == "password: ∅ → 'password set'")
            #expect(changed.first?["entity"] as? String == "user:alice")
            #expect(changed.first?["actor"] as? String == "alice")
        }
    }

    /// `--verify` checks the chain over the printed range: clean is 0; a changed event inside it is
    /// 1 naming the sequence; a change outside it is not this audit's concern.
    @Test func verifyChecksTheChainOverThePrintedRange() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let clean = try await runLedger(["audit", "--workspace", "team-a", "--verify", "--format", "json", "--data-dir", directory])
            #expect(clean.status == 0, "\(clean)")
            #expect(clean.stderr.contains("hash chain verified over sequences"), "\(clean)")

            // "second line" → "sicond line" in team-a's description update: it still decodes.
            try changeStoredEvent(directory, history.workspaceUpdate) { stored in
                let at = try #require(firstIndex(of: Array("second line".utf8), in: Array(stored.dropLast(32))))
                stored[at + 1] = UInt8(ascii: "i")
            }

            let broken = try await runLedger(["audit", "--workspace", "team-a", "--verify", "--format", "json", "--data-dir", directory])
            #expect(broken.status == 1, "\(broken)")
            #expect(broken.stderr.contains("BROKEN"), "\(broken)")
            #expect(broken.stderr.contains("hash mismatch at sequence \(history.workspaceUpdate)"), "\(broken)")
            #expect(broken.stdout.contains("sicond line"), "the events are printed before the check")

            // team-b's events all come after the changed one: their range is intact.
            let outside = try await runLedger(["audit", "--workspace", "team-b", "--verify", "--data-dir", directory])
            #expect(outside.status == 0, "\(outside)")
            // Without --verify the audit does not check.
            let unchecked = try await runLedger(["audit", "--workspace", "team-a", "--data-dir", directory])
            #expect(unchecked.status == 0, "\(unchecked)")
            // replay --verify sees it too.
            let replay = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(replay.status == 1, "\(replay)")
        }
    }

    @Test(arguments: [
        (["--type", "experiment.exploded"], "unknown event type 'experiment.exploded'"),
        (["--type", "run.created", "--type", "bogus"], "unknown event type 'bogus'"),
        (["--entity", "planet:3"], "Unknown entity 'planet:3'"),
        (["--entity", "experiment:"], "experiment:"),
        (["--entity", ":3"], "Unknown entity"),
        (["--since", "yesterday"], "--since wants an ISO-8601 time"),
        (["--until", "2026-13-45"], "--until wants an ISO-8601 time"),
        (["--format", "xml"], "xml"),
    ])
    func badInputIsExitTwoWithAMessage(_ options: [String], _ message: String) async throws {
        try await withTemporaryPath { directory in
            try await buildDemoLedger(in: directory)
            let result = try await runLedger(["audit", "--data-dir", directory] + options)
            #expect(result.status == 2, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains(message), "\(result)")
        }
    }
}
