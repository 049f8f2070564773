"""Edits to a plan as pure functions: each takes a Plan and returns a new, validated Plan.

The app wraps each in an undo command; keeping them here (Qt-free) lets the same edits be tested
without a window and reused by scripts. Renames carry every reference along (pools' workload
lists, MIG slices, scenario override paths, the baseline), so a rename never breaks a plan.
"""

from __future__ import annotations

import copy
from typing import Any

from planner_core.errors import PlannerError
from planner_core.plan import Plan, get_path, plan_from_dict, set_path

_MISSING = object()


def _data(plan: Plan) -> dict:
    return copy.deepcopy(plan.model_dump(mode="json"))


def _validated(data: dict, where: str) -> Plan:
    _equal_split_where_pools_changed(data, where)
    plan = plan_from_dict(data, source=where)
    for name in plan.scenario_names():
        plan.variant(name)  # an edit that breaks a scenario is refused, not saved
    return plan


def _equal_split_where_pools_changed(data: dict, where: str) -> None:
    """A workload whose pools changed (one added, removed, or no longer serving it) goes back
    to an equal split: its old shares named other pools. An edit of the shares themselves is
    left to the plan's check, which says what is wrong with them."""
    for w in data.get("workloads", []):
        shares = w.get("pool_shares") or {}
        if not shares or where.startswith(f"workloads.{w['name']}.pool_shares"):
            continue
        serving = {p["name"] for p in data.get("pools", []) if w["name"] in p["workloads"]}
        if set(shares) != serving:
            w["pool_shares"] = {}


def set_value(plan: Plan, path: str, value: Any, scenario: str = "base") -> Plan:
    """Sets a dotted path in the base plan, or as an override of ``scenario``.

    An override equal to the base value is dropped, so a scenario lists only real differences;
    overrides below the path are dropped too, since the new value of the whole supersedes
    them (turning a scenario's speculative decoding off must not leave its acceptance behind
    to turn it back on).
    """
    if scenario == "base":
        data = _data(plan)
        set_path(data, path, value)
        return _validated(data, path)
    data = _data(plan)
    try:
        base_value = get_path(data, path)
    except PlannerError:
        base_value = _MISSING
    scen = _scenario(data, scenario)
    for below in [k for k in scen["overrides"] if k.startswith(f"{path}.")]:
        del scen["overrides"][below]
    if base_value is not _MISSING and base_value == value:
        scen["overrides"].pop(path, None)
    else:
        scen["overrides"][path] = value
    return _validated(data, f"scenarios.{scenario}.overrides.{path}")


def one_share(plan: Plan, workload: str, pool: str, share: float) -> dict[str, float]:
    """``workload``'s split with ``pool`` at ``share`` (0-1) and the other pools serving it
    scaled to make up the rest, keeping their proportions (equal if they had none)."""
    serving = [p.name for p in plan.pools if workload in p.workloads]
    mine = min(max(float(share), 0.0), 1.0)
    others = {p: plan.share(workload, p) for p in serving if p != pool}
    rest = sum(others.values())
    scaled = ({p: v * (1 - mine) / rest for p, v in others.items()} if rest > 0 else
              {p: (1 - mine) / len(others) for p in others})
    return {p: round(v, 6) for p, v in {pool: mine, **scaled}.items()}


def revert_override(plan: Plan, scenario: str, path: str) -> Plan:
    data = _data(plan)
    _scenario(data, scenario)["overrides"].pop(path, None)
    return _validated(data, f"scenarios.{scenario}")


def _scenario(data: dict, name: str) -> dict:
    for s in data["scenarios"]:
        if s["name"] == name:
            return s
    raise PlannerError(f"no scenario named {name!r}", field="scenarios")


def _free_name(taken: list[str], stem: str) -> str:
    if stem not in taken:
        return stem
    i = 2
    while f"{stem} {i}" in taken:
        i += 1
    return f"{stem} {i}"


