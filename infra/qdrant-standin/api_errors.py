"""Errors a request can end in, each carrying the HTTP status and the text Qdrant's server sends.

The server prefixes its messages by kind ("Wrong input: ", "Not found: ", ...); clients match on
status codes and sometimes on these texts, so they are reproduced exactly.
"""


class ApiError(Exception):
    """Base: an error answered as `{"status": {"error": message}, "time": ...}` with `status`."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInput(ApiError):
    """Raised when the request is well-formed but the engine or the server rejects its values."""

    status = 400

    def __init__(self, description: str):
        super().__init__(f"Wrong input: {description}")


class NotFound(ApiError):
    """Raised when a collection, point or route target does not exist."""

    status = 404

    def __init__(self, description: str):
        super().__init__(f"Not found: {description}")


class AlreadyExists(ApiError):
    """Raised when creating a collection whose name is taken."""

    status = 409

    def __init__(self, description: str):
        super().__init__(f"Wrong input: {description}")


class FormatError(ApiError):
    """Raised when a body, query string or path does not deserialize (bad JSON, wrong types)."""

    status = 400


class ValidationFailed(ApiError):
    """Raised when a request deserializes but breaks a value constraint (e.g. `limit: 0`)."""

    status = 422


class ServiceError(ApiError):
    """Raised when the engine fails for reasons other than the request."""

    status = 500

    def __init__(self, description: str):
        super().__init__(f"Service internal error: {description}")


class NotImplementedByStandIn(ApiError):
    """Raised for Qdrant features this stand-in cannot honour; the real server is needed for them."""

    status = 501

    def __init__(self, feature: str):
        super().__init__(
            f"Not implemented by the Qdrant stand-in: {feature}. Run the real Qdrant server for this feature."
        )


def collection_not_found(name: str) -> NotFound:
    return NotFound(f"Collection `{name}` doesn't exist!")


def from_engine(exc: Exception) -> ApiError:
    """Maps an exception raised by qdrant_edge to the error the server would answer with."""
    text = str(exc)
    if isinstance(exc, (TypeError, ValueError)):
        return BadInput(text)
    if text.startswith("Service runtime error") or text.startswith("Service internal error"):
        return ServiceError(text)
    if text.startswith("Not found: "):
        return NotFound(text[len("Not found: "):])
    return BadInput(text)
