"""The REST operations the stand-in implements, keyed by the spec's (method, path template).

Requests are matched against every path of the 1.19 spec; operations of the spec that are not
implemented here answer 501 with a message naming them, so a gap shows up as such and never as a
missing collection.
"""

import qdrant_edge as qe

import collection_config
import queries
from api_errors import BadInput, NotFound, from_engine
from filters import to_filter
from payload_index import field_schema_in, payload_schema_json
from point_codec import (parse_point_id, point_id_json, points_in, record_json, scored_json, with_payload_in,
                         with_vector_in)

VERSION_INFO = {"title": "qdrant - vector search engine (stand-in on Qdrant Edge)", "version": "1.19.0"}

_UPDATE_MODES = {"upsert": qe.UpdateMode.Upsert, "insert_only": qe.UpdateMode.InsertOnly,
                 "update_only": qe.UpdateMode.UpdateOnly}


class Raw:
    """A reply without the `{"result", "status", "time"}` envelope."""

    def __init__(self, status: int, body, content_type: str = "application/json"):
        self.status = status
        self.body = body
        self.content_type = content_type


def engine(fn, *args):
    """Calls the engine, turning its exceptions into the errors the server answers with."""
    try:
        return fn(*args)
    except Exception as exc:
        raise from_engine(exc) from exc


def _update_result(collection, query: dict) -> dict:
    # Updates are applied before the engine returns, but without `wait=true` the server answers
    # before applying them and says so; the same words are kept for the same request.
    status = "completed" if query.get("wait") else "acknowledged"
    return {"operation_id": collection.next_operation_id(), "status": status}


def _no_shard_key(body: dict) -> None:
    if body.get("shard_key") is not None:
        raise BadInput("Shard key specified, but the collection does not use custom sharding")


# --- service ------------------------------------------------------------------------------------

def root(ctx, req):
    return Raw(200, VERSION_INFO)


def healthz(ctx, req):
    return Raw(200, "healthz check passed", "text/plain; charset=utf-8")


def readyz(ctx, req):
    return Raw(200, "all shards are ready", "text/plain; charset=utf-8")


# --- collections --------------------------------------------------------------------------------

def list_collections(ctx, req):
    return {"collections": [{"name": name} for name in ctx.store.names()]}


def get_collection(ctx, req, collection_name):
    with ctx.store.use(collection_name) as c:
        info = engine(c.shard.info)
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": info.indexed_vectors_count,
            "points_count": info.points_count,
            "segments_count": info.segments_count,
            "config": collection_config.info_config(c.meta["create_request"]),
            "payload_schema": payload_schema_json(info, c.meta["field_indexes"]),
            "update_queue": {"length": 0},
        }


def create_collection(ctx, req, collection_name):
    ctx.store.create(collection_name, req.body)
    return True


def delete_collection(ctx, req, collection_name):
    return ctx.store.delete(collection_name)


def collection_exists(ctx, req, collection_name):
    return {"exists": ctx.store.exists(collection_name)}


def create_field_index(ctx, req, collection_name):
    field, schema = req.body["field_name"], req.body.get("field_schema")
    op = qe.UpdateOperation.create_field_index(field, field_schema_in(schema))
    with ctx.store.use(collection_name) as c:
        engine(c.shard.update, op)
        c.meta["field_indexes"][field] = schema
        c.save_meta()
        return _update_result(c, req.query)


def delete_field_index(ctx, req, collection_name, field_name):
    with ctx.store.use(collection_name) as c:
        engine(c.shard.update, qe.UpdateOperation.delete_field_index(field_name))
        c.meta["field_indexes"].pop(field_name, None)
        c.save_meta()
        return _update_result(c, req.query)


# --- points -------------------------------------------------------------------------------------

def upsert_points(ctx, req, collection_name):
    body = req.body
    _no_shard_key(body)
    points = points_in(body)
    mode = body.get("update_mode")
    op = qe.UpdateOperation.upsert_points(
        points, condition=to_filter(body.get("update_filter")), update_mode=_UPDATE_MODES[mode] if mode else None
    )
    with ctx.store.use(collection_name) as c:
        engine(c.shard.update, op)
        return _update_result(c, req.query)


