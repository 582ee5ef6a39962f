"""Universal query API (`/points/query`) bodies as engine QueryRequests.

The engine takes vectors only, so point ids given as query inputs are looked up first and, as on
the server, those points are left out of the results.
"""

import qdrant_edge as qe

from api_errors import BadInput, NotFound, NotImplementedByStandIn
from filters import to_filter
from point_codec import parse_point_id, query_vector_in, with_payload_in, with_vector_in

DEFAULT_LIMIT = 10
DEFAULT_RRF_K = 2


class QueryPlan:
    """An engine request plus what the response must show."""

    def __init__(self, request, payload_wanted: bool, vector_wanted: bool):
        self.request = request
        self.payload_wanted = payload_wanted
        self.vector_wanted = vector_wanted


def build(body: dict, shard) -> QueryPlan:
    _reject_unsupported(body)
    limit = body.get("limit") or DEFAULT_LIMIT
    excluded: set = set()
    query = _query(body.get("query"), body.get("using"), limit, shard, excluded)
    prefetches = [_prefetch(p, shard, excluded) for p in _as_list(body.get("prefetch"))]
    payload, payload_wanted = with_payload_in(body.get("with_payload"), default=False)
    vector, vector_wanted = with_vector_in(body.get("with_vector"))
    request = qe.QueryRequest(
        limit=limit,
        offset=body.get("offset") or 0,
        query=query,
        prefetches=prefetches or None,
        with_vector=vector,
        with_payload=payload,
        filter=_with_exclusions(to_filter(body.get("filter")), excluded),
        score_threshold=body.get("score_threshold"),
        params=_params(body.get("params")),
    )
    return QueryPlan(request, payload_wanted, vector_wanted)


def _prefetch(p: dict, shard, excluded: set):
    _reject_unsupported(p)
    limit = p.get("limit") or DEFAULT_LIMIT
    own: set = set()
    query = _query(p.get("query"), p.get("using"), limit, shard, own)
    excluded |= own
    return qe.Prefetch(
        limit=limit,
        query=query,
        prefetches=[_prefetch(x, shard, excluded) for x in _as_list(p.get("prefetch"))] or None,
        params=_params(p.get("params")),
        filter=_with_exclusions(to_filter(p.get("filter")), own),
        score_threshold=p.get("score_threshold"),
    )


def _reject_unsupported(body: dict) -> None:
    if body.get("lookup_from") is not None:
        raise NotImplementedByStandIn("`lookup_from` (vectors from another collection)")
    if body.get("shard_key") is not None:
        raise BadInput("Shard key specified, but the collection does not use custom sharding")


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_point_id(v) -> bool:
    return isinstance(v, (int, str)) and not isinstance(v, bool)


def _vector(v, using, shard, excluded: set):
    """A VectorInput as a vector, looking up point ids in this collection."""
    if not _is_point_id(v):
        return query_vector_in(v)
    pid = parse_point_id(v)
    records = shard.retrieve([pid], False, [using] if using else True)
    if not records:
        raise NotFound(f"No point with id {v} found")
    excluded.add(pid)
    vector = records[0].vector
    if isinstance(vector, dict):
        if (using or "") not in vector:
            raise BadInput(f"Vector `{using or ''}` is not present in point {v}")
        return vector[using or ""]
    return vector


def _query(q, using, limit: int, shard, excluded: set):
    if q is None:
        return None
    if not isinstance(q, dict) or "indices" in q:
        return qe.Query.Nearest(_vector(q, using, shard, excluded), using=using)
    if "nearest" in q:
        vector = _vector(q["nearest"], using, shard, excluded)
        mmr = q.get("mmr")
        if mmr is None:
            return qe.Query.Nearest(vector, using=using)
        diversity = 0.5 if mmr.get("diversity") is None else mmr["diversity"]
        candidates = mmr.get("candidates_limit")
        return qe.Mmr(vector, 1.0 - diversity, limit if candidates is None else candidates, using=using)
    if "recommend" in q:
        return _recommend(q["recommend"], using, shard, excluded)
    if "fusion" in q:
        return qe.Fusion.Rrf(k=DEFAULT_RRF_K) if q["fusion"] == "rrf" else qe.Fusion.Dbsf()
    if "rrf" in q:
        rrf = q["rrf"] or {}
        return qe.Fusion.Rrf(k=rrf.get("k") or DEFAULT_RRF_K, weights=rrf.get("weights"))
    if "order_by" in q:
        return order_by_in(q["order_by"])
    if "sample" in q:
        return qe.Sample.Random
    kind = next(iter(q), "unknown")
    raise NotImplementedByStandIn(f"`{kind}` queries")


def _recommend(r: dict, using, shard, excluded: set):
    positives = [_vector(v, using, shard, excluded) for v in r.get("positive") or []]
    negatives = [_vector(v, using, shard, excluded) for v in r.get("negative") or []]
    strategy = r.get("strategy") or "average_vector"
    if strategy == "best_score":
        return qe.Query.RecommendBestScore(qe.RecommendQuery(positives, negatives), using=using)
    if strategy == "sum_scores":
        return qe.Query.RecommendSumScores(qe.RecommendQuery(positives, negatives), using=using)
    if not positives:
        raise BadInput("At least one positive vector ID required with this strategy")
    if not all(isinstance(v, list) and all(not isinstance(x, list) for x in v) for v in positives + negatives):
        raise NotImplementedByStandIn("`average_vector` recommendation over sparse or multi-vectors")
    avg_pos = _average(positives)
    if not negatives:
        return qe.Query.Nearest(avg_pos, using=using)
    avg_neg = _average(negatives)
    return qe.Query.Nearest([p + p - n for p, n in zip(avg_pos, avg_neg)], using=using)


def _average(vectors: list) -> list:
    n = len(vectors)
    return [sum(column) / n for column in zip(*vectors)]


def order_by_in(o):
    if isinstance(o, str):
        return qe.OrderBy(o)
    direction = o.get("direction")
    return qe.OrderBy(
        o["key"],
        direction=None if direction is None else (qe.Direction.Asc if direction == "asc" else qe.Direction.Desc),
        start_from=o.get("start_from"),
    )


def _params(p: dict | None):
    if p is None:
        return None
    if p.get("idf") is not None:
        raise NotImplementedByStandIn("`params.idf`")
    quantization = p.get("quantization")
    acorn = p.get("acorn")
    return qe.SearchParams(
        hnsw_ef=p.get("hnsw_ef"),
        exact=bool(p.get("exact")),
        quantization=qe.QuantizationSearchParams(
            ignore=bool(quantization.get("ignore")),
            rescore=quantization.get("rescore"),
            oversampling=quantization.get("oversampling"),
        ) if quantization else None,
        indexed_only=bool(p.get("indexed_only")),
        acorn=qe.AcornSearchParams(enable=bool(acorn.get("enable")), max_selectivity=acorn.get("max_selectivity"))
        if acorn else None,
    )


def _with_exclusions(flt, excluded: set):
    if not excluded:
        return flt
    exclusion = qe.Filter(must_not=[qe.HasIdCondition(set(excluded))])
    if flt is None:
        return exclusion
    return qe.Filter(must=[flt, exclusion])
