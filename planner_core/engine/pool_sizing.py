"""One plan's sizing as the views read it: plain numbers per pool and workload, a load point at
the peak, and a warning for every problem, in the plan's order.

The sizing itself is :func:`planner_core.engine.sizing.size_pool_fleet`, on arrays; here it
runs on the plan's own inputs and its 0-d results become scalars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner_core.catalog import Accelerator, Catalog, System
from planner_core.catalog.engines import ENGINES
from planner_core.engine.calibration import Basis, Calibration
from planner_core.engine.replica import ModelShape, ReplicaHW
from planner_core.engine.serving import LoadPoint, served_at_rate
from planner_core.engine.sizing import (
    MAX_REPLICAS,
    Issue,
    PoolFleet,
    WorkloadFleet,
    pool_engine,
    size_pool_fleet,
)
from planner_core.engine.step_times import Efficiency
from planner_core.errors import PlannerError
from planner_core.plan import Plan, Pool


@dataclass
class WorkloadSizing:
    """One workload on one pool."""

    pool: str
    workload: str
    model: str
    precision: str
    kv_precision: str
    layout: str
    acc_per_replica: float  # accelerators (or GPU share for MIG) per replica
    capacity_rps: float  # per replica at the SLOs
    replicas_needed: int
    replicas: int
    peak_rps: float
    point: LoadPoint | None  # at peak, per replica
    max_batch: float
    hw: ReplicaHW | None = None
    shape: ModelShape | None = None
    eff: Efficiency | None = None
    meets_slo: bool = True
    prefill_replicas: int = 0  # disaggregated: replicas doing prefill
    kv_transfer_ms: float = 0.0
    isl: float = 0.0
    osl: float = 0.0
    prompt_cv: float = 0.0
    prefill_share: float | None = None  # disaggregated pools: the share of prefill replicas

    def load_point(self, rate) -> LoadPoint:
        """One replica at ``rate`` (scalar or array), served as the pool serves it, the way
        the sizing computed ``point``: charts drawn from this pass through the sized point."""
        return served_at_rate(self.hw, self.shape, self.eff, rate, self.isl, self.osl,
                              self.prompt_cv, self.prefill_share)


@dataclass
class PoolSizing:
    pool: Pool
    system: System
    accelerator: Accelerator
    workloads: list[WorkloadSizing] = field(default_factory=list)
    accelerators: int = 0
    systems: int = 0
    racks: int = 0
    systems_per_rack: int = 1
    system_kw_peak: float = 0.0
    fleet: PoolFleet | None = None  # the sizing these numbers come from (what the roll-up reads)
    engine: str = ""  # the serving engine it runs ("" when its choice cannot run there)
    basis: Basis | None = None  # what its performance figures rest on


def size_pool(catalog: Catalog, plan: Plan, pool: Pool, cal: Calibration,
              issues: list[Issue]) -> PoolSizing:
    """The pool sized on the plan's own inputs; its problems are appended to ``issues``."""
    sizings: list[WorkloadSizing] = []

    def seen(ws: WorkloadFleet | Issue) -> None:
        if isinstance(ws, Issue):
            issues.append(ws)
            return
        sizings.append(_scalars(pool, ws))
        issues.extend(_problems(pool, ws, sizings[-1]))

    # First: a request no engine accepts explains whatever the sizing says of it.
    issues.extend(_beyond_context(catalog, plan, pool))
    fleet = size_pool_fleet(catalog, plan, pool, cal, on_workload=seen)
    try:
        engine = pool_engine(pool, fleet.acc).id
    except PlannerError:
        engine, basis = "", None  # reported by the sizing as invalid-engine
    else:
        basis = cal.basis(fleet.acc.family, engine, catalog,
                          [plan.workload(w).model for w in pool.workloads])
        if basis.kind != "calibrated":
            name = ENGINES[engine].name
            issues.append(Issue("calibration-basis", f"pools.{pool.name}",
                                f"{name[:1].upper()}{name[1:]} on {fleet.acc.name}: "
                                f"performance {basis.text}", "note"))
    ps = PoolSizing(pool, fleet.system, fleet.acc, sizings, accelerators=int(fleet.accelerators),
                    systems=int(fleet.systems), racks=int(fleet.racks),
                    systems_per_rack=int(fleet.per_rack), system_kw_peak=float(fleet.kw),
                    fleet=fleet, engine=engine, basis=basis)
    issues.extend(_rack_problems(ps, plan.facility.rack_power_budget_kw, float(fleet.limit),
                                 float(fleet.by_power)))
    if pool.cooling == "liquid" and fleet.system.cooling == "air" \
            and not fleet.system.liquid_option:
        issues.append(Issue("no-liquid-option", f"pools.{pool.name}", (
            f"the catalog has no liquid-cooled {fleet.system.name}; planned as liquid-cooled "
            "as asked (racks without the air-cooling limit), check with its maker")))
    return ps


