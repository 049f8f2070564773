"""Optimize: the cheapest fleet that serves one workload within its SLOs, and the alternatives.

For a workload of the plan we try every catalog system × replica layout (TP/PP/EP for GPUs,
homogeneous MIG slicings, SRAM chain lengths) × weight precision × aggregated or disaggregated
serving, each as a pool of its own sized for the workload's peak with the plan's facility,
target utilization and N+k redundancy. Candidates sharing a system, precision and serving mode
differ only in numbers, so each such group is one vectorized call of
:func:`planner_core.whatif.evaluate_many.evaluate_many`. The result is ranked by TCO per million
output tokens among the options that meet every SLO, with the lowest-power and lowest-latency
options and the Pareto front of cost, latency and power marked. :func:`apply_option` turns a
row into a scenario, which the normal engine then evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationError

from planner_core.catalog import Catalog, load_catalog
from planner_core.catalog.engines import ENGINE_CHOICES, engine_for
from planner_core.catalog.mig import allowed
from planner_core.engine.calibration import Calibration, for_plan
from planner_core.engine.packing import packed_accelerators
from planner_core.engine.replica import ReplicaHW
from planner_core.engine.site_power import site_power
from planner_core.engine.sizing import (
    RACK_UNITS,
    PoolFleet,
    catalog_rent,
    finish_pool,
    replica_for,
    size_pool_fleet,
    size_workload,
)
from planner_core.engine.step_times import Efficiency
from planner_core.errors import PlannerError
from planner_core.plan import Plan, Pool, apply_overrides
from planner_core.plan.embedded import with_embedded
from planner_core.whatif.evaluate_many import SweptInputs, swept_kpis
from planner_core.whatif.split import split_with

if TYPE_CHECKING:
    import pandas as pd

#: The numeric fields of ReplicaHW, stacked into arrays across candidates (every field typed
#: ArrayLike, so a numeric field added to the replica is stacked too; the MLA attention
#: layout, a choice, comes from the plan's pool for every candidate).
HW_FIELDS = tuple(f.name for f in fields(ReplicaHW) if f.type == "ArrayLike")

#: Tensor-parallel sizes tried (up to the system's scale-up domain).
TP_SIZES = (1, 2, 4, 8, 16, 32, 64)
PP_SIZES = (1, 2, 4)
#: Prefill shares tried for disaggregated serving.
PREFILL_SHARES = (0.2, 0.33, 0.5)
#: SRAM chains tried: the default length (weights plus a pipeline-filling batch) and longer.
CHAIN_FACTORS = (1.0, 1.5, 2.0)
#: One precision per width, preferring floating point: (bf16|fp16), (fp8|int8), (fp4|int4).
PRECISION_ORDER = (("bf16", "fp16"), ("fp8", "int8"), ("fp4", "int4"))
SERVINGS = ("aggregated", "disaggregated")
OPTION_POOL = "option"

COLUMNS = ["rank", "system", "system_name", "status", "accelerator", "engine", "precision",
           "serving", "layout", "tp", "pp", "ep", "chips", "mig_profile", "mig_slices",
           "prefill_share",
           "usd_per_m_output_tokens", "usd_per_m_tokens", "tco_usd_per_year", "capex_usd",
           "facility_mw_peak", "accelerators", "systems", "racks", "ttft_p99_ms",
           "tpot_p99_ms", "latency_p99_ms", "utilization_peak_pct", "output_tokens_per_kwh",
           "utility_mw", "site_utility_mw", "within_site", "meets_slo", "pareto", "pick"]


@dataclass(frozen=True)
class Candidate:
    system: str
    precision: str
    serving: str
    tp: int = 1
    pp: int = 1
    ep: int = 1
    chips: int | None = None
    chain_factor: float | None = None  # SRAM: chain length over the default, before sizing
    mig_profile: str | None = None
    mig_slices: int = 0
    prefill_share: float | None = None
    engine: str = "auto"


def tp_sizes(system) -> list[int]:
    """Tensor-parallel widths to try: powers of two and the divisors of the system's
    accelerator count (12, 24, 36 and 72 on a 72-GPU rack), within the scale-up domain."""
    domain = system.scaleup_domain
    # Multiples of 4 only: a 9- or 18-wide replica is possible but not how racks are run.
    divisors = {d for d in range(8, domain + 1, 4) if system.accelerators % d == 0}
    return sorted({t for t in TP_SIZES if t <= domain} | divisors)


def _precisions(acc) -> list[str]:
    out = []
    for group in PRECISION_ORDER:
        for p in group:
            if p in acc.precisions:
                out.append(p)
                break
    return out


def candidates(plan: Plan, workload: str, catalog: Catalog, systems: Iterable[str] | None = None,
               precisions: Iterable[str] | None = None,
               servings: Iterable[str] = SERVINGS,
               engines: Iterable[str] | None = None) -> list[Candidate]:
    """Every option to try, before any is evaluated (filters narrow the search).
    ``engines``: the serving engines to try on each system that runs them (default: the
    workload's pool's own engine)."""
    out = []
    like = next(p for p in plan.pools if workload in p.workloads)
    base = _candidates(plan, workload, catalog, systems, precisions, servings)
    for c in base:
        acc = catalog.accelerator(catalog.system(c.system).accelerator)
        seen = set()
        for engine in (tuple(engines) if engines is not None else (like.engine,)):
            try:
                resolved = engine_for(engine, acc.vendor, acc.architecture).id
            except PlannerError:
                continue  # that engine does not run there
            if resolved not in seen:  # "auto" and the engine it means are one option
                seen.add(resolved)
                out.append(replace(c, engine=engine))
    return out


def _candidates(plan: Plan, workload: str, catalog: Catalog, systems, precisions,
                servings) -> list[Candidate]:
    w = plan.workload(workload)
    model = catalog.model(w.model)
    moe = model.moe is not None
    wanted_sys = set(systems) if systems is not None else None
    wanted_prec = set(precisions) if precisions is not None else None
    out: list[Candidate] = []
    for sys_ in catalog.systems.values():
        if wanted_sys is not None and sys_.id not in wanted_sys:
            continue
        acc = catalog.accelerator(sys_.accelerator)
        for prec in _precisions(acc):
            if wanted_prec is not None and prec not in wanted_prec:
                continue
            if acc.architecture == "sram":
                if "aggregated" in servings:
                    out += [Candidate(sys_.id, prec, "aggregated", chain_factor=f)
                            for f in CHAIN_FACTORS]
                continue
            for tp in tp_sizes(sys_):
                for pp in PP_SIZES:
                    if pp > 1 and tp < min(8, sys_.scaleup_domain):
                        continue  # pipeline stages only once tensor parallelism is maxed out
                    eps = {1, tp * pp} if moe else {1}
                    for ep in sorted(e for e in eps if not moe or e <= model.moe.experts):
                        # Tensor-parallel attention splits the heads evenly; MLA with EP runs
                        # attention data-parallel (replica.attention_dp), any width will do.
                        if not (model.kv_layout == "mla" and ep > 1) and model.heads % tp:
                            continue
                        for serving in servings:
                            shares = PREFILL_SHARES if serving == "disaggregated" else (None,)
                            out += [Candidate(sys_.id, prec, serving, tp, pp, ep,
                                              prefill_share=s) for s in shares]
            if acc.mig is not None and "aggregated" in servings:
                for prof in acc.mig.profiles:
                    if prof.media_extensions:
                        continue
                    n = next((k for k in range(prof.max_instances, 0, -1)
                              if allowed(acc.mig, [prof.name] * k)), 0)
                    if n:
                        out.append(Candidate(sys_.id, prec, "aggregated", mig_profile=prof.name,
                                             mig_slices=n))
    return out


def optimize(plan: Plan, workload: str, catalog: Catalog | None = None,
             calibration: Calibration | None = None, scenario: str = "base",
             systems: Iterable[str] | None = None, precisions: Iterable[str] | None = None,
             servings: Iterable[str] = SERVINGS,
             progress: Callable[[float, str], None] | None = None,
             engines: Iterable[str] | None = None,
             site_mw: float | None = None, alongside: str | None = None) -> pd.DataFrame:
    """Every candidate with its KPIs; feasible ones ranked by cost (``rank`` 1 = cheapest).
    ``engines`` widens the search to those serving engines (default: the pool's own).

    ``site_mw``: the site's power at the utility meter. An option is feasible only if the
    site with it fits: its ``site_utility_mw`` counts the plan's other pools (those not
    serving ``workload``) with it, through one electrical chain and cooling plant.

    ``alongside``: a pool of fixed size already serving ``workload``. It keeps the largest
    share it carries within the SLOs (:mod:`planner_core.whatif.split`); the options are sized
    for the rest, with it charged to the site (``alongside_share_pct`` says the split)."""
    if site_mw is not None and not (np.isfinite(site_mw) and site_mw > 0):
        raise PlannerError("the site's power must be a positive number of MW", field="site_mw")
    catalog = with_embedded(plan, catalog or load_catalog())
    variant = plan.variant(scenario)
    cal = for_plan(variant, calibration)
    variant.workload(workload)  # PlannerError naming it if unknown
    _check_filters(catalog, systems, precisions, servings, engines)
    cands = candidates(variant, workload, catalog, systems, precisions, tuple(servings),
                       engines)
    if not cands:
        pool_engine = next(p for p in variant.pools if workload in p.workloads).engine
        chosen = ", ".join(engines) if engines is not None else pool_engine
        raise PlannerError("no option matches the filters: the systems chosen offer none of "
                           "those precisions in that serving mode (SRAM systems serve "
                           f"aggregated only) under the engine(s) {chosen}", field="systems")
    # Candidates of one precision and serving mode share the model's shape and the sizing's
    # code path: each such group, across every system and layout, is one array pass.
    groups: dict[tuple, list[Candidate]] = {}
    for c in cands:
        groups.setdefault((c.precision, c.serving), []).append(c)
    share = None
    if alongside is not None:
        split = split_with(variant, workload, alongside, catalog, cal)
        share, site, variant = split.share, split.fixed, split.rest
    else:
        site = variant
    # The rest of the site: pools the option does not replace, sized as the plan has them.
    others = [size_pool_fleet(catalog, site, p, cal).sized() for p in site.pools
              if workload not in p.workloads or p.name == alongside]
    rows: list[dict] = []
    for i, ((precision, serving), members) in enumerate(groups.items()):
        if progress:
            progress(i / len(groups), f"{serving} serving at {precision}: "
                     f"{len(members)} options")
        rows += _evaluate_group(variant, workload, precision, serving, members, catalog, cal,
                                others)
    if progress:
        progress(1.0, "ranking")
    import pandas as pd  # here: importing the optimizer (the window, sweeps) costs none of it

    frame = pd.DataFrame(rows)
    frame["within_site"] = (True if site_mw is None else
                            frame["site_utility_mw"].to_numpy(float) <= site_mw * (1 + 1e-9))
    frame = rank(frame, variant.workload(workload).output_tokens.mean)
    if share is not None:
        frame["alongside_share_pct"] = 100 * share
    return frame


def _check_filters(catalog: Catalog, systems, precisions, servings, engines=None) -> None:
    for e in engines or ():
        if e not in ENGINE_CHOICES:
            raise PlannerError(f"unknown serving engine {e!r}; one of "
                               f"{', '.join(ENGINE_CHOICES)}", field="engines")
    for ident in systems or ():
        if ident not in catalog.systems:
            raise PlannerError(f"no system {ident!r} in the catalog", field="systems")
    known = {p for group in PRECISION_ORDER for p in group}
    for p in precisions or ():
        if p not in known:
            raise PlannerError(f"unknown precision {p!r}; one of {', '.join(sorted(known))}",
                               field="precisions")
    for s in servings:
        if s not in SERVINGS:
            raise PlannerError(f"unknown serving mode {s!r}; one of {', '.join(SERVINGS)}",
                               field="servings")


def _describe(c: Candidate, system, acc) -> dict:
    return {"system": c.system, "system_name": system.name, "status": system.status,
            "accelerator": acc.id, "engine": engine_for(c.engine, acc.vendor,
                                                         acc.architecture).id,
            "precision": c.precision, "serving": c.serving,
            "layout": layout_text(c), "tp": c.tp, "pp": c.pp, "ep": c.ep, "chips": c.chips,
            "mig_profile": c.mig_profile, "mig_slices": c.mig_slices,
            "prefill_share": c.prefill_share}


def _option_pool(c: Candidate, workload: str, like: Pool) -> Pool:
    # The plan's batch cap (its serving engine's) holds for every option. Its board power
    # limit does not: watts chosen for one accelerator mean nothing for another's TDP, so
    # every option runs at its own.
    layout: dict = {"tp": c.tp, "pp": c.pp, "ep": c.ep, "chips": c.chips, "mig": None,
                    "max_batch": like.layout.max_batch,
                    "dp_attention": like.layout.dp_attention}
    if c.mig_profile is not None:
        layout["mig"] = [{"profile": c.mig_profile, "workload": workload}] * c.mig_slices
    return Pool(name=OPTION_POOL, system=c.system, layout=layout, serving=c.serving,
                engine=c.engine, speculative=like.speculative,
                prefill_share=c.prefill_share or 0.3, workloads=[workload],
                target_utilization=like.target_utilization, redundancy=like.redundancy)


def _replica(catalog: Catalog, c: Candidate, workload, like: Pool):
    """(candidate with its chain length settled, hw, shape, accelerators per replica)."""
    if c.chain_factor is not None:
        _, _, default, _ = replica_for(catalog, _option_pool(c, workload.name, like), workload)
        c = replace(c, chips=int(np.ceil(default * c.chain_factor)))
    pool = _option_pool(c, workload.name, like)
    hw, shape, per_rep, _ = replica_for(catalog, pool, workload, c.mig_profile)
    return c, hw, shape, per_rep


def _evaluate_group(plan: Plan, workload: str, precision: str, serving: str,
                    members: list[Candidate], catalog: Catalog, cal: Calibration,
                    others: list | None = None) -> list[dict]:
    like = next(p for p in plan.pools if workload in p.workloads)
    # The timeline's options name the plan's pools; this snapshot of other pools has none.
    data = plan.model_dump(mode="json", exclude={"scenarios", "baseline", "timeline"})
    w = next(x for x in data["workloads"] if x["name"] == workload)
    w.update(weight_precision=precision, kv_precision=None)
    data.update(workloads=[w], pools=[_option_pool(members[0], workload, like).model_dump(
        mode="json")], scenarios=[], baseline="base")
    single = Plan.model_validate(data)
    wl = single.workloads[0]
    rows, live, hws, effs, per_rep, slices, consts = [], [], [], [], [], [], []
    shape = None
    for c in members:
        system = catalog.system(c.system)
        acc = catalog.accelerator(system.accelerator)
        try:
            c, hw, shape_c, n_acc = _replica(catalog, c, wl, like)
        except (PlannerError, ValidationError):  # e.g. a chain longer than a plan may hold
            # Cannot run this way at all (no FLOPS figure at the cache's precision, a layout
            # past the scale-up domain): listed, never ranked.
            rows.append({**_describe(c, system, acc), "meets_slo": False,
                         "site_utility_mw": np.nan})
            continue
        shape = shape_c
        live.append((c, system, acc))
        hws.append(hw)
        effs.append(cal.efficiency(acc.family, catalog, hw.engine))
        per_rep.append(n_acc)
        slices.append(float(c.mig_slices or 0))
        # A cloud-only system costs its accelerator's rent by the hour (NaN without one: such
        # an option has no cost, so it is listed but never ranked).
        consts.append((float(system.accelerators), acc.tdp_w.value, acc.idle_w.value,
                       system.host_power_w.value,
                       0.0 if system.rented else system.price_usd.value,
                       system.form == "rack", system.cooling == "air",
                       float(system.rack_units or RACK_UNITS), float(system.ports),
                       system.port_gbps, system.rented,
                       catalog_rent(acc) if system.rented else 0.0))
    if not live:
        return rows
    hw = ReplicaHW(**{f: np.array([float(getattr(h, f)) for h in hws]) for f in HW_FIELDS},
                   dp_attention=like.layout.dp_attention)
    eff = Efficiency(**{f.name: np.array([float(getattr(e, f.name)) for e in effs])
                        for f in fields(Efficiency)})
    per_rep_a, slices_a = np.array(per_rep), np.array(slices)
    values = {}
    if serving == "disaggregated":
        values[f"pools.{OPTION_POOL}.prefill_share"] = np.array([c.prefill_share
                                                                 for c, _, _ in live])
    inputs = SweptInputs(values)
    pool = single.pools[0]
    ws = size_workload(pool, wl, hw, shape, eff, per_rep_a, None, None, inputs=inputs,
                       knobs=cal.power)
    # A MIG candidate buys whole GPUs for its slices; any other buys its replicas' accelerators.
    mig = slices_a > 0
    needed = ws.replicas_needed
    cols = list(zip(*consts, strict=True))
    per_system = np.array(cols[0])
    fluid = np.array([acc.architecture == "sram" or system.scaleup_domain > system.accelerators
                      for _, system, acc in live])
    # SRAM chains: one "group" of per_rep chips; GPUs: TP groups of hw.tp, hw.pp stages.
    group = np.where(hw.sram > 0, per_rep_a, hw.tp)
    stages = np.where(hw.sram > 0, 1.0, hw.pp)
    accelerators = np.where(mig, np.ceil(needed / np.where(mig, slices_a, 1.0)), np.ceil(
        packed_accelerators(needed, group, per_system, fluid, stages)))
    const = {k: np.array(v) for k, v in zip(
        ("per_system", "tdp", "idle", "host", "price", "rack", "air", "units", "ports",
         "port_gbps", "rented", "rent"), cols,
        strict=True)}
    _, system0, acc0 = live[0]  # stands in for the stack: its figures are in ``const``
    fleet = PoolFleet(pool, system0, acc0, cal.power, [ws])
    finish_pool(fleet, single, None, accelerators, inputs, const)
    kpis = swept_kpis(single, catalog, cal, inputs, [fleet])
    site = np.broadcast_to(site_power([*(others or []), fleet.sized()], plan.site,
                                      plan.facility.pue)["utility_mw"],
                           np.shape(kpis["utility_mw"]))
    for j, (c, system, acc) in enumerate(live):
        row = _describe(c, system, acc)
        row.update({k: (bool(v[j]) if k == "meets_slo" else float(v[j]))
                    for k, v in kpis.items()})
        row["site_utility_mw"] = float(site[j])
        rows.append(row)
    return rows


def layout_text(c: Candidate) -> str:
    if c.mig_profile is not None:
        return f"MIG {c.mig_slices}× {c.mig_profile}"
    if c.chips is not None:
        return f"chain of {c.chips} chips"
    text = f"TP{c.tp}" + (f" PP{c.pp}" if c.pp > 1 else "") + (f" EP{c.ep}" if c.ep > 1 else "")
    if c.serving == "disaggregated":
        text += f", {c.prefill_share:.0%} prefill"
    return text


def pareto_mask(*objectives: np.ndarray) -> np.ndarray:
    """True where no other point is at least as good on every objective and better on one
    (all objectives minimized)."""
    pts = np.column_stack(objectives)
    n = len(pts)
    keep = np.ones(n, bool)
    for i in range(n):
        if not keep[i]:
            continue
        dominated = np.all(pts <= pts[i], axis=1) & np.any(pts < pts[i], axis=1)
        if dominated.any():
            keep[i] = False
    return keep


def rank(frame: pd.DataFrame, output_tokens: float) -> pd.DataFrame:
    """Adds latency_p99_ms, rank (feasible options by cost), pareto and pick columns."""
    f = frame.copy()
    # p99 TTFT plus the answer at the p99 TPOT: the two p99s added, so an upper estimate of
    # the p99 time to the last token.
    f["latency_p99_ms"] = f["ttft_p99_ms"] + (output_tokens - 1) * f["tpot_p99_ms"]
    ok = (f["meets_slo"].to_numpy(bool) & np.isfinite(f["usd_per_m_output_tokens"].to_numpy())
          & (f["within_site"].to_numpy(bool) if "within_site" in f else True))
    if "within_site" not in f:
        f["within_site"] = True
    f["pareto"] = False
    f["pick"] = ""
    f["rank"] = np.nan
    if ok.any():
        idx = np.flatnonzero(ok)
        sub = f.iloc[idx]
        f.loc[f.index[idx], "pareto"] = pareto_mask(
            sub["usd_per_m_output_tokens"].to_numpy(), sub["latency_p99_ms"].to_numpy(),
            sub["facility_mw_peak"].to_numpy())
        order = sub.sort_values(["usd_per_m_output_tokens", "facility_mw_peak",
                                 "latency_p99_ms"], kind="stable").index
        f.loc[order, "rank"] = np.arange(1, len(order) + 1)
        for pick, column in (("lowest latency", "latency_p99_ms"),
                             ("lowest power", "facility_mw_peak"),
                             ("cheapest", "usd_per_m_output_tokens")):
            best = sub.sort_values([column, "usd_per_m_output_tokens"], kind="stable").index[0]
            f.loc[best, "pick"] = pick if not f.loc[best, "pick"] else \
                f"{pick}, {f.loc[best, 'pick']}"
    f = f.sort_values(["rank", "usd_per_m_output_tokens"], na_position="last", kind="stable")
    f["rank"] = f["rank"].astype("Int64")
    return f.reset_index(drop=True)[COLUMNS]


def _catalog_accelerator(catalog: Catalog | None, row):
    try:
        return (catalog or load_catalog()).accelerator(row["accelerator"])
    except (PlannerError, KeyError):
        return None


def option_overrides(plan: Plan, workload: str, row, catalog: Catalog | None = None) -> dict:
    """The scenario overrides that make the plan serve ``workload`` as ``row`` says."""
    plan.workload(workload)  # PlannerError naming it if it is gone
    pools = [p for p in plan.pools if workload in p.workloads]
    if len(pools) != 1:
        raise PlannerError(f"{workload} is served by {len(pools)} pools "
                           f"({', '.join(p.name for p in pools)}); an option replaces the one "
                           "pool that serves a workload alone", field=f"workloads.{workload}")
    pool = pools[0]
    others = [w for w in pool.workloads if w != workload]
    if others:
        raise PlannerError(f"pool {pool.name!r} also serves {', '.join(others)}; an option "
                           "for one workload can replace only a pool of its own",
                           field=f"pools.{pool.name}")
    mig = None
    if isinstance(row["mig_profile"], str):
        mig = [{"profile": row["mig_profile"], "workload": workload}] * int(row["mig_slices"])
    chips = row["chips"]
    layout = {"tp": int(row["tp"]), "pp": int(row["pp"]), "ep": int(row["ep"]),
              "chips": int(chips) if chips is not None and np.isfinite(chips) else None,
              "mig": mig, "max_batch": pool.layout.max_batch,
              "dp_attention": pool.layout.dp_attention}
    key = f"pools.{pool.name}"
    out = {f"{key}.system": row["system"], f"{key}.count": None, f"{key}.layout": layout,
           f"{key}.serving": row["serving"],
           f"workloads.{workload}.weight_precision": row["precision"],
           f"workloads.{workload}.kv_precision": None}
    engine = row.get("engine") if hasattr(row, "get") else None
    if isinstance(engine, str):
        # The option's engine, unless the pool's own choice already means it on that system.
        acc = _catalog_accelerator(catalog, row)
        try:
            same = acc is not None and engine_for(pool.engine, acc.vendor,
                                                  acc.architecture).id == engine
        except PlannerError:
            same = False
        if not same:
            out[f"{key}.engine"] = engine
    share = row["prefill_share"]
    if row["serving"] == "disaggregated" and share is not None and np.isfinite(share):
        out[f"{key}.prefill_share"] = float(share)
    if row["system"] != pool.system and pool.rent_usd_per_accelerator_hour is not None:
        # A rent quoted for the old hardware says nothing about the new.
        out[f"{key}.rent_usd_per_accelerator_hour"] = None
    return out


def option_name(plan: Plan, row) -> str:
    """A free scenario name describing the option (names may not contain dots)."""
    stem = f"Optimized: {row['system']} {row['precision']} {row['layout']}".replace(".", ",")
    taken = plan.scenario_names()
    name, i = stem[:76], 2
    while name in taken:
        name = f"{stem[:72]} ({i})"
        i += 1
    return name


def apply_option(plan: Plan, workload: str, row, name: str, scenario: str = "base",
                 catalog: Catalog | None = None) -> Plan:
    """The plan with a new scenario ``name``: ``scenario``'s overrides plus the option's."""
    base = {} if scenario == "base" else dict(plan.scenario(scenario).overrides)
    option = option_overrides(plan.variant(scenario), workload, row, catalog)
    # The option's keys win, including over finer keys below them that the scenario set
    # (a "pools.P.layout.tp" would otherwise be applied after the option's whole layout).
    base = {k: v for k, v in base.items()
            if k not in option and not any(k.startswith(f"{o}.") for o in option)}
    overrides = {**base, **option}
    apply_overrides(plan, overrides, where=f"scenarios.{name}")  # refuses a broken option
    data = plan.model_dump(mode="json")
    data["scenarios"].append({"name": name, "description": (
        f"{workload} on {row['system_name']}, {row['layout']}, {row['precision']}, "
        f"{row['serving']} (from Optimize)"), "overrides": overrides})
    return Plan.model_validate(data)

