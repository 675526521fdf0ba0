import Foundation
import Testing
@testable import LedgerCore

/// The shortcuts of the hot read path must answer exactly what the general code answers.
@Suite struct ReadPathTests {
    // MARK: Workspace names

    /// The name check as first written (code points counted, then the pattern, then `--`, then
    /// the reserved names): the reference the one-pass check must agree with, message for message.
    private static func referenceWorkspaceNameProblem(_ name: String, allowDefault: Bool) -> String? {
        let count = name.unicodeScalars.count
        guard (2...63).contains(count) else { return "Workspace name '\(name)' must be between 2 and 63 characters." }
        let bytes = Array(name.utf8)
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        let wellFormed = bytes.count == count && isAlnum(bytes.first!) && isAlnum(bytes.last!) && bytes.allSatisfy { isAlnum($0) || $0 == 0x2D }
        guard wellFormed else {
            return "Workspace name '\(name)' must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (lowercase letters, digits and inner hyphens)."
        }
        guard !name.contains("--") else { return "Workspace name '\(name)' must not contain consecutive hyphens ('--')." }
        if ["workspaces", "api", "ajax-api", "static-files"].contains(name) || (!allowDefault && name == "default") {
            return "Workspace name '\(name)' is reserved and cannot be used."
        }
        return nil
    }

    private static func problem(_ name: String, allowDefault: Bool) -> String? {
        do {
            try Validation.workspaceName(name, allowDefault: allowDefault)
            return nil
        } catch {
            #expect(error.code == .invalidParameterValue)
            return error.message
        }
    }

    @Test func workspaceNameCheckAgreesWithTheReference() {
        var names = ["", "a", "ab", "a-b", "a--b", "-ab", "ab-", "Ab", "a_b", "a b", "default", "workspaces", "api", "ajax-api",
                     "static-files", "static-file", "apis", "team-a", "x0", "00", "é", "éé", "ab\u{301}", "a\u{0}b",
                     String(repeating: "a", count: 63), String(repeating: "a", count: 64), String(repeating: "é", count: 63),
                     String(repeating: "a", count: 62) + "é", "a-" + String(repeating: "b", count: 61), "---", "a---b"]
        // Random names over an alphabet that reaches every rule.
        let alphabet: [String] = ["a", "z", "0", "9", "-", "-", "A", "_", " ", "é", "\u{301}", "👍"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var name = ""
            for i in 0..<Int(state >> 58) + Int((state >> 40) & 3) {
                name += alphabet[Int((state >> UInt64(i % 40)) % UInt64(alphabet.count))]
                state = state &* 6364136223846793005 &+ 1442695040888963407
            }
            names.append(name)
        }
        for name in names {
            for allowDefault in [true, false] {
                #expect(Self.problem(name, allowDefault: allowDefault) == Self.referenceWorkspaceNameProblem(name, allowDefault: allowDefault),
                        "name '\(name)' (allowDefault: \(allowDefault))")
            }
        }
        #expect(Self.problem("a--b", allowDefault: true) != nil)
        #expect(Self.problem("team-a", allowDefault: true) == nil)
    }
}