def delete_points(ctx, req, collection_name):
    body = req.body
    _no_shard_key(body)
    if "points" in body:
        op = qe.UpdateOperation.delete_points([parse_point_id(p) for p in body["points"]])
    else:
        op = qe.UpdateOperation.delete_points_by_filter(to_filter(body["filter"]))
    with ctx.store.use(collection_name) as c:
        engine(c.shard.update, op)
        return _update_result(c, req.query)


def retrieve_points(ctx, req, collection_name):
    body = req.body
    _no_shard_key(body)
    payload, payload_wanted = with_payload_in(body.get("with_payload"), default=True)
    vector, vector_wanted = with_vector_in(body.get("with_vector"))
    ids = [parse_point_id(i) for i in body["ids"]]
    with ctx.store.use(collection_name) as c:
        records = engine(c.shard.retrieve, ids, payload, vector)
    return [record_json(r, payload_wanted, vector_wanted) for r in records]


def get_point(ctx, req, collection_name, id):
    try:
        pid = int(id) if id.isdigit() else parse_point_id(id)
    except ValueError:
        raise BadInput(f'Can not recognize "{id}" as point id') from None
    with ctx.store.use(collection_name) as c:
        records = engine(c.shard.retrieve, [pid], True, True)
    if not records:
        raise NotFound(f"Point with id {point_id_json(pid)} does not exists!")
    return record_json(records[0], True, True)


def scroll_points(ctx, req, collection_name):
    body = req.body
    _no_shard_key(body)
    payload, payload_wanted = with_payload_in(body.get("with_payload"), default=True)
    vector, vector_wanted = with_vector_in(body.get("with_vector"))
    order_by = body.get("order_by")
    offset = body.get("offset")
    request = qe.ScrollRequest(
        offset=None if offset is None else parse_point_id(offset),
        limit=body.get("limit") or 10,
        filter=to_filter(body.get("filter")),
        with_payload=payload,
        with_vector=vector,
        order_by=None if order_by is None else queries.order_by_in(order_by),
    )
    with ctx.store.use(collection_name) as c:
        records, next_offset = engine(c.shard.scroll, request)
    return {
        "points": [record_json(r, payload_wanted, vector_wanted) for r in records],
        "next_page_offset": None if next_offset is None else point_id_json(next_offset),
    }


def count_points(ctx, req, collection_name):
    body = req.body
    _no_shard_key(body)
    request = qe.CountRequest(exact=body.get("exact", True), filter=to_filter(body.get("filter")))
    with ctx.store.use(collection_name) as c:
        return {"count": engine(c.shard.count, request)}


def query_points(ctx, req, collection_name):
    with ctx.store.use(collection_name) as c:
        plan = queries.build(req.body, c.shard)
        points = engine(c.shard.query, plan.request)
    return {"points": [scored_json(p, plan.payload_wanted, plan.vector_wanted) for p in points]}


def query_points_batch(ctx, req, collection_name):
    with ctx.store.use(collection_name) as c:
        plans = [queries.build(search, c.shard) for search in req.body["searches"]]
        results = engine(c.shard.query_batch, qe.QueryBatchRequest([p.request for p in plans])) if plans else []
    return [
        {"points": [scored_json(p, plan.payload_wanted, plan.vector_wanted) for p in points]}
        for plan, points in zip(plans, results)
    ]


# (method, spec path template) → handler; path parameters are passed by their spec names.
ROUTES = {
    ("get", "/"): root,
    ("get", "/healthz"): healthz,
    ("get", "/livez"): healthz,
    ("get", "/readyz"): readyz,
    ("get", "/collections"): list_collections,
    ("get", "/collections/{collection_name}"): get_collection,
    ("put", "/collections/{collection_name}"): create_collection,
    ("delete", "/collections/{collection_name}"): delete_collection,
    ("get", "/collections/{collection_name}/exists"): collection_exists,
    ("put", "/collections/{collection_name}/index"): create_field_index,
    ("delete", "/collections/{collection_name}/index/{field_name}"): delete_field_index,
    ("put", "/collections/{collection_name}/points"): upsert_points,
    ("post", "/collections/{collection_name}/points"): retrieve_points,
    ("get", "/collections/{collection_name}/points/{id}"): get_point,
    ("post", "/collections/{collection_name}/points/delete"): delete_points,
    ("post", "/collections/{collection_name}/points/scroll"): scroll_points,
    ("post", "/collections/{collection_name}/points/count"): count_points,
    ("post", "/collections/{collection_name}/points/query"): query_points,
    ("post", "/collections/{collection_name}/points/query/batch"): query_points_batch,
}
