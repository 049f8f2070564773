"""What fits a site: the most traffic within a site's utility power and limits, and what binds."""

import pytest

from planner_core import PlannerError, evaluate
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif.site_fit import fits

# The example without its halls and limits: the site's power alone binds.
PLAN = apply_overrides(plan_from_json(resource_path("examples", "llama70b-chat.json").read_text()),
                       {"site.floor.halls": [], "site.limits.utility_mw": None})


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
    assert k.utility_mw <= site_mw
    assert k.utility_mw == pytest.approx(r.kpis["utility_mw"])
    assert _at(r.scale * 1.02, system).utility_mw > site_mw
    assert r.peak_rps["chat"] == pytest.approx(40.0 * r.scale)
    assert r.output_tok_s == pytest.approx(r.peak_rps["chat"] * 400)


def test_a_site_too_small_for_one_rack_serves_nothing_and_says_why():
    r = fits(PLAN, 0.01)
    assert r.scale == 0 and "MW at the utility meter" in r.binding


def test_the_plans_own_limits_bind_when_tighter():
    plan = apply_overrides(PLAN, {"site.limits.it_mw": 1.0, "site.limits.utility_mw": 50.0})
    r = fits(plan)  # the utility limit from the plan itself
    assert r.site_mw == 50.0 and r.binding.startswith("IT load")
    assert r.kpis["it_kw_provisioned"] <= 1000.0
    with pytest.raises(PlannerError, match="site.limits.utility_mw"):
        fits(PLAN)


def test_the_plans_halls_bind_when_they_run_out_of_positions():
    example = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    r = fits(example, 50.0, system="hgx-h200")
    assert r.binding.startswith("floor: 49 compute racks")
    assert r.kpis["racks"] <= 48


def test_bad_requests_are_refused():
    with pytest.raises(PlannerError, match="positive"):
        fits(PLAN, 0.0)
    with pytest.raises(PlannerError, match="unknown system"):
        fits(PLAN, 10.0, system="nope")
