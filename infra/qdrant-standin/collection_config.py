"""A create-collection request as engine configuration, and the `config` block of collection info.

The engine has no collection concept and no config getter, so the request is kept beside the
shard and the info is rebuilt from it with the server's defaults filled in.
"""

import copy

import qdrant_edge as qe

from api_errors import NotImplementedByStandIn

DEFAULT_HNSW = {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000, "max_indexing_threads": 0, "on_disk": False}
DEFAULT_OPTIMIZERS = {
    "deleted_threshold": 0.2,
    "vacuum_min_vector_number": 1000,
    "default_segment_number": 0,
    "max_segment_size": None,
    "memmap_threshold": None,
    "indexing_threshold": 10000,
    "flush_interval_sec": 5,
    "max_optimization_threads": None,
}
DEFAULT_WAL = {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1}

_DISTANCE = {"Cosine": qe.Distance.Cosine, "Euclid": qe.Distance.Euclid, "Dot": qe.Distance.Dot,
             "Manhattan": qe.Distance.Manhattan}
_DATATYPE = {"float32": qe.VectorStorageDatatype.Float32, "float16": qe.VectorStorageDatatype.Float16,
             "uint8": qe.VectorStorageDatatype.Uint8}
_MEMORY = {"cold": qe.Memory.Cold, "cached": qe.Memory.Cached, "pinned": qe.Memory.Pinned}
_COMPRESSION = {"x4": qe.CompressionRatio.X4, "x8": qe.CompressionRatio.X8, "x16": qe.CompressionRatio.X16,
                "x32": qe.CompressionRatio.X32, "x64": qe.CompressionRatio.X64}
_BINARY_ENCODING = {"one_bit": qe.BinaryQuantizationEncoding.OneBit,
                    "two_bits": qe.BinaryQuantizationEncoding.TwoBits,
                    "one_and_half_bits": qe.BinaryQuantizationEncoding.OneAndHalfBits}
_BINARY_QUERY_ENCODING = {"default": qe.BinaryQuantizationQueryEncoding.Default,
                          "binary": qe.BinaryQuantizationQueryEncoding.Binary,
                          "scalar4bits": qe.BinaryQuantizationQueryEncoding.Scalar4Bits,
                          "scalar8bits": qe.BinaryQuantizationQueryEncoding.Scalar8Bits}


def _present(d: dict | None) -> dict:
    return {k: v for k, v in (d or {}).items() if v is not None}


def _memory(value):
    return None if value is None else _MEMORY[value]


def check_supported(body: dict) -> None:
    """Rejects create options whose behaviour the engine cannot reproduce."""
    if body.get("sharding_method") == "custom":
        raise NotImplementedByStandIn("custom sharding (shard keys)")
    if (body.get("strict_mode_config") or {}).get("enabled"):
        raise NotImplementedByStandIn("strict mode")
    for params in _dense_params(body.get("vectors")).values():
        if params.get("datatype") == "turbo4":
            raise NotImplementedByStandIn("the `turbo4` vector datatype")
        if "turbo" in (params.get("quantization_config") or {}):
            raise NotImplementedByStandIn("TurboQuant quantization")
    if "turbo" in (body.get("quantization_config") or {}):
        raise NotImplementedByStandIn("TurboQuant quantization")
    for params in (body.get("sparse_vectors") or {}).values():
        if ((params or {}).get("index") or {}).get("datatype") == "turbo4":
            raise NotImplementedByStandIn("the `turbo4` vector datatype")


def _dense_params(vectors) -> dict:
    """`vectors` of a create request as {name: VectorParams}; the unnamed vector is named ""."""
    if vectors is None:
        return {}
    if isinstance(vectors.get("size"), int) and isinstance(vectors.get("distance"), str):
        return {"": vectors}
    return dict(vectors)


def edge_config(body: dict) -> "qe.EdgeConfig":
    check_supported(body)
    dense = {name: _vector_params(p, body.get("hnsw_config")) for name, p in _dense_params(body.get("vectors")).items()}
    vectors = dense.get("") if list(dense) == [""] else (dense or None)
    sparse = {name: _sparse_params(p or {}) for name, p in (body.get("sparse_vectors") or {}).items()}
    if not dense and not sparse:
        raise NotImplementedByStandIn("collections without any vectors (the engine needs at least one)")
    opt = _present(body.get("optimizers_config"))
    return qe.EdgeConfig(
        vectors=vectors,
        sparse_vectors=sparse or None,
        on_disk_payload=body.get("on_disk_payload"),
        hnsw_config=_hnsw(body.get("hnsw_config")),
        quantization_config=_quantization(body.get("quantization_config")),
        optimizers=qe.EdgeOptimizersConfig(
            deleted_threshold=opt.get("deleted_threshold"),
            vacuum_min_vector_number=opt.get("vacuum_min_vector_number"),
            default_segment_number=opt.get("default_segment_number"),
            max_segment_size=opt.get("max_segment_size"),
            indexing_threshold=opt.get("indexing_threshold"),
            prevent_unoptimized=opt.get("prevent_unoptimized"),
        ) if opt else None,
        payload_memory=_memory((body.get("payload") or {}).get("memory")),
    )


