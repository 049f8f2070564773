"""A plan's timeline: periods from a start date, demand growing per workload, utility power
arriving in phases, the systems that may be bought (with a price path), a refresh policy, and
the purchases made. A plan without one is evaluated as a single snapshot, as before.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner_core.errors import FieldValueError
from planner_core.plan.names import NAME_PATTERN

#: "2026-01": a month, the start of a period or of a power phase.
YearMonth = Annotated[str, Field(pattern=r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")]
ItemName = Annotated[str, Field(min_length=1, max_length=80, pattern=NAME_PATTERN)]
MAX_YEARS = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DemandPath(_Model):
    """How one workload's peak and token lengths move from period to period."""

    workload: ItemName
    growth_per_year: float = Field(1.0, gt=0, le=100, allow_inf_nan=False, description=(
        "the peak's multiple per year (3 = triples every year); compounded per period"))
    peaks_rps: list[Annotated[float, Field(gt=0, le=1e7, allow_inf_nan=False)]] | None = Field(
        None, description="explicit peak requests/s per period; replaces the growth rate")
    input_tokens_growth_per_year: float = Field(1.0, gt=0, le=10, allow_inf_nan=False)
    output_tokens_growth_per_year: float = Field(1.0, gt=0, le=10, allow_inf_nan=False)


class PowerPhase(_Model):
    start: YearMonth
    utility_mw: float = Field(gt=0, le=100_000, allow_inf_nan=False, description=(
        "power at the utility meter available from this month on (not added to earlier "
        "phases: the site's total)"))


class Option(_Model):
    """A system the roadmap may buy, serving as a pool of the plan (its layout, engine and
    workloads) does, optionally on another system and layout."""

    # Short enough for its cohorts' pool names ("<name> <period>") to stay within 80.
    name: Annotated[str, Field(min_length=1, max_length=72,
                               pattern=NAME_PATTERN)]
    pool: ItemName = Field(description="the plan's pool it serves like")
    system: str | None = Field(None, min_length=1, max_length=100,
                               description="None = the pool's own system")
    tp: int | None = Field(None, ge=1, le=1024, description="None = the pool's layout")
    ep: int | None = Field(None, ge=1, le=1024)
    price_decline_per_year: float = Field(0.0, ge=0, lt=1, allow_inf_nan=False, description=(
        "the system's price falls by this share a year after it becomes available; 0 = "
        "the catalog's price throughout (an assumption either way)"))


class Purchase(_Model):
    period: int = Field(ge=0, le=MAX_YEARS * 4 - 1)
    option: ItemName
    systems: int = Field(ge=1, le=1_000_000)


class Timeline(_Model):
    start: YearMonth
    period: Literal["year", "quarter"] = "year"
    periods: int = Field(5, ge=1, le=MAX_YEARS * 4)
    demand: list[DemandPath] = Field(default_factory=list, max_length=500)
    power: list[PowerPhase] = Field(default_factory=list, max_length=100, description=(
        "utility power by phase; none = the site's limit (or none) throughout"))
    options: list[Option] = Field(default_factory=list, max_length=50)
    refresh: Literal["age", "earns"] = Field("age", description=(
        "age: systems retire retire_after_years after they are bought; earns: past their "
        "write-off they stay while running them costs less per request than the best "
        "option on sale would (retire_after_years, if set, is then the latest)"))
    retire_after_years: float | None = Field(None, gt=0, le=20, allow_inf_nan=False,
                                             description="None = the amortization period")
    purchases: list[Purchase] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _consistent(self) -> Timeline:
        years = self.periods / (4 if self.period == "quarter" else 1)
        if years > MAX_YEARS:
            raise FieldValueError(f"{self.periods} {self.period}s is more than {MAX_YEARS} "
                                  "years", ("periods",))
        names = [o.name for o in self.options]
        for i, n in enumerate(names):
            if n in names[:i]:
                raise FieldValueError(f"two options are named {n!r}", ("options", i, "name"))
        for i, d in enumerate(self.demand):
            if d.peaks_rps is not None and len(d.peaks_rps) != self.periods:
                raise FieldValueError(f"{len(d.peaks_rps)} peaks for {self.periods} periods",
                                      ("demand", i, "peaks_rps"))
        for i, p in enumerate(self.purchases):
            if p.option not in names:
                raise FieldValueError(f"no option named {p.option!r}",
                                      ("purchases", i, "option"))
            if p.period >= self.periods:
                raise FieldValueError(f"period {p.period} is past the last ({self.periods - 1})",
                                      ("purchases", i, "period"))
        return self
