"""A user catalog changes one field of an entry without copying it: entries keyed by id are
laid over the entry already loaded; a plain number becomes the user's own sourced figure."""

import json

import pytest

from planner_core import PlannerError, load_catalog


def _file(tmp_path, data, bom: bool = False):
    path = tmp_path / "mine.json"
    text = json.dumps(data)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def test_one_field_changes_and_the_rest_stays(tmp_path):
    builtin = load_catalog().system("hgx-h200")
    cat = load_catalog([_file(tmp_path, {"systems": {"hgx-h200": {"price_usd": 300000}}})])
    mine = cat.system("hgx-h200")
    assert mine.price_usd.value == 300000
    assert mine.price_usd.grade == "assumption" and "mine.json" in mine.price_usd.source
    assert mine.host_power_w == builtin.host_power_w and mine.name == builtin.name
    assert cat.origin["hgx-h200"].endswith("mine.json")
    assert load_catalog().system("hgx-h200").price_usd == builtin.price_usd  # untouched


def test_a_sourced_figure_keeps_its_source_and_nested_fields_merge(tmp_path):
    cat = load_catalog([_file(tmp_path, {"accelerators": {"h200-sxm-141gb": {
        "tdp_w": {"value": 650, "source": "our lab", "grade": "P"},
        "dense_tflops": {"fp8": 2000}}}}, bom=True)])
    acc = cat.accelerator("h200-sxm-141gb")
    assert (acc.tdp_w.value, acc.tdp_w.source, acc.tdp_w.grade) == (650, "our lab", "P")
    assert acc.dense_tflops["fp8"].value == 2000
    assert acc.dense_tflops["bf16"] == load_catalog().accelerator(
        "h200-sxm-141gb").dense_tflops["bf16"]


def test_a_new_id_must_be_whole_and_bad_values_are_named(tmp_path):
    with pytest.raises(PlannerError, match="params_b"):
        load_catalog([_file(tmp_path, {"models": {"my-model": {"name": "Mine"}}})])
    with pytest.raises(PlannerError, match="price_usd"):
        load_catalog([_file(tmp_path, {"systems": {"hgx-h200": {"price_usd": "cheap"}}})])


def test_a_bad_figure_is_named_by_its_entrys_id_not_its_place(tmp_path):
    """Keyed or listed, the message names the entry as an override would: systems.ID.field."""
    with pytest.raises(PlannerError) as keyed:
        load_catalog([_file(tmp_path, {"systems": {"hgx-h200": {"price_usd": -5}}})])
    assert "systems.hgx-h200.price_usd" in str(keyed.value)
    whole = load_catalog().system("hgx-h100").model_dump(mode="json", exclude_none=True)
    whole.update(id="my-box", host_power_w={"value": -1, "source": "x", "grade": "S"})
    with pytest.raises(PlannerError) as listed:
        load_catalog([_file(tmp_path, {"systems": [whole]})])
    assert "systems.my-box.host_power_w" in str(listed.value)
    assert "systems.[" not in str(listed.value) and "systems[" not in str(listed.value)
