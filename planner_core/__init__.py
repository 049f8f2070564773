"""Inference Planner's planning core: catalog, plan model and engine, free of Qt.

The rooms, lowest first (an import runs only downwards; ``lint-imports`` checks it):

- ``catalog/``  hardware and model entries with their sources, user catalog overlays, MIG rules
- ``plan/``     the plan model, scenarios and overrides, edits, migrations, plan files
- ``engine/``   memory, step times, serving, sizing, power and cost, the one KPI roll-up
- ``evidence/`` measurement cases, the calibration fit, validation     (beside ``whatif/``)
- ``whatif/``   many values at once, sweeps, optimize, sensitivity, uncertainty
- ``exports/``  results written by the core (CSV)

plus ``errors``, ``files``, ``json_lines`` and ``resources``, which every room may use.

The names below are the core's public face for the app and the tests. They load on first use,
so ``import planner_core`` alone (for ``__version__``) loads neither numpy nor pandas; modules
inside the core import from their rooms, never from here. (``planner_core.evaluate`` is the
function; the module is ``planner_core.engine.evaluate``.)
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: name -> module that defines it
_PUBLIC = {
    "PlannerError": "planner_core.errors",
    "Catalog": "planner_core.catalog",
    "load_catalog": "planner_core.catalog",
    "Plan": "planner_core.plan",
    "read_plan": "planner_core.plan.storage",
    "write_plan": "planner_core.plan.storage",
    "Calibration": "planner_core.engine.calibration",
    "default_calibration": "planner_core.engine.calibration",
    "Results": "planner_core.engine.evaluate",
    "evaluate": "planner_core.engine.evaluate",
    "evaluate_scenario": "planner_core.engine.evaluate",
    "merge_results": "planner_core.engine.evaluate",
    "evaluate_many": "planner_core.whatif.evaluate_many",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'planner_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