def _rename_paths(data: dict, section: str, old: str, new: str) -> None:
    prefix = f"{section}.{old}."
    for s in data["scenarios"]:
        s["overrides"] = {(f"{section}.{new}." + k[len(prefix):] if k.startswith(prefix) else k): v
                          for k, v in s["overrides"].items()}


def _workload_values(data: dict, change) -> None:
    """Applies ``change(name) -> name | None`` to workload names inside override values.

    Scenarios may override which workloads a pool serves and its MIG slices; those values
    hold workload names, which a rename or remove must follow like the plan itself does.
    """
    for s in data["scenarios"]:
        for key, value in list(s["overrides"].items()):
            if key.endswith(".workloads") and isinstance(value, list):
                kept = [n for n in (change(v) for v in value) if n is not None]
                if kept:
                    s["overrides"][key] = kept
                else:
                    del s["overrides"][key]
            elif key.endswith(".layout.mig") and isinstance(value, list):
                kept = [dict(x, workload=change(x.get("workload"))) for x in value
                        if isinstance(x, dict) and change(x.get("workload")) is not None]
                s["overrides"][key] = kept or None


def _drop_paths(data: dict, section: str, name: str) -> None:
    prefix = f"{section}.{name}."
    for s in data["scenarios"]:
        s["overrides"] = {k: v for k, v in s["overrides"].items() if not k.startswith(prefix)}


def rename(plan: Plan, section: str, old: str, new: str) -> Plan:
    """Renames a workload, pool or scenario and every reference to it."""
    new = new.strip()
    data = _data(plan)
    names = [x["name"] for x in data[section]]
    if old not in names:
        raise PlannerError(f"no {section[:-1]} named {old!r}", field=section)
    if new == old:
        return plan
    if not new or new in names or (section == "scenarios" and new == "base"):
        raise PlannerError(f"{new!r} is empty or already taken", field=f"{section}.{old}.name")
    if "." in new:
        # Dotted override paths address items by name, so a dot would make them ambiguous.
        raise PlannerError("names may not contain '.'", field=f"{section}.{old}.name")
    for x in data[section]:
        if x["name"] == old:
            x["name"] = new
    if section == "workloads":
        for p in data["pools"]:
            p["workloads"] = [new if w == old else w for w in p["workloads"]]
            for s in (p["layout"].get("mig") or []):
                if s["workload"] == old:
                    s["workload"] = new
    if section == "pools":
        for w in data["workloads"]:
            if old in (w.get("pool_shares") or {}):
                w["pool_shares"] = {new if k == old else k: v
                                    for k, v in w["pool_shares"].items()}
    if section in ("workloads", "pools"):
        _rename_paths(data, section, old, new)
    if section == "workloads":
        _workload_values(data, lambda n: new if n == old else n)
    if section == "scenarios" and data["baseline"] == old:
        data["baseline"] = new
    return _validated(data, f"{section}.{old}.name")


def add_pool(plan: Plan, system: str, workloads: list[str] | None = None,
             name: str | None = None, like: str | None = None) -> Plan:
    """A new pool running ``system``; ``like`` copies another pool's settings."""
    data = _data(plan)
    taken = [p["name"] for p in data["pools"]]
    if like is not None:
        src = next((p for p in data["pools"] if p["name"] == like), None)
        if src is None:
            raise PlannerError(f"no pool named {like!r}", field="pools")
        pool = copy.deepcopy(src)
    else:
        pool = {"system": system, "workloads": workloads or [data["workloads"][0]["name"]]}
    pool["system"] = system
    if workloads is not None:
        pool["workloads"] = workloads
    if like is None or system != src["system"]:
        pool["layout"] = {}  # a layout chosen for another system rarely suits this one
    pool["name"] = _free_name(taken, name or system)
    data["pools"].append(pool)
    return _validated(data, "pools")


