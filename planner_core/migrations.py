"""Upgrades plan files written by older versions, one schema step at a time.

Each migration takes the JSON dict of version ``n`` and returns that of ``n + 1``; they run in
order, so a file from any older version reaches the current one. A migration never drops what
the user wrote: if it cannot carry something forward it raises, naming it.

History:

- **1 → 2**: scenario overrides address list items by name only. Version 1 also accepted an
  index (``pools.0.count``), which silently pointed at another pool once pools were removed or
  reordered. The migration rewrites each index to the name of the item it meant when the file
  was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import PlannerError


def _v1_to_v2(data: dict) -> dict:
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, list):
        return data
    for s_index, scenario in enumerate(scenarios):
        if not isinstance(scenario, dict) or not isinstance(scenario.get("overrides"), dict):
            continue
        rewritten = {}
        for path, value in scenario["overrides"].items():
            rewritten[_names_for_indexes(data, str(path), s_index)] = value
        scenario["overrides"] = rewritten
    return data


def _names_for_indexes(data: dict, path: str, s_index: int) -> str:
    parts = path.split(".")
    node: Any = data
    out = []
    for part in parts:
        if isinstance(node, list):
            named = [x for x in node if isinstance(x, dict) and x.get("name") == part]
            if named:
                node = named[0]
            elif part.isdigit() and int(part) < len(node):
                item = node[int(part)]
                name = item.get("name") if isinstance(item, dict) else None
                if not isinstance(name, str):
                    raise PlannerError(
                        f"override {path!r} addresses item {part} of a list whose items "
                        "have no names", field=f"scenarios.{s_index}.overrides")
                part, node = name, item
            else:
                node = None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        out.append(part)
    return ".".join(out)


#: MIGRATIONS[n] upgrades version n to n + 1.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _v1_to_v2}
OLDEST_READABLE = 1


def migrate(data: dict, current: int) -> tuple[dict, list[int]]:
    """The dict brought to ``current``; also the versions it passed through (empty if none)."""
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise PlannerError(f"schema_version must be a whole number (got {version!r})",
                           field="schema_version")
    if version > current:
        raise PlannerError(
            f"written by a newer Inference Planner (schema_version {version}; this version "
            f"reads {OLDEST_READABLE} to {current}). Update Inference Planner to open it.",
            field="schema_version")
    if version < OLDEST_READABLE:
        raise PlannerError(f"schema_version {version} is older than any Inference Planner "
                           f"release (the oldest is {OLDEST_READABLE})", field="schema_version")
    passed = []
    while version < current:
        data = MIGRATIONS[version](data)
        passed.append(version)
        version += 1
        data["schema_version"] = version
    return data, passed
