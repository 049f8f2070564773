"""Fleet sizing: from a pool's layout and its workloads' peak traffic to replicas, systems, racks.

For each workload a pool serves, the replica's highest request rate within the SLOs (p99 TTFT
and TPOT) sets its capacity; the replicas needed are peak / (capacity × target utilization),
rounded up, plus N+k spares. A pool with a fixed count is checked against that need instead.
Systems go into racks within the rack power budget, and within the air-cooling limit for
air-cooled systems; a whole-rack system (NVL72, GroqRack) is its own rack.

This is the one sizing, done on arrays. The plan's inputs are read through :class:`Inputs`:
as the plan states them for :func:`planner_core.engine.evaluate.evaluate` (whose scalar view,
with a warning per problem, is :mod:`planner_core.engine.pool_sizing`), or with some of them
replaced by arrays for the what-if layer (``whatif.evaluate_many.SweptInputs``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner_core.catalog import Accelerator, Catalog, System
from planner_core.catalog.engines import ServingEngine, engine_for
from planner_core.catalog.mig import place
from planner_core.engine.calibration import Calibration
from planner_core.engine.capacity import max_rate
from planner_core.engine.disagg import MAX_REPLICAS, prefill_capacity, split
from planner_core.engine.memory import SRAM_USABLE_FRACTION, chain_chips
from planner_core.engine.packing import packed_accelerators, replicas_in
from planner_core.engine.power import PowerKnobs, activity, busy_watts
from planner_core.engine.power_cap import at_clock, limit_problem, limited_clock
from planner_core.engine.replica import (
    ModelShape,
    ReplicaHW,
    attention_dp,
    default_kv_precision,
    kv_copies,
    model_shape,
    replica_hw,
)
from planner_core.engine.rollup import ServedWorkload, SizedPool
from planner_core.engine.serving import batch_cap, served_at_rate
from planner_core.engine.step_times import Efficiency, prefill_per_request, prefill_time
from planner_core.errors import PlannerError
from planner_core.plan import Plan, Pool, Workload
from planner_core.site.fabric import network_per_system, swept_fabric

PIPELINE_FILL = 64  # sequences an SRAM chain is sized to hold by default
RACK_UNITS = 42  # usable units in a standard rack (assumption: 48U racks less PDUs/switches)


@dataclass
class Issue:
    kind: str  # does-not-fit, slo-missed, rack-over-budget, air-too-dense, invalid-mig, ...
    item: str  # "pools.<name>", "workloads.<name>", "facility"
    message: str
    severity: str = "warning"


class Inputs:
    """The plan's inputs as the sizing reads them: here, as the plan states them.

    The what-if layer subclasses it to replace inputs by arrays: a value at an override path
    (``workloads.chat.traffic.peak_rps``), a catalog figure, or the replica itself (swept
    layouts, batch caps and hardware figures).
    """

    def value(self, path: str, default):
        return default

    def figure(self, kind: str, ident: str, name: str, base: float):
        """A catalog figure (``kind`` "accelerators" or "systems")."""
        return base

    def efficiency(self, pool: Pool, eff: Efficiency) -> Efficiency:
        """The pool's calibrated efficiencies (the what-if layer scales them)."""
        return eff

    def replica(self, pool: Pool, w: Workload, hw: ReplicaHW, shape: ModelShape, per_rep,
                system: System, acc: Accelerator, mig: bool):
        """The replica to size: (hardware, accelerators per replica, fits)."""
        return hw, per_rep, True

    def constants(self, system: System, acc: Accelerator) -> dict:
        """The system's figures the racks and the roll-up use (optimize passes arrays)."""
        tdp = self.figure("accelerators", acc.id, "tdp_w", acc.tdp_w.value)
        # A sampled idle draw above the sampled TDP would make power fall with load.
        idle = np.minimum(self.figure("accelerators", acc.id, "idle_w", acc.idle_w.value), tdp)
        return {"per_system": float(system.accelerators), "tdp": tdp, "idle": idle,
                "host": self.figure("systems", system.id, "host_power_w",
                                    system.host_power_w.value),
                # A cloud-only system has no price: it is paid for by the hour (``rent``,
                # per accelerator-hour; NaN where the catalog has no rent for it either).
                "price": 0.0 if system.rented else self.figure(
                    "systems", system.id, "price_usd", system.price_usd.value),
                "rented": system.rented,
                "rent": catalog_rent(acc, self) if system.rented else 0.0,
                "rack": system.form == "rack", "air": system.cooling == "air",
                "units": float(system.rack_units or RACK_UNITS),
                "ports": float(system.ports), "port_gbps": system.port_gbps}