def remove(plan: Plan, section: str, name: str) -> Plan:
    """Removes a pool, workload or scenario, with its references."""
    data = _data(plan)
    if not any(x["name"] == name for x in data[section]):
        raise PlannerError(f"no {section[:-1]} named {name!r}", field=section)
    data[section] = [x for x in data[section] if x["name"] != name]
    if section == "workloads":
        for p in data["pools"]:
            p["workloads"] = [w for w in p["workloads"] if w != name]
            if p["layout"].get("mig"):
                p["layout"]["mig"] = [s for s in p["layout"]["mig"] if s["workload"] != name] \
                    or None
        emptied = [p["name"] for p in data["pools"] if not p["workloads"]]
        data["pools"] = [p for p in data["pools"] if p["workloads"]]
        for pool in emptied:
            _drop_paths(data, "pools", pool)
        _workload_values(data, lambda n: None if n == name else n)
    if section in ("workloads", "pools"):
        _drop_paths(data, section, name)
    if section == "scenarios" and data["baseline"] == name:
        data["baseline"] = "base"
    if not data["workloads"] or not data["pools"]:
        raise PlannerError("a plan needs at least one workload served by one pool",
                           field=section)
    return _validated(data, section)


def add_workload(plan: Plan, model: str, like: str | None = None, pool: str | None = None,
                 name: str | None = None) -> Plan:
    """A new workload running ``model``, served by ``pool`` (default: the first pool)."""
    data = _data(plan)
    taken = [w["name"] for w in data["workloads"]]
    src = next((w for w in data["workloads"] if w["name"] == (like or taken[0])), None)
    if src is None:
        raise PlannerError(f"no workload named {like!r}", field="workloads")
    w = copy.deepcopy(src)  # traffic, tokens and SLOs of an existing workload as a start
    w["model"] = model
    if like is None:
        w["weight_precision"] = None
        w["kv_precision"] = None
    w["name"] = _free_name(taken, (name or model).replace(".", "-"))
    data["workloads"].append(w)
    target = pool or data["pools"][0]["name"]
    # A MIG pool serves a workload only through a slice; none is guessed here (it may not
    # fit), so the sizing warns until the user gives the workload a slice.
    for p in data["pools"]:
        if p["name"] == target:
            p["workloads"].append(w["name"])
    return _validated(data, "workloads")


def add_scenario(plan: Plan, like: str = "base", name: str | None = None,
                 description: str = "") -> Plan:
    """A what-if: a copy of ``like`` (the base plan or a scenario) to edit."""
    data = _data(plan)
    taken = ["base"] + [s["name"] for s in data["scenarios"]]
    overrides = {} if like == "base" else copy.deepcopy(_scenario(data, like)["overrides"])
    stem = name or ("What-if" if like == "base" else f"{like} copy")
    data["scenarios"].append({"name": _free_name(taken, stem), "description": description,
                              "overrides": overrides})
    return _validated(data, "scenarios")


def set_baseline(plan: Plan, name: str) -> Plan:
    data = _data(plan)
    data["baseline"] = name
    return _validated(data, "baseline")


def new_plan() -> Plan:
    """The plan File → New starts from: one workload on one pool the planner sizes.

    A plan needs at least one workload and one pool, so "new" cannot be empty. The figures are
    a placeholder workload the user replaces (the notes say so), chosen so the first screen
    shows a small, valid fleet rather than an error.
    """
    return plan_from_dict({
        "name": "Untitled plan",
        "notes": "A new plan: one chat workload on Llama-3.1-8B (10 req/s at peak, 1,000-token "
                 "prompts, 250-token answers) served by HGX H100 servers sized for it. Replace "
                 "the workload and the pool with your own.",
        "workloads": [{"name": "chat", "model": "llama-3.1-8b",
                       "traffic": {"peak_rps": 10.0},
                       "input_tokens": {"mean": 1000}, "output_tokens": {"mean": 250}}],
        "pools": [{"name": "main", "system": "hgx-h100", "workloads": ["chat"]}],
    }, source="new plan")
