import LedgerCore

/// MLflow's search filter and order syntax, for the attributes this server searches by:
/// `name = 'x' AND tags.team LIKE 'ml%'`, `order_by: ["name ASC", "creation_time DESC"]`.
enum SearchFilter {
    /// One parsed comparison.
    struct Condition: Equatable {
        enum Subject: Equatable {
            case attribute(String)
            case tag(String)
        }
        var subject: Subject
        var match: StringMatch
    }

    /// Parses `filter` into conditions joined by AND; an error names what could not be read.
    static func parse(_ filter: String) throws(LedgerError) -> [Condition] {
        var scanner = Scanner(Array(filter.unicodeScalars))
        var conditions: [Condition] = []
        scanner.skipSpaces()
        if scanner.isAtEnd { return [] }
        while true {
            let identifier = try scanner.identifier(filter)
            scanner.skipSpaces()
            let op = try scanner.comparator(filter)
            scanner.skipSpaces()
            let value = try scanner.quoted(filter)
            let match: StringMatch
            switch op {
            case "=": match = .equals(value)
            case "!=": match = .notEquals(value)
            case "LIKE": match = .like(value)
            default: match = .ilike(value)
            }
            conditions.append(Condition(subject: try subject(identifier, filter), match: match))
            scanner.skipSpaces()
            if scanner.isAtEnd { return conditions }
            guard scanner.keyword("AND") else {
                throw invalid(filter, "expected AND between conditions at position \(scanner.position)")
            }
            scanner.skipSpaces()
        }
    }

    static func subject(_ identifier: String, _ filter: String) throws(LedgerError) -> Condition.Subject {
        let lower = identifier.lowercased()
        for prefix in ["tags.", "tag."] where lower.hasPrefix(prefix) {
            var key = String(identifier.dropFirst(prefix.count))
            if key.hasPrefix("`") && key.hasSuffix("`") && key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            return .tag(key)
        }
        for prefix in ["attributes.", "attribute."] where lower.hasPrefix(prefix) {
            return .attribute(String(lower.dropFirst(prefix.count)))
        }
        return .attribute(lower)
    }

    static func invalid(_ filter: String, _ reason: String) -> LedgerError {
        LedgerError(.invalidParameterValue, "Invalid filter '\(filter)': \(reason). Use conditions such as name = 'x', name LIKE '%x%' or tags.key = 'v', joined by AND.")
    }

    /// Parses `order_by` clauses: `<field> [ASC|DESC]`, field among `allowed`.
    static func orders(_ clauses: [String], allowed: [String: ExperimentSearch.Field]) throws(LedgerError) -> [ExperimentSearch.Order] {
        try clauses.map { (clause) throws(LedgerError) in
            let parts = clause.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard (1...2).contains(parts.count) else {
                throw LedgerError(.invalidParameterValue, "Invalid order_by clause '\(clause)': use '<field> [ASC|DESC]' with field one of \(allowed.keys.sorted().joined(separator: ", ")).")
            }
            var name = parts[0].lowercased()
            for prefix in ["attributes.", "attribute."] where name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
            guard let field = allowed[name] else {
                throw LedgerError(.invalidParameterValue, "Invalid order_by field '\(parts[0])': use one of \(allowed.keys.sorted().joined(separator: ", ")).")
            }
            let direction = parts.count == 2 ? parts[1].uppercased() : "ASC"
            guard direction == "ASC" || direction == "DESC" else {
                throw LedgerError(.invalidParameterValue, "Invalid order_by direction '\(parts[1])' in '\(clause)': use ASC or DESC.")
            }
            return ExperimentSearch.Order(field, ascending: direction == "ASC")
        }
    }

    /// A small hand-written scanner over the filter text.
    struct Scanner {
        let characters: [Unicode.Scalar]
        var position = 0

        init(_ characters: [Unicode.Scalar]) { self.characters = characters }

        var isAtEnd: Bool { position >= characters.count }

        mutating func skipSpaces() {
            while position < characters.count, characters[position].properties.isWhitespace { position += 1 }
        }

        mutating func identifier(_ filter: String) throws(LedgerError) -> String {
            var text = ""
            var inBackticks = false
            while position < characters.count {
                let c = characters[position]
                if c == "`" { inBackticks.toggle(); text.unicodeScalars.append(c); position += 1; continue }
                if !inBackticks && (c.properties.isWhitespace || c == "=" || c == "!") { break }
                text.unicodeScalars.append(c)
                position += 1
            }
            guard !text.isEmpty else { throw SearchFilter.invalid(filter, "expected a field name at position \(position)") }
            return text
        }

        mutating func comparator(_ filter: String) throws(LedgerError) -> String {
            if keyword("!=") { return "!=" }
            if keyword("=") { return "=" }
            if keyword("LIKE") { return "LIKE" }
            if keyword("ILIKE") { return "ILIKE" }
            throw SearchFilter.invalid(filter, "expected =, !=, LIKE or ILIKE at position \(position)")
        }

        mutating func quoted(_ filter: String) throws(LedgerError) -> String {
            guard position < characters.count, characters[position] == "'" || characters[position] == "\"" else {
                throw SearchFilter.invalid(filter, "expected a quoted value at position \(position)")
            }
            let quote = characters[position]
            position += 1
            var text = ""
            while position < characters.count, characters[position] != quote {
                text.unicodeScalars.append(characters[position])
                position += 1
            }
            guard position < characters.count else { throw SearchFilter.invalid(filter, "unterminated quoted value") }
            position += 1
            return text
        }

        /// Consumes `word` (case-insensitive) when it comes next.
        mutating func keyword(_ word: String) -> Bool {
            let scalars = Array(word.uppercased().unicodeScalars)
            guard position + scalars.count <= characters.count else { return false }
            for (i, s) in scalars.enumerated() where String(characters[position + i]).uppercased() != String(s) { return false }
            let after = position + scalars.count
            if scalars.first!.properties.isAlphabetic, after < characters.count, !characters[after].properties.isWhitespace { return false }
            position = after
            return true
        }
    }
}
