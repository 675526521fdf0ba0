import Foundation
import Logging
import Testing
@testable import LedgerServer

/// The per-request work kept cheap for the HTTP targets: request ids, the log line, and reading
/// headers and query strings without Foundation on the usual path.
@Suite("Request log and hot path")
struct RequestLogTests {
    @Test func requestIDsAreVersion4UUIDsThatDoNotRepeat() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = RequestID.make()
            let uuid = UUID(uuidString: id)
            #expect(uuid != nil, "\(id)")
            #expect(id == id.lowercased())
            let bytes = Array(id.utf8)
            #expect(bytes[14] == UInt8(ascii: "4"), "version 4: \(id)")
            #expect("89ab".utf8.contains(bytes[19]), "RFC 9562 variant: \(id)")
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    @Test(arguments: [
        (Duration.zero, "0.00"),
        (.microseconds(4), "0.00"),
        (.microseconds(5), "0.01"),
        (.microseconds(420), "0.42"),
        (.milliseconds(7) + .microseconds(59), "7.06"),
        (.seconds(2) + .milliseconds(3), "2003.00"),
    ])
    func durationsAreMillisecondsWithTwoDecimals(_ elapsed: Duration, _ expected: String) {
        #expect(RequestLogMiddleware.milliseconds(elapsed) == expected)
    }

    @Test func logLinesReadAsStreamLogHandlerWritesThem() throws {
        let event = LogEvent(level: .info, message: "request", metadata: [
            "status": .string("200"), "method": .string("GET"), "ms": .stringConvertible(0.5),
            "tags": .array([.string("a")]), "shared": .string("from the call"),
        ], source: "LedgerServer", file: #fileID, function: #function, line: #line)
        var line: [UInt8] = []
        ServerLogHandler.format(event, label: "ledger.serve", base: ["hb.request.id": .string("abc"), "shared": .string("base")],
                                provided: [:], into: &line)
        let text = String(decoding: line, as: UTF8.self)
        // `2026-11-22T04:57:28+0000 info ledger.serve: k=v ... [source] message\n`, keys sorted, the call's value winning.
        let expected = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info ledger\.serve: hb\.request\.id=abc method=GET ms=0\.5 shared=from the call status=200 tags=\["a"\] \[LedgerServer\] request\n$"#
        #expect(text.range(of: expected, options: .regularExpression) != nil, "\(text)")
    }

    @Test func aLogLineWithoutMetadataHasNone() {
        let event = LogEvent(level: .warning, message: "stopped", metadata: nil, source: "ledger", file: #fileID, function: #function, line: #line)
        var line: [UInt8] = []
        ServerLogHandler.format(event, label: "", base: [:], provided: [:], into: &line)
        #expect(String(decoding: line, as: UTF8.self).hasSuffix(" warning: [ledger] stopped\n"))
    }

    @Test func theHandlerWritesWholeLinesToItsFile() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        var logger = Logger(label: "test") { label in
            ServerLogHandler(label: label, logLevel: .info, metadataProvider: nil, fileDescriptor: descriptors[1])
        }
        logger[metadataKey: "request_id"] = "r-1"
        logger.debug("not written")
        logger.info("written", metadata: ["status": "404"])
        close(descriptors[1])
        let output = String(decoding: FileHandle(fileDescriptor: descriptors[0]).readDataToEndOfFile(), as: UTF8.self)
        #expect(output.hasSuffix(" info test: request_id=r-1 status=404 [LedgerServerTests] written\n"), "\(output)")
        #expect(output.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        ("team-a", "team-a"), (" team-a\t", "team-a"), ("\u{00A0}team-a\u{2003}", "team-a"), ("   ", ""), ("a", "a"), ("é", "é"),
    ])
    func workspaceHeadersAreTrimmedAsFoundationTrims(_ header: String, _ expected: String) {
        #expect(RequestCall.trimmed(header) == expected)
        #expect(RequestCall.trimmed(header) == header.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: [
        ("plain", "plain"), ("a+b", "a b"), ("name+%3D+%27x%27", "name = 'x'"), ("100%", "100%"), ("%zz", "%zz"), ("%C3%A9", "é"),
    ])
    func formValuesAreDecoded(_ text: String, _ expected: String) {
        #expect(RequestCall.formDecode(Substring(text)) == expected)
    }

    @Test(arguments: [
        ("experiment_id", "experimentId"), ("name", "name"), ("max_results", "maxResults"), ("run_9x", "run9x"), ("é_é", "éÉ"),
    ])
    func aliasesAreCamelCase(_ name: String, _ expected: String) {
        #expect(RequestParameters.camelCase(name) == expected)
    }
}
