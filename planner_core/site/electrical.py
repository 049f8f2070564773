"""The electrical chain from the utility's meter to the racks, and what redundancy costs.

IT load passes a transformer, a double-conversion UPS and the distribution (PDUs, busway);
cooling and the rest of the building pass the transformer only. Redundancy decides how many
UPS modules are installed for the load and so how lightly each runs: a UPS loses a fixed share
of its rating whatever the load, so a 2N system at 40% load loses more per kW served than an N
system at 90%. Every function broadcasts over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from planner_core.plan.site import Electrical

#: A UPS's loss at no load, as a share of its rating: the part of its loss that does not fall
#: with load. Assumption, chosen so that a UPS of 96.8% at full load keeps about 94% at a
#: quarter load, as double-conversion UPSs do (above 92% at 25% load [S]).
UPS_NO_LOAD_LOSS = 0.009

#: Per redundancy scheme: (independent UPS systems, systems whose capacity carries the load).
#: N+1 adds one module within one system instead (:func:`ups_plant`).
SCHEMES = {"N": (1, 1), "N+1": (1, 1), "2N": (2, 1), "DR": (4, 3)}


@dataclass
class UpsPlant:
    modules: Any  # installed UPS modules
    installed_kw: Any
    load_fraction: Any  # of each running module's rating, in normal operation
    efficiency: Any


def ups_plant(it_kw, e: Electrical) -> UpsPlant:
    """The UPS modules ``e.redundancy`` installs for ``it_kw`` of IT load, and how each runs
    when every system draws its rating. Modules are matched to the load (the fewest of at
    most ``ups_module_kw`` each that carry it), so N runs them fully loaded, N+1 with n
    modules at n/(n+1), 2N at half and DR (4 carrying 3) at three quarters."""
    it = np.asarray(it_kw, float)
    systems, carrying = SCHEMES[e.redundancy]
    share = it / carrying  # what each system must carry when only ``carrying`` of them run
    n = np.maximum(np.ceil(share / e.ups_module_kw - 1e-9), 1.0)
    rating = share / n
    per_system = n + 1 if e.redundancy == "N+1" else n
    modules = np.where(it > 0, per_system * systems, 0.0)
    installed = modules * rating
    load = np.where(installed > 0, it / np.where(installed > 0, installed, 1.0), 0.0)
    return UpsPlant(modules, installed, load, ups_efficiency(load, e.ups_efficiency))


def ups_efficiency(load_fraction, full_load_efficiency):
    """A double-conversion UPS's efficiency at ``load_fraction`` of its rating: a fixed loss
    (UPS_NO_LOAD_LOSS of the rating) plus a loss proportional to the load, which together
    give ``full_load_efficiency`` at full load."""
    x = np.maximum(np.asarray(load_fraction, float), 1e-6)
    loss_full = 1.0 / full_load_efficiency - 1.0  # per kW out, at full load
    fixed = min(UPS_NO_LOAD_LOSS, loss_full)
    return x / (x + fixed + (loss_full - fixed) * x)


def it_chain_efficiency(ups_eff, e: Electrical):
    """Meter to rack for the IT load: transformer, UPS, distribution."""
    return e.transformer_efficiency * np.asarray(ups_eff, float) * e.distribution_efficiency