def catalog_rent(acc: Accelerator, inputs: Inputs | None = None):
    """The accelerator's rent per hour, NaN where the catalog has none (a sweep may set
    one the catalog lacks)."""
    inputs = inputs or AS_PLANNED
    rent = acc.rent_usd_per_hour
    return inputs.figure("accelerators", acc.id, "rent_usd_per_hour",
                         np.nan if rent is None else rent.value)


AS_PLANNED = Inputs()
DEFAULT_POWER = PowerKnobs()


@dataclass
class WorkloadFleet:
    """One workload on one pool, sized; every number a scalar or an array."""

    workload: Workload
    hw: ReplicaHW
    shape: ModelShape
    eff: Efficiency
    acc_per_replica: Any  # accelerators (or GPU share for MIG) per replica
    isl: Any
    osl: Any
    cv: float  # spread of the prompt lengths
    peak: Any
    redundancy: Any
    slots: Any  # replicas a fixed pool holds for it (None: sized)
    batch: Any  # sequences that fit a replica at the workload's context
    fits: Any
    raw_capacity: Any  # per replica within the SLOs, before the fleet-size check
    capacity: Any  # per serving replica; 0 where it cannot be served
    ok: Any  # served at all: capacity > 0 and a fleet of sane size
    enough: Any  # disaggregated: at least one prefill and one decode replica
    replicas_needed: Any
    replicas: Any
    active: Any  # replicas sharing the peak, for its load point (at least one)
    serving: Any  # replicas carrying load: none in a fixed pool that holds none for it
    meets: Any
    has_point: Any
    point: Any  # LoadPoint at the peak, per serving replica (where has_point)
    kv_ms: Any  # disaggregated: the KV cache's transfer, per request
    activity: Any = 1.0  # share of the dynamic power range at capacity (power.activity)
    prefill_replicas: Any = 0.0
    prefill_share: Any = None  # disaggregated: the share of prefill replicas really used
    layout: str = ""  # as the views name it: "TP8", "DP24 EP24", "MIG 3g.40gb", ...
    precision: str = ""
    kv_precision: str = ""
    #: The p99 TTFT and TPOT limits the replicas were sized against, seconds (swept or not;
    #: a minimum per-user speed tightens the TPOT one).
    limits_s: tuple = (np.inf, np.inf)

    def served(self) -> ServedWorkload:
        """This workload as the roll-up reads it."""
        pt, has = self.point, self.has_point
        return ServedWorkload(
            peak_rps=self.peak, profile=self.workload.traffic.profile_24h,
            capacity_rps=self.capacity, replicas=self.replicas, active=self.serving,
            acc_per_replica=self.acc_per_replica, input_tokens=self.isl,
            output_tokens=self.osl,
            ttft_p99_ms=np.where(has, 1e3 * pt.ttft_p99_s + self.kv_ms, 0.0),
            tpot_p99_ms=np.where(has, 1e3 * pt.tpot_p99_s, 0.0),
            counted=self.meets & has, meets=self.meets)