def _beyond_context(catalog: Catalog, plan: Plan, pool: Pool) -> list[Issue]:
    """Workloads whose prompt and answer together exceed the model's context: an engine
    refuses such requests, so whatever the sizing says of them is not a plan (1M-token prompts
    on a 131k-context model were once planned as 41,184 GPUs meeting their SLOs)."""
    out = []
    for name in pool.workloads:
        w = plan.workload(name)
        try:
            model = catalog.model(w.model)
        except PlannerError:
            continue  # reported where the model is looked up
        tokens = w.input_tokens.mean + w.output_tokens.mean
        if tokens > model.max_context:
            out.append(Issue("beyond-context", f"workloads.{w.name}", (
                f"{w.input_tokens.mean:,.0f} prompt + {w.output_tokens.mean:,.0f} answer tokens "
                f"exceed {model.name}'s context of {model.max_context:,} tokens: an engine "
                "refuses such requests; shorten them or choose a longer-context model"),
                "error"))
    return out


def _scalars(pool: Pool, ws: WorkloadFleet) -> WorkloadSizing:
    w = ws.workload
    has_point = bool(ws.has_point)
    disagg = pool.serving == "disaggregated"
    return WorkloadSizing(
        pool.name, w.name, w.model, ws.precision, ws.kv_precision, ws.layout,
        float(ws.acc_per_replica), float(ws.capacity), int(ws.replicas_needed),
        int(ws.replicas), float(ws.peak), ws.point if has_point else None,
        float(ws.batch), ws.hw, ws.shape, ws.eff, meets_slo=bool(ws.meets),
        prefill_replicas=int(ws.prefill_replicas),
        kv_transfer_ms=float(ws.kv_ms) if disagg and bool(ws.fits) else 0.0,
        isl=w.input_tokens.mean, osl=w.output_tokens.mean, prompt_cv=ws.cv,
        # A workload sized short of a split is stated at the share the plan asks for.
        prefill_share=(None if not disagg else float(ws.prefill_share) if has_point
                       else pool.prefill_share))


def _problems(pool: Pool, ws: WorkloadFleet, scalar: WorkloadSizing) -> list[Issue]:
    """The warning a workload's sizing earns, if any: the first of its problems."""
    w = ws.workload
    item = f"pools.{pool.name}"
    layout = ws.layout
    if not bool(ws.fits):
        isl, osl = w.input_tokens.mean, w.output_tokens.mean
        return [Issue("does-not-fit", item,
                      f"{w.model} ({ws.precision}) does not fit a {layout} replica of "
                      f"{pool.system} with a {isl + osl:,}-token context", "error")]
    raw = float(ws.raw_capacity)
    if raw <= 0:
        unloaded = scalar.load_point(1e-6)
        return [Issue("slo-missed", item, (
            f"{w.name}: even one request at a time misses the SLO on {layout} "
            f"(p99 TTFT {1e3 * float(unloaded.ttft_p99_s):,.0f} ms vs {w.slo.ttft_p99_ms:,.0f};"
            f" TPOT {1e3 * float(unloaded.tpot_p99_s):,.1f} ms vs "
            f"{1e3 * w.slo.tpot_limit_s():,.1f})"), "error")]
    if not bool(ws.ok):  # also inf/NaN: a replica that carries almost nothing
        return [Issue("slo-missed", item, (
            f"{w.name}: one replica on {layout} carries only {raw:.3g} req/s within the "
            f"SLO; the peak of {float(ws.peak):,.1f} req/s would need more than "
            f"{MAX_REPLICAS:,} replicas"), "error")]
    active = int(ws.active)
    if pool.serving == "disaggregated" and active < 2:
        return [Issue("slo-missed", item, (
            f"{w.name}: disaggregated serving needs at least two replicas (one prefill, "
            f"one decode); this pool has {active}"), "error")]
    if ws.slots is not None and not bool(ws.meets):
        return [Issue("slo-missed", item, (
            f"{w.name}: {int(ws.slots)} replica(s) carry "
            f"{float(ws.capacity) * active:,.1f} req/s within the SLO; the peak is "
            f"{float(ws.peak):,.1f} req/s (needs {int(ws.replicas_needed)} with "
            f"{pool.redundancy} spare)"))]
    return []


def _rack_problems(ps: PoolSizing, budget: float, limit: float, by_power: float
                   ) -> list[Issue]:
    s = ps.system
    item = f"pools.{ps.pool.name}"
    kw = ps.system_kw_peak
    if s.form == "rack":  # its own rack: only the budget can be exceeded
        if kw > budget:
            return [Issue("rack-over-budget", item, (
                f"one {s.name} draws up to {kw:,.0f} kW; the rack budget is "
                f"{budget:,.0f} kW"))]
        return []
    if by_power < 1:
        air = bool(ps.fleet.air) if ps.fleet is not None else s.cooling == "air"
        kind = "air-too-dense" if air else "rack-over-budget"
        what = "air-cooling limit" if air else "rack budget"
        return [Issue(kind, item, (
            f"one {s.name} draws up to {kw:,.1f} kW, above the {what} of {limit:,.0f} kW;"
            " planned one per rack"))]
    return []
