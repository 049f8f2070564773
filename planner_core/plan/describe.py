"""A scenario's overrides in words: what it changes from the base plan, with units.

A scenario saved without a description still needs a line a reader understands ("chat peak
40 → 80 req/s"), not a dotted path. Fields known here get a label and a unit; any other path
reads as its own words, so a field added to the plan later is never left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner_core.errors import PlannerError
from planner_core.plan.schema import Plan, get_path

#: Changes listed in full; past this many, the first ones and "and N more".
MAX_SHOWN = 4
#: A single change longer than this (a long list of values) is cut with an ellipsis.
MAX_CHARS = 140
ARROW = "→"


@dataclass(frozen=True)
class _Field:
    label: str
    unit: str = ""  # after the last number; "%" and "/..." join it without a space
    money: bool = False  # "$" before each number
    scale: float = 1.0  # shares (0-1) read as percentages
    none: str = "default"  # what a null value means for this field
    show: Callable[[Any], str] | None = None  # for lists and objects


def _count(noun: str) -> Callable[[Any], str]:
    return lambda items: f"{len(items):,} {noun}{'' if len(items) == 1 else 's'}"


def _phases(phases: list) -> str:
    return ", ".join(f"{_number(p['utility_mw'])} MW from {p['start']}" for p in phases)


_PERCENT = {"unit": "%", "scale": 100.0}

#: By path, with list items' names replaced by "*".
FIELDS: dict[str, _Field] = {
    "facility.pue": _Field("PUE"),
    "facility.electricity_usd_per_kwh": _Field("electricity", "/kWh", money=True),
    "facility.rack_power_budget_kw": _Field("rack power budget", "kW"),
    "facility.max_air_cooled_rack_kw": _Field("air-cooling limit", "kW per rack"),
    "facility.cost_model": _Field("facility"),
    "facility.colocation_usd_per_kw_month": _Field("colocation", "/kW-month", money=True),
    "facility.facility_capex_usd_per_mw": _Field("facility build cost", "/MW", money=True),
    "facility.facility_life_years": _Field("facility life", "years"),
    "facility.amortization_years": _Field("amortization", "years"),
    "facility.cost_of_capital": _Field("cost of capital", **_PERCENT),
    "facility.maintenance_pct_per_year": _Field("maintenance", "% of CapEx a year"),
    "facility.installation_capex_pct": _Field("installation", "% of CapEx"),
    "workloads.*.model": _Field("model"),
    "workloads.*.traffic.peak_rps": _Field("peak", "req/s"),
    "workloads.*.traffic.profile_24h": _Field("24-hour profile", show=lambda _: "reshaped"),
    "workloads.*.prefix_cache_share": _Field("prefix-cache hits", **_PERCENT),
    "workloads.*.weight_precision": _Field("weights", none="model default"),
    "workloads.*.kv_precision": _Field("KV cache", none="model default"),
    "workloads.*.input_tokens.mean": _Field("prompt", "tokens"),
    "workloads.*.output_tokens.mean": _Field("answer", "tokens"),
    "workloads.*.slo.ttft_p99_ms": _Field("TTFT p99 SLO", "ms"),
    "workloads.*.slo.tpot_p99_ms": _Field("TPOT p99 SLO", "ms", none="none"),
    "workloads.*.slo.min_user_tok_s": _Field("minimum speed", "tok/s per user", none="none"),
    "workloads.*.pool_shares": _Field("pool shares", none="equal split", **_PERCENT),
    "pools.*.system": _Field("system"),
    "pools.*.count": _Field("systems", none="sized to the load"),
    "pools.*.layout.tp": _Field("TP"),
    "pools.*.layout.pp": _Field("PP"),
    "pools.*.layout.ep": _Field("EP"),
    "pools.*.layout.chips": _Field("chips per replica", none="the fewest that fit"),
    "pools.*.layout.mig": _Field("MIG", none="whole GPUs", show=_count("slice")),
    "pools.*.layout.max_batch": _Field("batch cap", none="engine default"),
    "pools.*.layout.dp_attention": _Field("data-parallel attention", none="automatic"),
    "pools.*.engine": _Field("engine"),
    "pools.*.serving": _Field("serving"),
    "pools.*.speculative": _Field("speculative decoding", none="off", show=lambda _: "on"),
    "pools.*.speculative.draft_tokens": _Field("draft tokens"),
    "pools.*.speculative.acceptance": _Field("draft acceptance", **_PERCENT),
    "pools.*.prefill_share": _Field("prefill share", **_PERCENT),
    "pools.*.workloads": _Field("serves"),
    "pools.*.target_utilization": _Field("target utilization", **_PERCENT),
    "pools.*.redundancy": _Field("spare replicas"),
    "pools.*.rent_usd_per_accelerator_hour": _Field("rent", "/accelerator-hour", money=True,
                                                    none="none (bought)"),
    "pools.*.cooling": _Field("cooling"),
    "pools.*.power_limit_w": _Field("power limit", "W per accelerator", none="TDP"),
    "timeline.power": _Field("utility power", show=_phases),
    "timeline.options": _Field("options to buy", show=_count("option")),
    "timeline.purchases": _Field("purchases", none="none", show=_count("purchase")),
    "timeline.demand": _Field("demand paths", show=_count("path")),
}


def describe_overrides(plan: Plan, scenario: str, limit: int = MAX_SHOWN) -> str:
    """One line saying what ``scenario`` changes, e.g. "chat peak 40 → 80 req/s; electricity
    $0.0806 → $0.121/kWh; pool serving system gb200-nvl72 → hgx-h200, TP 8 → 4".

    Each override is shown against the base plan's value where the base has one, and the
    changes to one pool or workload are named once. Beyond ``limit`` changes, the first
    ``limit - 1`` are listed and the rest counted.
    """
    if scenario == "base":
        return "The plan as written, before any scenario's overrides."
    overrides = plan.scenario(scenario).overrides
    if not overrides:
        return "No overrides: the base plan as it is."
    base = plan.model_dump(mode="json")
    shown = len(overrides) if len(overrides) <= limit else max(limit - 1, 1)
    groups: list[tuple[str, list[str]]] = []
    where: dict[str, int] = {}
    for path, value in list(overrides.items())[:shown]:
        subject, phrase = _phrase(base, path, value)
        if subject in where:
            groups[where[subject]][1].append(phrase)
            continue
        if subject:  # facility-wide changes have no subject: each stands alone
            where[subject] = len(groups)
        groups.append((subject, [phrase]))
    parts = [f"{subject} {', '.join(phrases)}".strip() for subject, phrases in groups]
    if shown < len(overrides):
        parts.append(f"and {len(overrides) - shown} more")
    return "; ".join(parts)


def _phrase(base: dict, path: str, value: Any) -> tuple[str, str]:
    """Whose field it is ("pool serving", "chat", "") and the change in words."""
    keys = path.split(".")
    if keys[0] in ("workloads", "pools") and len(keys) > 2:
        subject = keys[1] if keys[0] == "workloads" else f"pool {keys[1]}"
        pattern, own = ".".join([keys[0], "*", *keys[2:]]), keys[2:]
    else:
        subject, pattern, own = "", path, keys
    # A field without a label of its own reads as its path below the item it belongs to.
    field = FIELDS.get(pattern) or _Field(" ".join(k.replace("_", " ") for k in own))
    try:
        before = get_path(base, path)
    except PlannerError:
        before = _MISSING
    new = _with_unit(field, value)
    if before is _MISSING:
        phrase = f"{field.label} {new}"
    elif before == value:
        phrase = f"{field.label} {new} (as in the base plan)"
    elif _numeric(before) and _numeric(value):
        phrase = f"{field.label} {_value(field, before)} {ARROW} {new}"
    else:
        phrase = f"{field.label} {_with_unit(field, before)} {ARROW} {new}"
    if len(phrase) > MAX_CHARS:
        phrase = phrase[:MAX_CHARS - 1].rstrip(" ,") + "…"
    return subject, phrase


_MISSING = object()


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _with_unit(field: _Field, value: Any) -> str:
    shown = _value(field, value)
    if not _numeric(value) or not field.unit:
        return shown
    return shown + ("" if field.unit.startswith(("%", "/")) else " ") + field.unit


def _value(field: _Field, value: Any) -> str:
    if value is None:
        return field.none
    if field.show is not None:
        return field.show(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _numeric(value):
        shown = _number(value * field.scale)
        return f"${shown}" if field.money else shown
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) or "none"
    if isinstance(value, dict) and value and all(_numeric(v) for v in value.values()):
        return ", ".join(f"{k} {_with_unit(field, v)}" for k, v in value.items())
    if isinstance(value, list):
        return _count("item")(value)
    return "set" if value else "cleared"


def _number(value: float) -> str:
    """A plan's number as people write it: 40, 0.0806, 1,500, 3.5; millions as "11.7M"."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.4g}M"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