@dataclass
class PoolFleet:
    """One pool, sized: whole systems and racks, and its workloads."""

    pool: Pool
    system: System
    acc: Accelerator
    knobs: PowerKnobs = DEFAULT_POWER
    workloads: list[WorkloadFleet] = field(default_factory=list)
    failed: Any = False  # a workload the pool cannot serve at all (the engine's errors)
    accelerators: Any = 0.0
    systems: Any = 0.0
    racks: Any = 0.0
    per_rack: Any = 1.0
    kw: Any = 0.0  # one system at TDP (or the power limit), host included, in its rack
    net_kw: Any = 0.0  # its share of the scale-out network's switches, in network racks
    net_usd: Any = 0.0  # the pool's scale-out network: switches, optics, cables
    air: Any = True  # its racks are air-cooled (not liquid, by the system or the pool's option)
    fabric: Any = None  # its fat tree (site.fabric.FabricCount); None for flat figures
    const: dict = field(default_factory=dict)
    limit: Any = 0.0  # the rack's power limit for this system (air-cooling included)
    by_power: Any = 1.0  # systems the limit allows per rack
    board_limit_w: Any = None  # the pool's power limit per accelerator (None: TDP)

    def sized(self) -> SizedPool:
        """This pool as the roll-up reads it."""
        c = self.const
        rented, rent = c.get("rented", False), 0.0
        if np.any(rented):
            # The pool's own rent, where the plan sets one, before the catalog's.
            own = self.pool.rent_usd_per_accelerator_hour
            rent = np.where(rented, c["rent"] if own is None else own, 0.0)
            if np.ndim(rent) == 0 and np.isnan(rent):
                raise PlannerError(
                    f"pool {self.pool.name!r}: {self.system.name} is rented only (it has no "
                    f"purchase price) and the catalog has no rent for {self.acc.name}: set "
                    "the pool's rent per accelerator-hour, or give the system a price_usd "
                    "in your catalog file", field=f"pools.{self.pool.name}."
                    "rent_usd_per_accelerator_hour")
        return SizedPool(rented=rented, rent_usd_per_acc_hour=rent,
                         accelerators=self.accelerators, systems=self.systems,
                         racks=self.racks, kw_per_system=self.kw + self.net_kw,
                         network_w=1e3 * self.net_kw, network_usd=self.net_usd,
                         rack_kw=self.kw, air=self.air,
                         idle_w=c["idle"],
                         busy_w=busy_watts(c["idle"], c["tdp"], self.activity(),
                                           self.board_limit_w),
                         host_w=c["host"] * self.knobs.host_share, price_usd=c["price"],
                         workloads=[w.served() for w in self.workloads], failed=self.failed)

    def activity(self):
        """The pool's accelerators' share of their dynamic power when fully used: each
        workload's at its capacity, weighted by the accelerators its replicas hold."""
        weights = [w.replicas * w.acc_per_replica for w in self.workloads]
        total = sum(weights, 0.0)
        if not self.workloads:
            return 1.0
        mixed = sum((w.activity * x for w, x in zip(self.workloads, weights, strict=True)), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.asarray(total) > 0, mixed / np.where(total > 0, total, 1.0),
                            self.workloads[0].activity)


def precisions_for(acc: Accelerator, w: Workload) -> tuple[str, str]:
    wp = w.weight_precision or acc.default_precision
    if wp not in acc.precisions:
        raise PlannerError(f"{acc.name} does not run {wp}; it supports "
                           f"{', '.join(acc.precisions)}", field=f"workloads.{w.name}."
                           "weight_precision")
    return wp, w.kv_precision or default_kv_precision(wp)


def replica_for(catalog: Catalog, pool: Pool, w: Workload, mig_profile: str | None = None):
    """The replica hardware, model shape and accelerators per replica for one workload, as
    the pool's engine is set to serve it (batch cap, speculative decoding, prefix cache)."""
    hw, shape, per_rep, text = _replica_for(catalog, pool, w, mig_profile)
    if pool.layout.max_batch is not None:
        hw = hw.with_(max_batch=float(pool.layout.max_batch))
    spec = pool.speculative
    if spec is not None:
        hw = hw.with_(spec_tokens=float(spec.draft_tokens), spec_accept=float(spec.acceptance),
                      spec_cost=float(spec.draft_cost))
        text += f" +{spec.draft_tokens} draft"
    if w.prefix_cache_share:
        hw = hw.with_(prefix_cached=float(w.prefix_cache_share))
    return hw, shape, per_rep, text


def pool_engine(pool: Pool, acc: Accelerator) -> ServingEngine:
    """The engine a pool runs (PlannerError naming the field when it cannot run there)."""
    try:
        return engine_for(pool.engine, acc.vendor, acc.architecture)
    except PlannerError as exc:
        raise PlannerError(exc.detail, field=f"pools.{pool.name}.engine") from None


