"""The plan's headline figures for many values of its numeric inputs at once.

``evaluate_many(plan, {path: array, ...})`` gives, for every element of the broadcast arrays,
the figures :func:`planner_core.engine.evaluate.evaluate` puts in its KPI row (same names, same
units), without building a plan per value: sweeps, sensitivity and Monte Carlo runs are one
call. It follows the engine's sizing (``engine/sizing.py``) step by step on arrays
(tests/core/test_evaluate_many.py holds the two to the same numbers), using the same serving
formulas, and sums the sized pools with the engine's one roll-up (``engine/rollup.py``), the
same function :func:`~planner_core.engine.evaluate.evaluate` uses. Inputs left out stay
scalars, so a sweep of the electricity price never recomputes a replica's capacity.

Paths are the plan's own override paths (``facility.pue``, ``workloads.chat.traffic.peak_rps``,
``pools.serving.layout.tp``) plus catalog figures of an accelerator or system
(``catalog.systems.ID.price_usd``, ``catalog.accelerators.ID.memory_bw_gbs``; ``dense_tflops``
is the figure at the accelerator's default precision and scales all its precisions alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np

from planner_core.catalog import Catalog, load_catalog
from planner_core.catalog.mig import place
from planner_core.engine.calibration import Calibration, default_calibration
from planner_core.engine.evaluate import facility_figures
from planner_core.engine.memory import SRAM_USABLE_FRACTION
from planner_core.engine.packing import packed_accelerators, replicas_in
from planner_core.engine.replica import attention_dp, kv_copies
from planner_core.engine.rollup import ServedWorkload, SizedPool, roll_up
from planner_core.engine.serving import at_rate, batch_cap, disaggregated_at_rate, max_rate
from planner_core.engine.sizing import (
    MAX_REPLICAS,
    PIPELINE_FILL,
    RACK_UNITS,
    precisions_for,
    prefill_capacity,
    replica_for,
    split,
)
from planner_core.engine.step_times import prefill_per_request, prefill_time
from planner_core.errors import PlannerError
from planner_core.plan import Plan, Pool
from planner_core.whatif.numeric_inputs import check_values

KPI_NAMES = (
    "accelerators", "systems", "racks", "it_kw_peak", "facility_mw_peak",
    "energy_mwh_per_day", "capex_usd", "annual_capex_usd", "opex_energy_usd_per_year",
    "opex_maintenance_usd_per_year", "opex_facility_usd_per_year", "tco_usd_per_year",
    "output_tokens_per_year", "usd_per_m_output_tokens", "usd_per_m_tokens",
    "output_tokens_per_kwh", "ttft_p99_ms", "tpot_p99_ms", "utilization_peak_pct", "meets_slo",
)


def evaluate_many(plan: Plan, values: Mapping[str, np.ndarray], catalog: Catalog | None = None,
                  calibration: Calibration | None = None, check: bool = True) -> dict:
    """KPI arrays (broadcast shape of the values) for ``plan`` with each path set to its array.

    ``plan`` is one scenario's plan (``plan.variant(name)``). Returns every name in KPI_NAMES.
    """
    catalog = catalog or load_catalog()
    cal = calibration or default_calibration()
    arrays = {k: np.asarray(v, float) for k, v in values.items()}
    if check:
        check_values(plan, catalog, arrays)
    return SweptPlan(plan, catalog, cal, arrays).kpis()


class SweptPlan:
    """One pass of sizing and roll-up with some inputs replaced by arrays."""

    def __init__(self, plan: Plan, catalog: Catalog, cal: Calibration, values: dict):
        self.plan, self.catalog, self.cal, self.values = plan, catalog, cal, values

    def v(self, path: str, default):
        return self.values.get(path, default)

    def figure(self, kind: str, ident: str, name: str, base: float):
        """A catalog figure, swept or as catalogued."""
        return self.values.get(f"catalog.{kind}.{ident}.{name}", base)

    def scale(self, kind: str, ident: str, name: str, base: float):
        """Swept value / catalogued value of a figure (1.0 when it is not swept)."""
        value = self.values.get(f"catalog.{kind}.{ident}.{name}")
        return 1.0 if value is None else value / base

    def batch_capped(self, pool: Pool, hw):
        cap = self.values.get(f"pools.{pool.name}.layout.max_batch")
        return hw if cap is None else hw.with_(max_batch=cap * 1.0)

    def scaled_hw(self, hw, system, acc):
        """The replica with swept catalog figures of its accelerator and system."""
        a = ("accelerators", acc.id)
        mine = (f"catalog.accelerators.{acc.id}.", f"catalog.systems.{system.id}.")
        if not any(k.startswith(mine) for k in self.values):
            return hw
        flops = self.scale(*a, "dense_tflops", acc.tflops(acc.default_precision))
        link = (self.scale(*a, "scaleup_bw_gbs", acc.scaleup_bw_gbs.value)
                if acc.architecture == "sram" else
                self.scale("systems", system.id, "scaleup_bw_gbs", system.scaleup_bw_gbs.value))
        memory = self.scale(*a, "memory_gb", acc.memory_gb.value)
        if hw.mig_profile is not None and acc.mig.profile(hw.mig_profile).memory_gib:
            memory = 1.0  # the profile states its own memory, whatever the whole GPU has
        return hw.with_(bw=hw.bw * self.scale(*a, "memory_bw_gbs", acc.memory_bw_gbs.value),
                        flops=hw.flops * flops, attn_flops=hw.attn_flops * flops,
                        mem_bytes=hw.mem_bytes * memory, link_bw=hw.link_bw * link)

    # -- sizing (sizing.size_pool / _size_one / _finish) ------------------------------------
    def pools(self) -> list[dict]:
        return [self._pool(pool) for pool in self.plan.pools]

    def _pool(self, pool: Pool) -> dict:
        system = self.catalog.system(pool.system)
        acc = self.catalog.accelerator(system.accelerator)
        eff = self.cal.efficiency(acc.family, self.catalog)
        key = f"pools.{pool.name}"
        count = self.v(f"{key}.count", pool.count)
        # "failed": a workload the pool cannot serve at all (the engine's error warnings).
        out = {"pool": pool, "system": system, "acc": acc, "workloads": [], "failed": False}
        if pool.layout.mig:
            try:
                if acc.mig is None:
                    raise PlannerError(f"{acc.name} does not offer MIG")
                place(acc.mig, [s.profile for s in pool.layout.mig])
            except PlannerError:
                out["failed"] = True
                return self._finish(out, pool, count, 0.0)
            gpus = None if count is None else count * system.accelerators
            gpus_needed = 0.0
            for wname in pool.workloads:
                w = self.plan.workload(wname)
                slices = [s for s in pool.layout.mig if s.workload == wname]
                if not slices:
                    continue
                try:
                    hw, shape, share, _ = replica_for(self.catalog, pool, w, slices[0].profile)
                    precisions_for(acc, w)
                except PlannerError:
                    out["failed"] = True
                    continue
                hw = self.batch_capped(pool, self.scaled_hw(hw, system, acc))
                slots = None if gpus is None else gpus * len(slices)
                ws = self.size_one(pool, w, hw, shape, eff, share, slots, count)
                out["workloads"].append(ws)
                gpus_needed = np.maximum(gpus_needed, np.ceil(ws["replicas_needed"]
                                                              / len(slices)))
            total = gpus if gpus is not None else gpus_needed
            return self._finish(out, pool, count, total)
        need_acc = need_replicas = 0.0
        fixed_acc = None if count is None else count * system.accelerators
        share = 1.0 / len(pool.workloads)
        fluid = acc.architecture == "sram" or system.scaleup_domain > system.accelerators
        group = gpr = None  # the pool's tensor-parallel group and stages (sizing.size_pool)
        for wname in pool.workloads:
            w = self.plan.workload(wname)
            try:
                hw, shape, per_rep, _ = replica_for(self.catalog, pool, w)
                precisions_for(acc, w)
            except PlannerError:
                out["failed"] = True
                continue
            hw = self.batch_capped(pool, self.scaled_hw(hw, system, acc))
            hw, per_rep, fits = self._layout(pool, w, hw, shape, per_rep, acc)
            group, gpr = hw.tp, hw.pp
            if fluid:
                slots = None if fixed_acc is None else np.floor(fixed_acc * share / per_rep)
            else:
                slots = None if fixed_acc is None else np.floor(replicas_in(
                    fixed_acc, group, system.accelerators, False, gpr) / len(pool.workloads))
            ws = self.size_one(pool, w, hw, shape, eff, per_rep, slots, count, fits)
            out["workloads"].append(ws)
            if fluid:
                need_acc = need_acc + ws["replicas_needed"] * per_rep
            else:
                need_replicas = need_replicas + ws["replicas_needed"]
        if group is not None and not fluid:
            need_acc = need_acc + packed_accelerators(need_replicas, group,
                                                      system.accelerators, False, gpr)
        total = fixed_acc if fixed_acc is not None else np.ceil(need_acc)
        return self._finish(out, pool, count, total)

    def _layout(self, pool: Pool, w, hw, shape, per_rep, acc):
        """The replica with swept layout fields (and, for SRAM chains, swept token counts and
        memory, which set the chain's length when the plan leaves it to us)."""
        key = f"pools.{pool.name}.layout"
        if acc.architecture == "sram":
            isl = self.v(f"workloads.{w.name}.input_tokens.mean", w.input_tokens.mean)
            osl = self.v(f"workloads.{w.name}.output_tokens.mean", w.output_tokens.mean)
            chips = self.values.get(f"{key}.chips")
            memory = self.figure("accelerators", acc.id, "memory_gb", acc.memory_gb.value)
            per_chip = memory * 1e9 * SRAM_USABLE_FRACTION
            # A chain left to us is as long as the (swept) tokens and memory make it.
            if chips is None and pool.layout.chips is None and (
                    np.ndim(isl) or np.ndim(osl) or np.ndim(memory)):
                fill = min(shape.layers, PIPELINE_FILL)
                chips = np.ceil((shape.weight_bytes + fill * shape.kv_bytes_per_token
                                 * (isl + osl)) / per_chip)
            if chips is None:
                return hw, per_rep, True
            need = np.ceil((shape.weight_bytes + shape.kv_bytes_per_token * (isl + osl))
                           / per_chip)
            stages = np.minimum(shape.layers, chips)
            return hw.with_(tp=chips / stages, pp=stages), chips, chips >= need
        tp = self.values.get(f"{key}.tp")
        pp = self.values.get(f"{key}.pp")
        ep = self.values.get(f"{key}.ep")
        if tp is None and pp is None and ep is None:
            return hw, per_rep, True
        tp = pool.layout.tp if tp is None else tp
        pp = pool.layout.pp if pp is None else pp
        ep = pool.layout.ep if ep is None else ep
        return hw.with_(tp=tp * 1.0, pp=pp * 1.0, ep=ep * 1.0), tp * pp * 1.0, True

    def size_one(self, pool: Pool, w, hw, shape, eff, acc_per_replica, slots, count,
                  fits=True) -> dict:
        key, pkey = f"workloads.{w.name}", f"pools.{pool.name}"
        isl = self.v(f"{key}.input_tokens.mean", float(w.input_tokens.mean))
        osl = self.v(f"{key}.output_tokens.mean", float(w.output_tokens.mean))
        cv = w.input_tokens.spread()
        ttft_lim = self.v(f"{key}.slo.ttft_p99_ms", w.slo.ttft_p99_ms) / 1e3
        tpot_ms = self.values.get(f"{key}.slo.tpot_p99_ms")
        if tpot_ms is None:
            tpot_lim = w.slo.tpot_limit_s()
        else:
            tpot_lim = tpot_ms / 1e3
            if w.slo.min_user_tok_s is not None:
                tpot_lim = np.minimum(tpot_lim, 1.0 / w.slo.min_user_tok_s)
        peak = self.v(f"{key}.traffic.peak_rps", w.traffic.peak_rps)
        util = self.v(f"{pkey}.target_utilization", pool.target_utilization)
        redundancy = self.v(f"{pkey}.redundancy", pool.redundancy)
        fits = fits & (batch_cap(hw, shape, isl, osl) >= 1)
        disagg = pool.serving == "disaggregated"
        kv_ms = 0.0
        if disagg:
            share = self.v(f"{pkey}.prefill_share", pool.prefill_share)
            ranks = hw.tp / (attention_dp(hw, shape) * kv_copies(hw, shape))
            kv_ms = 1e3 * shape.kv_bytes_per_token * isl / (hw.link_bw * ranks)
            decode = max_rate(hw, shape, eff, isl, osl, np.inf, tpot_lim, prefill=False)
            t_pf = prefill_time(hw, shape, eff, 1.0, isl)
            t_pf_req = prefill_per_request(hw, shape, eff, isl)
            pf_cap = prefill_capacity(t_pf, t_pf_req,
                                      ttft_lim - kv_ms / 1e3 - decode.tpot_p99_s, cv)
            dec_rate = decode.rate_rps
            capacity = np.where((pf_cap > 0) & decode.feasible,
                                np.minimum(pf_cap * share, dec_rate * (1 - share)), 0.0)
        else:
            best = max_rate(hw, shape, eff, isl, osl, ttft_lim, tpot_lim, cv)
            capacity = np.where(best.feasible, best.rate_rps, 0.0)
        capacity = np.where(fits, capacity, 0.0)
        per_replica = capacity  # before the masks below, which take the shape of the traffic
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = peak / (capacity * util)
        ok = (capacity > 0) & (ratio < MAX_REPLICAS)
        capacity = np.where(ok, capacity, 0.0)
        ratio = np.where(ok, ratio, 1.0)
        needed = np.maximum(np.ceil(ratio - 1e-9), 1.0)
        if disagg:
            safe_pf = np.where(ok, pf_cap, 1.0)
            safe_dec = np.where(ok, dec_rate, 1.0)
            needed = split(needed, share, peak / (safe_pf * util), peak / (safe_dec * util))
        needed = np.where(ok, needed + redundancy, 0.0)
        # A workload that cannot be served gets no replicas, even in a pool of fixed size.
        replicas = needed if slots is None else np.where(ok, slots, 0.0)
        if count is None:
            active = np.maximum(replicas - redundancy, 1.0)
        else:
            active = np.maximum(replicas, 1.0)
        meets = ok
        point_share = None
        if disagg:
            enough = active >= 2
            meets = meets & enough
            n_pf = np.clip(np.round(active * share), 1.0, np.maximum(active - 1, 1.0))
            point_share = n_pf / active
            split_cap = np.minimum(pf_cap * n_pf, dec_rate * (active - n_pf)) / active
            # Fewer than two replicas: the sizing stops before the split and the point.
            capacity = np.where(ok & enough, split_cap, capacity)
            has_point = ok & enough
            point = _load_point(lambda r: disaggregated_at_rate(
                hw, shape, eff, r, isl, osl, point_share, cv), peak / active, capacity,
                hw, isl, osl, point_share)
        else:
            has_point = ok
            point = _load_point(lambda r: at_rate(hw, shape, eff, r, isl, osl, cv),
                                peak / active, per_replica, hw, isl, osl)
        if count is not None:
            meets = meets & ~(peak > capacity * active * (1 + 1e-9))
        return {"workload": w, "capacity": capacity, "replicas": replicas,
                "replicas_needed": needed, "acc_per_replica": acc_per_replica,
                "meets": meets, "has_point": has_point, "point": point, "kv_ms": kv_ms,
                "peak": peak, "isl": isl, "osl": osl, "redundancy": redundancy}

    def constants(self, system, acc) -> dict:
        """The system's figures the roll-up uses; optimize passes arrays of them instead."""
        tdp = self.figure("accelerators", acc.id, "tdp_w", acc.tdp_w.value)
        # A sampled idle draw above the sampled TDP would make power fall with load.
        idle = np.minimum(self.figure("accelerators", acc.id, "idle_w", acc.idle_w.value), tdp)
        return {"per_system": float(system.accelerators), "tdp": tdp, "idle": idle,
                "host": self.figure("systems", system.id, "host_power_w",
                                    system.host_power_w.value),
                "price": self.figure("systems", system.id, "price_usd", system.price_usd.value),
                "rack": system.form == "rack", "air": system.cooling == "air",
                "units": float(system.rack_units or RACK_UNITS)}

    def _finish(self, out: dict, pool: Pool, count, accelerators) -> dict:
        return self.finish(out, count, accelerators,
                           self.constants(out["system"], out["acc"]))

    def finish(self, out: dict, count, accelerators, c: dict) -> dict:
        """Systems, racks and power per system (sizing._finish); ``c`` may hold arrays."""
        fac = self.plan.facility
        per_system = c["per_system"]
        systems = np.where(np.asarray(accelerators) > 0,
                           np.ceil(np.asarray(accelerators, float) / per_system), 0.0)
        if count is not None:
            systems = count * np.ones_like(systems)
        net_w = self.v("facility.network_power_w_per_system", fac.network_power_w_per_system)
        kw = (c["tdp"] * per_system + c["host"] + net_w) / 1e3
        limit = self.v("facility.rack_power_budget_kw", fac.rack_power_budget_kw)
        limit = np.where(c["air"], np.minimum(limit, self.v(
            "facility.max_air_cooled_rack_kw", fac.max_air_cooled_rack_kw)), limit)
        by_power = np.floor(limit / kw)
        by_space = RACK_UNITS // c["units"]
        # A whole-rack system (NVL72, GroqRack) is its own rack.
        per_rack = np.where(c["rack"], 1.0, np.maximum(1.0, np.minimum(by_power, by_space)))
        out.update(systems=systems, accelerators=systems * per_system, kw=kw, const=c,
                   racks=np.where(systems > 0, np.ceil(systems / per_rack), 0.0))
        return out

    # -- roll-up: the engine's own, over these arrays ----------------------------------------
    def sized_pool(self, p: dict) -> SizedPool:
        """A pool sized here, as the roll-up reads it."""
        pool, c = p["pool"], p["const"]
        fixed = self.v(f"pools.{pool.name}.count", pool.count) is not None
        workloads = []
        for ws in p["workloads"]:
            pt, has_point = ws["point"], ws["has_point"]
            workloads.append(ServedWorkload(
                peak_rps=ws["peak"], profile=ws["workload"].traffic.profile_24h,
                capacity_rps=ws["capacity"], replicas=ws["replicas"],
                active=(ws["replicas"] if fixed
                        else np.maximum(ws["replicas"] - ws["redundancy"], 1.0)),
                acc_per_replica=ws["acc_per_replica"], input_tokens=ws["isl"],
                output_tokens=ws["osl"],
                ttft_p99_ms=np.where(has_point, 1e3 * pt.ttft_p99_s + ws["kv_ms"], 0.0),
                tpot_p99_ms=np.where(has_point, 1e3 * pt.tpot_p99_s, 0.0),
                counted=ws["meets"] & has_point, meets=ws["meets"]))
        return SizedPool(accelerators=p["accelerators"], systems=p["systems"],
                         racks=p["racks"], kw_per_system=p["kw"], idle_w=c["idle"],
                         tdp_w=c["tdp"], host_w=c["host"], price_usd=c["price"],
                         workloads=workloads, failed=p["failed"])

    def kpis(self, pools: list[dict] | None = None) -> dict:
        """The KPI row; ``pools`` are sized pools (default: this plan's, sized here)."""
        fac = self.plan.facility
        f = {name: self.v(f"facility.{name}", value)
             for name, value in facility_figures(self.plan).items()}
        pools = self.pools() if pools is None else pools
        k = roll_up([self.sized_pool(p) for p in pools], f, fac.cost_model).kpis
        result = {name: k[name] for name in KPI_NAMES}
        shape = np.broadcast_shapes(*(np.shape(v) for v in result.values()),
                                    *(np.shape(v) for v in self.values.values()))
        # Read-only views: a figure that does not vary is not copied a million times.
        return {k: np.broadcast_to(np.asarray(v, bool if k == "meets_slo" else float), shape)
                for k, v in result.items()}


#: Above this many values of the request rate alone, the load point's latencies are read off
#: a grid of exact points (tests/core/test_evaluate_many.py bounds the error).
INTERPOLATE_ABOVE = 65_536
INTERPOLATION_POINTS = 16_385


def _load_point(exact, rate, capacity, hw, *others):
    """exact(rate), or for a huge array of rates with everything else fixed, the p99
    latencies interpolated between exact points (a sweep of traffic alone)."""
    fixed = all(np.ndim(x) == 0 for x in (capacity, hw.tp, hw.pp, hw.ep, hw.bw, *others))
    if np.size(rate) <= INTERPOLATE_ABOVE or not fixed:
        return exact(rate)
    lo = float(np.min(rate))
    hi = max(min(float(np.max(rate)), float(capacity)), lo)
    grid = np.linspace(lo, hi, INTERPOLATION_POINTS)
    p = exact(grid)
    # Rates above the capacity only occur where the SLOs are missed; their latencies are not
    # reported, so the edge value stands in for them.
    r = np.clip(rate, lo, hi)
    return SimpleNamespace(ttft_p99_s=np.interp(r, grid, p.ttft_p99_s),
                           tpot_p99_s=np.interp(r, grid, p.tpot_p99_s))
