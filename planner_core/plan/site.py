"""The site around the fleet: electrical chain, cooling plant, scale-out fabric, floor, limits.

Each default names its source and grade ([P] primary, [S] secondary, [S?] weak) or says it is
an assumption; ``resources/site_sources.md`` lists the sources in full.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner_core.errors import FieldValueError
from planner_core.plan.names import NAME_PATTERN

MAX_HALLS = 50


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Electrical(_Model):
    """From the utility's meter to the racks: transformers, UPS, distribution."""

    redundancy: Literal["N", "N+1", "2N", "DR"] = Field("N+1", description=(
        "UPS and generator redundancy: N (none), N+1 (one spare module), 2N (two full "
        "paths, each at most half loaded), DR (distributed redundant, 4 systems carrying 3 "
        "systems' load, each at most 3/4 loaded). Default N+1: Uptime Tier III's minimum "
        "for capacity components [S]"))
    ups_module_kw: float = Field(1250.0, gt=0, le=10_000, allow_inf_nan=False, description=(
        "assumption: the largest UPS module (large frames are 0.5-1.6 MW); the load is "
        "shared by the fewest such modules, which decides N+1's spare share"))
    transformer_efficiency: float = Field(0.99, ge=0.9, le=1.0, allow_inf_nan=False,
                                          description=(
        "transformers between the utility and the UPS; US DOE 2016 minimums for three-phase "
        "dry-type distribution transformers are 98.94-99.28% (225-1,000 kVA, 10 CFR "
        "431.196) [P]"))
    ups_efficiency: float = Field(0.968, ge=0.8, le=1.0, allow_inf_nan=False, description=(
        "double-conversion UPS at full load: 96.8%, above 92% at a quarter load [S]; a "
        "lightly loaded UPS (2N, DR) loses more (the partial-load curve, an assumption)"))
    distribution_efficiency: float = Field(0.985, ge=0.9, le=1.0, allow_inf_nan=False,
                                           description=(
        "assumption: PDUs, busway and cabling lose 1-2% of the IT load"))
    plant_usd_per_kw: float = Field(4000.0, ge=0, le=1e5, allow_inf_nan=False, description=(
        "assumption: UPS, generators and switchgear per kW installed, ~35% of a $11.7M/MW "
        "build [S?]; an owned site pays it again for the idle capacity redundancy adds"))


class Cooling(_Model):
    """Heat to liquid and to air, the plant that rejects it, and where PUE comes from."""

    pue_source: Literal["given", "derived"] = Field("given", description=(
        "given: facility.pue as entered; derived: from the electrical chain, the cooling mix "
        "and the climate (an estimate)"))
    climate: Literal["cool", "temperate", "hot-dry", "hot-humid"] = Field(
        "temperate", description="climate preset for a derived PUE and the design day")
    liquid_heat_share: float = Field(0.85, ge=0.5, le=1.0, allow_inf_nan=False, description=(
        "share of a liquid-cooled rack's heat carried by its coolant; the rest goes to the "
        "room's air. Assumption: cold plates take 80-90% of a GPU's heat [S?]"))
    cdu_kw: float = Field(2000.0, gt=0, le=20_000, allow_inf_nan=False, description=(
        "heat one coolant distribution unit moves: 2 MW (CoolIT CHx2000; Vertiv CoolChip "
        "CDU 2300 is 2.3 MW) [S?]"))
    cdu_spares: int = Field(1, ge=0, le=100, description=(
        "spare CDUs per site: N+1 is the usual practice for AI clusters [S?]"))
    heat_rejection_unit_kw: float = Field(2000.0, gt=0, le=50_000, allow_inf_nan=False,
                                          description=(
        "assumption: one chiller or dry cooler's capacity at the design day"))
    heat_rejection_spares: int = Field(1, ge=0, le=100, description=(
        "spare chillers or dry coolers (N+1 = 1)"))