def _replica_for(catalog: Catalog, pool: Pool, w: Workload, mig_profile: str | None):
    system = catalog.system(pool.system)
    acc = catalog.accelerator(system.accelerator)
    engine = pool_engine(pool, acc)
    wp, kp = precisions_for(acc, w)
    shape = model_shape(catalog.model(w.model), wp, kp)
    lay = pool.layout
    if mig_profile is not None:
        hw = replica_hw(acc, 1, 1, 1, wp, kp, system, mig_profile, engine)
        assert acc.mig is not None
        prof = acc.mig.profile(mig_profile)
        return hw, shape, prof.compute_slices / acc.mig.compute_slices, f"MIG {mig_profile}"
    if acc.architecture == "sram":
        memory = acc.memory_gb.value
        ctx = w.input_tokens.mean + w.output_tokens.mean
        need = int(chain_chips(shape, memory, ctx))
        chips = lay.chips or int(default_chain(shape, memory, ctx))
        if chips < need:
            usable = chips * memory * SRAM_USABLE_FRACTION
            raise PlannerError(f"{chips} chips hold {usable:,.1f} GB; "
                               f"{w.model} needs {need} chips", field=f"pools.{pool.name}"
                               ".layout.chips")
        stages = min(shape.layers, chips)
        hw = replica_hw(acc, 1, 1, 1, wp, kp, None, engine=engine).with_(
            tp=chips / stages, pp=float(stages))
        return hw, shape, float(chips), f"chain of {chips} chips"
    hw = replica_hw(acc, lay.tp, lay.pp, lay.ep, wp, kp, system, engine=engine,
                    dp_attention=lay.dp_attention)
    # An MLA model with expert parallelism runs attention data-parallel over the tp ranks
    # (replica.attention_dp): say so, since "TP24" would suggest tensor-parallel attention.
    attn = "DP" if float(attention_dp(hw, shape)) > 1 else "TP"
    text = f"{attn}{lay.tp}" + (f" PP{lay.pp}" if lay.pp > 1 else "") + \
        (f" EP{lay.ep}" if lay.ep > 1 else "")
    return hw, shape, float(lay.tp * lay.pp), text


def default_chain(shape: ModelShape, memory_gb, tokens):
    """The chain's length when the plan leaves it to us: besides the weights it holds the KV
    caches of enough sequences to keep every pipeline stage busy (one per layer, up to
    PIPELINE_FILL), as SRAM designs are deployed. Broadcasts over arrays."""
    return chain_chips(shape, memory_gb, tokens, min(shape.layers, PIPELINE_FILL))


#: Called with each workload as soon as it is sized, or with an Issue for one that cannot be
#: (the scalar view turns both into warnings, in the plan's order).
OnWorkload = Callable[[WorkloadFleet | Issue], None]


