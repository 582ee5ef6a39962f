"""Translates Qdrant REST filter JSON into qdrant_edge filter objects (the engine takes no JSON).

Bodies reach this module already checked against the spec, so shapes are trusted here.
"""

import qdrant_edge as qe

from api_errors import NotImplementedByStandIn
from point_codec import parse_point_id


class _EngineBool:
    """A boolean the engine's Python binding reads as a bool.

    The binding tries `str`, then `int`, then `bool` when reading a match value, and Python's
    `True` is an `int`, so `MatchValue(True)` would match the integer 1 instead of `true`. The
    binding's bool conversion also accepts objects whose type looks like numpy's `bool_` (they are
    not ints), so this wrapper takes that path and matches booleans as the server does.
    """

    __slots__ = ("_value",)

    def __init__(self, value: bool):
        self._value = value

    def __bool__(self) -> bool:
        return self._value


_EngineBool.__module__ = "numpy"
_EngineBool.__name__ = "bool_"
_EngineBool.__qualname__ = "bool_"


def to_filter(obj: dict | None):
    if obj is None:
        return None
    min_should = obj.get("min_should")
    return qe.Filter(
        must=_conditions(obj.get("must")),
        should=_conditions(obj.get("should")),
        must_not=_conditions(obj.get("must_not")),
        min_should=(
            qe.MinShould([_condition(c) for c in min_should["conditions"]], min_should["min_count"])
            if min_should is not None
            else None
        ),
    )


def _conditions(value):
    if value is None:
        return None
    if isinstance(value, dict):
        value = [value]
    return [_condition(c) for c in value]


def _condition(c: dict):
    if "key" in c:
        return _field_condition(c)
    if "is_empty" in c:
        return qe.IsEmptyCondition(c["is_empty"]["key"])
    if "is_null" in c:
        return qe.IsNullCondition(c["is_null"]["key"])
    if "has_id" in c:
        return qe.HasIdCondition({parse_point_id(i) for i in c["has_id"]})
    if "has_vector" in c:
        return qe.HasVectorCondition(c["has_vector"])
    if "nested" in c:
        return qe.NestedCondition(c["nested"]["key"], to_filter(c["nested"]["filter"]))
    if "slice" in c:
        raise NotImplementedByStandIn("the `slice` filter condition")
    return to_filter(c)


def _field_condition(c: dict):
    return qe.FieldCondition(
        c["key"],
        match=_match(c.get("match")),
        range=_range(c.get("range")),
        geo_bounding_box=_geo_box(c.get("geo_bounding_box")),
        geo_radius=_geo_radius(c.get("geo_radius")),
        geo_polygon=_geo_polygon(c.get("geo_polygon")),
        values_count=_values_count(c.get("values_count")),
        is_empty=c.get("is_empty"),
        is_null=c.get("is_null"),
    )


def _match(m: dict | None):
    if m is None:
        return None
    if "value" in m:
        value = m["value"]
        return qe.MatchValue(_EngineBool(value) if isinstance(value, bool) else value)
    if "any" in m:
        return qe.MatchAny(list(m["any"]))
    if "except" in m:
        return qe.MatchExcept(list(m["except"]))
    if "text" in m:
        return qe.MatchText(m["text"])
    if "text_any" in m:
        return qe.MatchTextAny(m["text_any"])
    if "phrase" in m:
        return qe.MatchPhrase(m["phrase"])
    if "prefix" in m:
        return qe.MatchPrefix(m["prefix"])
    raise NotImplementedByStandIn(f"the match condition {sorted(m)}")


def _range(r: dict | None):
    if r is None:
        return None
    bounds = {k: r.get(k) for k in ("gte", "gt", "lte", "lt")}
    if any(isinstance(v, str) for v in bounds.values()):
        return qe.RangeDateTime(**bounds)
    return qe.RangeFloat(**{k: (None if v is None else float(v)) for k, v in bounds.items()})


def _geo_point(p: dict):
    return qe.GeoPoint(lon=float(p["lon"]), lat=float(p["lat"]))


def _geo_box(b: dict | None):
    if b is None:
        return None
    return qe.GeoBoundingBox(_geo_point(b["top_left"]), _geo_point(b["bottom_right"]))


def _geo_radius(r: dict | None):
    if r is None:
        return None
    return qe.GeoRadius(_geo_point(r["center"]), float(r["radius"]))


def _geo_polygon(p: dict | None):
    if p is None:
        return None
    exterior = [_geo_point(x) for x in p["exterior"]["points"]]
    interiors = p.get("interiors")
    return qe.GeoPolygon(
        exterior, None if interiors is None else [[_geo_point(x) for x in line["points"]] for line in interiors]
    )


def _values_count(v: dict | None):
    if v is None:
        return None
    return qe.ValuesCount(lt=v.get("lt"), gt=v.get("gt"), lte=v.get("lte"), gte=v.get("gte"))
