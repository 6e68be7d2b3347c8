"""Checks API responses against the published OpenAPI document (STYLE.md #14).

A small JSON-schema subset, enough for what ninja generates: ``$ref``, ``anyOf``/``allOf``,
``enum``, types, ``date-time``, required and declared properties. Stricter than JSON
schema on one point: a response may not carry a property its schema does not declare, so
the document can't fall behind the code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


class OpenApiDocument:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations: list[tuple[re.Pattern[str], str, dict[str, Any]]] = []
        for template, item in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
            for method, operation in item.items():
                self.operations.append((pattern, method.lower(), operation))

    def response_schema(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        for pattern, op_method, operation in self.operations:
            if op_method == method.lower() and pattern.match(path):
                documented = operation["responses"]
                assert str(status) in documented, (
                    f"{method.upper()} {path} answered {status}, which the document does not list"
                )
                content = documented[str(status)].get("content", {})
                return content.get("application/json", {}).get("schema")
        raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def errors(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        schema = self.resolve(schema)
        if "anyOf" in schema or "oneOf" in schema:
            options = schema.get("anyOf") or schema["oneOf"]
            if any(not self.errors(value, option, where) for option in options):
                return []
            return [f"{where}: {value!r} matches none of the allowed schemas"]
        problems: list[str] = []
        for part in schema.get("allOf", ()):
            problems += self.errors(value, part, where)
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} not in {schema['enum']}")
        if "const" in schema and value != schema["const"]:
            problems.append(f"{where}: {value!r} is not {schema['const']!r}")
        kind = schema.get("type")
        if kind is None:
            return problems
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is(value, k) for k in kinds):
            return [*problems, f"{where}: {value!r} is not {kind}"]
        if isinstance(value, str) and schema.get("format") == "date-time":
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                problems.append(f"{where}: {value!r} is not a date-time")
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                problems += self.errors(item, schema["items"], f"{where}[{i}]")
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            for name in schema.get("required", ()):
                if name not in value:
                    problems.append(f"{where}: missing required {name!r}")
            extra = schema.get("additionalProperties")
            for name, item in value.items():
                if name in properties:
                    problems += self.errors(item, properties[name], f"{where}.{name}")
                elif isinstance(extra, dict):
                    problems += self.errors(item, extra, f"{where}.{name}")
                elif properties or extra is False:
                    problems.append(f"{where}: {name!r} is not declared")
        return problems

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        schema = self.response_schema(method, path, status)
        if schema is None:
            return
        problems = self.errors(body, schema)
        assert not problems, f"{method.upper()} {path} → {status}:\n" + "\n".join(problems)
