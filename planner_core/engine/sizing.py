"""Fleet sizing: from a pool's layout and its workloads' peak traffic to replicas, systems, racks.

For each workload a pool serves, the replica's highest request rate within the SLOs (p99 TTFT
and TPOT) sets its capacity; the replicas needed are peak / (capacity × target utilization),
rounded up, plus N+k spares. A pool with a fixed count is checked against that need instead.
Systems go into racks within the rack power budget, and within the air-cooling limit for
air-cooled systems; a whole-rack system (NVL72, GroqRack) is its own rack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from planner_core.catalog import Accelerator, Catalog, System
from planner_core.catalog.mig import place
from planner_core.engine.calibration import Calibration
from planner_core.engine.memory import SRAM_USABLE_FRACTION
from planner_core.engine.packing import packed_accelerators, replicas_in
from planner_core.engine.replica import (
    ModelShape,
    ReplicaHW,
    attention_dp,
    default_kv_precision,
    kv_copies,
    model_shape,
    replica_hw,
)
from planner_core.engine.serving import (
    LoadPoint,
    at_rate,
    batch_cap,
    disaggregated_at_rate,
    max_rate,
    prefill_queue,
)
from planner_core.engine.step_times import Efficiency, prefill_per_request, prefill_time
from planner_core.errors import PlannerError
from planner_core.plan import Facility, Plan, Pool, Workload

MAX_REPLICAS = 10_000_000  # beyond any fleet: a sizing past this is reported, not attempted
PIPELINE_FILL = 64  # sequences an SRAM chain is sized to hold by default
RACK_UNITS = 42  # usable units in a standard rack (assumption: 48U racks less PDUs/switches)


@dataclass
class Issue:
    kind: str  # does-not-fit, slo-missed, rack-over-budget, air-too-dense, invalid-mig, ...
    item: str  # "pools.<name>", "workloads.<name>", "facility"
    message: str
    severity: str = "warning"


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
        if self.prefill_share is not None:
            return disaggregated_at_rate(self.hw, self.shape, self.eff, rate, self.isl,
                                         self.osl, self.prefill_share, self.prompt_cv)
        return at_rate(self.hw, self.shape, self.eff, rate, self.isl, self.osl,
                       self.prompt_cv)


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


def precisions_for(acc: Accelerator, w: Workload) -> tuple[str, str]:
    wp = w.weight_precision or acc.default_precision
    if wp not in acc.precisions:
        raise PlannerError(f"{acc.name} does not run {wp}; it supports "
                           f"{', '.join(acc.precisions)}", field=f"workloads.{w.name}."
                           "weight_precision")
    return wp, w.kv_precision or default_kv_precision(wp)


def replica_for(catalog: Catalog, pool: Pool, w: Workload, mig_profile: str | None = None):
    """The replica hardware, model shape and accelerators per replica for one workload."""
    hw, shape, per_rep, text = _replica_for(catalog, pool, w, mig_profile)
    if pool.layout.max_batch is not None:
        hw = hw.with_(max_batch=float(pool.layout.max_batch))
    return hw, shape, per_rep, text


def _replica_for(catalog: Catalog, pool: Pool, w: Workload, mig_profile: str | None):
    system = catalog.system(pool.system)
    acc = catalog.accelerator(system.accelerator)
    wp, kp = precisions_for(acc, w)
    shape = model_shape(catalog.model(w.model), wp, kp)
    lay = pool.layout
    if mig_profile is not None:
        hw = replica_hw(acc, 1, 1, 1, wp, kp, system, mig_profile)
        assert acc.mig is not None
        prof = acc.mig.profile(mig_profile)
        return hw, shape, prof.compute_slices / acc.mig.compute_slices, f"MIG {mig_profile}"
    if acc.architecture == "sram":
        per_chip = acc.memory_gb.value * 1e9 * SRAM_USABLE_FRACTION
        ctx = w.input_tokens.mean + w.output_tokens.mean
        need = math.ceil((shape.weight_bytes + shape.kv_bytes_per_token * ctx) / per_chip)
        # Left to us, the chain also holds the KV caches of enough sequences to keep every
        # pipeline stage busy (one per layer, up to 64), as SRAM designs are deployed.
        fill = min(shape.layers, PIPELINE_FILL)
        chosen = math.ceil((shape.weight_bytes + fill * shape.kv_bytes_per_token * ctx)
                           / per_chip)
        chips = lay.chips or chosen
        if chips < need:
            raise PlannerError(f"{chips} chips hold {chips * per_chip / 1e9:,.1f} GB; "
                               f"{w.model} needs {need} chips", field=f"pools.{pool.name}"
                               ".layout.chips")
        stages = min(shape.layers, chips)
        hw = replica_hw(acc, 1, 1, 1, wp, kp, None).with_(tp=chips / stages, pp=float(stages))
        return hw, shape, float(chips), f"chain of {chips} chips"
    hw = replica_hw(acc, lay.tp, lay.pp, lay.ep, wp, kp, system)
    # An MLA model with expert parallelism runs attention data-parallel over the tp ranks
    # (replica.attention_dp): say so, since "TP24" would suggest tensor-parallel attention.
    attn = "DP" if float(attention_dp(hw, shape)) > 1 else "TP"
    text = f"{attn}{lay.tp}" + (f" PP{lay.pp}" if lay.pp > 1 else "") + \
        (f" EP{lay.ep}" if lay.ep > 1 else "")
    return hw, shape, float(lay.tp * lay.pp), text


def _size_one(pool: Pool, w: Workload, hw, shape, eff, acc_per_replica, layout, wp, kp,
              slots: int | None, issues: list[Issue]) -> WorkloadSizing:
    isl, osl = w.input_tokens.mean, w.output_tokens.mean
    cv = w.input_tokens.spread()
    ttft_lim = w.slo.ttft_p99_ms / 1e3
    tpot_lim = w.slo.tpot_limit_s()
    cap = float(batch_cap(hw, shape, isl, osl))
    item = f"pools.{pool.name}"
    ws = WorkloadSizing(pool.name, w.name, w.model, wp, kp, layout, acc_per_replica, 0.0, 0,
                        0, w.traffic.peak_rps, None, cap, hw, shape, eff, isl=isl, osl=osl,
                        prompt_cv=cv, prefill_share=pool.prefill_share
                        if pool.serving == "disaggregated" else None)
    if cap < 1:
        issues.append(Issue("does-not-fit", item,
                            f"{w.model} ({wp}) does not fit a {layout} replica of "
                            f"{pool.system} with a {isl + osl:,}-token context", "error"))
        ws.meets_slo = False
        return ws
    kv_ms = 0.0
    if pool.serving == "disaggregated":
        # Prefill and decode on separate replicas; the KV cache crosses the scale-up or
        # scale-out fabric once per request, split over the ranks that hold parts of it (a
        # data-parallel rank holds a sequence's whole cache; tensor-parallel MLA ranks each
        # receive the whole latent cache, in parallel).
        ranks = float(hw.tp / (attention_dp(hw, shape) * kv_copies(hw, shape)))
        kv_ms = 1e3 * shape.kv_bytes_per_token * isl / float(hw.link_bw * ranks)
        # Decode-only replicas: no prefill work, but each sequence's KV cache holds its prompt.
        decode = max_rate(hw, shape, eff, isl, osl, np.inf, tpot_lim, prefill=False)
        t_pf = float(prefill_time(hw, shape, eff, 1.0, isl))
        t_pf_req = float(prefill_per_request(hw, shape, eff, isl))
        pf_cap = float(prefill_capacity(t_pf, t_pf_req,
                                        ttft_lim - kv_ms / 1e3 - float(decode.tpot_p99_s), cv))
        share = pool.prefill_share
        # Per replica of the pool, a share `share` of it prefills and the rest decodes, so it
        # carries `share` of a prefill replica's rate and `1 - share` of a decode replica's;
        # capacity is the tighter of the two sides.
        capacity = (min(pf_cap * share, float(decode.rate_rps) * (1 - share))
                    if pf_cap > 0 and bool(decode.feasible) else 0.0)
        ws.kv_transfer_ms = kv_ms
    else:
        best = max_rate(hw, shape, eff, isl, osl, ttft_lim, tpot_lim, cv)
        capacity = float(best.rate_rps) if bool(best.feasible) else 0.0
    ws.capacity_rps = capacity
    if capacity <= 0:
        ws.meets_slo = False
        unloaded = ws.load_point(1e-6)
        issues.append(Issue("slo-missed", item, (
            f"{w.name}: even one request at a time misses the SLO on {layout} "
            f"(p99 TTFT {1e3 * float(unloaded.ttft_p99_s):,.0f} ms vs {w.slo.ttft_p99_ms:,.0f};"
            f" TPOT {1e3 * float(unloaded.tpot_p99_s):,.1f} ms vs "
            f"{1e3 * tpot_lim:,.1f})"), "error"))
        return ws
    ratio = w.traffic.peak_rps / (capacity * pool.target_utilization)
    if not ratio < MAX_REPLICAS:  # also inf/NaN: a replica that carries almost nothing
        ws.meets_slo = False
        issues.append(Issue("slo-missed", item, (
            f"{w.name}: one replica on {layout} carries only {capacity:.3g} req/s within the "
            f"SLO; the peak of {w.traffic.peak_rps:,.1f} req/s would need more than "
            f"{MAX_REPLICAS:,} replicas"), "error"))
        ws.capacity_rps = 0.0
        return ws
    needed = max(math.ceil(ratio - 1e-9), 1)
    peak = w.traffic.peak_rps
    if pool.serving == "disaggregated":
        # Whole replicas on each side: grow the fleet until the rounded split carries the
        # peak on both sides (a 1-replica "split" would have no decode replica at all).
        util = pool.target_utilization
        needed = int(split(needed, share, peak / (pf_cap * util),
                           peak / (float(decode.rate_rps) * util)))
    needed += pool.redundancy
    ws.replicas_needed = needed
    ws.replicas = needed if slots is None else slots
    active = max(ws.replicas - pool.redundancy, 1) if slots is None else max(ws.replicas, 1)
    if pool.serving == "disaggregated":
        if active < 2:
            ws.meets_slo = False
            issues.append(Issue("slo-missed", item, (
                f"{w.name}: disaggregated serving needs at least two replicas (one prefill, "
                f"one decode); this pool has {active}"), "error"))
            return ws
        ws.prefill_replicas = min(max(round(active * share), 1), active - 1)
        # The load point sees the split the whole replicas really have.
        ws.prefill_share = ws.prefill_replicas / active
        capacity = min(pf_cap * ws.prefill_replicas,
                       float(decode.rate_rps) * (active - ws.prefill_replicas)) / active
        ws.capacity_rps = capacity
    ws.point = ws.load_point(peak / active)
    if slots is not None and peak > capacity * active * (1 + 1e-9):
        ws.meets_slo = False
        issues.append(Issue("slo-missed", item, (
            f"{w.name}: {slots} replica(s) carry {capacity * active:,.1f} req/s within the "
            f"SLO; the peak is {peak:,.1f} req/s (needs {needed} with "
            f"{pool.redundancy} spare)")))
    return ws


def split(start, share, need_pf, need_dec):
    """The fewest active replicas, from ``start``, whose split round(n·share) prefill and the
    rest decode gives each side at least ``need_pf`` / ``need_dec`` replicas' worth (a
    1-replica "split" would have no decode replica at all). Broadcasts over arrays."""
    n = np.maximum(np.maximum(start, 2.0),
                   np.ceil(need_pf - 1e-9) + np.ceil(need_dec - 1e-9))
    n = np.broadcast_to(n, np.broadcast_shapes(np.shape(n), np.shape(share))).astype(float)
    while True:
        n_pf = np.clip(np.round(n * share), 1.0, np.maximum(n - 1, 1.0))
        short = ~((n_pf >= need_pf - 1e-9) & (n - n_pf >= need_dec - 1e-9)) & (n < MAX_REPLICAS)
        if not short.any():
            return n
        n = n + short


def prefill_capacity(t_pf, t_pf_req, budget_s, cv: float):
    """Highest rate a prefill replica takes with the p99 TTFT within ``budget_s`` (0 where
    even one prompt alone misses it): a bisection of 40 halvings. Broadcasts over arrays.

    ``t_pf`` is one prompt's prefill alone, ``t_pf_req`` the replica-time a prompt costs when
    prompts are batched into chunks (the queue of
    :func:`planner_core.engine.serving.prefill_queue`).
    """
    t_pf, t_pf_req, budget_s = np.broadcast_arrays(*(np.asarray(x, float)
                                                     for x in (t_pf, t_pf_req, budget_s)))
    lo = np.zeros(t_pf.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hi = 1.0 / t_pf_req
        for _ in range(40):
            mid = (lo + hi) / 2
            _, _, wait99 = prefill_queue(mid, t_pf_req, t_pf, cv)
            good = (mid * t_pf_req < 1.0) & (t_pf + wait99 <= budget_s)
            lo = np.where(good, mid, lo)
            hi = np.where(good, hi, mid)
    return np.where(budget_s <= t_pf, 0.0, lo)


def size_pool(catalog: Catalog, plan: Plan, pool: Pool, cal: Calibration,
              issues: list[Issue]) -> PoolSizing:
    system = catalog.system(pool.system)
    acc = catalog.accelerator(system.accelerator)
    eff = cal.efficiency(acc.family, catalog)
    ps = PoolSizing(pool, system, acc)
    item = f"pools.{pool.name}"
    if pool.layout.mig:
        # A scenario may swap in a system without MIG, or one whose profiles differ: that
        # pool is reported and left empty, and the rest of the plan still evaluates.
        try:
            if acc.mig is None:
                raise PlannerError(f"{acc.name} does not offer MIG", field=f"{item}.layout.mig")
            place(acc.mig, [s.profile for s in pool.layout.mig])
        except PlannerError as exc:
            issues.append(Issue("invalid-mig", item, f"MIG layout not allowed: {exc.detail}",
                                "error"))
            return _finish(ps, plan.facility, 0, issues)
        gpus_needed = 0
        gpus = pool.count * system.accelerators if pool.count is not None else None
        for wname in pool.workloads:
            w = plan.workload(wname)
            slices = [s for s in pool.layout.mig if s.workload == wname]
            if not slices:
                issues.append(Issue("idle-workload", item, f"{wname}: no MIG slice serves it"))
                continue
            try:
                hw, shape, share, text = replica_for(catalog, pool, w, slices[0].profile)
                wp, kp = precisions_for(acc, w)
            except PlannerError as exc:
                issues.append(Issue("does-not-fit", item, f"{wname}: {exc.detail}", "error"))
                continue
            slots = None if gpus is None else gpus * len(slices)
            ws = _size_one(pool, w, hw, shape, eff, share, text, wp, kp, slots, issues)
            ps.workloads.append(ws)
            if ws.replicas_needed:
                gpus_needed = max(gpus_needed, math.ceil(ws.replicas_needed / len(slices)))
        total_gpus = gpus if gpus is not None else gpus_needed
        return _finish(ps, plan.facility, total_gpus, issues)
    need_acc, need_replicas = 0.0, 0
    fixed_acc = pool.count * system.accelerators if pool.count is not None else None
    lay = pool.layout
    # Groups pack chip by chip in an SRAM chain or a scale-up domain wider than one system.
    fluid = acc.architecture == "sram" or system.scaleup_domain > system.accelerators
    share = 1.0 / len(pool.workloads)  # a fixed pool splits its accelerators evenly
    for wname in pool.workloads:
        w = plan.workload(wname)
        try:
            hw, shape, per_rep, text = replica_for(catalog, pool, w)
        except PlannerError as exc:
            issues.append(Issue("does-not-fit", item, f"{wname}: {exc.detail}", "error"))
            continue
        wp, kp = precisions_for(acc, w)
        if fluid:
            slots = None if fixed_acc is None else int(fixed_acc * share // per_rep)
        else:  # the pool's systems hold whole groups; its workloads take turns
            slots = None if fixed_acc is None else int(replicas_in(
                fixed_acc, lay.tp, system.accelerators, False, lay.pp) // len(pool.workloads))
        ws = _size_one(pool, w, hw, shape, eff, per_rep, text, wp, kp, slots, issues)
        ps.workloads.append(ws)
        if fluid:
            need_acc += ws.replicas_needed * per_rep
        else:
            need_replicas += ws.replicas_needed
    # Every workload's replicas share one layout (the pool's): pack them together.
    need_acc += float(packed_accelerators(need_replicas, lay.tp, system.accelerators, False,
                                          lay.pp)) if need_replicas else 0.0
    total = fixed_acc if fixed_acc is not None else math.ceil(need_acc)
    return _finish(ps, plan.facility, total, issues)


def _finish(ps: PoolSizing, fac: Facility, accelerators: int, issues: list[Issue]) -> PoolSizing:
    s = ps.system
    # Systems come whole: an NVL72 bought for 32 GPUs of replicas powers all 72.
    ps.systems = math.ceil(accelerators / s.accelerators) if accelerators else 0
    if ps.pool.count is not None:
        ps.systems = ps.pool.count
    ps.accelerators = ps.systems * s.accelerators
    kw = (ps.accelerator.tdp_w.value * s.accelerators + s.host_power_w.value
          + fac.network_power_w_per_system) / 1e3
    ps.system_kw_peak = kw
    item = f"pools.{ps.pool.name}"
    if s.form == "rack":
        ps.systems_per_rack = 1
        if kw > fac.rack_power_budget_kw:
            issues.append(Issue("rack-over-budget", item, (
                f"one {s.name} draws up to {kw:,.0f} kW; the rack budget is "
                f"{fac.rack_power_budget_kw:,.0f} kW")))
    else:
        limit = fac.rack_power_budget_kw
        if s.cooling == "air":
            limit = min(limit, fac.max_air_cooled_rack_kw)
        by_power = int(limit // kw) if kw > 0 else 1
        by_space = RACK_UNITS // (s.rack_units or RACK_UNITS)
        ps.systems_per_rack = max(1, min(by_power, by_space))
        if by_power < 1:
            kind = "air-too-dense" if s.cooling == "air" else "rack-over-budget"
            what = "air-cooling limit" if s.cooling == "air" else "rack budget"
            issues.append(Issue(kind, item, (
                f"one {s.name} draws up to {kw:,.1f} kW, above the {what} of {limit:,.0f} kW;"
                " planned one per rack")))
    ps.racks = math.ceil(ps.systems / ps.systems_per_rack) if ps.systems else 0
    return ps