def _vector_params(p: dict, collection_hnsw: dict | None):
    multivector = p.get("multivector_config")
    return qe.EdgeVectorParams(
        size=p["size"],
        distance=_DISTANCE[p["distance"]],
        on_disk=p.get("on_disk"),
        multivector_config=qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim) if multivector else None,
        datatype=_DATATYPE.get(p.get("datatype")) if p.get("datatype") else None,
        quantization_config=_quantization(p.get("quantization_config")),
        hnsw_config=_hnsw({**_present(collection_hnsw), **_present(p.get("hnsw_config"))}) if p.get("hnsw_config") else None,
        memory=_memory(p.get("memory")),
    )


def _sparse_params(p: dict):
    index = p.get("index") or {}
    return qe.EdgeSparseVectorParams(
        full_scan_threshold=index.get("full_scan_threshold"),
        on_disk=index.get("on_disk"),
        modifier=qe.Modifier.Idf if p.get("modifier") == "idf" else None,
        datatype=_DATATYPE.get(index.get("datatype")) if index.get("datatype") else None,
        memory=_memory(index.get("memory")),
    )


def _hnsw(diff: dict | None):
    if not diff:
        return None
    merged = {**DEFAULT_HNSW, **_present(diff)}
    return qe.HnswIndexConfig(
        m=merged["m"],
        ef_construct=merged["ef_construct"],
        full_scan_threshold=merged["full_scan_threshold"],
        max_indexing_threads=merged["max_indexing_threads"],
        on_disk=merged.get("on_disk"),
        payload_m=merged.get("payload_m"),
        inline_storage=merged.get("inline_storage"),
        memory=_memory(merged.get("memory")),
    )


def _quantization(q: dict | None):
    if not q:
        return None
    if "scalar" in q:
        s = q["scalar"]
        return qe.ScalarQuantizationConfig(qe.ScalarType.Int8, quantile=s.get("quantile"),
                                           always_ram=s.get("always_ram"), memory=_memory(s.get("memory")))
    if "product" in q:
        p = q["product"]
        return qe.ProductQuantizationConfig(_COMPRESSION[p["compression"]], always_ram=p.get("always_ram"),
                                            memory=_memory(p.get("memory")))
    if "binary" in q:
        b = q["binary"]
        return qe.BinaryQuantizationConfig(
            always_ram=b.get("always_ram"),
            encoding=_BINARY_ENCODING.get(b.get("encoding")) if b.get("encoding") else None,
            query_encoding=_BINARY_QUERY_ENCODING.get(b.get("query_encoding")) if b.get("query_encoding") else None,
            memory=_memory(b.get("memory")),
        )
    raise NotImplementedByStandIn(f"quantization {sorted(q)}")


def info_config(body: dict) -> dict:
    """The `config` of GET /collections/{name}, as the server reports a collection created with `body`."""
    dense = {name: _present(p) for name, p in _dense_params(body.get("vectors")).items()}
    params = {
        "vectors": dense.get("", {}) if list(dense) == [""] else dense,
        "shard_number": body.get("shard_number") or 1,
        "replication_factor": body.get("replication_factor") or 1,
        "write_consistency_factor": body.get("write_consistency_factor") or 1,
        "on_disk_payload": True if body.get("on_disk_payload") is None else body["on_disk_payload"],
    }
    if body.get("sparse_vectors"):
        params["sparse_vectors"] = {name: _present(p) for name, p in body["sparse_vectors"].items()}
    if body.get("payload"):
        params["payload"] = _present(body["payload"])
    config = {
        "params": params,
        "hnsw_config": {**DEFAULT_HNSW, **_present(body.get("hnsw_config"))},
        "optimizer_config": {**DEFAULT_OPTIMIZERS, **_present(body.get("optimizers_config"))},
        "wal_config": {**DEFAULT_WAL, **_present(body.get("wal_config"))},
        "quantization_config": copy.deepcopy(body.get("quantization_config")),
    }
    if body.get("strict_mode_config") is not None:
        config["strict_mode_config"] = _present(body["strict_mode_config"])
    if body.get("metadata") is not None:
        config["metadata"] = copy.deepcopy(body["metadata"])
    return config
