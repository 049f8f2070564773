"""The cooling plant: heat to liquid and to air, CDUs, heat rejection, and a derived PUE.

A liquid-cooled rack sends ``liquid_heat_share`` of its heat to its coolant and the rest to the
room's air; an air-cooled rack, the switches and the distribution losses heat the air. The
power cooling draws is a coefficient per kW of heat, by method and climate, for the year on
average and for the design day (the hottest hours, which the utility connection must carry).
The coefficients are estimates (``CLIMATES`` says where each comes from); a derived PUE says it
is one. Every function broadcasts over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner_core.plan.site import Cooling

#: kW of cooling power per kW of heat: (air, liquid) × (annual mean, design day), per climate.
#: Air: chilled-water CRAH with economiser hours; liquid: warm-water direct-to-chip loops
#: rejected by dry coolers (a trim chiller on the hottest days). Assumptions within the ranges
#: of resources/site_sources.md ("Cooling energy"): chillers with CRAHs 0.25-0.40, air with
#: economisers 0.10-0.20, warm-water liquid 0.03-0.08 (0.08-0.15 hot and humid); NREL's
#: chiller-less warm-water centre runs at PUE 1.04 [P].
CLIMATES = {
    "cool": {"air": (0.12, 0.25), "liquid": (0.03, 0.05)},
    "temperate": {"air": (0.18, 0.33), "liquid": (0.05, 0.08)},
    "hot-dry": {"air": (0.25, 0.40), "liquid": (0.07, 0.12)},
    "hot-humid": {"air": (0.32, 0.40), "liquid": (0.09, 0.15)},
}
#: Lighting, offices, security and the like, as a share of the IT load (assumption).
MISC_SHARE = 0.01


@dataclass
class CoolingPlant:
    liquid_kw: Any  # heat carried by coolant loops
    air_kw: Any  # heat carried by the room's air
    cdus: Any  # installed, spares included
    rejection_units: Any  # chillers or dry coolers, spares included
    rejection_kw: Any  # their installed capacity
    power_annual_kw: Any  # what cooling draws on average over the year
    power_design_kw: Any  # on the design day


def heat_split(liquid_rack_kw, air_rack_kw, other_air_kw, c: Cooling):
    """(heat to liquid, heat to air) in kW: liquid racks send ``liquid_heat_share`` of theirs
    to coolant; air racks and ``other_air_kw`` (switches, distribution losses) heat the air."""
    liquid = np.asarray(liquid_rack_kw, float) * c.liquid_heat_share
    air = (np.asarray(liquid_rack_kw, float) * (1 - c.liquid_heat_share)
           + np.asarray(air_rack_kw, float) + np.asarray(other_air_kw, float))
    return liquid, air


def plant(liquid_kw, air_kw, c: Cooling) -> CoolingPlant:
    liquid_kw = np.asarray(liquid_kw, float)
    air_kw = np.asarray(air_kw, float)
    cdus = np.where(liquid_kw > 0, np.ceil(liquid_kw / c.cdu_kw - 1e-9) + c.cdu_spares, 0.0)
    heat = liquid_kw + air_kw
    units = np.where(heat > 0, np.ceil(heat / c.heat_rejection_unit_kw - 1e-9)
                     + c.heat_rejection_spares, 0.0)
    k = CLIMATES[c.climate]
    annual = air_kw * k["air"][0] + liquid_kw * k["liquid"][0]
    design = air_kw * k["air"][1] + liquid_kw * k["liquid"][1]
    return CoolingPlant(liquid_kw, air_kw, cdus, units, units * c.heat_rejection_unit_kw,
                        annual, design)


def design_ratio(liquid_kw, air_kw, c: Cooling):
    """The design day's cooling power over the year's mean for this mix of heat."""
    p = plant(liquid_kw, air_kw, c)
    return np.where(p.power_annual_kw > 0, p.power_design_kw / np.where(
        p.power_annual_kw > 0, p.power_annual_kw, 1.0), 1.0)
