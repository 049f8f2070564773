"""The site's power: from the pools' provisioned racks to the utility's meter, and the PUE.

Facility power is IT × PUE, the year's average ratio. The utility connection must carry more:
every system at its rated draw, the UPS at the load its redundancy scheme leaves it (lighter
is less efficient) and cooling on the design day. With ``site.cooling.pue_source`` "given",
the plan's PUE is split into the electrical chain's losses (at the UPS's rated efficiency),
lighting and offices, and cooling (the rest); the cooling part is raised to the design day and
a lighter-loaded UPS's extra loss added; with "derived", the
PUE itself is built from those parts (an estimate). Every function broadcasts over arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from planner_core.plan.site import Site
from planner_core.site.cooling import MISC_SHARE, design_ratio, heat_split, plant
from planner_core.site.electrical import it_chain_efficiency, ups_plant


def site_power(pools: Sequence[Any], site: Site, pue_given) -> dict[str, Any]:
    """The site's power figures (kW unless named otherwise; arrays over stacked pools) for
    the roll-up's sized pools (:class:`planner_core.engine.rollup.SizedPool`)."""
    e, c = site.electrical, site.cooling
    liquid_racks = air_racks = network = 0.0
    for p in pools:
        racks_kw = p.systems * p.rack_kw
        air = np.asarray(p.air, bool)
        liquid_racks = liquid_racks + np.where(air, 0.0, racks_kw)
        air_racks = air_racks + np.where(air, racks_kw, 0.0)
        network = network + p.systems * p.network_w / 1e3
    it = liquid_racks + air_racks + network
    ups = ups_plant(it, e)
    chain = it_chain_efficiency(ups.efficiency, e)
    it_in = it / chain  # drawn at the meter for the IT load
    distribution_loss = it * (1 / e.distribution_efficiency - 1)
    liquid, air = heat_split(liquid_racks, air_racks, network + distribution_loss, c)
    cool = plant(liquid, air, c)
    misc = MISC_SHARE * it / e.transformer_efficiency
    with np.errstate(divide="ignore", invalid="ignore"):
        if c.pue_source == "derived":
            cooling_annual = cool.power_annual_kw / e.transformer_efficiency
            cooling_design = cool.power_design_kw / e.transformer_efficiency
            pue = np.where(it > 0, (it_in + cooling_annual + misc) / np.where(it > 0, it, 1),
                           1.0)
            below = np.zeros_like(it, bool)
        else:
            # The given PUE's electrical part is taken at the UPS's rated efficiency; what
            # a lighter-loaded UPS loses beyond it (redundancy) comes on top at the meter.
            pue = np.asarray(pue_given, float) * np.ones_like(it)
            implied = it * pue - it / it_chain_efficiency(e.ups_efficiency, e) - misc
            below = (implied < -1e-6) & (it > 0)
            cooling_annual = np.maximum(implied, 0.0)
            cooling_design = cooling_annual * design_ratio(liquid, air, c)
    utility = it_in + cooling_design + misc
    return {
        "it_kw": it, "liquid_racks_kw": liquid_racks, "air_racks_kw": air_racks,
        "network_kw": network, "pue": pue, "pue_below_chain": below,
        "ups_modules": ups.modules, "ups_installed_kw": ups.installed_kw,
        "ups_load_pct": 100 * ups.load_fraction, "ups_efficiency_pct": 100 * ups.efficiency,
        "chain_efficiency_pct": 100 * chain, "electrical_loss_kw": it_in - it,
        "heat_liquid_kw": liquid, "heat_air_kw": air, "cdus": cool.cdus,
        "heat_rejection_units": cool.rejection_units, "heat_rejection_kw": cool.rejection_kw,
        "cooling_annual_kw": cooling_annual, "cooling_design_kw": cooling_design,
        "misc_kw": misc, "utility_mw": utility / 1e3,
    }
