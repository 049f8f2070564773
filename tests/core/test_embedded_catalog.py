"""A plan carries the entries of your catalog files it uses: saved with them, it opens and
evaluates to the same figures without those files; built-in entries are never copied in."""

import json

import pytest

from planner_core import PlannerError, evaluate, load_catalog, read_plan
from planner_core.plan import plan_to_json
from planner_core.plan.embedded import EMBEDDED, embed, used_ids, with_embedded
from planner_core.plan.storage import write_plan
from planner_core.resources import resource_path


@pytest.fixture
def mine(tmp_path):
    builtin = load_catalog()
    model = builtin.model("llama-3.1-70b").model_dump(mode="json", exclude_none=True)
    model.update(id="acme-70b", name="ACME 70B", aliases=[])
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"models": [model],
                                "systems": {"hgx-h200": {"price_usd": 300000}}}))
    return load_catalog([path])


@pytest.fixture
def plan_file(tmp_path):
    data = json.loads(resource_path("examples", "llama70b-chat.json").read_text())
    data["workloads"][0]["model"] = "acme-70b"
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(data))
    return path


def test_a_saved_plan_opens_and_evaluates_the_same_without_the_files(mine, plan_file, tmp_path):
    with pytest.raises(PlannerError, match="unknown model id 'acme-70b'"):
        read_plan(plan_file, load_catalog())
    plan = read_plan(plan_file, mine)
    assert used_ids(plan)["systems"] >= {"gb200-nvl72", "hgx-h200", "groq-rack"}
    carried = embed(plan, mine)
    # Only what is not built in: the user's model and the built-in system they changed.
    assert [m.id for m in carried.embedded_catalog.models] == ["acme-70b"]
    assert [s.id for s in carried.embedded_catalog.systems] == ["hgx-h200"]
    assert carried.embedded_catalog.accelerators == []
    mailed = tmp_path / "mailed.json"
    write_plan(mailed, carried, backup=False)
    elsewhere = read_plan(mailed, load_catalog())  # no user files on this machine
    assert elsewhere.embedded_catalog == carried.embedded_catalog
    there, here = evaluate(elsewhere, load_catalog()), evaluate(plan, mine)
    assert there.kpis.to_dict() == here.kpis.to_dict()
    assert evaluate(elsewhere, load_catalog()).kpi("HGX H200").capex_usd == \
        here.kpi("HGX H200").capex_usd
    laid = with_embedded(elsewhere, load_catalog())
    assert laid.origin["acme-70b"] == EMBEDDED
    assert with_embedded(elsewhere, load_catalog()) is laid  # built once per entries
    assert load_catalog().origin["hgx-h200"] == "built-in"  # the built-in catalog untouched


def test_a_plan_on_built_in_entries_carries_nothing():
    catalog = load_catalog()
    plan = read_plan(resource_path("examples", "llama70b-chat.json"), catalog)
    assert embed(plan, catalog) is plan
    assert '"embedded_catalog": null' in plan_to_json(plan)
