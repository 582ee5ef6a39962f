"""From an HTTP request to a reply: route by the spec's paths, check parameters and body, run the
operation, and wrap the result or the error the way the server does."""

import json
import logging
import time
from urllib.parse import parse_qs, unquote, urlsplit

import routes
from api_errors import ApiError, FormatError, NotImplementedByStandIn, ServiceError, ValidationFailed
from request_schema import RequestSchemas

log = logging.getLogger("qdrant-standin")

_METHODS = ("get", "put", "post", "delete", "patch")
# Characters the server refuses in collection names (they are unsafe in file names).
_FORBIDDEN_NAME_CHARS = '<>:"/\\|?*\0\u001f'


class Request:
    __slots__ = ("query", "body")

    def __init__(self, query: dict, body):
        self.query = query
        self.body = body


class Reply:
    __slots__ = ("status", "content_type", "body")

    def __init__(self, status: int, content_type: str, body: bytes):
        self.status = status
        self.content_type = content_type
        self.body = body


def _json_bytes(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _reject_constant(name: str):
    raise ValueError(f"invalid number `{name}`")


def _split(path: str) -> list[str]:
    return path[1:].split("/")


class Dispatcher:
    def __init__(self, spec: dict, context):
        self._schemas = RequestSchemas(spec)
        self._context = context
        self._ops = spec["paths"]
        templates = []
        for template, ops in spec["paths"].items():
            segments = _split(template)
            literals = sum(1 for s in segments if not s.startswith("{"))
            for method in ops:
                if method in _METHODS:
                    templates.append((literals, method, template, segments))
        # Literal segments win over parameters (`/collections/aliases` is not a collection).
        templates.sort(key=lambda t: -t[0])
        self._templates = templates

    def handle(self, method: str, target: str, headers, body: bytes) -> Reply:
        started = time.perf_counter()
        method = method.lower()
        url = urlsplit(target)
        segments = [unquote(s) for s in _split(url.path)]
        matched = self._match(method, segments)
        if matched is None:
            return Reply(404, "text/plain; charset=utf-8", b"")
        template, params = matched
        try:
            handler = routes.ROUTES.get((method, template))
            if handler is None:
                raise NotImplementedByStandIn(f"{method.upper()} {template}")
            self._check_path(params)
            query = self._query(method, template, url.query)
            request_body = self._body(method, template, headers, body)
            result = handler(self._context, Request(query, request_body), **params)
        except ApiError as err:
            return self._error(err, started)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            # Also catches the engine's Rust panics, which PyO3 raises as a BaseException.
            log.exception("%s %s failed", method.upper(), url.path)
            return self._error(ServiceError(str(exc)), started)
        if isinstance(result, routes.Raw):
            payload = result.body.encode() if isinstance(result.body, str) else _json_bytes(result.body)
            return Reply(result.status, result.content_type, payload)
        envelope = {"result": result, "status": "ok", "time": time.perf_counter() - started}
        return Reply(200, "application/json", _json_bytes(envelope))

    def _match(self, method: str, segments: list[str]):
        for _, m, template, pattern in self._templates:
            if m != method or len(pattern) != len(segments):
                continue
            params = {}
            for p, s in zip(pattern, segments):
                if p.startswith("{"):
                    if not s:
                        break
                    params[p[1:-1]] = s
                elif p != s:
                    break
            else:
                return template, params
        return None

    @staticmethod
    def _check_path(params: dict) -> None:
        name = params.get("collection_name")
        if name is None:
            return
        problem = None
        if len(name) > 255:
            problem = f'value "{name[:40]}…" invalid, must be from 1 to 255 characters'
        else:
            bad = next((c for c in _FORBIDDEN_NAME_CHARS if c in name), None)
            if bad is not None:
                problem = f"cannot contain {json.dumps(bad)}"
        if problem:
            raise ValidationFailed(f"Validation error in path parameters: [name: {problem}]")

    def _query(self, method: str, template: str, raw: str) -> dict:
        declared = self._schemas.query_param_schemas(template, method)
        values = {}
        for name, items in parse_qs(raw, keep_blank_values=True).items():
            if name in declared:
                values[name] = self._schemas.check_query(declared[name], name, items[0])
        return values

    def _body(self, method: str, template: str, headers, body: bytes):
        if "requestBody" not in self._ops[template][method]:
            return None
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise FormatError("Content type error")
        if not body.strip():
            raise FormatError("Format error in JSON body: EOF while parsing a value at line 1 column 0")
        try:
            parsed = json.loads(body, parse_constant=_reject_constant)
        except json.JSONDecodeError as err:
            raise FormatError(f"Format error in JSON body: {err.msg} at line {err.lineno} column {err.colno}") from None
        except (ValueError, UnicodeDecodeError) as err:
            raise FormatError(f"Format error in JSON body: {err}") from None
        self._schemas.check_body(self._schemas.body_schema(template, method), parsed)
        return parsed

    @staticmethod
    def _error(err: ApiError, started: float) -> Reply:
        body = {"status": {"error": err.message}, "time": time.perf_counter() - started}
        return Reply(err.status, "application/json", _json_bytes(body))
