import Foundation
import NIOCore

/// The OpenAPI 3.1 document of every route `ledger serve` answers, served at `GET /api/openapi.json`
/// and `GET /ajax-api/openapi.json`.
///
/// The JSON below is the document itself; edit it here. It is a Swift literal rather than a
/// SwiftPM resource: a resource bundle must travel beside the binary (and `Bundle.module` stops
/// the process when it is missing), while `.embedInCode` turns the document into an array literal
/// that took about 40 s to compile. `OpenAPIDocumentTests` checks that it parses, that every
/// reference resolves, and that it lists exactly the routes the router has.
///
/// OpenAPI 3.1 rather than 3.0: its schemas are JSON Schema 2020-12, which schemathesis validates
/// and generates from directly, and `components/pathItems` lets `/api/...` and `/ajax-api/...`
/// share one definition of each route.
enum OpenAPIDocument {
    /// What a server with `--auth` serves: the document as written, which requires HTTP Basic
    /// credentials on every operation not marked `security: []`.
    static let withAuthentication = ByteBuffer(string: json)

    /// What a server without `--auth` serves: it answers every operation without credentials,
    /// so its document drops the requirement (keys sorted, as `JSONSerialization` writes them).
    static let withoutAuthentication: ByteBuffer = {
        guard var document = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
            return withAuthentication // cannot happen: `OpenAPIDocumentTests` parses the literal
        }
        document["security"] = nil
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return withAuthentication
        }
        return ByteBuffer(bytes: data)
    }()

    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Workspace Ledger: the MLflow REST API",
    "version": "1",
    "description": "The MLflow REST API that `ledger serve` speaks: workspaces, experiments, runs, registered models, users and permissions. Every route except `/health` is served under `/api/` and `/ajax-api/` alike. Errors are MLflow's `{\"error_code\", \"message\"}`; a refused request writes nothing. Names, ids and other resources are scoped to the workspace of the `X-MLFLOW-WORKSPACE` header (`default` without one)."
  },
  "security": [
    {
      "basicAuth": []
    }
  ],
  "tags": [
    {
      "name": "Server"
    },
    {
      "name": "Workspaces"
    },
    {
      "name": "Workspace permissions"
    },
    {
      "name": "Experiments"
    },
    {
      "name": "Runs"
    },
    {
      "name": "Registered models"
    },
    {
      "name": "Users"
    },
    {
      "name": "Permissions"
    }
  ],
  "paths": {
    "/health": {
      "$ref": "#/components/pathItems/Health"
    },
    "/api/openapi.json": {
      "$ref": "#/components/pathItems/OpenAPI"
    },
    "/api/3.0/mlflow/server-info": {
      "$ref": "#/components/pathItems/ServerInfo"
    },
    "/api/3.0/mlflow/workspaces": {
      "$ref": "#/components/pathItems/Workspaces"
    },
    "/api/3.0/mlflow/workspaces/{name}": {
      "$ref": "#/components/pathItems/Workspace"
    },
    "/api/3.0/mlflow/workspaces/{name}/permissions": {
      "$ref": "#/components/pathItems/WorkspacePermissions"
    },
    "/api/3.0/mlflow/workspace-permissions": {
      "$ref": "#/components/pathItems/WorkspacePermissionsOfUser"
    },
    "/api/2.0/mlflow/experiments/create": {
      "$ref": "#/components/pathItems/ExperimentsCreate"
    },
    "/api/2.0/mlflow/experiments/get": {
      "$ref": "#/components/pathItems/ExperimentsGet"
    },
    "/api/2.0/mlflow/experiments/get-by-name": {
      "$ref": "#/components/pathItems/ExperimentsGetByName"
    },
    "/api/2.0/mlflow/experiments/search": {
      "$ref": "#/components/pathItems/ExperimentsSearch"
    },
    "/api/2.0/mlflow/experiments/list": {
      "$ref": "#/components/pathItems/ExperimentsList"
    },
    "/api/2.0/mlflow/experiments/update": {
      "$ref": "#/components/pathItems/ExperimentsUpdate"
    },
    "/api/2.0/mlflow/experiments/delete": {
      "$ref": "#/components/pathItems/ExperimentsDelete"
    },
    "/api/2.0/mlflow/experiments/restore": {
      "$ref": "#/components/pathItems/ExperimentsRestore"
    },
    "/api/2.0/mlflow/experiments/set-experiment-tag": {
      "$ref": "#/components/pathItems/ExperimentsSetTag"
    },
    "/api/2.0/mlflow/experiments/delete-experiment-tag": {
      "$ref": "#/components/pathItems/ExperimentsDeleteTag"
    },
    "/api/2.0/mlflow/runs/create": {
      "$ref": "#/components/pathItems/RunsCreate"
    },
    "/api/2.0/mlflow/runs/get": {
      "$ref": "#/components/pathItems/RunsGet"
    },
    "/api/2.0/mlflow/runs/update": {
      "$ref": "#/components/pathItems/RunsUpdate"
    },
    "/api/2.0/mlflow/runs/delete": {
      "$ref": "#/components/pathItems/RunsDelete"
    },
    "/api/2.0/mlflow/runs/restore": {
      "$ref": "#/components/pathItems/RunsRestore"
    },
    "/api/2.0/mlflow/runs/log-parameter": {
      "$ref": "#/components/pathItems/RunsLogParameter"
    },
    "/api/2.0/mlflow/runs/log-metric": {
      "$ref": "#/components/pathItems/RunsLogMetric"
    },
    "/api/2.0/mlflow/runs/log-batch": {
      "$ref": "#/components/pathItems/RunsLogBatch"
    },
    "/api/2.0/mlflow/runs/set-tag": {
      "$ref": "#/components/pathItems/RunsSetTag"
    },
    "/api/2.0/mlflow/runs/delete-tag": {
      "$ref": "#/components/pathItems/RunsDeleteTag"
    },
    "/api/2.0/mlflow/runs/search": {
      "$ref": "#/components/pathItems/RunsSearch"
    },
    "/api/2.0/mlflow/metrics/get-history": {
      "$ref": "#/components/pathItems/MetricsGetHistory"
    },
    "/api/2.0/mlflow/registered-models/create": {
      "$ref": "#/components/pathItems/ModelsCreate"
    },
    "/api/2.0/mlflow/registered-models/get": {
      "$ref": "#/components/pathItems/ModelsGet"
    },
    "/api/2.0/mlflow/registered-models/rename": {
      "$ref": "#/components/pathItems/ModelsRename"
    },
    "/api/2.0/mlflow/registered-models/update": {
      "$ref": "#/components/pathItems/ModelsUpdate"
    },
    "/api/2.0/mlflow/registered-models/delete": {
      "$ref": "#/components/pathItems/ModelsDelete"
    },
    "/api/2.0/mlflow/registered-models/search": {
      "$ref": "#/components/pathItems/ModelsSearch"
    },
    "/api/2.0/mlflow/registered-models/set-tag": {
      "$ref": "#/components/pathItems/ModelsSetTag"
    },
    "/api/2.0/mlflow/registered-models/delete-tag": {
      "$ref": "#/components/pathItems/ModelsDeleteTag"
    },
    "/api/2.0/mlflow/users/create": {
      "$ref": "#/components/pathItems/UsersCreate"
    },
    "/api/2.0/mlflow/users/get": {
      "$ref": "#/components/pathItems/UsersGet"
    },
    "/api/2.0/mlflow/users/list": {
      "$ref": "#/components/pathItems/UsersList"
    },
    "/api/2.0/mlflow/users/update-password": {
      "$ref": "#/components/pathItems/UsersUpdatePassword"
    },
    "/api/2.0/mlflow/users/update-admin": {
      "$ref": "#/components/pathItems/UsersUpdateAdmin"
    },
    "/api/2.0/mlflow/users/delete": {
      "$ref": "#/components/pathItems/UsersDelete"
    },
    "/api/2.0/mlflow/experiments/permissions/create": {
      "$ref": "#/components/pathItems/ExperimentPermissionsCreate"
    },
    "/api/2.0/mlflow/experiments/permissions/get": {
      "$ref": "#/components/pathItems/ExperimentPermissionsGet"
    },
    "/api/2.0/mlflow/experiments/permissions/update": {
      "$ref": "#/components/pathItems/ExperimentPermissionsUpdate"
    },
    "/api/2.0/mlflow/experiments/permissions/delete": {
      "$ref": "#/components/pathItems/ExperimentPermissionsDelete"
    },
    "/api/2.0/mlflow/registered-models/permissions/create": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsCreate"
    },
    "/api/2.0/mlflow/registered-models/permissions/get": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsGet"
    },
    "/api/2.0/mlflow/registered-models/permissions/update": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsUpdate"
    },
    "/api/2.0/mlflow/registered-models/permissions/delete": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsDelete"
    },
    "/ajax-api/openapi.json": {
      "$ref": "#/components/pathItems/OpenAPI"
    },
    "/ajax-api/3.0/mlflow/server-info": {
      "$ref": "#/components/pathItems/ServerInfo"
    },
    "/ajax-api/3.0/mlflow/workspaces": {
      "$ref": "#/components/pathItems/Workspaces"
    },
    "/ajax-api/3.0/mlflow/workspaces/{name}": {
      "$ref": "#/components/pathItems/Workspace"
    },
    "/ajax-api/3.0/mlflow/workspaces/{name}/permissions": {
      "$ref": "#/components/pathItems/WorkspacePermissions"
    },
    "/ajax-api/3.0/mlflow/workspace-permissions": {
      "$ref": "#/components/pathItems/WorkspacePermissionsOfUser"
    },
    "/ajax-api/2.0/mlflow/experiments/create": {
      "$ref": "#/components/pathItems/ExperimentsCreate"
    },
    "/ajax-api/2.0/mlflow/experiments/get": {
      "$ref": "#/components/pathItems/ExperimentsGet"
    },
    "/ajax-api/2.0/mlflow/experiments/get-by-name": {
      "$ref": "#/components/pathItems/ExperimentsGetByName"
    },
    "/ajax-api/2.0/mlflow/experiments/search": {
      "$ref": "#/components/pathItems/ExperimentsSearch"
    },
    "/ajax-api/2.0/mlflow/experiments/list": {
      "$ref": "#/components/pathItems/ExperimentsList"
    },
    "/ajax-api/2.0/mlflow/experiments/update": {
      "$ref": "#/components/pathItems/ExperimentsUpdate"
    },
    "/ajax-api/2.0/mlflow/experiments/delete": {
      "$ref": "#/components/pathItems/ExperimentsDelete"
    },
    "/ajax-api/2.0/mlflow/experiments/restore": {
      "$ref": "#/components/pathItems/ExperimentsRestore"
    },
    "/ajax-api/2.0/mlflow/experiments/set-experiment-tag": {
      "$ref": "#/components/pathItems/ExperimentsSetTag"
    },
    "/ajax-api/2.0/mlflow/experiments/delete-experiment-tag": {
      "$ref": "#/components/pathItems/ExperimentsDeleteTag"
    },
    "/ajax-api/2.0/mlflow/runs/create": {
      "$ref": "#/components/pathItems/RunsCreate"
    },
    "/ajax-api/2.0/mlflow/runs/get": {
      "$ref": "#/components/pathItems/RunsGet"
    },
    "/ajax-api/2.0/mlflow/runs/update": {
      "$ref": "#/components/pathItems/RunsUpdate"
    },
    "/ajax-api/2.0/mlflow/runs/delete": {
      "$ref": "#/components/pathItems/RunsDelete"
    },
    "/ajax-api/2.0/mlflow/runs/restore": {
      "$ref": "#/components/pathItems/RunsRestore"
    },
    "/ajax-api/2.0/mlflow/runs/log-parameter": {
      "$ref": "#/components/pathItems/RunsLogParameter"
    },
    "/ajax-api/2.0/mlflow/runs/log-metric": {
      "$ref": "#/components/pathItems/RunsLogMetric"
    },
    "/ajax-api/2.0/mlflow/runs/log-batch": {
      "$ref": "#/components/pathItems/RunsLogBatch"
    },
    "/ajax-api/2.0/mlflow/runs/set-tag": {
      "$ref": "#/components/pathItems/RunsSetTag"
    },
    "/ajax-api/2.0/mlflow/runs/delete-tag": {
      "$ref": "#/components/pathItems/RunsDeleteTag"
    },
    "/ajax-api/2.0/mlflow/runs/search": {
      "$ref": "#/components/pathItems/RunsSearch"
    },
    "/ajax-api/2.0/mlflow/metrics/get-history": {
      "$ref": "#/components/pathItems/MetricsGetHistory"
    },
    "/ajax-api/2.0/mlflow/registered-models/create": {
      "$ref": "#/components/pathItems/ModelsCreate"
    },
    "/ajax-api/2.0/mlflow/registered-models/get": {
      "$ref": "#/components/pathItems/ModelsGet"
    },
    "/ajax-api/2.0/mlflow/registered-models/rename": {
      "$ref": "#/components/pathItems/ModelsRename"
    },
    "/ajax-api/2.0/mlflow/registered-models/update": {
      "$ref": "#/components/pathItems/ModelsUpdate"
    },
    "/ajax-api/2.0/mlflow/registered-models/delete": {
      "$ref": "#/components/pathItems/ModelsDelete"
    },
    "/ajax-api/2.0/mlflow/registered-models/search": {
      "$ref": "#/components/pathItems/ModelsSearch"
    },
    "/ajax-api/2.0/mlflow/registered-models/set-tag": {
      "$ref": "#/components/pathItems/ModelsSetTag"
    },
    "/ajax-api/2.0/mlflow/registered-models/delete-tag": {
      "$ref": "#/components/pathItems/ModelsDeleteTag"
    },
    "/ajax-api/2.0/mlflow/users/create": {
      "$ref": "#/components/pathItems/UsersCreate"
    },
    "/ajax-api/2.0/mlflow/users/get": {
      "$ref": "#/components/pathItems/UsersGet"
    },
    "/ajax-api/2.0/mlflow/users/list": {
      "$ref": "#/components/pathItems/UsersList"
    },
    "/ajax-api/2.0/mlflow/users/update-password": {
      "$ref": "#/components/pathItems/UsersUpdatePassword"
    },
    "/ajax-api/2.0/mlflow/users/update-admin": {
      "$ref": "#/components/pathItems/UsersUpdateAdmin"
    },
    "/ajax-api/2.0/mlflow/users/delete": {
      "$ref": "#/components/pathItems/UsersDelete"
    },
    "/ajax-api/2.0/mlflow/experiments/permissions/create": {
      "$ref": "#/components/pathItems/ExperimentPermissionsCreate"
    },
    "/ajax-api/2.0/mlflow/experiments/permissions/get": {
      "$ref": "#/components/pathItems/ExperimentPermissionsGet"
    },
    "/ajax-api/2.0/mlflow/experiments/permissions/update": {
      "$ref": "#/components/pathItems/ExperimentPermissionsUpdate"
    },
    "/ajax-api/2.0/mlflow/experiments/permissions/delete": {
      "$ref": "#/components/pathItems/ExperimentPermissionsDelete"
    },
    "/ajax-api/2.0/mlflow/registered-models/permissions/create": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsCreate"
    },
    "/ajax-api/2.0/mlflow/registered-models/permissions/get": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsGet"
    },
    "/ajax-api/2.0/mlflow/registered-models/permissions/update": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsUpdate"
    },
    "/ajax-api/2.0/mlflow/registered-models/permissions/delete": {
      "$ref": "#/components/pathItems/RegisteredModelPermissionsDelete"
    }
  },
  "components": {
    "securitySchemes": {
      "basicAuth": {
        "type": "http",
        "scheme": "basic",
        "description": "HTTP Basic credentials of a user of this server. Required only when the server runs with `--auth`; without it every request is anonymous and allowed."
      }
    },
    "parameters": {
      "Workspace": {
        "name": "X-MLFLOW-WORKSPACE",
        "in": "header",
        "required": false,
        "description": "The workspace the request acts in (trimmed). Absent or empty: `default`. A malformed name answers 400, an unknown one 404.",
        "schema": {
          "type": "string",
          "pattern": "^$|^(?!(?:workspaces|api|ajax-api|static-files)$)(?!.*--)[a-z0-9][-a-z0-9]{0,61}[a-z0-9]$"
        },
        "example": "default"
      },
      "WorkspaceNamePath": {
        "name": "name",
        "in": "path",
        "required": true,
        "description": "A workspace name: 2 to 63 lowercase letters, digits and single inner hyphens; not reserved (`workspaces`, `api`, `ajax-api`, `static-files`). A malformed name answers 400, an unknown one 404.",
        "schema": {
          "$ref": "#/components/schemas/WorkspaceName"
        },
        "example": "default"
      },
      "ExperimentIDQuery": {
        "name": "experiment_id",
        "in": "query",
        "required": true,
        "schema": {
          "type": "string"
        },
        "description": "The experiment's id (decimal digits). Any other text names no experiment (404).",
        "example": "0"
      },
      "RunIDQuery": {
        "name": "run_id",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "The run's id. One of `run_id` and `run_uuid` is required (400 without either)."
      },
      "RunUUIDQuery": {
        "name": "run_uuid",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "The run's id under its older name, read when `run_id` is absent or empty."
      },
      "MaxResultsQuery": {
        "name": "max_results",
        "in": "query",
        "required": false,
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 50000
        },
        "description": "Page size."
      },
      "PageTokenQuery": {
        "name": "page_token",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "The `next_page_token` of the previous page of the same listing, unchanged; empty means the first page. Anything else answers 400."
      },
      "UsernameQuery": {
        "name": "username",
        "in": "query",
        "required": true,
        "schema": {
          "type": "string",
          "minLength": 1
        },
        "description": "A username."
      }
    },
    "responses": {
      "Empty": {
        "description": "Done; nothing to return.",
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {},
              "additionalProperties": false
            }
          }
        }
      },
      "BadRequest": {
        "description": "Invalid input: a malformed workspace header, body or parameter (the message names it), or a name already taken (`RESOURCE_ALREADY_EXISTS`). Nothing was written.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/BadRequestError"
            }
          }
        }
      },
      "Unauthenticated": {
        "description": "With `--auth`: no or wrong HTTP Basic credentials.",
        "headers": {
          "WWW-Authenticate": {
            "required": true,
            "description": "`Basic realm=\"mlflow\"`",
            "schema": {
              "type": "string",
              "const": "Basic realm=\"mlflow\""
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/UnauthenticatedError"
            }
          }
        }
      },
      "Forbidden": {
        "description": "With `--auth`: the caller's effective permission is not enough for this operation.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ForbiddenError"
            }
          }
        }
      },
      "NotFound": {
        "description": "The workspace of `X-MLFLOW-WORKSPACE`, or the resource the request names, does not exist (a resource of another workspace does not exist either).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/NotFoundError"
            }
          }
        }
      },
      "Conflict": {
        "description": "The resource is in a state that forbids the change (a deleted experiment, a workspace that is not empty, a SET_DEFAULT name clash). Nothing was written.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ConflictError"
            }
          }
        }
      },
      "PayloadTooLarge": {
        "description": "The request body is larger than 1 MiB.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/PayloadTooLargeError"
            }
          }
        }
      },
      "StorageFull": {
        "description": "The disk holding the ledger is full; nothing of the request was written. Free space and retry. (507, not 503: the MLflow client retries a 503 for minutes and then hides the message.)",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/StorageFullError"
            }
          }
        }
      },
      "PasswordChecksBusy": {
        "description": "With `--auth`: too many password checks are already waiting; the credentials were not checked. Retry after `Retry-After` seconds.",
        "headers": {
          "Retry-After": {
            "required": true,
            "description": "Seconds to wait before retrying.",
            "schema": {
              "type": "string",
              "pattern": "^[0-9]+$"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/PasswordChecksBusyError"
            }
          }
        }
      }
    },
    "schemas": {
      "BadRequestError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "INVALID_PARAMETER_VALUE",
              "RESOURCE_ALREADY_EXISTS",
              "BAD_REQUEST"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      },
      "UnauthenticatedError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "UNAUTHENTICATED"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      },
      "ForbiddenError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "PERMISSION_DENIED"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      },
      "NotFoundError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "RESOURCE_DOES_NOT_EXIST",
              "ENDPOINT_NOT_FOUND"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      },
      "ConflictError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "INVALID_STATE"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape (MLflow answers INVALID_STATE with 500; this server with 409, so that clients do not retry).",
        "additionalProperties": false
      },
      "PayloadTooLargeError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "INVALID_PARAMETER_VALUE"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      },
      "StorageFullError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "RESOURCE_EXHAUSTED"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      },
      "WorkspaceName": {
        "type": "string",
        "pattern": "^(?!(?:workspaces|api|ajax-api|static-files)$)(?!.*--)[a-z0-9][-a-z0-9]{0,61}[a-z0-9]$",
        "description": "2 to 63 lowercase letters, digits and single inner hyphens (no `--`), starting and ending with a letter or digit; `workspaces`, `api`, `ajax-api` and `static-files` are reserved."
      },
      "NewWorkspaceName": {
        "type": "string",
        "pattern": "^(?!(?:default|workspaces|api|ajax-api|static-files)$)(?!.*--)[a-z0-9][-a-z0-9]{0,61}[a-z0-9]$",
        "description": "A workspace name other than `default` (which always exists and cannot be created or deleted)."
      },
      "Int64": {
        "anyOf": [
          {
            "type": "integer",
            "minimum": -9223372036854775808,
            "maximum": 9223372036854775807
          },
          {
            "type": "string",
            "pattern": "^[+-]?[0-9]{1,18}$"
          }
        ],
        "description": "A 64-bit integer, as a JSON number or (as protobuf JSON writes int64) a string of decimal digits."
      },
      "PageSize": {
        "anyOf": [
          {
            "type": "integer",
            "minimum": 1,
            "maximum": 50000
          },
          {
            "type": "string",
            "pattern": "^[+]?0*(?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|50000)$"
          }
        ],
        "description": "Page size, 1 to 50,000, as a number or a string of digits."
      },
      "ExperimentID": {
        "anyOf": [
          {
            "type": "string"
          },
          {
            "type": "integer",
            "minimum": 0,
            "maximum": 9223372036854775807
          }
        ],
        "description": "An experiment id: a string of decimal digits (as MLflow sends it) or a non-negative number. A string that is not an id names no experiment (404)."
      },
      "ViewType": {
        "anyOf": [
          {
            "type": "string",
            "enum": [
              "ACTIVE_ONLY",
              "DELETED_ONLY",
              "ALL",
              "1",
              "2",
              "3"
            ]
          },
          {
            "type": "integer",
            "enum": [
              1,
              2,
              3
            ]
          }
        ],
        "description": "Which lifecycle stages to include, by name or protobuf number; default ACTIVE_ONLY."
      },
      "RunStatus": {
        "type": "string",
        "enum": [
          "RUNNING",
          "SCHEDULED",
          "FINISHED",
          "FAILED",
          "KILLED"
        ]
      },
      "RunStatusInput": {
        "anyOf": [
          {
            "type": "string",
            "enum": [
              "RUNNING",
              "SCHEDULED",
              "FINISHED",
              "FAILED",
              "KILLED",
              "1",
              "2",
              "3",
              "4",
              "5"
            ]
          },
          {
            "type": "integer",
            "enum": [
              1,
              2,
              3,
              4,
              5
            ]
          }
        ],
        "description": "A run status by name or protobuf number."
      },
      "PermissionLevel": {
        "type": "string",
        "enum": [
          "NO_PERMISSIONS",
          "READ",
          "USE",
          "EDIT",
          "MANAGE"
        ]
      },
      "LifecycleStage": {
        "type": "string",
        "enum": [
          "active",
          "deleted"
        ]
      },
      "ResourceName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 400,
        "pattern": "^[^\\u0000-\\u001F\\u007F]*[^\\u0000-\\u001F\\u007F\\u0020\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F]*$",
        "description": "A name of at most 400 bytes of UTF-8, not blank, without control characters."
      },
      "Key": {
        "type": "string",
        "minLength": 1,
        "maxLength": 250,
        "pattern": "^[^\\u0000-\\u001F\\u007F]*$",
        "description": "A tag, parameter or metric key: 1 to 250 characters, no control characters."
      },
      "TagInput": {
        "type": "object",
        "properties": {
          "key": {
            "$ref": "#/components/schemas/Key"
          },
          "value": {
            "type": "string",
            "maxLength": 8000
          }
        },
        "required": [
          "key",
          "value"
        ],
        "description": "A tag: the value has at most 8000 characters."
      },
      "ParamInput": {
        "type": "object",
        "properties": {
          "key": {
            "$ref": "#/components/schemas/Key"
          },
          "value": {
            "type": "string",
            "maxLength": 6000
          }
        },
        "required": [
          "key",
          "value"
        ],
        "description": "A parameter: the value has at most 6000 characters."
      },
      "Tag": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "value": {
            "type": "string"
          }
        },
        "required": [
          "key",
          "value"
        ],
        "additionalProperties": false
      },
      "MetricValue": {
        "anyOf": [
          {
            "type": "number"
          },
          {
            "type": "string",
            "enum": [
              "NaN",
              "Infinity",
              "-Infinity"
            ]
          }
        ],
        "description": "A number; JSON has no NaN or infinities, so they are the strings `NaN`, `Infinity` and `-Infinity`."
      },
      "MetricValueInput": {
        "anyOf": [
          {
            "type": "number"
          },
          {
            "type": "string",
            "enum": [
              "NaN",
              "Infinity",
              "inf",
              "-Infinity",
              "-inf"
            ]
          }
        ],
        "description": "A number, or `NaN`, `Infinity` (`inf`) or `-Infinity` (`-inf`) as a string."
      },
      "MetricInput": {
        "type": "object",
        "properties": {
          "key": {
            "$ref": "#/components/schemas/Key"
          },
          "value": {
            "$ref": "#/components/schemas/MetricValueInput"
          },
          "timestamp": {
            "$ref": "#/components/schemas/Int64"
          },
          "step": {
            "$ref": "#/components/schemas/Int64"
          }
        },
        "required": [
          "key",
          "value",
          "timestamp"
        ],
        "description": "One metric value; `step` defaults to 0."
      },
      "Metric": {
        "type": "object",
        "properties": {
          "key": {
            "type": "string"
          },
          "value": {
            "$ref": "#/components/schemas/MetricValue"
          },
          "timestamp": {
            "type": "integer"
          },
          "step": {
            "type": "integer"
          }
        },
        "required": [
          "key",
          "value",
          "timestamp",
          "step"
        ],
        "additionalProperties": false
      },
      "Workspace": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "default_artifact_root": {
            "type": "string"
          }
        },
        "required": [
          "name"
        ],
        "description": "A workspace; unset optional fields are omitted.",
        "additionalProperties": false
      },
      "Experiment": {
        "type": "object",
        "properties": {
          "experiment_id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "artifact_location": {
            "type": "string"
          },
          "lifecycle_stage": {
            "$ref": "#/components/schemas/LifecycleStage"
          },
          "last_update_time": {
            "type": "integer"
          },
          "creation_time": {
            "type": "integer"
          },
          "tags": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Tag"
            },
            "minItems": 1
          },
          "workspace": {
            "type": "string"
          }
        },
        "required": [
          "experiment_id",
          "name",
          "artifact_location",
          "lifecycle_stage",
          "last_update_time",
          "creation_time",
          "workspace"
        ],
        "description": "An experiment; `tags` is omitted when it has none.",
        "additionalProperties": false
      },
      "RunInfo": {
        "type": "object",
        "properties": {
          "run_id": {
            "type": "string"
          },
          "run_uuid": {
            "type": "string"
          },
          "run_name": {
            "type": "string"
          },
          "experiment_id": {
            "type": "string"
          },
          "user_id": {
            "type": "string"
          },
          "status": {
            "$ref": "#/components/schemas/RunStatus"
          },
          "start_time": {
            "type": "integer"
          },
          "end_time": {
            "type": "integer"
          },
          "artifact_uri": {
            "type": "string"
          },
          "lifecycle_stage": {
            "$ref": "#/components/schemas/LifecycleStage"
          }
        },
        "required": [
          "run_id",
          "run_uuid",
          "run_name",
          "experiment_id",
          "user_id",
          "status",
          "start_time",
          "artifact_uri",
          "lifecycle_stage"
        ],
        "description": "A run's identity and status; `end_time` is omitted until set.",
        "additionalProperties": false
      },
      "Run": {
        "type": "object",
        "properties": {
          "info": {
            "$ref": "#/components/schemas/RunInfo"
          },
          "data": {
            "type": "object",
            "properties": {
              "metrics": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Metric"
                },
                "minItems": 1,
                "description": "The latest value of each metric."
              },
              "params": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Tag"
                },
                "minItems": 1
              },
              "tags": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Tag"
                },
                "minItems": 1
              }
            },
            "description": "Empty lists are omitted.",
            "additionalProperties": false
          },
          "inputs": {
            "type": "object",
            "properties": {},
            "additionalProperties": false
          }
        },
        "required": [
          "info",
          "data",
          "inputs"
        ],
        "additionalProperties": false
      },
      "RegisteredModel": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "creation_timestamp": {
            "type": "integer"
          },
          "last_updated_timestamp": {
            "type": "integer"
          },
          "description": {
            "type": "string"
          },
          "tags": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Tag"
            },
            "minItems": 1
          }
        },
        "required": [
          "name",
          "creation_timestamp",
          "last_updated_timestamp"
        ],
        "additionalProperties": false
      },
      "User": {
        "type": "object",
        "properties": {
          "username": {
            "type": "string"
          },
          "is_admin": {
            "type": "boolean"
          }
        },
        "required": [
          "username",
          "is_admin"
        ],
        "additionalProperties": false
      },
      "WorkspacePermission": {
        "type": "object",
        "properties": {
          "workspace": {
            "type": "string"
          },
          "username": {
            "type": "string"
          },
          "permission": {
            "$ref": "#/components/schemas/PermissionLevel"
          }
        },
        "required": [
          "workspace",
          "username",
          "permission"
        ],
        "additionalProperties": false
      },
      "ExperimentPermission": {
        "type": "object",
        "properties": {
          "experiment_id": {
            "type": "string"
          },
          "username": {
            "type": "string"
          },
          "permission": {
            "$ref": "#/components/schemas/PermissionLevel"
          }
        },
        "required": [
          "experiment_id",
          "username",
          "permission"
        ],
        "additionalProperties": false
      },
      "RegisteredModelPermission": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "username": {
            "type": "string"
          },
          "permission": {
            "$ref": "#/components/schemas/PermissionLevel"
          }
        },
        "required": [
          "name",
          "username",
          "permission"
        ],
        "additionalProperties": false
      },
      "Username": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[^:\\u0000-\\u001F\\u007F]*$",
        "description": "1 to 255 bytes of UTF-8, without ':' or control characters."
      },
      "Password": {
        "type": "string",
        "minLength": 8,
        "description": "At least 8 characters."
      },
      "Filter": {
        "type": "string",
        "description": "MLflow's search filter: conditions `name` or `tags.<key>` with `=`, `!=`, `LIKE` or `ILIKE` and a quoted value, joined by AND. A filter that does not parse answers 400."
      },
      "OrderByClause": {
        "type": "string",
        "pattern": "^ *(?:[Aa][Tt][Tt][Rr][Ii][Bb][Uu][Tt][Ee][Ss]\\.)?(?:[Aa][Tt][Tt][Rr][Ii][Bb][Uu][Tt][Ee]\\.)?(?:[Nn][Aa][Mm][Ee]|[Ee][Xx][Pp][Ee][Rr][Ii][Mm][Ee][Nn][Tt]_[Ii][Dd]|[Cc][Rr][Ee][Aa][Tt][Ii][Oo][Nn]_[Tt][Ii][Mm][Ee]|[Ll][Aa][Ss][Tt]_[Uu][Pp][Dd][Aa][Tt][Ee]_[Tt][Ii][Mm][Ee])(?: +(?:[Aa][Ssſ][Cc]|[Dd][Ee][Ssſ][Cc]))? *$",
        "description": "One clause `<field> [ASC|DESC]`, words separated by spaces; the field is `name`, `experiment_id`, `creation_time` or `last_update_time`, either case, optionally prefixed `attribute.` or `attributes.`."
      },
      "PasswordChecksBusyError": {
        "type": "object",
        "properties": {
          "error_code": {
            "type": "string",
            "enum": [
              "TEMPORARILY_UNAVAILABLE"
            ]
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "error_code",
          "message"
        ],
        "description": "MLflow's error shape.",
        "additionalProperties": false
      }
    },
    "pathItems": {
      "Health": {
        "get": {
          "summary": "Liveness probe",
          "tags": [
            "Server"
          ],
          "description": "Public, also with `--auth`. Reads no workspace header.",
          "responses": {
            "200": {
              "description": "The server is up.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "status": {
                        "type": "string",
                        "const": "OK"
                      }
                    },
                    "required": [
                      "status"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            }
          },
          "security": []
        }
      },
      "ServerInfo": {
        "get": {
          "summary": "Capabilities the MLflow client probes",
          "tags": [
            "Server"
          ],
          "description": "Public, also with `--auth`. Reads no workspace header.",
          "responses": {
            "200": {
              "description": "What this server supports.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "workspaces_enabled": {
                        "type": "boolean",
                        "const": true
                      },
                      "store_type": {
                        "type": "string"
                      },
                      "artifact_serving_enabled": {
                        "type": "boolean"
                      }
                    },
                    "required": [
                      "workspaces_enabled",
                      "store_type",
                      "artifact_serving_enabled"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            }
          },
          "security": []
        }
      },
      "OpenAPI": {
        "get": {
          "summary": "This document",
          "tags": [
            "Server"
          ],
          "description": "Public, also with `--auth`. Reads no workspace header.",
          "responses": {
            "200": {
              "description": "The OpenAPI document of every route.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "openapi": {
                        "type": "string"
                      },
                      "info": {
                        "type": "object"
                      },
                      "paths": {
                        "type": "object"
                      }
                    },
                    "required": [
                      "openapi",
                      "info",
                      "paths"
                    ]
                  }
                }
              }
            }
          },
          "security": []
        }
      },
      "Workspaces": {
        "get": {
          "summary": "List workspaces",
          "tags": [
            "Workspaces"
          ],
          "description": "Without `max_results` and `page_token`, every workspace in one answer (MLflow does not page this listing).",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/MaxResultsQuery"
            },
            {
              "$ref": "#/components/parameters/PageTokenQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "Workspaces in name order: all of them for an admin (or without `--auth`), otherwise those the caller may read.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "workspaces": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Workspace"
                        },
                        "minItems": 1
                      },
                      "next_page_token": {
                        "type": "string"
                      }
                    },
                    "description": "`workspaces` is omitted when empty; `next_page_token` only when another page follows.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        },
        "post": {
          "summary": "Create a workspace",
          "tags": [
            "Workspaces"
          ],
          "description": "Admins only with `--auth`. A taken name answers 400 `RESOURCE_ALREADY_EXISTS`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "$ref": "#/components/schemas/NewWorkspaceName"
                    },
                    "description": {
                      "type": "string"
                    },
                    "default_artifact_root": {
                      "type": "string",
                      "description": "An absolute path or a URI with a scheme (`s3://bucket/prefix`, `file:///x`, `mlflow-artifacts:/x`); trimmed, at most 2048 characters, without `#` or control characters. Empty or blank: none. Anything else answers 400."
                    }
                  },
                  "required": [
                    "name"
                  ],
                  "description": "`trace_archival_config` is not supported (400)."
                }
              }
            }
          },
          "responses": {
            "201": {
              "description": "Created.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "workspace": {
                        "$ref": "#/components/schemas/Workspace"
                      }
                    },
                    "required": [
                      "workspace"
                    ],
                    "additionalProperties": false
                  }
                }
              },
              "links": {
                "GetWorkspace": {
                  "operationRef": "#/paths/~1api~13.0~1mlflow~1workspaces~1{name}/get",
                  "description": "The workspace just created.",
                  "parameters": {
                    "path.name": "$response.body#/workspace/name"
                  }
                },
                "UpdateWorkspace": {
                  "operationRef": "#/paths/~1api~13.0~1mlflow~1workspaces~1{name}/patch",
                  "description": "Update the workspace just created.",
                  "parameters": {
                    "path.name": "$response.body#/workspace/name"
                  }
                },
                "DeleteWorkspace": {
                  "operationRef": "#/paths/~1api~13.0~1mlflow~1workspaces~1{name}/delete",
                  "description": "Delete the workspace just created.",
                  "parameters": {
                    "path.name": "$response.body#/workspace/name"
                  }
                },
                "ListWorkspaceGrants": {
                  "operationRef": "#/paths/~1api~13.0~1mlflow~1workspaces~1{name}~1permissions/get",
                  "description": "The grants on the workspace just created.",
                  "parameters": {
                    "path.name": "$response.body#/workspace/name"
                  }
                },
                "GrantOnWorkspace": {
                  "operationRef": "#/paths/~1api~13.0~1mlflow~1workspaces~1{name}~1permissions/post",
                  "description": "Grant a permission on the workspace just created.",
                  "parameters": {
                    "path.name": "$response.body#/workspace/name"
                  }
                },
                "CreateExperimentThere": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1create/post",
                  "description": "Create an experiment in the workspace just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$response.body#/workspace/name"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "Workspace": {
        "parameters": [
          {
            "$ref": "#/components/parameters/WorkspaceNamePath"
          }
        ],
        "get": {
          "summary": "Get a workspace",
          "tags": [
            "Workspaces"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "responses": {
            "200": {
              "description": "The workspace.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "workspace": {
                        "$ref": "#/components/schemas/Workspace"
                      }
                    },
                    "required": [
                      "workspace"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        },
        "patch": {
          "summary": "Update a workspace's description or default artifact root",
          "tags": [
            "Workspaces"
          ],
          "description": "Admins only with `--auth`. `default` may be updated.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "description": {
                      "type": "string"
                    },
                    "default_artifact_root": {
                      "type": "string",
                      "description": "As for create; empty or blank clears it."
                    }
                  },
                  "description": "At least one of `description` and `default_artifact_root` (400 otherwise); `trace_archival_config` is not supported (400). The name never changes.",
                  "anyOf": [
                    {
                      "required": [
                        "description"
                      ]
                    },
                    {
                      "required": [
                        "default_artifact_root"
                      ]
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The updated workspace.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "workspace": {
                        "$ref": "#/components/schemas/Workspace"
                      }
                    },
                    "required": [
                      "workspace"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        },
        "delete": {
          "summary": "Delete a workspace",
          "tags": [
            "Workspaces"
          ],
          "description": "Admins only with `--auth`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "name",
              "in": "path",
              "required": true,
              "schema": {
                "$ref": "#/components/schemas/NewWorkspaceName"
              },
              "description": "The workspace to delete; `default` cannot be deleted (400)."
            },
            {
              "name": "mode",
              "in": "query",
              "required": false,
              "schema": {
                "type": "string",
                "enum": [
                  "RESTRICT",
                  "CASCADE",
                  "SET_DEFAULT"
                ]
              },
              "description": "RESTRICT (default): refused with 409 while the workspace holds any experiment (soft-deleted ones included) or registered model. CASCADE: removes them with it. SET_DEFAULT: moves them to `default`; refused with 409 on a name clash."
            }
          ],
          "responses": {
            "204": {
              "description": "Deleted."
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "409": {
              "$ref": "#/components/responses/Conflict"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "WorkspacePermissions": {
        "parameters": [
          {
            "$ref": "#/components/parameters/WorkspaceNamePath"
          }
        ],
        "get": {
          "summary": "List the grants on a workspace",
          "tags": [
            "Workspace permissions"
          ],
          "description": "Admins and MANAGE holders of the workspace.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "responses": {
            "200": {
              "description": "The grants, by username.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "permissions": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/WorkspacePermission"
                        },
                        "minItems": 1
                      }
                    },
                    "description": "`permissions` is omitted when empty.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        },
        "post": {
          "summary": "Grant a permission on a workspace (create or replace)",
          "tags": [
            "Workspace permissions"
          ],
          "description": "Admins and MANAGE holders of the workspace. An unknown user answers 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "permission": {
                      "$ref": "#/components/schemas/PermissionLevel"
                    }
                  },
                  "required": [
                    "username",
                    "permission"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "permission": {
                        "$ref": "#/components/schemas/WorkspacePermission"
                      }
                    },
                    "required": [
                      "permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        },
        "delete": {
          "summary": "Revoke a user's grant on a workspace",
          "tags": [
            "Workspace permissions"
          ],
          "description": "Admins and MANAGE holders of the workspace. No such grant answers 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "username",
              "in": "query",
              "required": true,
              "schema": {
                "type": "string",
                "minLength": 1
              },
              "description": "Whose grant to revoke."
            }
          ],
          "responses": {
            "204": {
              "description": "Revoked."
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "WorkspacePermissionsOfUser": {
        "get": {
          "summary": "List a user's workspace grants",
          "tags": [
            "Workspace permissions"
          ],
          "description": "Admins only with `--auth`. An unknown user answers 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/UsernameQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "The user's grants, by workspace.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "permissions": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/WorkspacePermission"
                        },
                        "minItems": 1
                      }
                    },
                    "description": "`permissions` is omitted when empty.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ExperimentsCreate": {
        "post": {
          "summary": "Create an experiment",
          "tags": [
            "Experiments"
          ],
          "description": "Needs EDIT on the workspace with `--auth`; the creator gets MANAGE on the experiment. A taken name (soft-deleted experiments included) answers 400 `RESOURCE_ALREADY_EXISTS`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "$ref": "#/components/schemas/ResourceName"
                    },
                    "artifact_location": {
                      "type": "string",
                      "maxLength": 0,
                      "description": "Computed from the workspace; a non-empty value answers 400."
                    },
                    "tags": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/TagInput"
                      }
                    }
                  },
                  "required": [
                    "name"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The new experiment's id.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiment_id": {
                        "type": "string"
                      }
                    },
                    "required": [
                      "experiment_id"
                    ],
                    "additionalProperties": false
                  }
                }
              },
              "links": {
                "GetExperiment": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1get/get",
                  "description": "The experiment just created.",
                  "parameters": {
                    "query.experiment_id": "$response.body#/experiment_id",
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  }
                },
                "RenameExperiment": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1update/post",
                  "description": "Rename the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                },
                "DeleteExperiment": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1delete/post",
                  "description": "Delete the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                },
                "RestoreExperiment": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1restore/post",
                  "description": "Restore the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                },
                "SetExperimentTag": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1set-experiment-tag/post",
                  "description": "Tag the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                },
                "DeleteExperimentTag": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1delete-experiment-tag/post",
                  "description": "Delete a tag of the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                },
                "CreateRun": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1create/post",
                  "description": "Start a run in the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                },
                "GrantOnExperiment": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1experiments~1permissions~1create/post",
                  "description": "Grant a permission on the experiment just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "experiment_id": "$response.body#/experiment_id"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentsGet": {
        "get": {
          "summary": "Get an experiment by id",
          "tags": [
            "Experiments"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/ExperimentIDQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "The experiment.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiment": {
                        "$ref": "#/components/schemas/Experiment"
                      }
                    },
                    "required": [
                      "experiment"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ExperimentsGetByName": {
        "get": {
          "summary": "Get an experiment by name",
          "tags": [
            "Experiments"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "experiment_name",
              "in": "query",
              "required": true,
              "schema": {
                "type": "string",
                "minLength": 1
              },
              "description": "The experiment's name in the request's workspace."
            }
          ],
          "responses": {
            "200": {
              "description": "The experiment.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiment": {
                        "$ref": "#/components/schemas/Experiment"
                      }
                    },
                    "required": [
                      "experiment"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ExperimentsSearch": {
        "get": {
          "summary": "Search experiments",
          "tags": [
            "Experiments"
          ],
          "description": "Only experiments the caller may read (with `--auth`).",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/MaxResultsQuery",
              "description": "Page size; default 1000."
            },
            {
              "$ref": "#/components/parameters/PageTokenQuery"
            },
            {
              "name": "view_type",
              "in": "query",
              "required": false,
              "schema": {
                "type": "string",
                "enum": [
                  "ACTIVE_ONLY",
                  "DELETED_ONLY",
                  "ALL",
                  "1",
                  "2",
                  "3"
                ]
              },
              "description": "Default ACTIVE_ONLY."
            },
            {
              "name": "filter",
              "in": "query",
              "required": false,
              "schema": {
                "$ref": "#/components/schemas/Filter"
              }
            },
            {
              "name": "order_by",
              "in": "query",
              "required": false,
              "schema": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/OrderByClause"
                }
              },
              "description": "Clauses `<field> [ASC|DESC]` with field `name`, `experiment_id`, `creation_time` or `last_update_time` (400 otherwise), either case, optionally prefixed `attribute.` or `attributes.`; default: newest first.",
              "style": "form",
              "explode": true
            }
          ],
          "responses": {
            "200": {
              "description": "A page of experiments.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiments": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Experiment"
                        },
                        "minItems": 1
                      },
                      "next_page_token": {
                        "type": "string"
                      }
                    },
                    "description": "`experiments` is omitted when empty; `next_page_token` only when another page follows.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        },
        "post": {
          "summary": "Search experiments",
          "tags": [
            "Experiments"
          ],
          "description": "Only experiments the caller may read (with `--auth`).",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "max_results": {
                      "$ref": "#/components/schemas/PageSize"
                    },
                    "page_token": {
                      "type": "string"
                    },
                    "view_type": {
                      "$ref": "#/components/schemas/ViewType"
                    },
                    "filter": {
                      "$ref": "#/components/schemas/Filter"
                    },
                    "order_by": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/OrderByClause"
                      },
                      "description": "Clauses `<field> [ASC|DESC]` with field `name`, `experiment_id`, `creation_time` or `last_update_time` (400 otherwise), either case, optionally prefixed `attribute.` or `attributes.`; default: newest first."
                    }
                  },
                  "description": "`max_results` defaults to 1000."
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "A page of experiments.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiments": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Experiment"
                        },
                        "minItems": 1
                      },
                      "next_page_token": {
                        "type": "string"
                      }
                    },
                    "description": "`experiments` is omitted when empty; `next_page_token` only when another page follows.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ExperimentsList": {
        "get": {
          "summary": "List the experiments of the workspace",
          "tags": [
            "Experiments"
          ],
          "description": "Answers like a search of the request's workspace (at most 50,000). Only experiments the caller may read (with `--auth`).",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "view_type",
              "in": "query",
              "required": false,
              "schema": {
                "type": "string",
                "enum": [
                  "ACTIVE_ONLY",
                  "DELETED_ONLY",
                  "ALL",
                  "1",
                  "2",
                  "3"
                ]
              },
              "description": "Default ACTIVE_ONLY."
            }
          ],
          "responses": {
            "200": {
              "description": "The experiments, newest first.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiments": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Experiment"
                        },
                        "minItems": 1
                      },
                      "next_page_token": {
                        "type": "string"
                      }
                    },
                    "description": "`experiments` is omitted when empty; `next_page_token` only when another page follows.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ExperimentsUpdate": {
        "post": {
          "summary": "Rename an experiment",
          "tags": [
            "Experiments"
          ],
          "description": "Needs EDIT. A deleted experiment answers 409; a taken name 400 `RESOURCE_ALREADY_EXISTS`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "new_name": {
                      "$ref": "#/components/schemas/ResourceName"
                    }
                  },
                  "required": [
                    "experiment_id",
                    "new_name"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "409": {
              "$ref": "#/components/responses/Conflict"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentsDelete": {
        "post": {
          "summary": "Delete an experiment (soft)",
          "tags": [
            "Experiments"
          ],
          "description": "Needs MANAGE. Already deleted: 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    }
                  },
                  "required": [
                    "experiment_id"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentsRestore": {
        "post": {
          "summary": "Restore a deleted experiment",
          "tags": [
            "Experiments"
          ],
          "description": "Needs MANAGE. Not deleted: 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    }
                  },
                  "required": [
                    "experiment_id"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentsSetTag": {
        "post": {
          "summary": "Set a tag on an experiment",
          "tags": [
            "Experiments"
          ],
          "description": "Needs EDIT. A deleted experiment answers 409.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "key": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "value": {
                      "type": "string",
                      "maxLength": 8000
                    }
                  },
                  "required": [
                    "experiment_id",
                    "key",
                    "value"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "409": {
              "$ref": "#/components/responses/Conflict"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentsDeleteTag": {
        "post": {
          "summary": "Delete a tag of an experiment",
          "tags": [
            "Experiments"
          ],
          "description": "Needs EDIT. No such tag: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "key": {
                      "type": "string"
                    }
                  },
                  "required": [
                    "experiment_id",
                    "key"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsCreate": {
        "post": {
          "summary": "Start a run",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT on the experiment. A deleted experiment answers 409.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "run_name": {
                      "type": "string",
                      "maxLength": 250,
                      "description": "Empty or absent: a readable random name."
                    },
                    "user_id": {
                      "type": "string"
                    },
                    "start_time": {
                      "$ref": "#/components/schemas/Int64"
                    },
                    "tags": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/TagInput"
                      }
                    }
                  },
                  "required": [
                    "experiment_id"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The new run.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "run": {
                        "$ref": "#/components/schemas/Run"
                      }
                    },
                    "required": [
                      "run"
                    ],
                    "additionalProperties": false
                  }
                }
              },
              "links": {
                "GetRun": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1get/get",
                  "description": "The run just created.",
                  "parameters": {
                    "query.run_id": "$response.body#/run/info/run_id",
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  }
                },
                "UpdateRun": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1update/post",
                  "description": "Update the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "DeleteRun": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1delete/post",
                  "description": "Delete the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "RestoreRun": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1restore/post",
                  "description": "Restore the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "LogParameter": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1log-parameter/post",
                  "description": "Log a parameter to the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "LogMetric": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1log-metric/post",
                  "description": "Log a metric value to the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "LogBatch": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1log-batch/post",
                  "description": "Log a batch to the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "SetTag": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1set-tag/post",
                  "description": "Tag the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "DeleteTag": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1runs~1delete-tag/post",
                  "description": "Delete a tag of the run just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "run_id": "$response.body#/run/info/run_id"
                  }
                },
                "GetMetricHistory": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1metrics~1get-history/get",
                  "description": "A metric of the run just created.",
                  "parameters": {
                    "query.run_id": "$response.body#/run/info/run_id",
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "409": {
              "$ref": "#/components/responses/Conflict"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsGet": {
        "get": {
          "summary": "Get a run",
          "tags": [
            "Runs"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/RunIDQuery"
            },
            {
              "$ref": "#/components/parameters/RunUUIDQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "The run with its parameters, tags and latest metrics.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "run": {
                        "$ref": "#/components/schemas/Run"
                      }
                    },
                    "required": [
                      "run"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "RunsUpdate": {
        "post": {
          "summary": "Update a run's status, end time or name",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT. A deleted run answers 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    },
                    "status": {
                      "$ref": "#/components/schemas/RunStatusInput"
                    },
                    "end_time": {
                      "$ref": "#/components/schemas/Int64"
                    },
                    "run_name": {
                      "type": "string",
                      "maxLength": 250
                    }
                  },
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The run's info after the update.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "run_info": {
                        "$ref": "#/components/schemas/RunInfo"
                      }
                    },
                    "required": [
                      "run_info"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsDelete": {
        "post": {
          "summary": "Delete a run (soft)",
          "tags": [
            "Runs"
          ],
          "description": "Needs MANAGE.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    }
                  },
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsRestore": {
        "post": {
          "summary": "Restore a deleted run",
          "tags": [
            "Runs"
          ],
          "description": "Needs MANAGE.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    }
                  },
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsLogParameter": {
        "post": {
          "summary": "Log a parameter",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT. Parameters are immutable: the same key with another value answers 400, as does a deleted run.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    },
                    "key": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "value": {
                      "type": "string",
                      "maxLength": 6000
                    }
                  },
                  "required": [
                    "key",
                    "value"
                  ],
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsLogMetric": {
        "post": {
          "summary": "Log a metric value",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT. Every value is kept in the metric's history. A deleted run answers 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    },
                    "key": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "value": {
                      "$ref": "#/components/schemas/MetricValueInput"
                    },
                    "timestamp": {
                      "$ref": "#/components/schemas/Int64"
                    },
                    "step": {
                      "$ref": "#/components/schemas/Int64"
                    }
                  },
                  "required": [
                    "key",
                    "value",
                    "timestamp"
                  ],
                  "description": "`step` defaults to 0.",
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsLogBatch": {
        "post": {
          "summary": "Log parameters, metric values and tags at once",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT. A parameter that would change value, or a deleted run, answers 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    },
                    "metrics": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/MetricInput"
                      },
                      "maxItems": 1000
                    },
                    "params": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ParamInput"
                      },
                      "maxItems": 100
                    },
                    "tags": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/TagInput"
                      },
                      "maxItems": 100
                    }
                  },
                  "description": "At most 1000 metrics, 100 params and 100 tags, 1000 items in all. All or nothing.",
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsSetTag": {
        "post": {
          "summary": "Set a tag on a run",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT. A deleted run answers 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    },
                    "key": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "value": {
                      "type": "string",
                      "maxLength": 8000
                    }
                  },
                  "required": [
                    "key",
                    "value"
                  ],
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsDeleteTag": {
        "post": {
          "summary": "Delete a tag of a run",
          "tags": [
            "Runs"
          ],
          "description": "Needs EDIT. No such tag: 404; a deleted run: 400.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "run_id": {
                      "type": "string",
                      "description": "The run's id; one of `run_id` and `run_uuid` is required."
                    },
                    "run_uuid": {
                      "type": "string",
                      "description": "The run's id under its older name, read when `run_id` is absent or empty."
                    },
                    "key": {
                      "type": "string"
                    }
                  },
                  "required": [
                    "key"
                  ],
                  "anyOf": [
                    {
                      "required": [
                        "run_id"
                      ],
                      "properties": {
                        "run_id": {
                          "minLength": 1
                        }
                      }
                    },
                    {
                      "required": [
                        "run_uuid"
                      ],
                      "properties": {
                        "run_uuid": {
                          "minLength": 1
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RunsSearch": {
        "post": {
          "summary": "Search runs",
          "tags": [
            "Runs"
          ],
          "description": "Only runs of experiments the caller may read (with `--auth`).",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_ids": {
                      "anyOf": [
                        {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/ExperimentID"
                          }
                        },
                        {
                          "type": "string"
                        }
                      ],
                      "description": "The experiments whose runs to return; ids of other workspaces' experiments (or of none) are ignored."
                    },
                    "filter": {
                      "type": "string",
                      "pattern": "^[\\t\\u0020\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000]*$",
                      "description": "Filtering runs is not supported: a filter that is not blank answers 400."
                    },
                    "run_view_type": {
                      "$ref": "#/components/schemas/ViewType"
                    },
                    "max_results": {
                      "$ref": "#/components/schemas/PageSize"
                    },
                    "page_token": {
                      "type": "string"
                    },
                    "order_by": {
                      "description": "Accepted and ignored: runs come newest first."
                    }
                  },
                  "description": "`max_results` defaults to 1000."
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "A page of runs, newest first.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "runs": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Run"
                        },
                        "minItems": 1
                      },
                      "next_page_token": {
                        "type": "string"
                      }
                    },
                    "description": "`runs` is omitted when empty; `next_page_token` only when another page follows.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "MetricsGetHistory": {
        "get": {
          "summary": "Get every logged value of a metric",
          "tags": [
            "Runs"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/RunIDQuery"
            },
            {
              "$ref": "#/components/parameters/RunUUIDQuery"
            },
            {
              "name": "metric_key",
              "in": "query",
              "required": true,
              "schema": {
                "type": "string",
                "minLength": 1
              },
              "description": "The metric's key."
            }
          ],
          "responses": {
            "200": {
              "description": "The values in logging order.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "metrics": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/Metric"
                        },
                        "minItems": 1
                      }
                    },
                    "description": "`metrics` is omitted when empty.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ModelsCreate": {
        "post": {
          "summary": "Create a registered model",
          "tags": [
            "Registered models"
          ],
          "description": "Needs EDIT on the workspace with `--auth`; the creator gets MANAGE on the model. A taken name answers 400 `RESOURCE_ALREADY_EXISTS`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "$ref": "#/components/schemas/ResourceName"
                    },
                    "description": {
                      "type": "string"
                    },
                    "tags": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/TagInput"
                      }
                    }
                  },
                  "required": [
                    "name"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The new model.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model": {
                        "$ref": "#/components/schemas/RegisteredModel"
                      }
                    },
                    "required": [
                      "registered_model"
                    ],
                    "additionalProperties": false
                  }
                }
              },
              "links": {
                "GetModel": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1get/get",
                  "description": "The model just created.",
                  "parameters": {
                    "query.name": "$response.body#/registered_model/name",
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  }
                },
                "RenameModel": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1rename/post",
                  "description": "Rename the model just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "name": "$response.body#/registered_model/name"
                  }
                },
                "UpdateModel": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1update/patch",
                  "description": "Describe the model just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "name": "$response.body#/registered_model/name"
                  }
                },
                "DeleteModel": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1delete/delete",
                  "description": "Delete the model just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "name": "$response.body#/registered_model/name"
                  }
                },
                "SetModelTag": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1set-tag/post",
                  "description": "Tag the model just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "name": "$response.body#/registered_model/name"
                  }
                },
                "DeleteModelTag": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1delete-tag/delete",
                  "description": "Delete a tag of the model just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "name": "$response.body#/registered_model/name"
                  }
                },
                "GrantOnModel": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1registered-models~1permissions~1create/post",
                  "description": "Grant a permission on the model just created.",
                  "parameters": {
                    "header.X-MLFLOW-WORKSPACE": "$request.header.X-MLFLOW-WORKSPACE"
                  },
                  "requestBody": {
                    "name": "$response.body#/registered_model/name"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ModelsGet": {
        "get": {
          "summary": "Get a registered model",
          "tags": [
            "Registered models"
          ],
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "name",
              "in": "query",
              "required": true,
              "schema": {
                "type": "string",
                "minLength": 1
              },
              "description": "The model's name."
            }
          ],
          "responses": {
            "200": {
              "description": "The model.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model": {
                        "$ref": "#/components/schemas/RegisteredModel"
                      }
                    },
                    "required": [
                      "registered_model"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ModelsRename": {
        "post": {
          "summary": "Rename a registered model",
          "tags": [
            "Registered models"
          ],
          "description": "Needs EDIT. A taken name answers 400 `RESOURCE_ALREADY_EXISTS`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1,
                      "description": "The registered model's name."
                    },
                    "new_name": {
                      "$ref": "#/components/schemas/ResourceName"
                    }
                  },
                  "required": [
                    "name",
                    "new_name"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The renamed model.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model": {
                        "$ref": "#/components/schemas/RegisteredModel"
                      }
                    },
                    "required": [
                      "registered_model"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ModelsUpdate": {
        "patch": {
          "summary": "Set a registered model's description",
          "tags": [
            "Registered models"
          ],
          "description": "Needs EDIT.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1,
                      "description": "The registered model's name."
                    },
                    "description": {
                      "type": "string",
                      "description": "The new description; absent clears it."
                    }
                  },
                  "required": [
                    "name"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The updated model.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model": {
                        "$ref": "#/components/schemas/RegisteredModel"
                      }
                    },
                    "required": [
                      "registered_model"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ModelsDelete": {
        "delete": {
          "summary": "Delete a registered model",
          "tags": [
            "Registered models"
          ],
          "description": "Needs MANAGE. The grants on it go with it.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1,
                      "description": "The registered model's name."
                    }
                  },
                  "required": [
                    "name"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ModelsSearch": {
        "get": {
          "summary": "Search registered models",
          "tags": [
            "Registered models"
          ],
          "description": "Only models the caller may read (with `--auth`).",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "filter",
              "in": "query",
              "required": false,
              "schema": {
                "$ref": "#/components/schemas/Filter"
              }
            },
            {
              "$ref": "#/components/parameters/MaxResultsQuery",
              "description": "Page size; default 100."
            },
            {
              "$ref": "#/components/parameters/PageTokenQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "A page of models in name order.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_models": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/RegisteredModel"
                        },
                        "minItems": 1
                      },
                      "next_page_token": {
                        "type": "string"
                      }
                    },
                    "description": "`registered_models` is omitted when empty; `next_page_token` only when another page follows.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ModelsSetTag": {
        "post": {
          "summary": "Set a tag on a registered model",
          "tags": [
            "Registered models"
          ],
          "description": "Needs EDIT.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1,
                      "description": "The registered model's name."
                    },
                    "key": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "value": {
                      "type": "string",
                      "maxLength": 8000
                    }
                  },
                  "required": [
                    "name",
                    "key",
                    "value"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ModelsDeleteTag": {
        "delete": {
          "summary": "Delete a tag of a registered model",
          "tags": [
            "Registered models"
          ],
          "description": "Needs EDIT. No such tag: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1,
                      "description": "The registered model's name."
                    },
                    "key": {
                      "type": "string"
                    }
                  },
                  "required": [
                    "name",
                    "key"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "UsersCreate": {
        "post": {
          "summary": "Create a user",
          "tags": [
            "Users"
          ],
          "description": "Admins only with `--auth`. The password is stored only as a PBKDF2-SHA256 hash. A taken username answers 400 `RESOURCE_ALREADY_EXISTS`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "username": {
                      "$ref": "#/components/schemas/Username"
                    },
                    "password": {
                      "$ref": "#/components/schemas/Password"
                    },
                    "is_admin": {
                      "type": "boolean",
                      "default": false
                    }
                  },
                  "required": [
                    "username",
                    "password"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The new user.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "user": {
                        "$ref": "#/components/schemas/User"
                      }
                    },
                    "required": [
                      "user"
                    ],
                    "additionalProperties": false
                  }
                }
              },
              "links": {
                "GetUser": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1users~1get/get",
                  "description": "The user just created.",
                  "parameters": {
                    "query.username": "$response.body#/user/username"
                  }
                },
                "UpdatePassword": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1users~1update-password/patch",
                  "description": "Change the password of the user just created.",
                  "requestBody": {
                    "username": "$response.body#/user/username"
                  }
                },
                "UpdateAdmin": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1users~1update-admin/patch",
                  "description": "Change the admin flag of the user just created.",
                  "requestBody": {
                    "username": "$response.body#/user/username"
                  }
                },
                "DeleteUser": {
                  "operationRef": "#/paths/~1api~12.0~1mlflow~1users~1delete/delete",
                  "description": "Delete the user just created.",
                  "requestBody": {
                    "username": "$response.body#/user/username"
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "UsersGet": {
        "get": {
          "summary": "Get a user",
          "tags": [
            "Users"
          ],
          "description": "The user themself or an admin.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "$ref": "#/components/parameters/UsernameQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "The user.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "user": {
                        "$ref": "#/components/schemas/User"
                      }
                    },
                    "required": [
                      "user"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "UsersList": {
        "get": {
          "summary": "List users",
          "tags": [
            "Users"
          ],
          "description": "Admins only with `--auth`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "responses": {
            "200": {
              "description": "Every user, by username.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "users": {
                        "type": "array",
                        "items": {
                          "$ref": "#/components/schemas/User"
                        },
                        "minItems": 1
                      }
                    },
                    "description": "`users` is omitted when empty.",
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "UsersUpdatePassword": {
        "patch": {
          "summary": "Change a user's password",
          "tags": [
            "Users"
          ],
          "description": "The user themself or an admin.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "password": {
                      "$ref": "#/components/schemas/Password"
                    }
                  },
                  "required": [
                    "username",
                    "password"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "UsersUpdateAdmin": {
        "patch": {
          "summary": "Grant or remove the admin flag",
          "tags": [
            "Users"
          ],
          "description": "Admins only with `--auth`.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "is_admin": {
                      "type": "boolean"
                    }
                  },
                  "required": [
                    "username",
                    "is_admin"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "UsersDelete": {
        "delete": {
          "summary": "Delete a user",
          "tags": [
            "Users"
          ],
          "description": "Admins only with `--auth`. The user's grants go with them.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "username": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "required": [
                    "username"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentPermissionsCreate": {
        "post": {
          "summary": "Grant a user a permission on an experiment",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. An existing grant answers 400 `RESOURCE_ALREADY_EXISTS`; an unknown user 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "permission": {
                      "$ref": "#/components/schemas/PermissionLevel"
                    }
                  },
                  "required": [
                    "experiment_id",
                    "username",
                    "permission"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiment_permission": {
                        "$ref": "#/components/schemas/ExperimentPermission"
                      }
                    },
                    "required": [
                      "experiment_permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentPermissionsGet": {
        "get": {
          "summary": "Get a user's grant on an experiment",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. No grant: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "experiment_id",
              "in": "query",
              "required": true,
              "schema": {
                "type": "string"
              }
            },
            {
              "$ref": "#/components/parameters/UsernameQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiment_permission": {
                        "$ref": "#/components/schemas/ExperimentPermission"
                      }
                    },
                    "required": [
                      "experiment_permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "ExperimentPermissionsUpdate": {
        "patch": {
          "summary": "Change a user's grant on an experiment",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. No grant to update: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "permission": {
                      "$ref": "#/components/schemas/PermissionLevel"
                    }
                  },
                  "required": [
                    "experiment_id",
                    "username",
                    "permission"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "experiment_permission": {
                        "$ref": "#/components/schemas/ExperimentPermission"
                      }
                    },
                    "required": [
                      "experiment_permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "ExperimentPermissionsDelete": {
        "delete": {
          "summary": "Revoke a user's grant on an experiment",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. No grant: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "experiment_id": {
                      "$ref": "#/components/schemas/ExperimentID"
                    },
                    "username": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "required": [
                    "experiment_id",
                    "username"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RegisteredModelPermissionsCreate": {
        "post": {
          "summary": "Grant a user a permission on a registered model",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. An existing grant answers 400 `RESOURCE_ALREADY_EXISTS`; an unknown user 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1
                    },
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "permission": {
                      "$ref": "#/components/schemas/PermissionLevel"
                    }
                  },
                  "required": [
                    "name",
                    "username",
                    "permission"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model_permission": {
                        "$ref": "#/components/schemas/RegisteredModelPermission"
                      }
                    },
                    "required": [
                      "registered_model_permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RegisteredModelPermissionsGet": {
        "get": {
          "summary": "Get a user's grant on a registered model",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. No grant: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            },
            {
              "name": "name",
              "in": "query",
              "required": true,
              "schema": {
                "type": "string",
                "minLength": 1
              }
            },
            {
              "$ref": "#/components/parameters/UsernameQuery"
            }
          ],
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model_permission": {
                        "$ref": "#/components/schemas/RegisteredModelPermission"
                      }
                    },
                    "required": [
                      "registered_model_permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            }
          }
        }
      },
      "RegisteredModelPermissionsUpdate": {
        "patch": {
          "summary": "Change a user's grant on a registered model",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. No grant to update: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1
                    },
                    "username": {
                      "type": "string",
                      "minLength": 1
                    },
                    "permission": {
                      "$ref": "#/components/schemas/PermissionLevel"
                    }
                  },
                  "required": [
                    "name",
                    "username",
                    "permission"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "description": "The grant.",
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "registered_model_permission": {
                        "$ref": "#/components/schemas/RegisteredModelPermission"
                      }
                    },
                    "required": [
                      "registered_model_permission"
                    ],
                    "additionalProperties": false
                  }
                }
              }
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      },
      "RegisteredModelPermissionsDelete": {
        "delete": {
          "summary": "Revoke a user's grant on a registered model",
          "tags": [
            "Permissions"
          ],
          "description": "Admins and MANAGE holders of the resource. No grant: 404.",
          "parameters": [
            {
              "$ref": "#/components/parameters/Workspace"
            }
          ],
          "requestBody": {
            "required": true,
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "name": {
                      "type": "string",
                      "minLength": 1
                    },
                    "username": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "required": [
                    "name",
                    "username"
                  ]
                }
              }
            }
          },
          "responses": {
            "200": {
              "$ref": "#/components/responses/Empty"
            },
            "400": {
              "$ref": "#/components/responses/BadRequest"
            },
            "401": {
              "$ref": "#/components/responses/Unauthenticated"
            },
            "403": {
              "$ref": "#/components/responses/Forbidden"
            },
            "404": {
              "$ref": "#/components/responses/NotFound"
            },
            "413": {
              "$ref": "#/components/responses/PayloadTooLarge"
            },
            "503": {
              "$ref": "#/components/responses/PasswordChecksBusy"
            },
            "507": {
              "$ref": "#/components/responses/StorageFull"
            }
          }
        }
      }
    }
  }
}
"""#
}
