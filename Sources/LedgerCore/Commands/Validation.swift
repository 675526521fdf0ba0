/// The domain's input rules. Each failure is `invalidParameterValue` with a message that names the
/// value and says what is allowed.
enum Validation {
    /// Names a workspace may not take (they are path segments of the server). The name check
    /// compares bytes with these in `WorkspaceNameForm`: change both together.
    static let reservedWorkspaceNames: Set<String> = ["workspaces", "api", "ajax-api", "static-files"]
    static let maxNameBytes = 400
    static let maxKeyLength = 250
    static let maxParamValueLength = 6000
    static let maxTagValueLength = 8000
    static let maxArtifactRootLength = 2048

    /// A string's length as MLflow's limits count it: Unicode code points (Python's `len`), not
    /// grapheme clusters, which would let `e` + a combining accent count once.
    static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// Checks a workspace name's form (2-63 characters, lowercase letters, digits and single inner
    /// hyphens) and, unless `allowDefault`, that it is not reserved.
    static func workspaceName(_ name: String, allowDefault: Bool = true) throws(LedgerError) {
        // Every workspace-scoped request checks its name, so this is one pass over the UTF-8 bytes
        // that allocates nothing (Foundation's `contains("--")` alone cost over a microsecond).
        let form = name.utf8.withContiguousStorageIfAvailable(WorkspaceNameForm.init) ?? WorkspaceNameForm(Array(name.utf8))
        // Only allowed bytes means ASCII: one code point per byte.
        let count = form.allowedBytes ? form.byteCount : name.unicodeScalars.count
        guard (2...63).contains(count) else {
            throw LedgerError(.invalidParameterValue, "Workspace name '\(name)' must be between 2 and 63 characters.")
        }
        guard form.allowedBytes, form.alnumEnds else {
            throw LedgerError(.invalidParameterValue, "Workspace name '\(name)' must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (lowercase letters, digits and inner hyphens).")
        }
        guard !form.doubleHyphen else {
            throw LedgerError(.invalidParameterValue, "Workspace name '\(name)' must not contain consecutive hyphens ('--').")
        }
        if form.isReserved || (!allowDefault && name == Workspace.defaultName) {
            throw LedgerError(.invalidParameterValue, "Workspace name '\(name)' is reserved and cannot be used.")
        }
    }

    /// What ``workspaceName(_:allowDefault:)`` needs to know of a name's bytes, from one pass.
    private struct WorkspaceNameForm {
        var byteCount = 0
        /// Every byte is a lowercase letter, a digit or a hyphen.
        var allowedBytes = true
        /// The first and the last byte are letters or digits.
        var alnumEnds = false
        var doubleHyphen = false
        /// One of ``reservedWorkspaceNames``.
        var isReserved = false

        init(_ bytes: some Collection<UInt8>) {
            func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
            var previous: UInt8 = 0
            for byte in bytes {
                if !isAlnum(byte) {
                    if byte == 0x2D {
                        if previous == 0x2D { doubleHyphen = true }
                    } else {
                        allowedBytes = false
                    }
                }
                previous = byte
            }
            byteCount = bytes.count
            alnumEnds = bytes.first.map(isAlnum) == true && isAlnum(previous)
            // The reserved names, compared as bytes (hashing or comparing Strings costs more).
            switch byteCount {
            case 3: isReserved = bytes.elementsEqual("api".utf8)
            case 8: isReserved = bytes.elementsEqual("ajax-api".utf8)
            case 10: isReserved = bytes.elementsEqual("workspaces".utf8)
            case 12: isReserved = bytes.elementsEqual("static-files".utf8)
            default: isReserved = false
            }
        }
    }

    /// Normalises an artifact root: trimmed, `nil` when empty; otherwise it must be an absolute
    /// path or a URI with a scheme.
    static func artifactRoot(_ raw: String?) throws(LedgerError) -> String? {
        guard let raw else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty { return nil }
        guard length(value) <= maxArtifactRootLength else {
            throw LedgerError(.invalidParameterValue, "'default_artifact_root' is \(length(value)) characters long; the limit is \(maxArtifactRootLength).")
        }
        guard !value.contains("#"), !value.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw LedgerError(.invalidParameterValue, "'default_artifact_root' URL can't include fragments or control characters, got '\(value)'.")
        }
        guard value.hasPrefix("/") || hasScheme(value) else {
            throw LedgerError(.invalidParameterValue, "Invalid value for 'default_artifact_root'. Expected a URI (for example 's3://bucket/prefix' or 'mlflow-artifacts:/prefix') or an absolute path, got '\(value)'.")
        }
        return value
    }

    /// A URI scheme of two or more characters (one letter would be a Windows drive, `C:x`).
    static func hasScheme(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":") else { return false }
        let scheme = value[..<colon]
        guard scheme.count >= 2, let first = scheme.first, first.isASCII, first.isLetter else { return false }
        guard value[value.index(after: colon)...].count > 0 else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// Experiment and registered model names: non-empty, no control characters, bounded.
    static func resourceName(_ name: String, _ what: String) throws(LedgerError) {
        guard !isBlank(name) else {
            throw LedgerError(.invalidParameterValue, "\(what) name must be a non-empty string, got '\(name)'.")
        }
        guard name.utf8.count <= maxNameBytes else {
            throw LedgerError(.invalidParameterValue, "\(what) name is \(name.utf8.count) bytes long; the limit is \(maxNameBytes).")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw LedgerError(.invalidParameterValue, "\(what) name '\(name.debugDescription)' contains control characters; remove them.")
        }
    }

    /// True when `text` holds nothing but Foundation's `.whitespaces` (Unicode category Zs, tab,
    /// and on Linux the zero-width space), decided without Foundation: `trimmingCharacters(in:)`
    /// goes through NSString there: 1.3-2.3 µs a name against 20 ns for this loop.
    static func isBlank(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            if scalar.isASCII { return scalar != " " && scalar != "\t" }
            return scalar.properties.generalCategory != .spaceSeparator && scalar != "\u{200B}"
        }
    }

    /// Tag, parameter and metric keys: 1-250 characters, no control characters.
    static func key(_ key: String, _ what: String) throws(LedgerError) {
        guard !key.isEmpty, length(key) <= maxKeyLength else {
            throw LedgerError(.invalidParameterValue, "\(what) key '\(key)' must be 1 to \(maxKeyLength) characters long.")
        }
        guard !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw LedgerError(.invalidParameterValue, "\(what) key \(key.debugDescription) contains control characters; remove them.")
        }
    }

    static func value(_ value: String, _ what: String, key: String, limit: Int) throws(LedgerError) {
        guard length(value) <= limit else {
            throw LedgerError(.invalidParameterValue, "\(what) '\(key)' has a value of \(length(value)) characters; the limit is \(limit).")
        }
    }

    static func tags(_ tags: [Tag], _ what: String) throws(LedgerError) {
        for tag in tags {
            try key(tag.key, what)
            try value(tag.value, what, key: tag.key, limit: maxTagValueLength)
        }
    }

    /// Usernames: 1-255 bytes, no control characters and no ':' (HTTP Basic's separator).
    static func username(_ name: String) throws(LedgerError) {
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw LedgerError(.invalidParameterValue, "Username '\(name)' must be 1 to 255 bytes long.")
        }
        guard !name.contains(":"), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw LedgerError(.invalidParameterValue, "Username \(name.debugDescription) must not contain ':' or control characters.")
        }
    }

    static func password(_ password: String) throws(LedgerError) {
        guard length(password) >= 8 else {
            throw LedgerError(.invalidParameterValue, "Password must be at least 8 characters long.")
        }
    }
}

import Foundation
