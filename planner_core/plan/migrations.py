"""Upgrades plan files written by older versions, one schema step at a time.

Each migration takes the JSON dict of version ``n`` and returns that of ``n + 1``; they run in
order, so a file from any older version reaches the current one. A migration never drops what
the user wrote: if it cannot carry something forward it raises, naming it.

History:

- **1 → 2**: scenario overrides address list items by name only. Version 1 also accepted an
  index (``pools.0.count``), which silently pointed at another pool once pools were removed or
  reordered. The migration rewrites each index to the name of the item it meant when the file
  was saved.
- **2 → 3**: a pool's layout may set ``max_batch``, the serving engine's batch cap. Nothing is
  rewritten; the version changes so that an older Inference Planner, which would not know the
  field, says "update" instead of refusing an unknown field.
- **3 → 4**: a workload served by several pools is split between them (``pool_shares``; empty
  = equal). Version 3 sized every such pool for the workload's whole peak and counted its
  tokens in each; the migration keeps the pools and says in the plan's notes that the
  traffic is now split equally, which the user can change. Plans whose workloads each have
  one pool mean exactly what they meant. (Version 4 also reads the pool fields
  ``power_limit_w`` and the plan's ``calibration_profile``.)
- **4 → 5**: the plan gains ``site`` (electrical chain, cooling plant, fabric, floor, limits)
  and pools ``cooling``. The facility's flat network figures (``network_power_w_per_system``,
  ``network_capex_pct``) move into ``site.fabric``: figures the user changed keep the flat
  design with their values; the defaults give way to the counted fat tree. Either way the
  notes say so.
- **5 → 6**: a plan may carry a ``timeline`` (periods, demand paths, power phases, options,
  purchases). Nothing is rewritten: a plan without one is the snapshot it was.
- **6 → 7**: a plan may carry ``embedded_catalog``, the entries of the user's own catalog files
  it uses. Nothing is rewritten: a plan without them uses the catalog it is opened with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner_core.errors import PlannerError


def _v1_to_v2(data: dict) -> dict:
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, list):
        return data
    for s_index, scenario in enumerate(scenarios):
        if not isinstance(scenario, dict) or not isinstance(scenario.get("overrides"), dict):
            continue
        name = scenario.get("name")
        where = (f"scenarios.{name}.overrides" if isinstance(name, str) and name
                 and "." not in name else f"scenarios[{s_index}].overrides")
        rewritten: dict[str, Any] = {}
        for path, value in scenario["overrides"].items():
            new = _names_for_indexes(data, str(path), where)
            if new in rewritten and rewritten[new] != value:
                # Both spellings meant the same field; keeping one would drop the other.
                raise PlannerError(
                    f"overrides {path!r} and {new!r} set the same field to different values "
                    f"({value!r} and {rewritten[new]!r}); delete one of them", field=where)
            rewritten[new] = value
        scenario["overrides"] = rewritten
    return data


def _names_for_indexes(data: dict, path: str, where: str) -> str:
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
                if not isinstance(name, str) or not name or "." in name:
                    raise PlannerError(
                        f"override {path!r} addresses item {part} of a list whose items "
                        "have no usable names", field=where)
                part, node = name, item
            elif part.isdigit():
                raise PlannerError(f"override {path!r} addresses item {part} of a list of "
                                   f"{len(node)} (the first is item 0)", field=where)
            else:
                node = None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        out.append(part)
    return ".".join(out)


def _v2_to_v3(data: dict) -> dict:
    # Version 3 adds layout.max_batch; a version-2 file has none, which means the default.
    return data


def _v3_to_v4(data: dict) -> dict:
    pools = data.get("pools") if isinstance(data.get("pools"), list) else []
    workloads = data.get("workloads") if isinstance(data.get("workloads"), list) else []
    changed = []
    for w in workloads:
        name = w.get("name") if isinstance(w, dict) else None
        serving = [p.get("name") for p in pools if isinstance(p, dict)
                   and isinstance(p.get("workloads"), list) and name in p["workloads"]]
        if len(serving) > 1:
            changed.append(f"workload {name!r} was sized in full by each of the pools "
                           f"{', '.join(repr(p) for p in serving)}; it is now split equally "
                           f"between them ({100 / len(serving):.0f}% each)")
    if changed:
        note = ("Upgraded to schema 4 (traffic shares): " + "; ".join(changed)
                + ". Set each workload's pool shares to split it otherwise.")
        notes = data.get("notes") if isinstance(data.get("notes"), str) else ""
        data["notes"] = f"{notes}\n\n{note}" if notes else note
    return data


#: The flat network figures version 4 kept in the facility, and their defaults.
_FLAT_NETWORK = {"network_power_w_per_system": ("flat_w_per_system", 600.0),
                 "network_capex_pct": ("flat_capex_pct", 12.0)}


def _v4_to_v5(data: dict) -> dict:
    facility = data.get("facility") if isinstance(data.get("facility"), dict) else {}
    given = {k: facility.pop(k) for k in list(_FLAT_NETWORK) if k in facility}
    own = {k: v for k, v in given.items() if v != _FLAT_NETWORK[k][1]}
    if own:
        # The user's own figures keep their meaning: the flat design with those figures.
        site = data["site"] = data["site"] if isinstance(data.get("site"), dict) else {}
        fabric = site["fabric"] = (site["fabric"] if isinstance(site.get("fabric"), dict)
                                   else {})
        fabric["design"] = "flat"
        for k, v in given.items():
            fabric[_FLAT_NETWORK[k][0]] = v
        note = ("Upgraded to schema 5 (site): the scale-out network keeps your flat figures "
                + ", ".join(f"{k} = {v}" for k, v in given.items())
                + " (site.fabric, design 'flat'); choose design 'fat-tree' to count its "
                "switches and optics instead.")
    elif given:
        note = ("Upgraded to schema 5 (site): the scale-out network, 600 W and 12% of the "
                "systems' price per system until now, is counted as a fat tree of switches "
                "and optics from each system's ports (site.fabric); design 'flat' restores "
                "the old figures.")
    else:
        return data
    notes = data.get("notes") if isinstance(data.get("notes"), str) else ""
    data["notes"] = f"{notes}\n\n{note}" if notes else note
    return data


def _v5_to_v6(data: dict) -> dict:
    # Version 6 adds the optional timeline; a version-5 plan has none and is one snapshot.
    return data


def _v6_to_v7(data: dict) -> dict:
    # Version 7 adds the optional embedded catalog entries; a version-6 plan has none.
    return data


#: MIGRATIONS[n] upgrades version n to n + 1.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4,
                                                 4: _v4_to_v5, 5: _v5_to_v6, 6: _v6_to_v7}
OLDEST_READABLE = 1
#: The versions whose step to the next only allows new fields and rewrites nothing.
ADDS_ONLY = frozenset({2, 5, 6})


def migrate(data: dict, current: int) -> tuple[dict, list[int]]:
    """The dict brought to ``current``; also the versions it passed through (empty if none)."""
    if "schema_version" not in data:
        raise PlannerError("missing: a plan file says which version of the format it follows "
                           f"(\"schema_version\": {current})", field="schema_version")
    version = data["schema_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        shown = repr(version) if len(repr(version)) < 60 else repr(version)[:57] + "..."
        raise PlannerError(f"must be a whole number such as {current} (got {shown})",
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