def size_pool_fleet(catalog: Catalog, plan: Plan, pool: Pool, cal: Calibration,
                    inputs: Inputs = AS_PLANNED, on_workload: OnWorkload | None = None
                    ) -> PoolFleet:
    """A pool's replicas, systems and racks, on arrays of the inputs ``inputs`` replaces."""
    system = catalog.system(pool.system)
    acc = catalog.accelerator(system.accelerator)
    count = inputs.value(f"pools.{pool.name}.count", pool.count)
    fleet = PoolFleet(pool, system, acc, cal.power)
    item = f"pools.{pool.name}"
    try:
        engine = pool_engine(pool, acc)
    except PlannerError as exc:
        fleet.failed = True
        if on_workload is not None:
            on_workload(Issue("invalid-engine", item, exc.detail, "error"))
        return finish_pool(fleet, plan, count, 0.0, inputs)
    eff = inputs.efficiency(pool, cal.efficiency(acc.family, catalog, engine.id))

    def skip(issue: Issue) -> None:
        fleet.failed = fleet.failed or issue.severity == "error"
        if on_workload is not None:
            on_workload(issue)

    def sized(ws: WorkloadFleet, layout: str) -> WorkloadFleet:
        ws.layout = layout
        ws.precision, ws.kv_precision = precisions_for(acc, ws.workload)
        fleet.workloads.append(ws)
        if on_workload is not None:
            on_workload(ws)
        return ws

    board, limit = None, inputs.value(f"{item}.power_limit_w", pool.power_limit_w)
    if limit is not None:  # a board power limit: its clock is found per workload below
        c = inputs.constants(system, acc)
        problem = limit_problem(limit, c["idle"], c["tdp"], acc.name)
        if problem is not None:
            skip(Issue(problem[0], item, problem[1], problem[2]))
            if problem[2] == "error":
                return finish_pool(fleet, plan, count, 0.0, inputs)
        fleet.board_limit_w, board = limit, (c["idle"], c["tdp"], limit)
    if pool.layout.mig:
        # A scenario may swap in a system without MIG, or one whose profiles differ: that
        # pool is reported and left empty, and the rest of the plan still evaluates.
        try:
            if acc.mig is None:
                raise PlannerError(f"{acc.name} does not offer MIG", field=f"{item}.layout.mig")
            place(acc.mig, [s.profile for s in pool.layout.mig])
        except PlannerError as exc:
            skip(Issue("invalid-mig", item, f"MIG layout not allowed: {exc.detail}", "error"))
            return finish_pool(fleet, plan, count, 0.0, inputs)
        gpus = None if count is None else count * system.accelerators
        gpus_needed = 0.0
        for wname in pool.workloads:
            w = plan.workload(wname)
            slices = [s for s in pool.layout.mig if s.workload == wname]
            if not slices:
                skip(Issue("idle-workload", item, f"{wname}: no MIG slice serves it"))
                continue
            try:
                hw, shape, share, layout = replica_for(catalog, pool, w, slices[0].profile)
            except PlannerError as exc:
                skip(Issue("does-not-fit", item, f"{wname}: {exc.detail}", "error"))
                continue
            hw, share, fits = inputs.replica(pool, w, hw, shape, share, system, acc, True)
            slots = None if gpus is None else gpus * len(slices)
            ws = sized(size_workload(pool, w, hw, shape, eff, share, slots, count, fits,
                                     inputs, fleet.knobs, board, plan.share(wname, pool.name)),
                       layout)
            gpus_needed = np.maximum(gpus_needed, np.ceil(ws.replicas_needed / len(slices)))
        return finish_pool(fleet, plan, count, gpus if gpus is not None else gpus_needed,
                           inputs)
    need_acc = need_replicas = 0.0
    fixed_acc = None if count is None else count * system.accelerators
    share = 1.0 / len(pool.workloads)  # a fixed pool splits its accelerators evenly
    # Groups pack chip by chip in an SRAM chain or a scale-up domain wider than one system.
    fluid = acc.architecture == "sram" or system.scaleup_domain > system.accelerators
    group = stages = None  # the pool's tensor-parallel group and pipeline stages
    for wname in pool.workloads:
        w = plan.workload(wname)
        try:
            hw, shape, per_rep, layout = replica_for(catalog, pool, w)
        except PlannerError as exc:
            skip(Issue("does-not-fit", item, f"{wname}: {exc.detail}", "error"))
            continue
        hw, per_rep, fits = inputs.replica(pool, w, hw, shape, per_rep, system, acc, False)
        group, stages = hw.tp, hw.pp
        if fixed_acc is None:
            slots = None
        elif fluid:
            slots = np.floor_divide(fixed_acc * share, per_rep)
        else:  # the pool's systems hold whole groups; its workloads take turns
            slots = np.floor_divide(replicas_in(fixed_acc, group, system.accelerators, False,
                                                stages), len(pool.workloads))
        ws = sized(size_workload(pool, w, hw, shape, eff, per_rep, slots, count, fits, inputs,
                                 fleet.knobs, board, plan.share(wname, pool.name)), layout)
        if fluid:
            need_acc = need_acc + ws.replicas_needed * per_rep
        else:
            need_replicas = need_replicas + ws.replicas_needed
    # Every workload's replicas share one layout (the pool's): pack them together.
    if group is not None and not fluid:
        need_acc = need_acc + packed_accelerators(need_replicas, group, system.accelerators,
                                                  False, stages)
    total = fixed_acc if fixed_acc is not None else np.ceil(need_acc)
    return finish_pool(fleet, plan, count, total, inputs)


