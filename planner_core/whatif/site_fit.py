"""What fits a site: the most traffic a plan's fleet design can serve within a site's limits.

The plan's workloads keep their mix (every peak scaled by the same factor); pools sized for
the load grow with it, fixed pools do not. The answer is the largest factor whose fleet meets
every SLO and stays within the site: ``site_mw`` at the utility meter (every system at its
rated draw through the electrical chain, cooling on the design day), and the plan's own site
limits (IT MW, rack positions of its halls). It is found on a logarithmic grid of factors in
one array pass and then refined on a finer one. The binding limit is whichever the next step
up breaks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration
from planner_core.errors import PlannerError
from planner_core.plan import Plan, apply_overrides
from planner_core.plan.embedded import with_embedded
from planner_core.whatif.evaluate_many import evaluate_many

#: The factors tried first: from a ten-thousandth of the plan's traffic up to a million times
#: it (or the largest peak a plan may state, 10 million requests/s).
LOWEST, HIGHEST, MAX_PEAK_RPS = 1e-4, 1e6, 1e7
COARSE, FINE = 241, 200


@dataclass
class SiteFit:
    site_mw: float
    scale: float  # multiple of the plan's peak traffic that fits (0: none does)
    peak_rps: dict[str, float]  # per workload, at that scale
    output_tok_s: float  # at the peak hour, all workloads
    tokens_s: float  # prompt and answer tokens at the peak hour
    kpis: dict[str, float]  # the plan's KPIs at that scale
    binding: str  # what stops more traffic


def fits(plan: Plan, site_mw: float | None = None, catalog: Catalog | None = None,
         calibration: Calibration | None = None, scenario: str = "base",
         system: str | None = None) -> SiteFit:
    """The most traffic ``plan``'s scenario (every pool on ``system``, if given) serves within
    ``site_mw`` at the utility meter (default: the plan's ``site.limits.utility_mw``) and the
    plan's other site limits."""
    catalog = with_embedded(plan, catalog or load_catalog())
    variant = plan.variant(scenario)
    lim = variant.site.limits
    site_mw = lim.utility_mw if site_mw is None else site_mw
    if site_mw is None:
        raise PlannerError("give the site's power (--site-mw) or set the plan's "
                           "site.limits.utility_mw", field="site_mw")
    if not (np.isfinite(site_mw) and site_mw > 0):
        raise PlannerError("the site's power must be a positive number of MW", field="site_mw")
    if system is not None:
        catalog.system(system)  # PlannerError naming it if unknown
        variant = apply_overrides(variant, {f"pools.{p.name}.system": system
                                            for p in variant.pools}, where="--system")
    base = {w.name: w.traffic.peak_rps for w in variant.workloads}
    grid = np.geomspace(LOWEST, min(HIGHEST, MAX_PEAK_RPS / max(base.values())), COARSE)
    positions = sum(h.rows * h.positions_per_row for h in variant.site.floor.halls) or None
    # (name, KPI, limit, unit): what the site offers.
    limits = [("site power", "utility_mw", site_mw, "MW at the utility meter")]
    if lim.it_mw is not None:
        limits.append(("IT load", "it_kw_provisioned", lim.it_mw * 1e3, "kW of IT provisioned"))
    if positions is not None:
        limits.append(("floor", "racks", float(positions), "compute racks on the positions"))

    def at(scales: np.ndarray) -> dict:
        values = {f"workloads.{n}.traffic.peak_rps": peak * scales for n, peak in base.items()}
        return evaluate_many(variant, values, catalog, calibration)

    def within(k: dict) -> np.ndarray:
        inside = np.ones(np.shape(k["meets_slo"]), bool)
        for _, key, limit, _ in limits:
            inside &= np.asarray(k[key], float) <= limit * (1 + 1e-9)
        return inside

    def ok(k: dict) -> np.ndarray:
        return np.asarray(k["meets_slo"], bool) & within(k)

    coarse = at(grid)
    good = ok(coarse)
    if not good.any():
        k = {n: float(v[0]) for n, v in coarse.items()}
        broken = [f"{k[key]:,.3g} {unit} against {limit:,.3g}"
                  for _, key, limit, unit in limits if k[key] > limit * (1 + 1e-9)]
        why = (f"even {grid[0]:g} of the plan's traffic needs " + "; ".join(broken)
               if broken else "even a trickle of traffic misses an SLO")
        return SiteFit(site_mw, 0.0, dict.fromkeys(base, 0.0), 0.0, 0.0, k, why)
    # Every limit only tightens as traffic grows: the last good factor marks the edge.
    i = int(np.flatnonzero(good)[-1])
    top = grid[min(i + 1, COARSE - 1)]
    fine = np.linspace(grid[i], top, FINE)
    k_fine = at(fine)
    j = int(np.flatnonzero(ok(k_fine))[-1]) if ok(k_fine).any() else 0
    scale = float(fine[j])
    kpis = {n: float(v[j]) for n, v in k_fine.items()}
    nxt = min(j + 1, FINE - 1)
    over = [(name, float(k_fine[key][nxt]), limit, unit) for name, key, limit, unit in limits
            if float(k_fine[key][nxt]) > limit * (1 + 1e-9)]
    if nxt == j and i == COARSE - 1:
        binding = f"no limit within {grid[-1]:g} times the plan's traffic"
    elif over:
        name, need, limit, unit = over[0]
        digits = 3 if unit.startswith("MW") else 0
        binding = (f"{name}: {need:,.{digits}f} {unit} for a step more, against "
                   f"{limit:,.{digits}f}")
    else:
        binding = ("SLOs: a pool of fixed size cannot carry more within them"
                   if any(p.count is not None for p in variant.pools)
                   else "SLOs: a replica cannot carry more within them")
    rps = {n: peak * scale for n, peak in base.items()}
    out = sum(rps[w.name] * w.output_tokens.mean for w in variant.workloads)
    both = sum(rps[w.name] * (w.input_tokens.mean + w.output_tokens.mean)
               for w in variant.workloads)
    return SiteFit(site_mw, scale, rps, out, both, kpis, binding)
