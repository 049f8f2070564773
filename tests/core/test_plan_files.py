"""Plan files on disk: every kind of bad input gives one clear PlannerError naming the file, the
field and (where the format allows) the line; migrations; atomic saves with a .bak; recovery.
"""

from __future__ import annotations

import copy
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from planner_core import PlannerError, files
from planner_core.plan import MAX_ITEMS, MAX_TEXT, SCHEMA_VERSION, Plan, apply_overrides
from planner_core.plan.recovery import read_recovery, write_recovery
from planner_core.plan.storage import MAX_PLAN_BYTES, read_plan, write_plan
from planner_core.resources import resource_path

EXAMPLE = resource_path("examples", "llama70b-chat.json")
EXAMPLES = sorted(resource_path("examples").glob("*.json"))


# -- helpers ------------------------------------------------------------------------------------
@pytest.fixture
def data() -> dict:
    """The first example as a dict (read afresh: others may be editing its notes)."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def pretty(data: dict) -> str:
    """Pretty-printed JSON, one field per line, so tests know each field's line."""
    return json.dumps(data, indent=2) + "\n"


def line_of(text: str, needle: str, after: str | None = None) -> int:
    """The 1-based line holding ``needle`` (the first one after ``after``, if given)."""
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def write(tmp_path: Path, content: str | bytes, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def refused(path: Path, catalog=None) -> PlannerError:
    """The error reading ``path`` raises; reading never changes the file."""
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(PlannerError) as info:
        read_plan(path, catalog)
    if before is not None:
        assert path.read_bytes() == before
    message = str(info.value)
    message.encode("utf-8")  # printable: no lone surrogates
    return info.value


def assert_names(err: PlannerError, path: Path, *needles: str, line: int | None = None) -> None:
    message = str(err)
    assert str(path) in message, message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    if line is not None:
        assert f"line {line}" in message, f"line {line} not in {message!r}"
        assert err.line == line


def names(data: dict) -> tuple[str, str]:
    """The first workload's and the first pool's names."""
    return data["workloads"][0]["name"], data["pools"][0]["name"]


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# -- bad input, kind by kind --------------------------------------------------------------------
def test_invalid_json_names_file_and_line(tmp_path, data, catalog):
    text = pretty(data)
    model_line = line_of(text, '"model":')
    lines = text.splitlines(keepends=True)
    lines[model_line - 1] = lines[model_line - 1].replace(",", "", 1)  # drop the comma
    path = write(tmp_path, "".join(lines))
    err = refused(path, catalog)
    # json reports a missing comma where the next field starts: the following line.
    assert_names(err, path, "not valid JSON", f"line {model_line + 1}", "comma is missing")


def test_wrong_type_names_field_and_line(tmp_path, data, catalog):
    workload, _ = names(data)
    data["workloads"][0]["traffic"]["peak_rps"] = "lots"
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"workloads.{workload}.traffic.peak_rps", "valid number",
                 "'lots'", line=line_of(text, '"peak_rps"'))
    assert err.field == f"workloads.{workload}.traffic.peak_rps"


@pytest.mark.parametrize("field,value", [
    ("count", [1, 2]), ("workloads", "chat"), ("layout", 8), ("serving", "sideways")])
def test_wrong_type_in_a_pool(tmp_path, data, catalog, field, value):
    _, pool = names(data)
    data["pools"][0][field] = value
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"pools.{pool}.{field}", line=line_of(text, f'"{field}":',
                                                                   after='"pools"'))


def test_unknown_system_id_names_field_and_line(tmp_path, data, catalog):
    _, pool = names(data)
    data["pools"][0]["system"] = "hgx-h900"
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"pools.{pool}.system", "unknown system id 'hgx-h900'",
                 line=line_of(text, '"hgx-h900"'))


def test_unknown_model_id_names_field_and_line(tmp_path, data, catalog):
    workload, _ = names(data)
    data["workloads"][0]["model"] = "gpt-17"
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"workloads.{workload}.model", "unknown model id 'gpt-17'",
                 line=line_of(text, '"gpt-17"'))


