import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// The OpenAPI document (``OpenAPIDocument``) against the router it describes: the same routes
/// both ways, references that resolve, and the document served as JSON.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// The parsed document, with `$ref` resolution (local references only, as the document uses).
    struct Document {
        let root: [String: Any]

        static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

        init() throws {
            let parsed = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8))
            root = try #require(parsed as? [String: Any], "the document is not a JSON object")
        }

        /// The value `reference` (`#/components/...`) points at.
        func resolve(_ reference: String) throws -> Any {
            let pointer = try #require(reference.hasPrefix("#/") ? reference.dropFirst(2) : nil, "not a local reference: \(reference)")
            var value: Any = root
            for token in pointer.split(separator: "/", omittingEmptySubsequences: false) {
                let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                let object = try #require(value as? [String: Any], "\(reference): '\(key)' is not inside an object")
                value = try #require(object[key], "\(reference) does not resolve: no '\(key)'")
            }
            return value
        }

        /// `object`, or what it refers to when it is a `{"$ref": ...}`.
        func dereferenced(_ object: [String: Any]) throws -> [String: Any] {
            guard let reference = object["$ref"] as? String else { return object }
            return try #require(try resolve(reference) as? [String: Any], "\(reference) is not an object")
        }

        struct Operation {
            var method: String
            var path: String
            var object: [String: Any]
            /// As Hummingbird's `Router.routes` describes a route: `GET /api/3.0/mlflow/workspaces/{name}`.
            var label: String { "\(method.uppercased()) \(path)" }
        }

        func operations() throws -> [Operation] {
            let paths = try #require(root["paths"] as? [String: Any], "no paths")
            var operations: [Operation] = []
            for (path, value) in paths {
                let item = try dereferenced(try #require(value as? [String: Any], "path \(path) is not an object"))
                for method in Self.methods {
                    guard let operation = item[method] else { continue }
                    operations.append(Operation(method: method, path: path, object: try #require(operation as? [String: Any])))
                }
            }
            return operations
        }

        /// Every `$ref` string anywhere in the document.
        func references() -> [String] {
            var found: [String] = []
            func walk(_ value: Any) {
                if let object = value as? [String: Any] {
                    if let reference = object["$ref"] as? String { found.append(reference) }
                    object.values.forEach(walk)
                } else if let array = value as? [Any] {
                    array.forEach(walk)
                }
            }
            walk(root)
            return found
        }
    }

    @Test(arguments: [false, true])
    func theRouterAndTheDocumentListTheSameRoutes(authentication: Bool) async throws {
        try await withTestServer { server in
            let router = buildRouter(ledger: server.ledger, configuration: ServerConfiguration(authentication: authentication))
            let routed = Set(router.routes.map(\.description))
            let documented = try Document().operations().map(\.label)
            #expect(documented.count == Set(documented).count, "an operation is documented twice")
            #expect(routed.count > 100, "the router lists \(routed.count) routes")
            let undocumented = routed.subtracting(documented).sorted()
            let unrouted = Set(documented).subtracting(routed).sorted()
            #expect(undocumented.isEmpty, "routes the document does not describe: \(undocumented)")
            #expect(unrouted.isEmpty, "documented operations no route serves: \(unrouted)")
        }
    }

    @Test func everyReferenceResolves() throws {
        let document = try Document()
        #expect(document.root["openapi"] as? String == "3.1.0")
        let references = document.references()
        #expect(references.count > 100)
        for reference in Set(references) {
            _ = try document.resolve(reference)
        }
    }

    /// The operations the document marks public (`security: []`) are exactly those the
    /// authentication middleware lets through without credentials.
    @Test func publicOperationsAreThoseServedWithoutCredentials() throws {
        for operation in try Document().operations() {
            let isPublic = (operation.object["security"] as? [Any])?.isEmpty == true
            #expect(isPublic == AuthMiddleware.isPublic(operation.path), "\(operation.label): public in the document: \(isPublic)")
        }
    }

    /// The pattern of schema `name` (`components/schemas`), as a regular expression.
    static func pattern(_ name: String, in document: Document) throws -> NSRegularExpression {
        let schema = try #require(try document.resolve("#/components/schemas/\(name)") as? [String: Any])
        return try NSRegularExpression(pattern: try #require(schema["pattern"] as? String, "\(name) has no pattern"))
    }

    /// Whether `expression` matches somewhere in `text` (JSON Schema's `pattern` is a search).
    static func matches(_ expression: NSRegularExpression, _ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The document's patterns for workspace names and `order_by` clauses accept exactly what the
    /// server accepts, on values at and around the edges of each rule.
    @Test func documentedPatternsAgreeWithTheServer() async throws {
        let document = try Document()
        let workspaceName = try Self.pattern("WorkspaceName", in: document)
        let names = ["ab", "a", "default", "team-a", "a1-b2", "123", "team--a", "-team", "team-", "Team-A", "team_a", "api", "ajax-api",
                     "workspaces", "static-files", "apis", String(repeating: "a", count: 63), String(repeating: "a", count: 64), "é1", "a b"]
        try await withTestServer { server in
            for name in names {
                var valid = true
                do { _ = try server.ledger.workspace(named: name) } catch let error as LedgerError { valid = error.code != .invalidParameterValue }
                #expect(Self.matches(workspaceName, name) == valid, "workspace name '\(name)': the server says \(valid ? "valid" : "invalid")")
            }
        }
        let orderBy = try Self.pattern("OrderByClause", in: document)
        let clauses = ["name", "NAME desc", "experiment_id ASC", "  creation_time   DESC  ", "attributes.last_update_time", "attribute.Name aſc",
                       "attributes.attribute.name", "attribute.attributes.name", "name\tASC", "name ASC DESC", "tags.team", "laſt_update_time",
                       "name ASCENDING", "run_id", "", " "]
        for clause in clauses {
            let valid = (try? SearchFilter.orders([clause], allowed: ExperimentsController.orderFields)) != nil
            #expect(Self.matches(orderBy, clause) == valid, "order_by '\(clause)': the server says \(valid ? "valid" : "invalid")")
        }
    }

    /// Without `--auth` the served document is the written one without its credential
    /// requirement, since every operation then answers anonymously.
    @Test(arguments: ["/api/openapi.json", "/ajax-api/openapi.json"])
    func theDocumentIsServedAsJSON(path: String) async throws {
        try await withTestServer { server in
            let response = try await server.get(path)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let served = try response.json()
            #expect(served["security"] == nil, "no credentials are needed without --auth")
            var written = try Document().root
            #expect(written["security"] != nil)
            written["security"] = nil
            #expect(NSDictionary(dictionary: served).isEqual(to: written), "the served document differs from the written one beyond 'security'")
            #expect((served["paths"] as? [String: Any])?[path] != nil, "the document lists itself")
        }
    }

    /// With `--auth` the document as written (credentials required) is served, itself without
    /// credentials.
    @Test func theDocumentIsServedAsWrittenAndWithoutCredentialsUnderAuth() async throws {
        try await withAuthServer { server in
            for path in ["/api/openapi.json", "/ajax-api/openapi.json"] {
                let response = try await server.anonymous.get(path)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.text == OpenAPIDocument.json)
            }
            #expect(try await server.anonymous.get("/api/3.0/mlflow/workspaces").status == .unauthorized)
        }
    }
}
