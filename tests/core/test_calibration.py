"""The engine against the published measurements it was calibrated on, and the fit itself."""

import json

from planner_core.engine.calibration import Calibration, calibration_file
from planner_core.evidence.fit import calibrate
from planner_core.evidence.validation import validate_cases
from planner_core.resources import resource_path


def test_calibration_cases_within_bounds():
    s = validate_cases(resource_path("calibration_cases.csv"))
    assert s.count == 57
    assert s.median_abs_error_pct <= 10.0, s.table.sort_values("error_pct")
    assert s.worst_abs_error_pct <= 35.0, s.worst_case


def test_calibrate_reproduces_the_shipped_fit():
    shipped = json.loads(calibration_file().read_text())
    fresh = calibrate()
    assert fresh["families"] == shipped["families"]
    assert fresh["inherited"] == shipped["inherited"]
    assert fresh["cases_sha256"] == shipped["cases_sha256"]


def test_every_catalog_family_gets_an_efficiency(catalog):
    cal = Calibration.load()
    for acc in catalog.accelerators.values():
        source = cal.source(acc.family)
        assert "fitted" in source or "inherited" in source, (acc.id, source)