def test_unknown_id_in_a_scenario_names_the_override(tmp_path, data, catalog):
    _, pool = names(data)
    data["scenarios"] = [{"name": "Other hardware",
                          "overrides": {f"pools.{pool}.system": "hgx-h900"}}]
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"scenarios.Other hardware.overrides.pools.{pool}.system",
                 "unknown system id 'hgx-h900'", line=line_of(text, '"hgx-h900"'))


def test_misspelt_field_names_field_and_line(tmp_path, data, catalog):
    _, pool = names(data)
    data["pools"][0]["redundnacy"] = 2
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"pools.{pool}.redundnacy", "not a field",
                 line=line_of(text, '"redundnacy"'))


def test_missing_field_is_named(tmp_path, data, catalog):
    workload, _ = names(data)
    del data["workloads"][0]["traffic"]["peak_rps"]
    path = write(tmp_path, pretty(data))
    err = refused(path, catalog)
    assert_names(err, path, f"workloads.{workload}.traffic.peak_rps", "missing")


@pytest.mark.parametrize("where,value,needle", [
    (("pools", 0, "count"), -3, "greater than or equal to 0"),
    (("workloads", 0, "traffic", "peak_rps"), -1.0, "greater than 0"),
    (("workloads", 0, "input_tokens", "mean"), -5, "greater than 0"),
    (("facility", "electricity_usd_per_kwh"), -0.1, "greater than or equal to 0"),
    (("pools", 0, "layout", "tp"), 0, "greater than or equal to 1"),
])
def test_negative_or_zero_numbers_are_refused(tmp_path, data, catalog, where, value, needle):
    node = data
    for part in where[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[where[-1]] = value
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, needle, f"(got {value!r})")
    assert err.field.endswith(where[-1])
    assert err.line == line_of(text, f'"{where[-1]}": {json.dumps(value)}')


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["peak_rps", "pue"])
def test_nan_and_infinity_are_refused(tmp_path, data, catalog, literal, field):
    if field == "pue":
        data["facility"]["pue"] = 1.3
    else:
        data["workloads"][0]["traffic"]["peak_rps"] = 40.0
    text = pretty(data)
    old = '"pue": 1.3' if field == "pue" else '"peak_rps": 40.0'
    text = text.replace(old, f'"{field}": {literal}', 1)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, field, "finite number", line=line_of(text, literal))


def test_absurd_value_is_refused(tmp_path, data, catalog):
    data["workloads"][0]["input_tokens"]["mean"] = 10**30
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "input_tokens.mean", "less than or equal to",
                 line=line_of(text, str(10**30)))


def test_number_with_thousands_of_digits_is_refused(tmp_path, data, catalog):
    data["pools"][0]["count"] = 7
    text = pretty(data).replace('"count": 7', '"count": ' + "9" * 5000, 1)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "digits", line=line_of(text, '"count"'))


def test_too_many_items_are_refused(tmp_path, data, catalog):
    workload = data["workloads"][0]
    data["workloads"] = [dict(workload, name=f"w{i}") for i in range(MAX_ITEMS + 1)]
    data["pools"][0]["workloads"] = [w["name"] for w in data["workloads"]]
    path = write(tmp_path, pretty(data))
    err = refused(path, catalog)
    assert_names(err, path, "workloads", f"at most {MAX_ITEMS}")


def test_too_long_text_is_refused(tmp_path, data, catalog):
    data["notes"] = "x" * (MAX_TEXT + 1)
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "notes", line=line_of(text, '"notes"'))


def test_file_too_big_is_refused_without_reading_it(tmp_path, catalog):
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(MAX_PLAN_BYTES + 1)  # sparse: no disk space used
    err = refused(path, catalog)
    assert_names(err, path, "MB")


def test_deep_nesting_is_refused(tmp_path, catalog):
    path = write(tmp_path, '{"format": "inference-planner-plan", "x": '
                 + "[" * 100_000 + "]" * 100_000 + "}")
    assert_names(refused(path, catalog), path, "nested too deeply")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.1])
