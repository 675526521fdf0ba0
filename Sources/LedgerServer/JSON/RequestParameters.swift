import Foundation
import LedgerCore

/// The parameters of one request: the JSON body's fields (POST, PATCH, DELETE with a body) or the
/// query string's (GET), read by name with errors that name the field and what was wrong.
struct RequestParameters: Sendable {
    private let fields: [String: JSONValue]
    /// True for a query string: every value arrives as text and is converted.
    private let fromQuery: Bool

    init(body: [String: JSONValue]) {
        fields = body
        fromQuery = false
    }

    /// Query parameters: each a string, or an array of strings for one named more than once.
    init(queryFields: [String: JSONValue]) {
        fields = queryFields
        fromQuery = true
    }

    static func missing(_ name: String) -> LedgerError {
        LedgerError(.invalidParameterValue, "Missing value for required parameter '\(name)'. See the API docs for more information about request parameters.")
    }

    static func invalid(_ name: String, _ value: JSONValue, _ expected: String) -> LedgerError {
        LedgerError(.invalidParameterValue, "Invalid value \(value.excerpt) for parameter '\(name)' supplied: expected \(expected), got \(value.typeName).")
    }

    /// The raw value of `name`, or of its camelCase alias, refusing both spellings at once.
    private func raw(_ name: String) throws(LedgerError) -> JSONValue? {
        let alias = Self.camelCase(name)
        let primary = fields[name]
        let secondary = alias == name ? nil : fields[alias]
        if primary != nil && secondary != nil {
            throw LedgerError(.invalidParameterValue, "Request specifies both '\(name)' and '\(alias)'; provide only one of them.")
        }
        return primary ?? secondary
    }

    func contains(_ name: String) throws(LedgerError) -> Bool { try raw(name) != nil }

    func optionalString(_ name: String) throws(LedgerError) -> String? {
        guard let value = try raw(name) else { return nil }
        guard case .string(let string) = value else { throw Self.invalid(name, value, "a string") }
        return string
    }

    func string(_ name: String) throws(LedgerError) -> String {
        guard let value = try optionalString(name) else { throw Self.missing(name) }
        return value
    }

    /// A required string that is not empty.
    func nonEmptyString(_ name: String) throws(LedgerError) -> String {
        let value = try string(name)
        guard !value.isEmpty else { throw Self.missing(name) }
        return value
    }

    func optionalInt64(_ name: String) throws(LedgerError) -> Int64? {
        guard let value = try raw(name) else { return nil }
        switch value {
        case .integer(let number): return number
        case .string(let text) where fromQuery || Int64(text) != nil:
            // Protobuf JSON writes int64 as a string; the query string always does.
            guard let number = Int64(text) else { throw Self.invalid(name, value, "an integer") }
            return number
        default: throw Self.invalid(name, value, "an integer")
        }
    }

    func int64(_ name: String) throws(LedgerError) -> Int64 {
        guard let value = try optionalInt64(name) else { throw Self.missing(name) }
        return value
    }

    func optionalDouble(_ name: String) throws(LedgerError) -> Double? {
        guard let value = try raw(name) else { return nil }
        switch value {
        case .integer(let number): return Double(number)
        case .double(let number): return number
        case .string(let text):
            // MLflow accepts NaN and infinities as these strings; the query string sends text.
            switch text {
            case "NaN": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default:
                guard fromQuery, let number = Double(text) else { throw Self.invalid(name, value, "a number") }
                return number
            }
        default: throw Self.invalid(name, value, "a number")
        }
    }

    func double(_ name: String) throws(LedgerError) -> Double {
        guard let value = try optionalDouble(name) else { throw Self.missing(name) }
        return value
    }

    /// An experiment id: a string of digits (or a number), as MLflow sends it.
    func experimentID(_ name: String = "experiment_id") throws(LedgerError) -> Int64 {
        guard let value = try raw(name) else { throw Self.missing(name) }
        return try Self.experimentID(value, name)
    }

