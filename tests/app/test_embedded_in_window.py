"""A plan saved from a window that has your catalog file opens in a window that has not:
the file carries the entries it uses."""

import json

from app.window.document import Document
from planner_core import load_catalog, read_plan
from planner_core.resources import resource_path


def test_a_mailed_plan_opens_in_the_window_from_the_file_alone(window, qtbot, tmp_path):
    model = load_catalog().model("llama-3.1-70b").model_dump(mode="json", exclude_none=True)
    model.update(id="acme-70b", name="ACME 70B", aliases=[])
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"models": [model]}))
    sender = load_catalog([mine])
    data = json.loads(resource_path("examples", "llama70b-chat.json").read_text())
    data["workloads"][0]["model"] = "acme-70b"
    source = tmp_path / "acme.json"
    source.write_text(json.dumps(data))
    doc = Document(sender, read_plan(source, sender))
    mailed = tmp_path / "mailed.json"
    doc.save(mailed)
    doc.shutdown()
    assert "acme-70b" in json.loads(mailed.read_text())["embedded_catalog"]["models"][0]["id"]

    assert "acme-70b" not in window.catalog.models  # the receiver has no such file
    assert window.open_plan(mailed, interactive=False)
    qtbot.waitUntil(lambda: window.document.results_complete, timeout=10000)
    assert window.document.plan.workloads[0].model == "acme-70b"
    assert "acme-70b" in window.document.catalog.models
    assert window.document.results.kpi("base").accelerators > 0
    assert window.workloads.model_box.findData("acme-70b") >= 0  # the editor offers it