def test_truncated_file_is_refused(tmp_path, catalog, keep):
    text = EXAMPLE.read_text(encoding="utf-8")
    cut = text[: int(len(text) * keep)]
    path = write(tmp_path, cut)
    err = refused(path, catalog)
    assert_names(err, path, "not valid JSON", "cut short",
                 f"line {cut.count(chr(10)) + 1}")  # the last line


def test_empty_file_is_refused(tmp_path, catalog):
    path = write(tmp_path, "  \n")
    assert_names(refused(path, catalog), path, "empty")


def test_binary_file_is_refused(tmp_path, catalog):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)), "plan.json")
    assert_names(refused(path, catalog), path, "binary")


def test_utf16_file_is_refused(tmp_path, catalog):
    path = write(tmp_path, EXAMPLE.read_text(encoding="utf-8").encode("utf-16"))
    assert_names(refused(path, catalog), path)


def test_text_that_is_not_utf8_names_the_line(tmp_path, data, catalog):
    data["notes"] = "Électricité"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    path = write(tmp_path, text.encode("latin-1"))
    err = refused(path, catalog)
    assert_names(err, path, "not UTF-8", f"line {line_of(text, 'notes')}")


def test_utf8_byte_order_mark_is_accepted(tmp_path, catalog):
    raw = EXAMPLE.read_bytes()
    path = write(tmp_path, b"\xef\xbb\xbf" + raw)
    assert read_plan(path, catalog) == read_plan(EXAMPLE, catalog)


def test_lone_surrogate_in_a_name_gives_a_printable_message(tmp_path, data, catalog):
    data["pools"][0]["name"] = "serving\ud800"
    path = write(tmp_path, json.dumps(data, indent=2))  # ensure_ascii: written as \ud800
    err = refused(path, catalog)
    assert_names(err, path, "name", "\\ud800")


def test_a_folder_given_as_a_file(tmp_path, catalog):
    folder = tmp_path / "plans.json"
    folder.mkdir()
    assert_names(refused(folder, catalog), folder, "folder")


def test_a_missing_file(tmp_path, catalog):
    path = tmp_path / "gone.json"
    assert_names(refused(path, catalog), path, "no such file")


# -- references and scenarios ------------------------------------------------------------------
def test_scenario_override_with_a_bad_value_names_the_override_and_line(tmp_path, data,
                                                                        catalog):
    _, pool = names(data)
    data["scenarios"] = [{"name": "Shrink", "overrides": {f"pools.{pool}.count": -5}}]
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"scenarios.Shrink.overrides.pools.{pool}.count",
                 "greater than or equal to 0", "(got -5)", line=line_of(text, '.count": -5'))


def test_scenario_override_to_nothing_is_refused_without_a_catalog(tmp_path, data):
    data["scenarios"] = [{"name": "Ghost", "overrides": {"pools.ghost.count": 2}}]
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path)  # every scenario is checked even without a catalog
    assert_names(err, path, "scenarios.Ghost.overrides.pools.ghost.count",
                 "no item named 'ghost'", line=line_of(text, "pools.ghost.count"))


def test_duplicate_names_are_refused_with_field_and_line(tmp_path, data, catalog):
    _, pool = names(data)
    data["pools"].append(copy.deepcopy(data["pools"][0]))
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    second = [i + 1 for i, line in enumerate(text.splitlines())
              if f'"name": "{pool}"' in line][1]
    assert_names(err, path, f"pools.{pool}.name", f"two pools are named '{pool}'",
                 line=second)


def test_pool_serving_an_unknown_workload_names_field_and_line(tmp_path, data, catalog):
    _, pool = names(data)
    data["pools"][0]["workloads"] = ["ghost"]
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, f"pools.{pool}.workloads[0]", "unknown workload 'ghost'",
                 line=line_of(text, '"ghost"'))


def test_scenario_named_base_is_refused(tmp_path, data, catalog):
    data["scenarios"] = [{"name": "base", "overrides": {"facility.pue": 1.5}}]
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "scenarios.base.name", "another name",
                 line=line_of(text, '"name": "base"'))


def test_a_dot_in_a_name_is_explained(tmp_path, data, catalog):
    data["pools"][0]["name"] = "rack.1"
    data["scenarios"] = []
    path = write(tmp_path, pretty(data))
    err = refused(path, catalog)
    assert_names(err, path, "name", "must not contain a dot")


