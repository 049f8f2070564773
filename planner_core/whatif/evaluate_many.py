"""The plan's headline figures for many values of its numeric inputs at once.

``evaluate_many(plan, {path: array, ...})`` gives, for every element of the broadcast arrays,
the figures :func:`planner_core.engine.evaluate.evaluate` puts in its KPI row (same names, same
units), without building a plan per value: sweeps, sensitivity and Monte Carlo runs are one
call. It runs the engine's own sizing (:func:`planner_core.engine.sizing.size_pool_fleet`) and
roll-up (:func:`planner_core.engine.rollup.roll_up`) with :class:`SweptInputs` in place of the
plan's inputs; this module only says how a swept value reaches the replica. Inputs left out
stay scalars, so a sweep of the electricity price never recomputes a replica's capacity.

Paths are the plan's own override paths (``facility.pue``, ``workloads.chat.traffic.peak_rps``,
``pools.serving.layout.tp``) plus catalog figures of an accelerator or system
(``catalog.systems.ID.price_usd``, ``catalog.accelerators.ID.memory_bw_gbs``; ``dense_tflops``
is the figure at the accelerator's default precision and scales all its precisions alike).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, for_plan
from planner_core.engine.memory import chain_chips
from planner_core.engine.reuse import distinct, shared
from planner_core.engine.rollup import HOURLY_ONLY, KPI_ORDER, facility_figures, roll_up
from planner_core.engine.sizing import (
    Inputs,
    Issue,
    PoolFleet,
    WorkloadFleet,
    default_chain,
    size_pool_fleet,
)
from planner_core.plan import Plan, Pool
from planner_core.plan.embedded import with_embedded
from planner_core.whatif.numeric_inputs import check_values

#: The KPIs a sweep reports: the KPI row less the power split at peak (a day's tables give it)
#: and Wh per 1,000 tokens (its inverse, output tokens per kWh, is here), plus meets_slo.
KPI_NAMES = (*(k for k in KPI_ORDER
               if k not in (*HOURLY_ONLY, "wh_per_1k_output_tokens")), "meets_slo")


#: Figures of the sized pools beyond the KPIs, as arrays by name: called with the plan, its
#: pools as sized for some of the values, the engine's errors for them and the inputs.
Explain = Callable[[Plan, list[PoolFleet], list[Issue], "SweptInputs"], dict]


def evaluate_many(plan: Plan, values: Mapping[str, np.ndarray], catalog: Catalog | None = None,
                  calibration: Calibration | None = None, check: bool = True,
                  explain: Explain | None = None) -> dict:
    """KPI arrays (broadcast shape of the values) for ``plan`` with each path set to its array.

    ``plan`` is one scenario's plan (``plan.variant(name)``). Returns every name in KPI_NAMES,
    and the arrays ``explain`` makes (a sweep's reasons: whatif.sweep), spread like them.
    """
    catalog = with_embedded(plan, catalog or load_catalog())
    cal = for_plan(plan, calibration)
    arrays = {k: np.asarray(v, float) for k, v in values.items()}
    if check:
        check_values(plan, catalog, arrays)
    distinct = _distinct(arrays)
    if distinct is not None:
        rows, where, shape = distinct
        found = _in_chunks(plan, catalog, cal, rows, explain)
        # A figure alike for every distinct value is one value, whatever its shape there.
        return {k: np.broadcast_to(v[(0,) * v.ndim], shape) if _constant(v)
                else v[where].reshape(shape) for k, v in found.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    if int(np.prod(shape)) <= CHUNK:
        return swept_kpis(plan, catalog, cal, SweptInputs(arrays), explain=explain)
    flat = {k: np.broadcast_to(a, shape).ravel() if a.size > 1 else a.reshape(())
            for k, a in arrays.items()}
    found = _in_chunks(plan, catalog, cal, flat, explain)
    return {k: np.broadcast_to(v, shape) if _constant(v) else v.reshape(shape)
            for k, v in found.items()}


#: Sweeps longer than this run in parts of about this many values: the engine's arrays of one
#: part, not of the whole sweep, are what it holds at once.
CHUNK = 1 << 15


def _constant(v: np.ndarray) -> bool:
    return v.ndim == 0 or v.strides == (0,) * v.ndim


def _in_chunks(plan: Plan, catalog: Catalog, cal: Calibration,
               flat: dict[str, np.ndarray], explain: Explain | None = None
               ) -> dict[str, np.ndarray]:
    """swept_kpis over 1-D swept values (scalars kept whole) in parts of about CHUNK values,
    the parts equal in length (each part takes the same path through the engine as the
    whole would: long sweeps bisect, see engine.capacity)."""
    n = max(int(np.size(v)) for v in flat.values())
    parts = -(-n // CHUNK)
    bounds = np.linspace(0, n, parts + 1).astype(int)
    out: dict[str, np.ndarray] = {}
    with shared():  # the parts ask the same capacity questions where nothing swept moves them
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            _part(plan, catalog, cal, flat, a, b, n, parts, out, explain)
    return {k: np.asarray(v) for k, v in out.items()}


def _part(plan, catalog, cal, flat, a: int, b: int, n: int, parts: int, out: dict,
          explain: Explain | None = None) -> None:
    """Values a:b of the sweep, written into ``out`` (a figure every part gives alike stays
    one value)."""
    got = swept_kpis(plan, catalog, cal, SweptInputs(
        {k: v[a:b] if np.ndim(v) else v for k, v in flat.items()}), explain=explain)
    for name, v in got.items():
        if parts == 1:
            out[name] = v
            continue
        held = out.get(name)
        if _constant(v):
            value = v.reshape(-1)[:1].reshape(())
            if held is None:
                out[name] = value
                continue
            if held.ndim == 0 and (held == value or (held != held and value != value)):
                continue
        if held is None or held.ndim == 0:
            full = np.empty(n, dtype=v.dtype)
            if held is not None:
                full[:a] = held
            out[name] = held = full
        held[a:b] = v


#: Sweeps at least this long are evaluated once per distinct value (or combination).
DISTINCT_FROM = 4096


def _repeats(values: np.ndarray) -> bool:
    """Whether a sweep repeats itself enough to be worth sorting: whole numbers spanning at
    most half as many values as there are, or, failing that, repeats among 2,000 values
    drawn at random (a birthday count: about 2 of them by chance even if all differ)."""
    if values.ndim == 1 and np.ptp(values) + 1 <= values.size // 2 \
            and np.array_equal(values, np.round(values)):
        return True
    drawn = values[np.random.default_rng(0).integers(0, len(values), 2000)]
    return 2000 - len(np.unique(drawn, axis=0)) >= 20


def _distinct(arrays: dict[str, np.ndarray]):
    """(the distinct combinations of the swept values, as 1-D arrays; where each element of
    the sweep finds its combination; the sweep's shape), or None where there is little to
    gain. Every element's figures depend on its own values alone, so a sweep of a million
    prompt lengths (whole numbers: a few tens of thousands distinct) is evaluated once per
    distinct length. Sweeps of several fractional values (Monte Carlo draws) rarely repeat
    and are not sorted for it."""
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    size = int(np.prod(shape))
    if size < DISTINCT_FROM:
        return None
    full = {k: np.broadcast_to(a, shape).ravel() for k, a in arrays.items()}
    varying = [k for k, a in full.items() if a.size and np.ptp(a) > 0]
    if not varying or (len(varying) > 1 and not all(
            np.array_equal(full[k], np.round(full[k])) for k in varying)):
        return None
    if not _repeats(np.stack([full[k] for k in varying], axis=1) if len(varying) > 1
                    else full[varying[0]]):
        return None
    first, where = distinct([full[k] for k in varying])
    if len(first) > size // 2:
        return None
    rows = {k: full[k][first] if k in varying else full[k][:1].copy() for k in arrays}
    return rows, where.astype(np.int32), shape  # half the index: a sweep holds < 2^31


def swept_kpis(plan: Plan, catalog: Catalog, cal: Calibration, inputs: SweptInputs,
               pools: list[PoolFleet] | None = None, explain: Explain | None = None) -> dict:
    """The KPI row of ``plan`` with ``inputs`` (arrays) in place: the engine's own sizing and
    roll-up. ``pools`` are pools sized already (optimize stacks its candidates in one)."""
    issues: list[Issue] = []

    def seen(found: WorkloadFleet | Issue) -> None:
        if isinstance(found, Issue):
            issues.append(found)

    if pools is None:
        pools = [size_pool_fleet(catalog, plan, pool, cal, inputs,
                                 on_workload=seen if explain is not None else None)
                 for pool in plan.pools]
    f = {name: inputs.value(f"facility.{name}", value)
         for name, value in facility_figures(plan).items()}
    k = roll_up([p.sized() for p in pools], f, plan.facility.cost_model, site=plan.site).kpis
    result = {name: k[name] for name in KPI_NAMES}
    if explain is not None:
        result.update(explain(plan, pools, issues, inputs))
    shape = np.broadcast_shapes(*(np.shape(v) for v in result.values()),
                                *(np.shape(v) for v in inputs.values.values()))
    # Read-only views: a figure that does not vary is not copied a million times.
    return {k: np.broadcast_to(np.asarray(v, bool if k == "meets_slo" else float), shape)
            for k, v in result.items()}


class SweptInputs(Inputs):
    """The plan's inputs with some replaced by arrays, keyed by path."""

    def __init__(self, values: Mapping[str, np.ndarray]):
        self.values = dict(values)

    def value(self, path: str, default):
        return self.values.get(path, default)

    def figure(self, kind: str, ident: str, name: str, base: float):
        return self.values.get(f"catalog.{kind}.{ident}.{name}", base)

    def scale(self, kind: str, ident: str, name: str, base: float):
        """Swept value / catalogued value of a figure (1.0 when it is not swept)."""
        value = self.values.get(f"catalog.{kind}.{ident}.{name}")
        return 1.0 if value is None else value / base

    def efficiency(self, pool, eff):
        """A pool's efficiencies at its swept performance factor f: every share of a peak it
        reaches is f times the calibrated one and every fixed cost 1/f of it, so its step
        times divide by f while its peaks (and so the power its work draws) stay the
        hardware's. The links' latencies follow in :meth:`replica`."""
        f = self.values.get(f"pools.{pool.name}.performance")
        if f is None:
            return eff
        return replace(eff, compute=eff.compute * f, moe_compute=eff.moe_compute * f,
                       memory=eff.memory * f, comm=eff.comm * f,
                       layer_overhead_us=eff.layer_overhead_us / f,
                       step_overhead_us=eff.step_overhead_us / f,
                       moe_overhead_us=eff.moe_overhead_us / f,
                       ttft_overhead_ms=eff.ttft_overhead_ms / f)

    def replica(self, pool, w, hw, shape, per_rep, system, acc, mig):
        """The replica with swept catalog figures, performance factor, batch cap and (not for
        MIG) layout."""
        hw = self._scaled(hw, system, acc)
        cached = self.values.get(f"workloads.{w.name}.prefix_cache_share")
        if cached is not None:
            hw = hw.with_(prefix_cached=cached * 1.0)
        accept = self.values.get(f"pools.{pool.name}.speculative.acceptance")
        if accept is not None:
            hw = hw.with_(spec_accept=accept * 1.0)
        f = self.values.get(f"pools.{pool.name}.performance")
        if f is not None:
            hw = hw.with_(link_lat=hw.link_lat / f, xlink_lat=hw.xlink_lat / f)
        cap = self.values.get(f"pools.{pool.name}.layout.max_batch")
        if cap is not None:
            hw = hw.with_(max_batch=cap * 1.0)
        if mig:
            return hw, per_rep, True
        return self._layout(pool, w, hw, shape, per_rep, acc)

    def _scaled(self, hw, system, acc):
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

    def _layout(self, pool: Pool, w, hw, shape, per_rep, acc):
        """The replica with swept layout fields (and, for SRAM chains, swept token counts and
        memory, which set the chain's length when the plan leaves it to us)."""
        key = f"pools.{pool.name}.layout"
        if acc.architecture == "sram":
            isl = self.value(f"workloads.{w.name}.input_tokens.mean", w.input_tokens.mean)
            osl = self.value(f"workloads.{w.name}.output_tokens.mean", w.output_tokens.mean)
            chips = self.values.get(f"{key}.chips")
            memory = self.figure("accelerators", acc.id, "memory_gb", acc.memory_gb.value)
            # A chain left to us is as long as the (swept) tokens and memory make it.
            if chips is None and pool.layout.chips is None and (
                    np.ndim(isl) or np.ndim(osl) or np.ndim(memory)):
                chips = default_chain(shape, memory, isl + osl)
            if chips is None:
                return hw, per_rep, True
            need = chain_chips(shape, memory, isl + osl)
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