class Fabric(_Model):
    """The scale-out (back-end) network: a rail-optimised fat tree per pool. The scale-up
    domain (NVLink, Infinity Fabric) stays inside each system and its price."""

    design: Literal["fat-tree", "flat"] = Field("fat-tree", description=(
        "fat-tree: leaf, spine (and core) switches counted from each system's scale-out "
        "ports; flat: a fixed power and a share of the systems' price per system"))
    oversubscription: float = Field(1.0, ge=1.0, le=16.0, allow_inf_nan=False, description=(
        "leaf downlink : uplink bandwidth; 1 = non-blocking, as NVIDIA's DGX SuperPOD "
        "reference architectures build it (one cable per GPU per tier) [P]"))
    switch_ports: int = Field(64, ge=8, le=1024, description=(
        "ports of one switch: 64 x 800 Gb/s for a 51.2 Tb/s switch (NVIDIA Spectrum-4 "
        "SN5600, Broadcom Tomahawk 5) [P]"))
    switch_port_gbps: float = Field(800.0, gt=0, le=10_000, allow_inf_nan=False)
    switch_w: float = Field(913.0, ge=0, le=50_000, allow_inf_nan=False, description=(
        "one switch without its optics: 913 W typical for a 64 x 800G Tomahawk 5 switch "
        "(UfiSpace S9321-64E) [S]"))
    switch_usd: float = Field(150_000.0, ge=0, le=1e7, allow_inf_nan=False, description=(
        "one 64 x 800G switch: $150,000-250,000 [S?]"))
    optics: Literal["dsp", "linear"] = Field("dsp", description=(
        "pluggable optics: DSP-retimed, or linear-drive (LPO) at about half the power"))
    dsp_w_per_100g: float = Field(2.125, ge=0, le=20, allow_inf_nan=False, description=(
        "DSP optics: 17 W per 800G twin-port OSFP module (NVIDIA MMS4X00-NS) [P]"))
    linear_w_per_100g: float = Field(1.06, ge=0, le=20, allow_inf_nan=False, description=(
        "linear-drive optics: ~8.5 W per 800G module against 14-16 W with DSP [S]"))
    transceiver_usd_per_100g: float = Field(150.0, ge=0, le=10_000, allow_inf_nan=False,
                                            description=(
        "800G DR8 modules at $1,100-1,400 in volume [S?]"))
    cable_usd: float = Field(150.0, ge=0, le=10_000, allow_inf_nan=False, description=(
        "assumption: one fibre cable"))
    flat_w_per_system: float = Field(600.0, ge=0, le=1e5, allow_inf_nan=False, description=(
        "flat design only: network power per system (assumption)"))
    flat_capex_pct: float = Field(12.0, ge=0, le=100, allow_inf_nan=False, description=(
        "flat design only: network CapEx as % of the systems' price (assumption)"))


class Hall(_Model):
    name: str = Field(min_length=1, max_length=80, pattern=NAME_PATTERN)
    rows: int = Field(ge=1, le=1000)
    positions_per_row: int = Field(ge=1, le=200)
    rack_kw_limit: float | None = Field(None, gt=0, le=1000, allow_inf_nan=False,
                                        description="None = facility.rack_power_budget_kw")
    row_kw_limit: float | None = Field(None, gt=0, le=100_000, allow_inf_nan=False,
                                       description="None = no limit per row")
    rack_kg_limit: float | None = Field(None, gt=0, le=10_000, allow_inf_nan=False,
                                        description="None = no weight limit per position")


class Floor(_Model):
    halls: list[Hall] = Field(default_factory=list, max_length=MAX_HALLS, description=(
        "none = the racks are counted and their floor area estimated, not placed"))
    m2_per_position: float = Field(3.0, gt=0, le=50, allow_inf_nan=False, description=(
        "white space per rack position, aisles included: a 4.27 m (14 ft) row pitch [S] "
        "gives 2.6 m2 for a 600 mm rack, 3.4 m2 for an 800 mm one"))
    switches_per_network_rack: int = Field(16, ge=1, le=48, description=(
        "assumption: 1-2U switches with patch panels in a 42U network rack"))

    @model_validator(mode="after")
    def _unique_halls(self) -> Floor:
        seen = set()
        for i, h in enumerate(self.halls):
            if h.name in seen:
                raise FieldValueError(f"two halls are named {h.name!r}", ("halls", i, "name"))
            seen.add(h.name)
        return self


class Limits(_Model):
    """What the site offers; ``evaluate`` reports each one's headroom."""

    utility_mw: float | None = Field(None, gt=0, le=100_000, allow_inf_nan=False,
                                     description="power at the utility meter, MW")
    it_mw: float | None = Field(None, gt=0, le=100_000, allow_inf_nan=False,
                                description="critical IT load the halls are built for, MW")


class Site(_Model):
    electrical: Electrical = Field(default_factory=Electrical)
    cooling: Cooling = Field(default_factory=Cooling)
    fabric: Fabric = Field(default_factory=Fabric)
    floor: Floor = Field(default_factory=Floor)
    limits: Limits = Field(default_factory=Limits)
