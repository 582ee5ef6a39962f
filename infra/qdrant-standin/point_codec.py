"""Point ids, vectors and payload selectors between REST JSON and qdrant_edge objects.

Response shapes follow the server: `payload`, `vector` and `order_value` are left out of a
record when they were not asked for (the server skips `None` fields), and UUIDs come back in their
hyphenated lower-case form.
"""

import struct
import uuid

import qdrant_edge as qe

from api_errors import BadInput, NotImplementedByStandIn


def parse_point_id(value):
    """A REST point id (u64 or UUID string, already type-checked) as the engine takes it."""
    if isinstance(value, int):
        return value
    return uuid.UUID(value)


def point_id_json(pid):
    return pid if isinstance(pid, int) else str(pid)


def _is_inference_object(v) -> bool:
    return isinstance(v, dict) and ("text" in v or "image" in v or "object" in v) and "model" in v


def vector_in(v):
    """One point's vectors: a dense list, a multivector, or a map of named vectors."""
    if isinstance(v, dict):
        if _is_inference_object(v):
            raise NotImplementedByStandIn("server-side inference (Document, Image, InferenceObject)")
        return {name: _named_vector_in(x) for name, x in v.items()}
    return v


def _named_vector_in(x):
    if isinstance(x, dict):
        if "indices" in x:
            return qe.SparseVector(x["indices"], x["values"])
        raise NotImplementedByStandIn("server-side inference (Document, Image, InferenceObject)")
    return x


def query_vector_in(v):
    """A `VectorInput` that is a vector (ids are resolved by the caller before this)."""
    if isinstance(v, dict):
        return _named_vector_in(v)
    return v


def vector_json(v):
    if v is None:
        return None
    if isinstance(v, dict):
        return {name: vector_json(x) for name, x in v.items()}
    if isinstance(v, qe.SparseVector):
        return {"indices": list(v.indices), "values": list(v.values)}
    return v


def with_payload_in(value, default: bool):
    """REST `with_payload` → engine selector; returns (selector, whether payload is returned)."""
    if value is None:
        return default, default
    if isinstance(value, bool):
        return value, value
    if isinstance(value, list):
        return value, True
    if "include" in value:
        return qe.PayloadSelector.Include(value["include"]), True
    return qe.PayloadSelector.Exclude(value["exclude"]), True


def with_vector_in(value, default: bool = False):
    """REST `with_vector` → engine value; returns (value, whether vectors are returned)."""
    if value is None:
        return default, default
    if isinstance(value, bool):
        return value, value
    return value, True


def f32_json(x: float) -> float:
    """The shortest decimal that reads back as the same f32, as the server prints its f32 scores."""
    try:
        target = struct.pack("<f", x)
    except OverflowError:
        return x
    for digits in range(1, 10):
        candidate = float(f"{x:.{digits}g}")
        try:
            if struct.pack("<f", candidate) == target:
                return candidate
        except OverflowError:
            continue
    return x


def record_json(rec, payload_wanted: bool, vector_wanted: bool) -> dict:
    out = {"id": point_id_json(rec.id)}
    if payload_wanted:
        out["payload"] = rec.payload if rec.payload is not None else {}
    if vector_wanted:
        out["vector"] = _vector_out(rec.vector)
    if rec.order_value is not None:
        out["order_value"] = rec.order_value
    return out


def scored_json(p, payload_wanted: bool, vector_wanted: bool) -> dict:
    out = {"id": point_id_json(p.id), "version": p.version, "score": f32_json(p.score)}
    if payload_wanted:
        out["payload"] = p.payload if p.payload is not None else {}
    if vector_wanted:
        out["vector"] = _vector_out(p.vector)
    if p.order_value is not None:
        out["order_value"] = p.order_value
    return out


def _vector_out(v):
    # A point that has none of the requested named vectors still answers with an empty map.
    return vector_json(v) if v is not None else {}


def points_in(body: dict) -> list:
    """The points of an upsert body, in the list form or the column (`batch`) form."""
    if "points" in body:
        return [qe.Point(parse_point_id(p["id"]), vector_in(p["vector"]), p.get("payload")) for p in body["points"]]
    batch = body["batch"]
    ids = batch["ids"]
    vectors = batch["vectors"]
    payloads = batch.get("payloads")
    if isinstance(vectors, dict):
        per_point = []
        for i in range(len(ids)):
            per_point.append({name: _column_item(column, i, name) for name, column in vectors.items()})
    else:
        if vectors and isinstance(vectors[0], dict):
            raise NotImplementedByStandIn("server-side inference (Document, Image, InferenceObject)")
        per_point = vectors
    if len(per_point) != len(ids):
        raise BadInput(f"number of ids ({len(ids)}) and vectors ({len(per_point)}) must match")
    if payloads is not None and len(payloads) != len(ids):
        raise BadInput(f"number of ids ({len(ids)}) and payloads ({len(payloads)}) must match")
    return [
        qe.Point(parse_point_id(pid), per_point[i], payloads[i] if payloads is not None else None)
        for i, pid in enumerate(ids)
    ]


def _column_item(column: list, i: int, name: str):
    if i >= len(column):
        raise BadInput(f"vector `{name}` has {len(column)} entries, fewer than the ids")
    return _named_vector_in(column[i])