# -- format and versions -----------------------------------------------------------------------
def v1(data: dict, overrides: dict) -> dict:
    data = copy.deepcopy(data)
    data["schema_version"] = 1
    data["scenarios"] = [{"name": "Bigger", "overrides": overrides}]
    return data


def test_v1_index_override_is_renamed_to_the_item_name(tmp_path, data, catalog):
    workload, pool = names(data)
    path = write(tmp_path, pretty(v1(data, {"pools.0.count": 5,
                                            "workloads.0.traffic.peak_rps": 80.0})))
    plan = read_plan(path, catalog)
    assert plan.schema_version == SCHEMA_VERSION == 7
    assert plan.scenario("Bigger").overrides == {
        f"pools.{pool}.count": 5, f"workloads.{workload}.traffic.peak_rps": 80.0}
    bigger = plan.variant("Bigger")
    assert bigger.pools[0].count == 5 and bigger.workloads[0].traffic.peak_rps == 80.0
    # Saved again, it is a file of the current schema that reads back the same.
    write_plan(tmp_path / "saved.json", plan)
    saved = json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))
    assert saved["schema_version"] == SCHEMA_VERSION
    assert read_plan(tmp_path / "saved.json", catalog) == plan


def test_v1_name_override_loads_unchanged(tmp_path, data, catalog):
    _, pool = names(data)
    overrides = {f"pools.{pool}.count": 5, "facility.pue": 1.5}
    plan = read_plan(write(tmp_path, pretty(v1(data, overrides))), catalog)
    assert plan.schema_version == SCHEMA_VERSION
    assert plan.scenario("Bigger").overrides == overrides
    as_v2 = v1(data, overrides)
    as_v2["schema_version"] = 2
    assert plan == read_plan(write(tmp_path, pretty(as_v2), "v2.json"), catalog)


def test_v1_index_past_the_end_is_refused(tmp_path, data, catalog):
    path = write(tmp_path, pretty(v1(data, {"pools.3.count": 5})))
    err = refused(path, catalog)
    assert_names(err, path, "scenarios.Bigger.overrides", "'pools.3.count'", "item 3")


def test_v1_index_and_name_for_the_same_field_with_different_values(tmp_path, data, catalog):
    _, pool = names(data)
    path = write(tmp_path, pretty(v1(data, {"pools.0.count": 5, f"pools.{pool}.count": 6})))
    err = refused(path, catalog)
    assert_names(err, path, "scenarios.Bigger.overrides", "same field")


def test_v2_file_with_no_batch_cap_loads_with_the_default(tmp_path, data, catalog):
    data["schema_version"] = 2
    plan = read_plan(write(tmp_path, pretty(data)), catalog)
    assert plan.schema_version == SCHEMA_VERSION
    assert all(p.layout.max_batch is None for p in plan.pools)


def test_a_batch_cap_round_trips_and_caps_the_batch(tmp_path, data, catalog):
    from planner_core.engine.evaluate import evaluate

    _, pool = names(data)
    plan = Plan.model_validate(data)
    capped = apply_overrides(plan, {f"pools.{pool}.layout.max_batch": 4})
    write_plan(tmp_path / "capped.json", capped)
    assert read_plan(tmp_path / "capped.json", catalog) == capped
    free = evaluate(plan, catalog).workloads["max_batch"].max()
    four = evaluate(capped, catalog).workloads["max_batch"].max()
    assert four <= 4 < free


def test_newer_schema_version_is_refused(tmp_path, data, catalog):
    data["schema_version"] = SCHEMA_VERSION + 1
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "schema_version", "newer", "Update Inference Planner",
                 line=line_of(text, '"schema_version"'))


def test_missing_schema_version_is_refused(tmp_path, data, catalog):
    del data["schema_version"]
    path = write(tmp_path, pretty(data))
    err = refused(path, catalog)
    assert_names(err, path, "schema_version", "missing")


