import Hummingbird

/// `GET /api/openapi.json`: the OpenAPI document of every route (``OpenAPIDocument``), as this
/// server runs: requiring HTTP Basic credentials only with `--auth`. It needs no workspace header
/// and no credentials.
struct OpenAPIController {
    let authentication: Bool

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        let document = authentication ? OpenAPIDocument.withAuthentication : OpenAPIDocument.withoutAuthentication
        group.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
    }
}
