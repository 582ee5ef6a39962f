"""Checks request bodies and query strings against Qdrant's OpenAPI spec, as the server's layers do.

The server first deserializes with serde (a failure is 400 "Format error in JSON body: ...") and
then runs `validator` rules (a failure is 422 "Validation error in JSON body: [...]"). The spec is
generated from the same Rust types, so it carries both: types, required fields, enums and untagged
variants are serde's part; `minimum`/`maximum`/`minLength` are validator rules, except the implicit
bounds of unsigned and fixed-width integer formats, which serde enforces.
"""

import uuid

from api_errors import FormatError, ValidationFailed

_NUMBER_TYPES = frozenset((int, float))
_INT_BOUNDS = {
    "uint": (0, 2**64 - 1),
    "uint64": (0, 2**64 - 1),
    "uint32": (0, 2**32 - 1),
    "uint16": (0, 2**16 - 1),
    "uint8": (0, 2**8 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "int32": (-(2**31), 2**31 - 1),
}


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f'string "{value[:40]}"'
    if isinstance(value, list):
        return "a sequence"
    return "a map"


def _num(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _is_type(value, t: str) -> bool:
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


class _Mismatch(Exception):
    """Internal: the value does not deserialize into the schema (serde's failure)."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.message = message
        self.path = path


class RequestSchemas:
    """The spec's component schemas, checked by a small interpreter of the keywords the spec uses."""

    def __init__(self, spec: dict):
        self._schemas = spec["components"]["schemas"]
        self._spec = spec

    def body_schema(self, path_template: str, method: str):
        op = self._spec["paths"][path_template][method]
        return op["requestBody"]["content"]["application/json"]["schema"]

    def query_param_schemas(self, path_template: str, method: str) -> dict:
        op = self._spec["paths"][path_template][method]
        return {p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "query"}

    def check_body(self, schema: dict, body) -> None:
        self._check_or_raise(schema, body, "JSON body")

    def check_query(self, schema: dict, name: str, raw: str):
        """Parses one query-string value by its schema (ints, bools, enums) and checks it."""
        value = self._coerce_query_value(schema, raw)
        if value is _UNPARSEABLE:
            raise FormatError(f"Deserialize error in query parameters: {name}: cannot parse {raw!r}")
        self._check_or_raise(schema, value, "query parameters", name)
        return value

    def _check_or_raise(self, schema: dict, value, label: str, root: str = "") -> None:
        issues: list[str] = []
        try:
            self._check(schema, value, root, issues, None)
        except _Mismatch as m:
            where = f" at `{m.path}`" if m.path else ""
            if label == "JSON body":
                raise FormatError(f"Format error in JSON body: {m.message}{where}") from None
            raise FormatError(f"Deserialize error in {label}: {m.message}{where}") from None
        if issues:
            raise ValidationFailed(f"Validation error in {label}: [{'; '.join(issues)}]")

    def _coerce_query_value(self, schema: dict, raw: str):
        schema = self._resolve(schema)[0]
        for variant in schema.get("anyOf", [schema]):
            variant = self._resolve(variant)[0]
            t = variant.get("type")
            if t == "integer":
                try:
                    return int(raw)
                except ValueError:
                    continue
            if t == "boolean":
                if raw in ("true", "false"):
                    return raw == "true"
                continue
            if t == "string":
                if "enum" in variant and raw not in variant["enum"]:
                    continue
                return raw
        return _UNPARSEABLE

    def _resolve(self, schema: dict):
        name = None
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self._schemas[name]
        return schema, name

    def _check(self, schema: dict, value, path: str, issues: list, name) -> None:
        schema, ref_name = self._resolve(schema)
        name = ref_name or name

        if value is None:
            if schema.get("nullable") or schema == {"nullable": True}:
                return
            if "anyOf" in schema and any(self._resolve(v)[0].get("nullable") for v in schema["anyOf"]):
                return
            if "type" in schema or "anyOf" in schema or "oneOf" in schema or "enum" in schema:
                raise _Mismatch(f"invalid type: null, expected {self._expected(schema, name)}", path)
            return

        variants = schema.get("anyOf") or schema.get("oneOf")
        if variants is not None:
            self._check_variants(variants, value, path, issues, name)
            return

        t = schema.get("type")
        if t is not None and not _is_type(value, t):
            raise _Mismatch(f"invalid type: {_kind(value)}, expected {self._expected(schema, name)}", path)
        if "enum" in schema and value not in schema["enum"]:
            options = ", ".join(f"`{e}`" for e in schema["enum"])
            raise _Mismatch(f"unknown variant `{value}`, expected one of {options}", path)

        if t in ("integer", "number"):
            self._check_number(schema, value, path, issues)
        elif t == "string":
            self._check_string(schema, value, path, issues)
        elif t == "array":
            self._check_array(schema, value, path, issues)
        elif t == "object" or "properties" in schema:
            self._check_object(schema, value, path, issues, name)

    def _check_variants(self, variants: list, value, path: str, issues: list, name) -> None:
        real = [v for v in variants if self._resolve(v)[0] != {"nullable": True}]
        if len(real) == 1:
            # `Option<T>`: serde reports T's own error.
            self._check(real[0], value, path, issues, name)
            return
        # serde's untagged enums take the first variant that deserializes; validation then runs on it.
        for variant in real:
            local: list[str] = []
            try:
                self._check(variant, value, path, local, None)
            except _Mismatch:
                continue
            issues.extend(local)
            return
        target = f" of untagged enum {name}" if name else ""
        raise _Mismatch(f"data did not match any variant{target}", path)

    def _check_number(self, schema: dict, value, path: str, issues: list) -> None:
        fmt = schema.get("format")
        bounds = _INT_BOUNDS.get(fmt) if schema.get("type") == "integer" else None
        if bounds and not bounds[0] <= value <= bounds[1]:
            raise _Mismatch(f"invalid value: {_kind(value)}, expected {fmt}", path)
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if bounds:
            lo = None if lo is not None and lo <= bounds[0] else lo
            hi = None if hi is not None and hi >= bounds[1] else hi
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            issues.append(f"{path or 'value'}: value {_num(value)} invalid, {self._range_text(lo, hi)}")

    @staticmethod
    def _range_text(lo, hi) -> str:
        if lo is not None and hi is not None:
            return f"must be from {_num(lo)} to {_num(hi)}"
        if lo is not None:
            return f"must be {_num(lo)} or larger"
        return f"must be {_num(hi)} or smaller"

    def _check_string(self, schema: dict, value: str, path: str, issues: list) -> None:
        if schema.get("format") == "uuid":
            try:
                uuid.UUID(value)
            except ValueError:
                raise _Mismatch(f'invalid value: string "{value[:40]}", expected a UUID', path) from None
        min_len = schema.get("minLength")
        if min_len is not None and len(value) < min_len:
            issues.append(f"{path or 'value'}: must be at least {min_len} characters")

    def _check_array(self, schema: dict, value: list, path: str, issues: list) -> None:
        items = schema.get("items")
        if items is None:
            return
        resolved = self._resolve(items)[0]
        if resolved.get("type") == "number" and "minimum" not in resolved and "maximum" not in resolved:
            # Vectors dominate request sizes: check plain number arrays in one pass at C speed.
            if not _NUMBER_TYPES.issuperset(map(type, value)):
                i, x = next((i, x) for i, x in enumerate(value) if type(x) not in _NUMBER_TYPES)
                raise _Mismatch(f"invalid type: {_kind(x)}, expected f32", f"{path}[{i}]")
            return
        for i, x in enumerate(value):
            self._check(items, x, f"{path}[{i}]", issues, None)

    def _check_object(self, schema: dict, value: dict, path: str, issues: list, name) -> None:
        props = schema.get("properties", {})
        for req in schema.get("required", []):
            if req not in value:
                raise _Mismatch(f"missing field `{req}`", path)
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if key in props:
                self._check(props[key], item, sub, issues, None)
            elif extra is False:
                options = ", ".join(f"`{p}`" for p in props)
                raise _Mismatch(f"unknown field `{key}`, expected one of {options}", path)
            elif isinstance(extra, dict):
                self._check(extra, item, sub, issues, None)

    def _expected(self, schema: dict, name) -> str:
        if name:
            return name
        t = schema.get("type")
        return {"integer": schema.get("format") or "an integer", "number": "a number", "string": "a string",
                "boolean": "a boolean", "array": "a sequence", "object": "a map"}.get(t, "a value")


_UNPARSEABLE = object()
