"""The scale-out fabric of one pool: a rail-optimised fat tree of leaf, spine and core switches.

Every system's scale-out ports go to leaf switches (rail-optimised: port *n* of every system
goes to the rail-*n* leaf, which changes which leaf, not how many). A leaf gives
``o / (1 + o)`` of its bandwidth to systems and the rest to spines, ``o`` being the
oversubscription. Two tiers serve up to ``k`` leaves (each spine reaches every leaf); beyond
that, spines become a pod-level aggregation layer with half their ports up to a core layer.

Optics: links between switches are optical at both ends; a system's link has a transceiver at
the system (its power is in the system's own rating, its price is not in the system's) and a
share of a switch port at the leaf (a 2 x 400G module serves two 400 Gb/s system ports).

Every function broadcasts over numpy arrays (a sweep's or optimize's stacked pools).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from planner_core.plan.site import Fabric


@dataclass
class FabricCount:
    """One pool's fabric; every field may be an array."""

    endpoints: Any  # system ports
    tiers: Any  # 0 (no fabric), 1, 2 or 3; 4 = beyond what three tiers of this switch reach
    leaves: Any
    spines: Any  # the second tier (aggregation, in three tiers)
    cores: Any
    links: Any  # cables: system-to-leaf plus switch-to-switch
    transceivers: Any
    watts: Any  # switches and their optics (the systems' own transceivers excluded)
    usd: Any  # switches, every transceiver, cables

    @property
    def switches(self):
        return self.leaves + self.spines + self.cores


def fat_tree(systems, ports_per_system, port_gbps, fab: Fabric | SimpleNamespace
             ) -> FabricCount:
    """The switches, optics, power and price of a fat tree for ``systems`` systems of
    ``ports_per_system`` ports at ``port_gbps``."""
    s = np.maximum(np.asarray(port_gbps, float), 1e-9)
    k = float(fab.switch_ports)
    big = float(fab.switch_port_gbps)
    o = np.asarray(fab.oversubscription, float)
    e = np.asarray(systems, float) * ports_per_system
    # Systems' ports per leaf, and the switch ports a leaf needs upward for them.
    per_leaf = np.maximum(np.floor(k * big * o / (1 + o) / s), 1.0)
    single = e * s <= k * big  # one switch takes every port: no uplinks at all
    leaves = np.where(e > 0, np.where(single, 1.0, np.ceil(e / per_leaf)), 0.0)
    up = np.where(single, 0.0, np.ceil(per_leaf * s / o / big))
    two = leaves <= k
    spines = np.where(two, np.ceil(leaves * up / k), np.ceil(leaves * up / (k / 2)))
    cores = np.where(two, 0.0, np.ceil(spines / 2))
    tiers = np.where(e <= 0, 0.0, np.where(single, 1.0, np.where(two, 2.0, np.where(
        leaves <= k * k / 2, 3.0, 4.0))))
    switch_links = leaves * up + np.where(two, 0.0, spines * k / 2)
    leaf_modules = np.ceil(e * s / big)  # switch-side modules for the systems' links
    w_100g = fab.dsp_w_per_100g if fab.optics == "dsp" else fab.linear_w_per_100g
    watts = ((leaves + spines + cores) * fab.switch_w
             + (leaf_modules + 2 * switch_links) * w_100g * big / 100)
    transceivers = e + leaf_modules + 2 * switch_links
    usd = ((leaves + spines + cores) * fab.switch_usd
           + (e * s + (leaf_modules + 2 * switch_links) * big) / 100
           * fab.transceiver_usd_per_100g + (e + switch_links) * fab.cable_usd)
    return FabricCount(e, tiers, leaves, spines, cores, e + switch_links, transceivers,
                       watts, usd)


#: Fabric figures a sweep may give as arrays (planner_core.whatif.numeric_inputs).
SWEPT = ("switch_usd", "transceiver_usd_per_100g", "switch_w", "oversubscription")


def swept_fabric(fab: Fabric, inputs) -> Fabric | SimpleNamespace:
    """``fab`` with the figures ``inputs`` (the sizing's Inputs) replaces by arrays."""
    values = {k: inputs.value(f"site.fabric.{k}", getattr(fab, k)) for k in SWEPT}
    if all(values[k] is getattr(fab, k) for k in SWEPT):
        return fab
    return SimpleNamespace(**{**fab.model_dump(), **values})


def network_per_system(systems, ports_per_system, port_gbps, systems_usd,
                       fab: Fabric | SimpleNamespace):
    """(W per system, the pool's network CapEx in USD, its FabricCount or None for the flat
    figures)."""
    n = np.asarray(systems, float)
    if fab.design == "flat":
        return (fab.flat_w_per_system * np.ones_like(n),
                np.asarray(systems_usd, float) * fab.flat_capex_pct / 100, None)
    count = fat_tree(n, ports_per_system, port_gbps, fab)
    per = np.where(n > 0, count.watts / np.where(n > 0, n, 1.0), 0.0)
    return per, count.usd, count