def size_workload(pool: Pool, w: Workload, hw, shape, eff, acc_per_replica, slots, count,
                  fits=True, inputs: Inputs = AS_PLANNED,
                  knobs: PowerKnobs = DEFAULT_POWER, board: tuple | None = None,
                  share: float = 1.0) -> WorkloadFleet:
    """One workload's replicas on ``hw`` (whose figures may be arrays, as optimize stacks
    candidates); ``slots`` are the replicas a fixed pool holds for it (None: sized).
    ``board`` is (idle W, TDP W, power limit W) where the pool limits its boards' power;
    ``share`` the part of the workload's traffic this pool serves (plan.share)."""
    key, pkey = f"workloads.{w.name}", f"pools.{pool.name}"
    isl = inputs.value(f"{key}.input_tokens.mean", w.input_tokens.mean)
    osl = inputs.value(f"{key}.output_tokens.mean", w.output_tokens.mean)
    cv = w.input_tokens.spread()
    ttft_lim = inputs.value(f"{key}.slo.ttft_p99_ms", w.slo.ttft_p99_ms) / 1e3
    tpot_ms = inputs.value(f"{key}.slo.tpot_p99_ms", None)
    if tpot_ms is None:
        tpot_lim = w.slo.tpot_limit_s()
    else:
        tpot_lim = tpot_ms / 1e3
        if w.slo.min_user_tok_s is not None:
            tpot_lim = np.minimum(tpot_lim, 1.0 / w.slo.min_user_tok_s)
    peak = inputs.value(f"{key}.traffic.peak_rps", w.traffic.peak_rps) * share
    util = inputs.value(f"{pkey}.target_utilization", pool.target_utilization)
    redundancy = inputs.value(f"{pkey}.redundancy", pool.redundancy)
    if board is not None:
        # The clock the limit leaves when the replica serves flat out: the sizing plans for
        # its peak, where the limit bites.
        hw = at_clock(hw, limited_clock(hw, shape, eff, knobs, isl, osl, *board))
    batch = batch_cap(hw, shape, isl, osl)
    fits = fits & (batch >= 1)
    disagg = pool.serving == "disaggregated"
    kv_ms = 0.0
    if disagg:
        share = inputs.value(f"{pkey}.prefill_share", pool.prefill_share)
        # Prefill and decode on separate replicas; the KV cache crosses the scale-up or
        # scale-out fabric once per request, split over the ranks that hold parts of it (a
        # data-parallel rank holds a sequence's whole cache; tensor-parallel MLA ranks each
        # receive the whole latent cache, in parallel).
        ranks = hw.tp / (attention_dp(hw, shape) * kv_copies(hw, shape))
        kv_ms = 1e3 * shape.kv_bytes_per_token * isl / (hw.link_bw * ranks)
        # Decode-only replicas: no prefill work, but each sequence's KV cache holds its prompt.
        decode = max_rate(hw, shape, eff, isl, osl, np.inf, tpot_lim, prefill=False)
        t_pf = prefill_time(hw, shape, eff, 1.0, isl)
        t_pf_req = prefill_per_request(hw, shape, eff, isl)
        pf_cap = prefill_capacity(t_pf, t_pf_req,
                                  ttft_lim - kv_ms / 1e3 - decode.tpot_p99_s, cv)
        dec_rate = decode.rate_rps
        # Per replica of the pool, a share `share` of it prefills and the rest decodes, so it
        # carries `share` of a prefill replica's rate and `1 - share` of a decode replica's;
        # capacity is the tighter of the two sides.
        capacity = np.where((pf_cap > 0) & decode.feasible,
                            np.minimum(pf_cap * share, dec_rate * (1 - share)), 0.0)
        act = share * activity(hw, shape, knobs, pf_cap, isl, 0.0, 1.0) \
            + (1 - share) * activity(hw, shape, knobs, dec_rate, isl, osl, decode.batch,
                                     prefill=False)
    else:
        best = max_rate(hw, shape, eff, isl, osl, ttft_lim, tpot_lim, cv)
        capacity = np.where(best.feasible, best.rate_rps, 0.0)
        act = activity(hw, shape, knobs, capacity, isl, osl, best.batch)
    act = np.nan_to_num(act, nan=0.0, posinf=1.0)
    raw = np.where(fits, capacity, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = peak / (raw * util)
    # Also inf/NaN: a replica that carries almost nothing gets no fleet.
    ok = (raw > 0) & (ratio < MAX_REPLICAS)
    capacity = np.where(ok, raw, 0.0)
    ratio = np.where(ok, ratio, 1.0)
    needed = np.maximum(np.ceil(ratio - 1e-9), 1.0)
    if disagg:
        # Whole replicas on each side: grow the fleet until the rounded split carries the
        # peak on both sides (a 1-replica "split" would have no decode replica at all).
        safe_pf = np.where(ok, pf_cap, 1.0)
        safe_dec = np.where(ok, dec_rate, 1.0)
        needed = split(needed, share, peak / (safe_pf * util), peak / (safe_dec * util))
    needed = np.where(ok, needed + redundancy, 0.0)
    # A workload that cannot be served gets no replicas, even in a pool of fixed size.
    replicas = needed if slots is None else np.where(ok, slots, 0.0)
    if count is None:
        serving = active = np.maximum(replicas - redundancy, 1.0)
    else:
        serving, active = replicas, np.maximum(replicas, 1.0)
    meets = ok
    enough = True
    n_pf = 0.0
    point_share = None
    if disagg:
        enough = active >= 2
        meets = meets & enough
        n_pf = np.clip(np.round(active * share), 1.0, np.maximum(active - 1, 1.0))
        # The load point sees the split the whole replicas really have.
        point_share = n_pf / active
        split_cap = np.minimum(pf_cap * n_pf, dec_rate * (active - n_pf)) / active
        # Fewer than two replicas: the sizing stops before the split and the point.
        capacity = np.where(ok & enough, split_cap, capacity)
        has_point = ok & enough
        n_pf = np.where(has_point, n_pf, 0.0)
    else:
        has_point = ok
    # The point at the peak, per serving replica (a long sweep reaches here in parts:
    # whatif.evaluate_many).
    point = served_at_rate(hw, shape, eff, peak / active, isl, osl, cv, point_share)
    if count is not None:
        meets = meets & ~(peak > capacity * active * (1 + 1e-9))
    return WorkloadFleet(
        workload=w, hw=hw, shape=shape, eff=eff, acc_per_replica=acc_per_replica, isl=isl,
        osl=osl, cv=cv, peak=peak, redundancy=redundancy, slots=slots, batch=batch,
        fits=fits, raw_capacity=raw, capacity=capacity, ok=ok, enough=enough,
        replicas_needed=needed, replicas=replicas, active=active, serving=serving, meets=meets,
        has_point=has_point, point=point, kv_ms=kv_ms, activity=act, prefill_replicas=n_pf,
        prefill_share=point_share if disagg else None, limits_s=(ttft_lim, tpot_lim))


def finish_pool(fleet: PoolFleet, plan: Plan, count, accelerators, inputs: Inputs = AS_PLANNED,
                const: dict | None = None) -> PoolFleet:
    """Whole systems for ``accelerators``, their racks and power; ``const`` (the system's
    figures, :meth:`Inputs.constants`) may hold arrays, one per stacked candidate."""
    fac = plan.facility
    c = inputs.constants(fleet.system, fleet.acc) if const is None else const
    per_system = c["per_system"]
    # Systems come whole: an NVL72 bought for 32 GPUs of replicas powers all 72.
    systems = np.where(np.asarray(accelerators) > 0,
                       np.ceil(np.asarray(accelerators, float) / per_system), 0.0)
    if count is not None:
        systems = count * np.ones_like(systems)
    board = c["tdp"] if fleet.board_limit_w is None else np.minimum(c["tdp"],
                                                                    fleet.board_limit_w)
    # What one system draws in its rack at full load: its accelerators (at TDP or the pool's
    # limit) and its host. The scale-out switches it hangs off sit in network racks: their
    # share counts at the site, not against the compute rack's budget.
    kw = (board * per_system + c["host"]) / 1e3
    net_w, fleet.net_usd, fleet.fabric = network_per_system(
        systems, c["ports"], c["port_gbps"], systems * c["price"],
        swept_fabric(plan.site.fabric, inputs))
    fleet.net_kw = net_w / 1e3
    limit = inputs.value("facility.rack_power_budget_kw", fac.rack_power_budget_kw)
    air = fleet.air = c["air"] & (fleet.pool.cooling != "liquid")
    limit = np.where(air, np.minimum(limit, inputs.value(
        "facility.max_air_cooled_rack_kw", fac.max_air_cooled_rack_kw)), limit)
    # Systems the power limit allows per rack. A limit that is an exact multiple of a
    # system's draw (5 × 10.8 kW in 54 kW) must allow that many: the slack absorbs the
    # rounding of 54 / 10.8 to 4.999….
    with np.errstate(divide="ignore"):
        by_power = np.where(kw > 0, np.floor(limit / np.where(kw > 0, kw, 1.0) * (1 + 1e-12)),
                            1.0)
    by_space = RACK_UNITS // c["units"]
    # A whole-rack system (NVL72, GroqRack) is its own rack.
    per_rack = np.where(c["rack"], 1.0, np.maximum(1.0, np.minimum(by_power, by_space)))
    fleet.systems, fleet.accelerators, fleet.kw, fleet.const = (
        systems, systems * per_system, kw, c)
    fleet.per_rack, fleet.by_power, fleet.limit = per_rack, by_power, limit
    fleet.racks = np.where(systems > 0, np.ceil(systems / per_rack), 0.0)
    return fleet