@pytest.mark.parametrize("value", ["2", 2.5, 2.0, True, None, [2]])
def test_non_integer_schema_version_is_refused(tmp_path, data, catalog, value):
    data["schema_version"] = value
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "schema_version", "whole number",
                 line=line_of(text, '"schema_version"'))


def test_schema_version_older_than_any_release_is_refused(tmp_path, data, catalog):
    data["schema_version"] = 0
    path = write(tmp_path, pretty(data))
    assert_names(refused(path, catalog), path, "schema_version", "older")


@pytest.mark.parametrize("value", ["inference-planner-catalog", "", None, 5])
def test_a_file_that_is_not_a_plan(tmp_path, data, catalog, value):
    data["format"] = value
    text = pretty(data)
    path = write(tmp_path, text)
    err = refused(path, catalog)
    assert_names(err, path, "format", "not an Inference Planner plan",
                 line=line_of(text, '"format"'))


def test_a_file_without_a_format(tmp_path, data, catalog):
    del data["format"]
    path = write(tmp_path, pretty(data))
    assert_names(refused(path, catalog), path, "format", "not an Inference Planner plan")


@pytest.mark.parametrize("content", ["[1, 2]", '"a plan"', "42", "null"])
def test_json_that_is_not_an_object(tmp_path, catalog, content):
    path = write(tmp_path, content)
    assert_names(refused(path, catalog), path, "JSON object")


# -- recovery copies -----------------------------------------------------------------------------
def test_recovery_copy_round_trips(tmp_path, catalog):
    plan = read_plan(EXAMPLE, catalog)
    copy_path = tmp_path / "recovery.json"
    write_recovery(copy_path, plan, EXAMPLE)
    got = read_recovery(copy_path)
    assert got.plan == plan and got.original == EXAMPLE and got.path == copy_path
    assert abs(datetime.now(UTC) - got.saved_at) < timedelta(minutes=1)
    write_recovery(copy_path, plan, None)
    assert read_recovery(copy_path).original is None
    assert no_temporary_files(tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "binary", "format", "no plan", "bad plan",
                                    "bad scenario", "no time", "digits", "list"])
