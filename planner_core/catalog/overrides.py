"""A user catalog file may change one field of a built-in entry without copying it whole:

    {"systems": {"hgx-h200": {"price_usd": 250000}}}

Entries keyed by id are merged into the entry of that id already loaded (a built-in one or
an earlier file's); an id not yet known must be a whole entry. A plain number where the
catalog keeps a sourced figure (:class:`~planner_core.catalog.entries.Spec`) becomes one whose
source is the file and whose grade is ``assumption`` (the user's own figure); a figure given
as ``{"value": ..., "source": ..., "grade": ...}`` keeps the source and grade it states.
"""

from __future__ import annotations

from typing import Any

#: The sections of a catalog file, as the Catalog names its dictionaries.
SECTIONS = ("accelerators", "systems", "models")


def is_spec(value: Any) -> bool:
    return isinstance(value, dict) and {"value", "source", "grade"} <= set(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def merged(base: dict, changes: dict, source: str) -> dict:
    """``base`` (an entry as JSON) with ``changes`` laid over it, field by field."""
    out = dict(base)
    for key, value in changes.items():
        before = base.get(key)
        if is_spec(before) and _number(value):
            out[key] = {"value": float(value), "source": source, "grade": "assumption",
                        "note": "the user's own figure"}
        elif isinstance(before, dict) and isinstance(value, dict) and not is_spec(value):
            out[key] = merged(before, value, source)
        else:
            out[key] = value
    return out


def expand(raw: dict, known: dict[str, dict[str, Any]], source: str) -> dict:
    """``raw`` (a catalog file as JSON) with every section keyed by id turned into the list
    of whole entries the file format holds: merged over ``known`` (section → id → entry as
    JSON) where the id is known, taken as it is (its id added) where not."""
    out = dict(raw)
    for section in SECTIONS:
        entries = raw.get(section)
        if not isinstance(entries, dict):
            continue
        whole = []
        for ident, changes in entries.items():
            if not isinstance(changes, dict):
                whole.append(changes)  # the validation names what is wrong with it
                continue
            base = known.get(section, {}).get(ident)
            whole.append({**merged(base, changes, source), "id": ident} if base is not None
                         else {"id": ident, **changes})
        out[section] = whole
    return out
