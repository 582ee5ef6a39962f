"""Payload index schemas between REST JSON and qdrant_edge, and the `payload_schema` of collection info."""

import qdrant_edge as qe

from api_errors import BadInput, NotImplementedByStandIn

_TYPES = {
    "keyword": (qe.PayloadSchemaType.Keyword, qe.KeywordIndexParams),
    "integer": (qe.PayloadSchemaType.Integer, qe.IntegerIndexParams),
    "float": (qe.PayloadSchemaType.Float, qe.FloatIndexParams),
    "geo": (qe.PayloadSchemaType.Geo, qe.GeoIndexParams),
    "text": (qe.PayloadSchemaType.Text, qe.TextIndexParams),
    "bool": (qe.PayloadSchemaType.Bool, qe.BoolIndexParams),
    "datetime": (qe.PayloadSchemaType.Datetime, qe.DatetimeIndexParams),
    "uuid": (qe.PayloadSchemaType.Uuid, qe.UuidIndexParams),
}
_NAMES = {schema_type: name for name, (schema_type, _) in _TYPES.items()}

# Parameters each index type takes from REST (besides "type"), as the 1.19 spec lists them.
_PARAMS = {
    "keyword": {"is_tenant", "on_disk", "memory", "enable_hnsw", "prefix"},
    "integer": {"lookup", "range", "is_principal", "on_disk", "memory", "enable_hnsw"},
    "float": {"is_principal", "on_disk", "memory", "enable_hnsw"},
    "geo": {"on_disk", "memory", "enable_hnsw"},
    "text": {"tokenizer", "min_token_len", "max_token_len", "lowercase", "ascii_folding", "phrase_matching",
             "on_disk", "memory", "enable_hnsw"},
    "bool": {"on_disk", "memory", "enable_hnsw"},
    "datetime": {"is_principal", "on_disk", "memory", "enable_hnsw"},
    "uuid": {"is_tenant", "on_disk", "memory", "enable_hnsw"},
}
_TOKENIZERS = {"prefix": qe.TokenizerType.Prefix, "whitespace": qe.TokenizerType.Whitespace,
               "word": qe.TokenizerType.Word, "multilingual": qe.TokenizerType.Multilingual}
_MEMORY = {"cold": qe.Memory.Cold, "cached": qe.Memory.Cached, "pinned": qe.Memory.Pinned}


def field_schema_in(field_schema):
    """REST `field_schema` (a type name or a params object) as the engine's schema argument."""
    if field_schema is None:
        raise BadInput("Can't auto-detect field type, please specify `field_schema` in the request")
    if isinstance(field_schema, str):
        return _TYPES[field_schema][0]
    kind = field_schema["type"]
    given = {k: v for k, v in field_schema.items() if k != "type" and v is not None}
    unsupported = sorted(set(given) - _PARAMS[kind])
    if unsupported:
        raise NotImplementedByStandIn(f"{kind} index parameters {unsupported}")
    if "tokenizer" in given:
        given["tokenizer"] = _TOKENIZERS[given["tokenizer"]]
    if "memory" in given:
        given["memory"] = _MEMORY[given["memory"]]
    return _TYPES[kind][1](**given)


def payload_schema_json(shard_info, requested: dict) -> dict:
    """`payload_schema` of collection info; `params` echo the params object the index was made with."""
    out = {}
    for field, info in shard_info.payload_schema.items():
        entry = {"data_type": _NAMES[info.data_type]}
        params = requested.get(field)
        if isinstance(params, dict):
            entry["params"] = {k: v for k, v in params.items() if v is not None}
        entry["points"] = info.points
        out[field] = entry
    return out
