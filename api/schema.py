"""Additions to the generated OpenAPI description that every operation shares."""

ERROR = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "What was wrong, in the request's language."},
        "parameter": {"type": "string",
                      "description": "The query parameter refused (400 only)."},
    },
}


def add_error_responses(result, generator, request, public):
    """Documents the answers every API operation may give besides 200: 400 (a parameter refused,
    named), 401 (an unknown or revoked token), 404 (nothing public there), 429 (past the rate
    limit, with Retry-After) and 304 (unchanged since the ETag sent)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    answers = {
        "304": {"description": "Not modified: the ETag sent (If-None-Match) still holds."},
        "400": {"description": "A query parameter was refused; `parameter` names it.",
                "content": error},
        "401": {"description": "The API token is unknown or revoked.", "content": error},
        "404": {"description": "No such public record.", "content": error},
        "429": {"description": "Too many requests: wait the seconds given in Retry-After.",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": error},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for code, answer in answers.items():
                operation.setdefault("responses", {}).setdefault(code, answer)
    return result