    static func experimentID(_ value: JSONValue, _ name: String) throws(LedgerError) -> Int64 {
        switch value {
        case .integer(let number) where number >= 0: return number
        case .string(let text):
            guard let number = Int64(text), number >= 0 else {
                throw LedgerError(.resourceDoesNotExist, "No Experiment with id=\(text) exists")
            }
            return number
        default: throw invalid(name, value, "an experiment id string")
        }
    }

    /// A list of experiment ids (POST body array, or a repeated query parameter).
    func experimentIDs(_ name: String = "experiment_ids") throws(LedgerError) -> [Int64] {
        guard let value = try raw(name) else { return [] }
        switch value {
        case .array(let items): return try items.map { (item) throws(LedgerError) in try Self.experimentID(item, name) }
        case .string: return [try Self.experimentID(value, name)]
        default: throw Self.invalid(name, value, "an array of experiment id strings")
        }
    }

    /// An enum value by name (`"FINISHED"`) or by its protobuf number (`3`, or `"3"`), as text.
    func optionalEnumText(_ name: String) throws(LedgerError) -> String? {
        guard let value = try raw(name) else { return nil }
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        default: throw Self.invalid(name, value, "an enum name or number")
        }
    }

    func optionalBool(_ name: String) throws(LedgerError) -> Bool? {
        guard let value = try raw(name) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text) where fromQuery:
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: throw Self.invalid(name, value, "true or false")
            }
        default: throw Self.invalid(name, value, "a boolean")
        }
    }

    /// A list of `{"key": ..., "value": ...}` objects (tags, params).
    func keyValues(_ name: String) throws(LedgerError) -> [Tag] {
        guard let value = try raw(name) else { return [] }
        guard case .array(let items) = value else { throw Self.invalid(name, value, "an array of {key, value} objects") }
        return try items.enumerated().map { (index, item) throws(LedgerError) in
            guard case .object(let object) = item else { throw Self.invalid("\(name)[\(index)]", item, "an object with 'key' and 'value'") }
            let fields = RequestParameters(body: object)
            return Tag(key: try fields.string("\(name)[\(index)].key", as: "key"), value: try fields.string("\(name)[\(index)].value", as: "value"))
        }
    }

    /// A nested list of objects, each read with `read`.
    func objects<T>(_ name: String, _ read: (RequestParameters, String) throws(LedgerError) -> T) throws(LedgerError) -> [T] {
        guard let value = try raw(name) else { return [] }
        guard case .array(let items) = value else { throw Self.invalid(name, value, "an array of objects") }
        return try items.enumerated().map { (index, item) throws(LedgerError) in
            guard case .object(let object) = item else { throw Self.invalid("\(name)[\(index)]", item, "an object") }
            return try read(RequestParameters(body: object), "\(name)[\(index)]")
        }
    }

    /// A list of strings (`order_by`).
    func strings(_ name: String) throws(LedgerError) -> [String] {
        guard let value = try raw(name) else { return [] }
        switch value {
        case .array(let items):
            return try items.map { (item) throws(LedgerError) in
                guard case .string(let text) = item else { throw Self.invalid(name, item, "an array of strings") }
                return text
            }
        case .string(let text) where fromQuery: return [text]
        default: throw Self.invalid(name, value, "an array of strings")
        }
    }

    /// Reads field `key` of a nested object, naming it `path` in errors.
    func string(_ path: String, as key: String) throws(LedgerError) -> String {
        guard let value = try raw(key) else { throw Self.missing(path) }
        guard case .string(let string) = value else { throw Self.invalid(path, value, "a string") }
        return string
    }

    static func camelCase(_ name: String) -> String {
        // Every parameter read asks for its alias: spare the Character-by-Character walk for ASCII names.
        guard name.utf8.contains(UInt8(ascii: "_")) else { return name }
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(name.utf8.count)
            var upper = false
            for byte in name.utf8 {
                if byte == UInt8(ascii: "_") { upper = true; continue }
                bytes.append(upper && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 0x20 : byte)
                upper = false
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var result = ""
        var upper = false
        for character in name {
            if character == "_" { upper = true; continue }
            result.append(upper ? Character(character.uppercased()) : character)
            upper = false
        }
        return result
    }
}
