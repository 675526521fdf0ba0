import Foundation
import Testing
@testable import LedgerCore

/// Page tokens' text: base64url without padding, checked against Foundation's base64.
@Suite struct Base64URLTests {
    /// Foundation's base64 of `bytes`, made URL-safe and unpadded.
    static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func encodesAsFoundationDoesAndDecodesBack() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...40 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let text = Base64URL.encode(bytes)
                #expect(text == Self.reference(bytes), "\(bytes)")
                #expect(Base64URL.decode(text) == bytes, "\(text)")
            }
        }
        // Every character of the alphabet, including both URL-safe ones.
        let all = Array(0..<48).map { UInt8($0 * 5 + 3) } + [0xFB, 0xFF, 0xBF]
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test func paddingIsAccepted() {
        #expect(Base64URL.decode("AQ==") == [1])
        #expect(Base64URL.decode("AQI=") == [1, 2])
    }

    @Test(arguments: ["garbage!", "A", "AAAAA", "AB", "AQJ", "a+b/", "%%%", "AQ\u{e9}"])
    func whatNoEncoderWritesIsRefused(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