def test_damaged_recovery_copy_raises_planner_error(tmp_path, catalog, damage):
    plan = read_plan(EXAMPLE, catalog)
    copy_path = tmp_path / "recovery.json"
    write_recovery(copy_path, plan, None)
    text = copy_path.read_text(encoding="utf-8")
    envelope = json.loads(text)
    if damage == "truncate":
        text = text[: len(text) // 2]
    elif damage == "binary":
        text = text[:100] + "\0" + text[100:]
    elif damage == "format":
        envelope["format"] = "inference-planner-plan"
    elif damage == "no plan":
        del envelope["plan"]
    elif damage == "bad plan":
        envelope["plan"]["pools"][0]["count"] = -1
    elif damage == "bad scenario":
        envelope["plan"]["scenarios"] = [{"name": "x", "overrides": {"pools.ghost.count": 1}}]
    elif damage == "no time":
        envelope["saved_at"] = "yesterday"
    elif damage == "digits":
        text = text.replace('"saved_at"', '"n": ' + "9" * 5000 + ', "saved_at"', 1)
    elif damage == "list":
        text = "[]"
    if damage not in ("truncate", "binary", "digits", "list"):
        text = json.dumps(envelope)
    copy_path.write_text(text, encoding="utf-8")
    with pytest.raises(PlannerError) as info:
        read_recovery(copy_path)
    assert str(copy_path) in str(info.value)


# -- saving ---------------------------------------------------------------------------------------
@pytest.fixture
def plan(catalog) -> Plan:
    return read_plan(EXAMPLE, catalog)


@pytest.fixture
def other_plan(plan) -> Plan:
    return plan.model_copy(update={"name": "Changed plan"})


def test_write_plan_keeps_the_previous_file_as_bak(tmp_path, plan, other_plan, catalog):
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    assert not (tmp_path / "plan.json.bak").exists()  # nothing to back up the first time
    first = path.read_bytes()
    write_plan(path, other_plan)
    assert (tmp_path / "plan.json.bak").read_bytes() == first
    assert read_plan(path, catalog) == other_plan
    assert read_plan(tmp_path / "plan.json.bak", catalog) == plan
    assert no_temporary_files(tmp_path)


@pytest.mark.parametrize("blocker", ["folder", "read-only"])
def test_a_backup_that_cannot_be_written_stops_the_save(tmp_path, plan, other_plan, blocker):
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    before = path.read_bytes()
    bak = tmp_path / "plan.json.bak"
    if blocker == "folder":
        bak.mkdir()
    else:
        bak.write_text("old backup")
        bak.chmod(0o444)
    try:
        with pytest.raises(PlannerError) as info:
            write_plan(path, other_plan)
        message = str(info.value)
        assert message.startswith(f"{path}: ") and "plan.json.bak" in message
        assert "nothing was saved" in message
        assert path.read_bytes() == before
        assert no_temporary_files(tmp_path)
    finally:
        if blocker == "read-only":
            bak.chmod(0o644)


def test_write_plan_onto_a_read_only_file(tmp_path, plan, other_plan):
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    before = path.read_bytes()
    path.chmod(0o444)  # as root os.access would allow writing; the mode bits say read-only
    try:
        with pytest.raises(PlannerError) as info:
            write_plan(path, other_plan)
        assert str(path) in str(info.value) and "read-only" in str(info.value)
        assert path.read_bytes() == before
        assert not (tmp_path / "plan.json.bak").exists()
        assert no_temporary_files(tmp_path)
    finally:
        path.chmod(0o644)


def test_atomic_write_refuses_a_read_only_file_too(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("keep")
    path.chmod(stat.S_IRUSR)
    try:
        with pytest.raises(PlannerError, match="read-only"):
            files.atomic_write_bytes(path, b"new")
        assert path.read_text() == "keep"
    finally:
        path.chmod(0o644)


def test_write_plan_into_a_folder_that_does_not_exist(tmp_path, plan):
    path = tmp_path / "no-such-folder" / "plan.json"
    with pytest.raises(PlannerError) as info:
        write_plan(path, plan)
    assert str(path) in str(info.value) and "does not exist" in str(info.value)
    assert not path.parent.exists()


def test_write_plan_below_a_regular_file(tmp_path, plan):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    path = blocker / "plan.json"
    with pytest.raises(PlannerError) as info:
        write_plan(path, plan)
    assert str(path) in str(info.value) and "not a folder" in str(info.value)
    assert blocker.read_text() == "not a folder"


def test_write_plan_onto_a_folder(tmp_path, plan):
    folder = tmp_path / "plan.json"
    folder.mkdir()
    with pytest.raises(PlannerError, match="folder"):
        write_plan(folder, plan)
    assert folder.is_dir() and not list(folder.iterdir())


def test_failed_rename_leaves_the_file_untouched(tmp_path, plan, other_plan, monkeypatch):
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    before = path.read_bytes()
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == path:  # the backup goes through; the save itself fails
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PlannerError) as info:
        write_plan(path, other_plan)
    assert str(path) in str(info.value) and "No space left on device" in str(info.value)
    assert path.read_bytes() == before
    assert (tmp_path / "plan.json.bak").read_bytes() == before
    assert no_temporary_files(tmp_path)


@pytest.mark.parametrize("error", [OSError(5, "Input/output error"), OSError("no reason")])
def test_failed_fsync_leaves_the_file_untouched(tmp_path, plan, other_plan, monkeypatch,
                                                error):
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    before = path.read_bytes()

    def fsync(fd):
        raise error

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(PlannerError) as info:
        write_plan(path, other_plan)
    message = str(info.value)
    assert str(path) in message and "None" not in message
    assert path.read_bytes() == before
    assert no_temporary_files(tmp_path)


def test_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    path.write_bytes(b"old")

    def fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert no_temporary_files(tmp_path)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips(tmp_path, catalog, example):
    plan = read_plan(example, catalog)
    path = tmp_path / example.name
    write_plan(path, plan)
    again = read_plan(path, catalog)
    assert again == plan
    first = path.read_bytes()
    write_plan(path, again)
    assert path.read_bytes() == first  # saving is stable
    assert (tmp_path / (example.name + ".bak")).read_bytes() == first
