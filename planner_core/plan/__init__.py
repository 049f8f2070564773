"""The plan: what the architect edits and saves.

``schema`` holds the plan model (facility, workloads, pools, scenarios and their overrides);
``edits`` the pure edits the window's undo commands wrap; ``describe`` a scenario's overrides
in words; ``migrations`` the upgrades of older files; ``storage`` reading and writing plan
files; ``recovery`` the copies of unsaved work.
It builds on the catalog and knows nothing of the engine.
"""

from planner_core.plan.describe import describe_overrides
from planner_core.plan.schema import (
    MAX_ITEMS,
    MAX_TEXT,
    PLAN_FORMAT,
    SCHEMA_VERSION,
    Facility,
    Layout,
    MigSlice,
    Plan,
    Pool,
    Scenario,
    Slo,
    Tokens,
    Traffic,
    Workload,
    apply_overrides,
    get_path,
    parse_plan,
    plan_from_dict,
    plan_from_json,
    plan_to_json,
    set_path,
)
from planner_core.plan.site import Site

__all__ = [
    "MAX_ITEMS", "MAX_TEXT", "PLAN_FORMAT", "SCHEMA_VERSION", "Facility", "Layout", "MigSlice",
    "Plan", "Pool", "Scenario", "Site", "Slo", "Tokens", "Traffic", "Workload", "apply_overrides",
    "describe_overrides", "get_path", "parse_plan", "plan_from_dict", "plan_from_json",
    "plan_to_json", "set_path",
]
