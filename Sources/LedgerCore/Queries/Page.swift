/// One page of a listing, and the token of the next one (`nil` on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

/// An opaque page token: which listing it continues, and where (the last key returned, or an
/// offset). Tokens are base64url text; a token from another listing or a damaged one is refused.
struct PageToken: Equatable {
    enum Listing: UInt8 {
        case workspaces = 1
        case experiments = 2
        case runs = 3
        case registeredModels = 4
        case offset = 5
    }

    var listing: Listing
    var position: [UInt8]

    var encoded: String { Base64URL.encode([listing.rawValue] + position) }

    static func decode(_ token: String?, expecting listing: Listing) throws(LedgerError) -> PageToken? {
        guard let token, !token.isEmpty else { return nil }
        guard let bytes = Base64URL.decode(token), let first = bytes.first, first == listing.rawValue else {
            throw LedgerError(.invalidParameterValue, "Invalid page_token '\(token)': pass the next_page_token of the previous page of the same listing, unchanged.")
        }
        return PageToken(listing: listing, position: Array(bytes.dropFirst()))
    }

    static func offset(_ value: Int) -> PageToken {
        PageToken(listing: .offset, position: Keys.be64(UInt64(value)))
    }

    func offsetValue() throws(LedgerError) -> Int {
        guard position.count == 8 else { throw LedgerError(.invalidParameterValue, "Invalid page_token: damaged offset.") }
        let value = position.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard value <= UInt64(Int.max) else { throw LedgerError(.invalidParameterValue, "Invalid page_token: damaged offset.") }
        return Int(value)
    }
}
