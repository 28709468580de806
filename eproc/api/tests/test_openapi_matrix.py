"""Issue 9.1: the permission matrix is "discovered from the URL resolver and the OpenAPI schema". The resolver side is
tests/security/test_permission_matrix.py; this is the schema side: every operation of /api/v1/openapi.json resolves
to a route the matrix declares, with the same method, so an API operation cannot escape the matrix."""

from django.test import Client
from django.urls import resolve

from tests.security.test_permission_matrix import MATRIX

SAMPLE = {"integer": "2026", "string": "0123456789abcdef"}


def _sample_path(path: str, operation: dict) -> str:
    for parameter in operation.get("parameters", ()):
        if parameter["in"] == "path":
            kind = parameter.get("schema", {}).get("type", "string")
            path = path.replace("{" + parameter["name"] + "}", SAMPLE.get(kind, SAMPLE["string"]))
    return path


def test_every_operation_of_the_openapi_schema_is_declared_in_the_permission_matrix(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert operations
    undeclared, wrong_method = [], []
    for path, method, operation in operations:
        name = resolve(_sample_path(path, operation)).view_name
        if name not in MATRIX:
            undeclared.append(f"{method.upper()} {path} ({name})")
            continue
        expected = MATRIX[name][1]
        # A POST operation is declared with the personas whose POST must pass; a GET one with its GET statuses.
        if method == "post" and expected["post"] is None:
            wrong_method.append(f"{method.upper()} {path}: the matrix does not POST to {name}")
        if method == "get" and set(expected["get"].values()) == {405}:
            wrong_method.append(f"{method.upper()} {path}: the matrix expects {name} to refuse GET")
    assert undeclared == [], "API operations need a line in MATRIX (tests/security/test_permission_matrix.py)"
    assert wrong_method == []
