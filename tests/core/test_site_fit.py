"""What fits a site: the most traffic within a site's provisioned power, and what binds."""

import pytest

from planner_core import PlannerError, evaluate
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif.site_fit import fits

PLAN = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())


def _at(scale, system=None):
    over = {"workloads.chat.traffic.peak_rps": 40.0 * scale}
    if system:
        over["pools.serving.system"] = system
    r = evaluate(apply_overrides(PLAN, over), scenarios=["base"])
    assert r.workloads.meets_slo.all()
    return r.kpi()


@pytest.mark.parametrize("site_mw,system", [(50.0, None), (1.0, "hgx-h200")])
def test_the_answer_fits_and_a_little_more_does_not(site_mw, system):
    r = fits(PLAN, site_mw, system=system)
    assert r.scale > 0 and r.binding.startswith("site power")
    k = _at(r.scale, system)
    assert k.facility_mw_provisioned <= site_mw
    assert k.facility_mw_provisioned == pytest.approx(r.kpis["facility_mw_provisioned"])
    assert _at(r.scale * 1.02, system).facility_mw_provisioned > site_mw
    assert r.peak_rps["chat"] == pytest.approx(40.0 * r.scale)
    assert r.output_tok_s == pytest.approx(r.peak_rps["chat"] * 400)


def test_a_site_too_small_for_one_rack_serves_nothing_and_says_why():
    r = fits(PLAN, 0.01)
    assert r.scale == 0 and "MW provisioned" in r.binding


def test_bad_requests_are_refused():
    with pytest.raises(PlannerError, match="positive"):
        fits(PLAN, 0.0)
    with pytest.raises(PlannerError, match="unknown system"):
        fits(PLAN, 10.0, system="nope")
