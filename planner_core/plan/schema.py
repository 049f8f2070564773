"""The plan: facility, workloads, pools of systems and named what-if scenarios.

Plans are JSON with a format name and ``schema_version``. Every bad value raises
:class:`PlannerError` naming the field. Facility defaults come from the reference constants
(``shared/reference/hardware.md`` section D); each default that is our assumption says so.
"""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner_core.catalog.entries import CatalogFile
from planner_core.errors import FieldValueError, PlannerError, from_validation_error
from planner_core.json_guard import loads as read_json
from planner_core.plan.migrations import ADDS_ONLY, migrate
from planner_core.plan.names import NAME_PATTERN
from planner_core.plan.profile_ref import profile_problem, profile_sha256
from planner_core.plan.site import Site
from planner_core.plan.timeline import Timeline

PLAN_FORMAT = "inference-planner-plan"
SCHEMA_VERSION = 7  # planner_core.plan.migrations upgrades older files

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
# Far beyond any real plan; they stop a corrupt or hostile file from exhausting memory.
MAX_ITEMS = 500
MAX_TEXT = 100_000
# Scenario overrides address items by name in dotted paths ("pools.main.count"): no dots, and
# nothing a terminal or a CSV reader would obey (planner_core.plan.names).
Name = Annotated[str, Field(min_length=1, max_length=80, pattern=NAME_PATTERN)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Facility(_Model):
    """Where the fleet lives and what power and money cost."""

    pue: float = Field(1.3, ge=1.0, le=3.0, allow_inf_nan=False, description=(
        "Power usage effectiveness. Default 1.3: new large facilities (Uptime Institute [P]); "
        "industry average 1.58 (2023)."))
    electricity_usd_per_kwh: float = Field(0.0806, ge=0, le=2.0, allow_inf_nan=False,
                                           description="US industrial average 2023, EIA [S]")
    rack_power_budget_kw: float = Field(132.0, gt=0, le=1000, allow_inf_nan=False,
                                        description="GB300 NVL72 power shelves 132 kW [S]")
    max_air_cooled_rack_kw: float = Field(30.0, gt=0, le=200, allow_inf_nan=False,
                                          description="air-cooling ceiling ~30 kW [S]")
    cost_model: Literal["colocation", "owned"] = "colocation"
    colocation_usd_per_kw_month: float = Field(
        180.0, ge=0, le=5000, allow_inf_nan=False,
        description="assumption: wholesale high-density colocation, per kW of IT load")
    facility_capex_usd_per_mw: float = Field(
        11.7e6, ge=0, le=1e9, allow_inf_nan=False, description=(
            "build cost per MW of critical IT load for an owned facility: US average of 19 "
            "markets 2025, $9.3-15.0M (Cushman & Wakefield) [S]"))
    facility_life_years: float = Field(15.0, ge=1, le=50, allow_inf_nan=False,
                                       description="assumption: shell and plant life")
    amortization_years: float = Field(5.0, ge=0.25, le=15, allow_inf_nan=False,
                                      description="Amazon 5 yr for AI servers from 2025 [S]")
    cost_of_capital: float = Field(0.08, ge=0, le=1, allow_inf_nan=False,
                                   description="assumption: 8% per year")
    maintenance_pct_per_year: float = Field(3.0, ge=0, le=50, allow_inf_nan=False,
                                            description="assumption: % of hardware capex")
    installation_capex_pct: float = Field(3.0, ge=0, le=100, allow_inf_nan=False,
                                          description="assumption: racking, cabling, bring-up")


class Slo(_Model):
    ttft_p99_ms: float = Field(2000.0, gt=0, le=3.6e6, allow_inf_nan=False)
    tpot_p99_ms: float | None = Field(50.0, gt=0, le=1e5, allow_inf_nan=False)
    min_user_tok_s: float | None = Field(None, gt=0, le=1e6, allow_inf_nan=False)

    def tpot_limit_s(self) -> float:
        limits = [float("inf")]
        if self.tpot_p99_ms is not None:
            limits.append(self.tpot_p99_ms / 1e3)
        if self.min_user_tok_s is not None:
            limits.append(1.0 / self.min_user_tok_s)
        return min(limits)


class Tokens(_Model):
    mean: int = Field(gt=0, le=2_000_000)
    distribution: Literal["fixed", "exponential", "lognormal"] = "fixed"
    cv: float = Field(0.0, ge=0, le=10, allow_inf_nan=False,
                      description="coefficient of variation for lognormal")

    def spread(self) -> float:
        return {"fixed": 0.0, "exponential": 1.0, "lognormal": self.cv}[self.distribution]


def _flat_profile() -> list[float]:
    # A typical interactive service: a night trough at ~35% of peak, the peak mid-afternoon.
    return [0.40, 0.35, 0.33, 0.33, 0.35, 0.42, 0.55, 0.68, 0.80, 0.88, 0.93, 0.96,
            0.97, 0.98, 1.00, 0.99, 0.96, 0.92, 0.88, 0.83, 0.76, 0.66, 0.55, 0.46]


class Traffic(_Model):
    peak_rps: float = Field(gt=0, le=1e7, allow_inf_nan=False)
    profile_24h: list[Fraction] = Field(default_factory=_flat_profile, min_length=24,
                                        max_length=24)

    @model_validator(mode="after")
    def _peak_is_one(self) -> Traffic:
        if max(self.profile_24h) <= 0:
            raise FieldValueError("the 24-hour profile must have at least one hour above zero",
                                  ("profile_24h",))
        return self


class Workload(_Model):
    name: Name
    model: str = Field(min_length=1, max_length=100)
    prefix_cache_share: float = Field(0.0, ge=0.0, le=0.99, allow_inf_nan=False, description=(
        "share of prompt tokens found in the engine's prefix cache (shared system prompts, "
        "conversation history): they skip prefill work but still hold KV memory. DeepSeek "
        "reported 56% of its API's input tokens served from cache [S]"))
    weight_precision: Literal["fp16", "bf16", "fp8", "int8", "fp4", "int4"] | None = None
    kv_precision: Literal["fp16", "bf16", "fp8", "int8", "fp4", "int4"] | None = None
    traffic: Traffic
    input_tokens: Tokens
    output_tokens: Tokens
    slo: Slo = Field(default_factory=Slo)
    pool_shares: dict[Name, Fraction] = Field(default_factory=dict, max_length=MAX_ITEMS,
                                              description=(
        "where several pools serve it: each pool's share of its traffic, adding up to 1; "
        "empty = an equal split"))


class MigSlice(_Model):
    profile: str = Field(min_length=1, max_length=40)
    workload: Name


class Layout(_Model):
    tp: int = Field(1, ge=1, le=1024)
    pp: int = Field(1, ge=1, le=256)
    ep: int = Field(1, ge=1, le=1024)
    chips: int | None = Field(None, ge=1, le=100_000,
                              description="SRAM chain length; None = the fewest that hold the "
                              "weights plus the KV caches of a pipeline-filling batch")
    mig: list[MigSlice] | None = Field(None, max_length=64,
                                       description="slices of every GPU in the pool")
    max_batch: int | None = Field(None, ge=1, le=65_536, description=(
        "the serving engine's cap on sequences decoding at once (per data-parallel rank); "
        "None = 2,048, TensorRT-LLM's and vLLM's usual ceiling"))
    dp_attention: bool | None = Field(None, description=(
        "MLA models: attention data-parallel over the tp ranks (each rank its own sequences "
        "and caches) instead of tensor-parallel; None = when experts are parallel (ep > 1)"))

    @model_validator(mode="after")
    def _experts_within_replica(self) -> Layout:
        # Experts are spread over the replica's own accelerators; more expert ranks than
        # accelerators would shrink the all-to-all for GPUs that do not exist.
        if self.ep > self.tp * self.pp:
            raise FieldValueError(f"expert parallelism {self.ep} exceeds the replica's "
                                  f"{self.tp * self.pp} accelerators (tp × pp)", ("ep",))
        return self


class Speculative(_Model):
    """Speculative decoding or multi-token prediction: each decode step verifies
    ``draft_tokens`` drafted tokens per sequence, of which each is accepted with probability
    ``acceptance`` (given the ones before it were). Defaults: DeepSeek-V3's multi-token
    prediction, one draft token accepted 85-90% of the time (DeepSeek-V3 technical report,
    arXiv 2412.19437 §5.4.3 [P]), drafted by one extra transformer layer (1/61 of the model)."""

    draft_tokens: int = Field(1, ge=1, le=16)
    acceptance: float = Field(0.85, ge=0.0, le=0.99, allow_inf_nan=False)
    draft_cost: float = Field(1 / 61, ge=0.0, le=1.0, allow_inf_nan=False, description=(
        "cost of drafting one token as a share of a decode step (MTP head: one layer of the "
        "model; a separate draft model: its size over the target's)"))


class Pool(_Model):
    name: Name
    system: str = Field(min_length=1, max_length=100)
    count: int | None = Field(None, ge=0, le=1_000_000, description="None = size it for me")
    layout: Layout = Field(default_factory=Layout)
    engine: Literal["auto", "trtllm", "vllm", "sglang", "vendor"] = Field("auto", description=(
        "serving engine: TensorRT-LLM, vLLM, SGLang or the accelerator vendor's own stack; "
        "auto = the vendor's usual one (NVIDIA: TensorRT-LLM, AMD: vLLM, others: their own)"))
    serving: Literal["aggregated", "disaggregated"] = "aggregated"
    speculative: Speculative | None = Field(None, description=(
        "speculative decoding / multi-token prediction; None = off"))
    prefill_share: float = Field(0.3, ge=0.01, le=0.99, allow_inf_nan=False,
                                 description="share of accelerators doing prefill when "
                                 "disaggregated")
    workloads: list[Name] = Field(min_length=1, max_length=MAX_ITEMS)
    # Below 5% a fleet would be sized for 20× its peak: a typo, not a plan.
    target_utilization: float = Field(0.75, ge=0.05, le=1, allow_inf_nan=False)
    redundancy: int = Field(1, ge=0, le=1000, description="N+k: spare replicas")
    rent_usd_per_accelerator_hour: float | None = Field(None, ge=0, le=1000,
                                                        allow_inf_nan=False)
    cooling: Literal["system", "liquid"] = Field("system", description=(
        "system: as the catalog builds it; liquid: direct-to-chip liquid cooling, for an "
        "air-cooled system sold with that option (no air-cooling limit on its racks)"))
    power_limit_w: float | None = Field(None, gt=0, le=100_000, allow_inf_nan=False,
                                        description=(
        "board power limit per accelerator, W (nvidia-smi -pl); None = its TDP. Below the "
        "TDP the clock drops: fewer tokens per second, more per joule, more boards per rack"))


def _check_shares(w: Workload, serving: list[str], index: int) -> None:
    """A workload's split between the pools serving it names each of them once and adds up
    to 100%."""
    if not w.pool_shares:
        return
    where = ("workloads", index, "pool_shares")
    stray = [p for p in w.pool_shares if p not in serving]
    if stray:
        raise FieldValueError(f"workload {w.name!r}: pool {stray[0]!r} does not serve it "
                              f"(its pools: {', '.join(serving)})", where)
    missing = [p for p in serving if p not in w.pool_shares]
    if missing:
        raise FieldValueError(f"workload {w.name!r}: pool {missing[0]!r} serves it but has no "
                              "share; give every serving pool a share, or none for an equal "
                              "split", where)
    total = sum(w.pool_shares.values())
    if abs(total - 1.0) > 1e-3:
        raise FieldValueError(f"workload {w.name!r}: the pools' shares add up to "
                              f"{100 * total:.1f}%, not 100%", where)


class Scenario(_Model):
    name: Name
    description: str = Field("", max_length=MAX_TEXT)
    overrides: dict[str, Any] = Field(default_factory=dict, max_length=MAX_ITEMS, description=(
        "dotted paths into the plan, lists addressed by item name: "
        "'workloads.chat.traffic.peak_rps', 'pools.main.system', 'facility.pue'"))


class CalibrationProfile(_Model):
    """The calibration profile the plan's numbers rest on (``inference-planner calibrate
    --cases``), embedded whole: ``sha256`` is its content's hash, checked on every load."""

    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    profile: dict[str, Any]

    @model_validator(mode="after")
    def _intact(self) -> CalibrationProfile:
        problem = profile_problem(self.profile)
        if problem:
            raise FieldValueError(problem, ("profile",))
        if profile_sha256(self.profile) != self.sha256:
            raise FieldValueError("the profile does not match its sha256: it was edited or "
                                  "damaged after it was fitted", ("sha256",))
        return self


class Plan(_Model):
    format: Literal["inference-planner-plan"] = PLAN_FORMAT
    schema_version: Literal[7] = SCHEMA_VERSION
    name: Annotated[str, Field(min_length=1, max_length=200)] = "Untitled plan"
    notes: str = Field("", max_length=MAX_TEXT)
    facility: Facility = Field(default_factory=Facility)
    site: Site = Field(default_factory=Site)
    workloads: list[Workload] = Field(min_length=1, max_length=MAX_ITEMS)
    pools: list[Pool] = Field(min_length=1, max_length=MAX_ITEMS)
    scenarios: list[Scenario] = Field(default_factory=list, max_length=MAX_ITEMS)
    baseline: str = "base"
    calibration_profile: CalibrationProfile | None = Field(None, description=(
        "your own measurements' calibration, on top of the built-in one; None = built-in"))
    timeline: Timeline | None = Field(None, description=(
        "years, not a snapshot: demand paths, power phases, options and purchases per period "
        "(inference-planner roadmap); None = the plan as one snapshot"))
    embedded_catalog: CatalogFile | None = Field(None, description=(
        "the catalog entries the plan uses that are not built in (from your catalog files), "
        "written when the plan is saved so that it opens, with the same figures, where those "
        "files are not (planner_core.plan.embedded)"))

    @model_validator(mode="after")
    def _references(self) -> Plan:
        names = [w.name for w in self.workloads]
        _unique(names, "workloads")
        _unique([p.name for p in self.pools], "pools")
        _unique([s.name for s in self.scenarios], "scenarios")
        for i, s in enumerate(self.scenarios):
            if s.name == "base":
                raise FieldValueError("'base' is the name of the plan without a scenario; "
                                      "give this scenario another name", ("scenarios", i, "name"))
        known = set(names)
        for i, p in enumerate(self.pools):
            for j, w in enumerate(p.workloads):
                if w not in known:
                    raise FieldValueError(f"pool {p.name!r} serves unknown workload {w!r}",
                                          ("pools", i, "workloads", j))
                if w in p.workloads[:j]:
                    # Listed twice it would be counted twice: twice the tokens, half the cost.
                    raise FieldValueError(f"pool {p.name!r} lists workload {w!r} twice",
                                          ("pools", i, "workloads", j))
            if p.layout.mig:
                for k, s in enumerate(p.layout.mig):
                    if s.workload not in p.workloads:
                        raise FieldValueError(
                            f"pool {p.name!r}: MIG slice serves {s.workload!r}, which the pool "
                            "does not list", ("pools", i, "layout", "mig", k, "workload"))
        served = {w for p in self.pools for w in p.workloads}
        for i, n in enumerate(names):
            if n not in served:
                raise FieldValueError(f"workload {n!r} is served by no pool", ("workloads", i))
        for i, w in enumerate(self.workloads):
            _check_shares(w, [p.name for p in self.pools if w.name in p.workloads], i)
        if self.timeline is not None:
            _check_timeline(self)
        if self.baseline != "base" and self.baseline not in {s.name for s in self.scenarios}:
            raise FieldValueError(f"baseline {self.baseline!r} is not 'base' or a scenario name",
                                  ("baseline",))
        return self

    # -- access by name --------------------------------------------------------------------
    def workload(self, name: str) -> Workload:
        for w in self.workloads:
            if w.name == name:
                return w
        raise PlannerError(f"no workload named {name!r}", field="workloads")

    def share(self, workload: str, pool: str) -> float:
        """The share of ``workload``'s traffic ``pool`` serves (0 if it does not serve it)."""
        serving = [p.name for p in self.pools if workload in p.workloads]
        if pool not in serving:
            return 0.0
        shares = self.workload(workload).pool_shares
        return float(shares[pool]) if shares else 1.0 / len(serving)

    def scenario(self, name: str) -> Scenario:
        for s in self.scenarios:
            if s.name == name:
                return s
        raise PlannerError(f"no scenario named {name!r}", field="scenarios")

    def scenario_names(self) -> list[str]:
        return ["base"] + [s.name for s in self.scenarios]

    def variant(self, scenario: str) -> Plan:
        """The plan with a scenario's overrides applied (``base`` is the plan itself)."""
        if scenario == "base":
            return self
        return apply_overrides(self, self.scenario(scenario).overrides,
                               where=f"scenarios.{scenario}")


def _check_timeline(plan: Plan) -> None:
    t = plan.timeline
    pools = {p.name for p in plan.pools}
    for i, o in enumerate(t.options):
        if o.pool not in pools:
            raise FieldValueError(f"option {o.name!r} serves like pool {o.pool!r}, which the "
                                  "plan does not have", ("timeline", "options", i, "pool"))
    known = {w.name for w in plan.workloads}
    for i, d in enumerate(t.demand):
        if d.workload not in known:
            raise FieldValueError(f"no workload named {d.workload!r}",
                                  ("timeline", "demand", i, "workload"))


def _unique(names: list[str], what: str) -> None:
    seen = set()
    for i, n in enumerate(names):
        if n in seen:
            raise FieldValueError(f"two {what} are named {n!r}", (what, i, "name"))
        seen.add(n)


def set_path(data: dict, path: str, value: Any) -> None:
    """Sets a dotted path in a plan dict; list items are addressed by their ``name``."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            # By name only: an index would point at another item once the list changes.
            match = [x for x in node if isinstance(x, dict) and x.get("name") == part]
            if not match or last:
                raise PlannerError(f"no item named {part!r}" if not match
                                   else "a whole list item cannot be replaced", field=path)
            node = match[0]
            continue
        if not isinstance(node, dict) or (part not in node and not last):
            if isinstance(node, dict) and not last:
                node[part] = {}
            else:
                raise PlannerError(f"{part!r} is not a field here", field=path)
        if last:
            # A copy: later paths may change parts of it, which must not reach the caller.
            node[part] = copy.deepcopy(value)
        else:
            if node[part] is None:
                node[part] = {}
            node = node[part]


def get_path(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list):
            match = [x for x in node if isinstance(x, dict) and x.get("name") == part]
            if not match:
                raise PlannerError(f"no item named {part!r}", field=path)
            node = match[0]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise PlannerError(f"{part!r} is not a field here", field=path)
    return node


def apply_overrides(plan: Plan, overrides: dict[str, Any], where: str = "overrides") -> Plan:
    # A fresh dump is already a private copy; leaving the scenarios out keeps a plan with many
    # scenarios from copying all of them once per scenario.
    data = plan.model_dump(mode="json", exclude={"scenarios", "baseline"})
    data["scenarios"] = []
    data["baseline"] = "base"
    for path, value in overrides.items():
        set_path(data, path, value)
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source=where, data=data) from exc


def plan_from_dict(data: Any, source: str | None = None, text: str | None = None) -> Plan:
    """Validates a plan dict of the current schema; ``text`` (its JSON) lets errors give lines."""
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source=source, data=data, text=text) from exc


def plan_from_json(text: str, source: str | None = None) -> Plan:
    """Reads a plan file's text: checks the format, upgrades older versions, validates."""
    return parse_plan(text, source)[0]


def parse_plan(text: str, source: str | None = None) -> tuple[Plan, bool]:
    """Like :func:`plan_from_json`; also whether the text was upgraded from an older schema
    (its lines then no longer match the plan's fields one for one)."""
    # One guard for every file read: malformed JSON, NaN, giant numbers and texts, and
    # nesting deep enough to exhaust later copies are each one line naming the place.
    data = read_json(text, source, "a plan", values=False)
    if not isinstance(data, dict):
        raise PlannerError(f"a plan file holds a JSON object, not {_json_kind(data)}",
                           source=source)
    if "format" not in data:
        raise PlannerError("missing, so this is not an Inference Planner plan (a plan file "
                           f"says \"format\": \"{PLAN_FORMAT}\")", field="format",
                           source=source)
    if data["format"] != PLAN_FORMAT:
        from planner_core.json_lines import field_lines

        shown = repr(data["format"])
        shown = shown if len(shown) < 60 else shown[:57] + "..."
        raise PlannerError(f"not an Inference Planner plan (format is {shown}, expected "
                           f"{PLAN_FORMAT!r})", field="format", source=source,
                           line=field_lines(text).get(("format",)))
    try:
        data, passed = migrate(data, SCHEMA_VERSION)
    except PlannerError as exc:
        from planner_core.json_lines import field_lines, line_of

        loc = tuple(exc.field.split(".")) if exc.field else ()
        raise PlannerError(exc.detail, field=exc.field, source=source,
                           line=line_of(field_lines(text), loc) if loc else None) from exc
    # A rewritten dict no longer matches the text's lines; errors then name fields only.
    # Steps that only allow new fields rewrite nothing: the lines still hold.
    rewritten = [v for v in passed if v not in ADDS_ONLY]
    return plan_from_dict(data, source, None if rewritten else text), bool(rewritten)


def _json_kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "true/false", type(None): "null"}.get(type(value), "something else")


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan.model_dump(mode="json"), indent=2) + "\n"
