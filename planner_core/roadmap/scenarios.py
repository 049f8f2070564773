"""Scenarios over the years: each of a plan's scenarios whose timeline has options runs its
own purchase sequence, so strategies and what-ifs sit side by side as the plan's scenarios.

A scenario's sequence is its timeline's stored purchases (``timeline.purchases``: a strategy
saved as a scenario, or the chosen purchases applied to the plan and then put under a late
grid) run exactly as they are; where it stores none, the sequence chosen for it. So "Grid a
year late" with the applied purchases answers "does what we plan to buy still fit?", and a
scenario without purchases answers "what would we buy then?".
"""

from __future__ import annotations

from collections.abc import Callable

from planner_core.catalog import Catalog
from planner_core.engine.calibration import Calibration
from planner_core.plan import Plan
from planner_core.plan.edits import add_scenario, set_value
from planner_core.roadmap.search import PLANS, Strategy, choose, run_stored

#: ``Strategy.basis`` of a scenario's sequence
STORED = "its purchases"
CHOSEN = "chosen for it"


def scenario_names(plan: Plan) -> list[str]:
    """The scenarios (base first) whose timeline has options to buy."""
    out = []
    for name in plan.scenario_names():
        t = plan.variant(name).timeline
        if t is not None and t.options:
            out.append(name)
    return out


def compare(plan: Plan, catalog: Catalog, calibration: Callable[[Plan], Calibration],
            progress: Callable[[float, str], None] | None = None,
            known: dict[str, list[Strategy]] | None = None) -> list[Strategy]:
    """One strategy per scenario, named for it; ``calibration(variant)`` gives a variant's
    calibration; ``known``: scenarios already run by :func:`~planner_core.roadmap.search.
    choose` (their strategies as it returned them), not run again."""
    names = scenario_names(plan)
    out = []
    for i, name in enumerate(names):
        variant = plan.variant(name)

        def part(fraction: float, label: str, i=i, name=name) -> None:
            if progress:
                progress((i + fraction) / len(names), f"{name}: {label}")

        part(0.0, "starting")
        ran = (known or {}).get(name)
        if variant.timeline.purchases:
            stored = next((s for s in ran or [] if s.name == PLANS), None) \
                or run_stored(variant, catalog, calibration(variant))
            out.append(Strategy(name, stored.purchases, stored.run, STORED))
        else:
            chosen = (ran or choose(variant, catalog, calibration(variant), part))[0]
            out.append(Strategy(name, chosen.purchases, chosen.run, CHOSEN))
    return out


def saved_as_scenarios(plan: Plan, strategies: list[Strategy], like: str = "base") -> Plan:
    """The plan with one scenario per distinct sequence that buys something: a copy of
    ``like`` (the scenario the strategies were run for) whose timeline stores the strategy's
    purchases. The plan's own stored purchases are not copied again."""
    seen = set()
    for s in strategies:
        key = tuple((b.period, b.option, b.systems) for b in s.purchases)
        if not key or key in seen or s.name == PLANS:
            continue
        seen.add(key)
        what = "the chosen sequence" if s.name == "chosen" else s.name
        stem = what if like == "base" else f"{like}, {what}"
        plan = add_scenario(plan, like, f"Buy {stem}"[:74], description=(
            f"The roadmap's {s.name!r} sequence{'' if like == 'base' else f' for {like!r}'} "
            "stored as this scenario's purchases, run as they are when the scenarios are "
            "compared (the Roadmap tab's Compare scenarios; inference-planner roadmap "
            "--scenarios). Only the years differ: its snapshot is the base plan's."))
        name = plan.scenarios[-1].name
        plan = set_value(plan, "timeline.purchases",
                         [b.model_dump(mode="json") for b in s.purchases], name)
    return plan
