"""Fuzzing plan files: mutated example plans either load or raise PlannerError, nothing else.

Every case is derived from the example plans by mutations at two levels: the JSON structure
(keys deleted or added, values of the wrong type, absurd numbers, odd strings, lists emptied or
grown, names duplicated or broken, references renamed, overrides garbled, schema_version and
format changed) and the raw bytes (truncation, flipped, inserted or deleted bytes, NUL bytes,
invalid UTF-8, byte-order marks). Each case is written to a file and read with
``read_plan(path, catalog)``. Some of the mutants that load are also evaluated, which may only
succeed or raise PlannerError.

The run is deterministic. To explore, set ``PLANNER_FUZZ_SEED`` (any integer) and optionally
``PLANNER_FUZZ_CASES``; a failure names the seed and the case, and
``PLANNER_FUZZ_SEED=S PLANNER_FUZZ_CASE=N`` runs that one case alone.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import random
import re
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner_core import PlannerError, evaluate, read_plan
from planner_core.plan import Plan, apply_overrides
from planner_core.resources import resource_path

SEED = int(os.environ.get("PLANNER_FUZZ_SEED", "20250611"))
CASES = int(os.environ.get("PLANNER_FUZZ_CASES", "2000"))
ONLY_CASE = os.environ.get("PLANNER_FUZZ_CASE")
MIN_CASES = 1000
EVALUATE_AT_MOST = 150

EXAMPLES = sorted(resource_path("examples").glob("*.json"))

# -- values the mutations draw from -------------------------------------------------------------
NUMBERS = [-1, -0.5, -1e-9, 0, 0.0, -0.0, 1e-320, float("nan"), float("inf"), float("-inf"),
           1e308, -1e308, 1.7976931348623157e308, 10**20, 2**63, -(2**63), 10**400, 0.5, 1, 2,
           3, 7, 8, 64, 1000, 1_000_001, 2.5]
STRINGS = ["", " ", "x" * 100_001, "x" * 81, "名前 🚀 ünïcødé", "\x00", "\x01\x02\x1f",
           "line\nbreak", "tab\there", "\ud800", "\udfff lone", "a.b", ".", "..", "base",
           "0", "-1", "NaN", "null", "true", "\u202e" "rtl", "é" * 1000]
# Real catalog ids, so some mutants load and reach the engine with other hardware and models.
SYSTEMS = ["hgx-h100", "hgx-h200", "hgx-b200", "gb200-nvl72", "gb300-nvl72", "mi300x-8",
           "mi325x-8", "groq-node", "groq-rack", "cerebras-cs3-system", "tpu-v6e-8",
           "inf2-48xlarge", "no-such-system"]
MODELS = ["llama-2-7b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
          "mixtral-8x7b", "deepseek-v3", "deepseek-r1", "no-such-model"]
FIELDS = ["count", "system", "model", "layout.tp", "layout.pp", "layout.ep", "layout.chips",
          "layout.mig", "traffic.peak_rps", "traffic.profile_24h", "input_tokens.mean",
          "output_tokens.cv", "slo.ttft_p99_ms", "pue", "electricity_usd_per_kwh",
          "redundancy", "target_utilization", "serving", "prefill_share", "weight_precision",
          "kv_precision", "nonexistent"]


def _other_type(rng: random.Random, value: Any) -> Any:
    pool = [None, True, False, 0, -1, 1.5, "text", "", [], {}, [1, 2], {"a": 1}, [None],
            {"name": "x"}, "3", "1e3"]
    return rng.choice([v for v in pool if type(v) is not type(value)] or pool)


# -- walking the JSON tree ----------------------------------------------------------------------
def _nodes(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every (path, value) in the tree, the root included."""
    out = [(path, data)]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_nodes(v, path + (k,)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_nodes(v, path + (i,)))
    return out


def _set(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _pick(rng: random.Random, data: Any, want) -> tuple[tuple, Any] | None:
    found = [(p, v) for p, v in _nodes(data) if want(v)]
    return rng.choice(found) if found else None


def _named_lists(data: Any) -> list[tuple[tuple, list]]:
    return [(p, v) for p, v in _nodes(data)
            if isinstance(v, list) and v and all(isinstance(x, dict) and "name" in x for x in v)]


# -- structural mutations (each returns the new data and a short description) ------------------
def m_delete_key(rng, data):
    hit = _pick(rng, data, lambda v: isinstance(v, dict) and v)
    if hit is None:
        return data, "delete: nothing"
    path, node = hit
    key = rng.choice(list(node))
    del node[key]
    return data, f"delete {path + (key,)}"


def m_add_key(rng, data):
    hit = _pick(rng, data, lambda v: isinstance(v, dict))
    path, node = hit
    key = rng.choice(["extra", "Name", "count ", "schema_version", "x.y", "", "pools"])
    node[key] = _other_type(rng, None)
    return data, f"add {path + (key,)}={node[key]!r}"


def m_swap_type(rng, data):
    path, value = rng.choice(_nodes(data)[1:] or _nodes(data))
    new = _other_type(rng, value)
    return _set(data, path, new), f"type {path}: {new!r}"


def m_number(rng, data):
    hit = _pick(rng, data, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    if hit is None:
        return data, "number: none"
    path, value = hit
    if rng.random() < 0.4:  # a plausible change, so that many mutants still load
        new = value * rng.choice([0.01, 0.1, 0.5, 2, 3, 10, 100])
        new = int(new) if isinstance(value, int) else new
    else:
        new = rng.choice(NUMBERS)
    return _set(data, path, new), f"number {path}: {value!r} -> {new!r}"


def m_string(rng, data):
    hit = _pick(rng, data, lambda v: isinstance(v, str))
    path, value = hit
    new = rng.choice(STRINGS)
    if rng.random() < 0.3:
        new = value + new
    return _set(data, path, new), f"string {path}: {value[:30]!r} -> {new[:30]!r}"


def m_list(rng, data):
    hit = _pick(rng, data, lambda v: isinstance(v, list))
    if hit is None:
        return data, "list: none"
    path, items = hit
    how = rng.choice(["empty", "grow", "grow-far", "drop", "shuffle", "reverse"])
    if how == "empty":
        items.clear()
    elif how == "grow" and items:
        items.extend(copy.deepcopy(rng.choice(items)) for _ in range(rng.randint(1, 5)))
    elif how == "grow-far" and items:  # past MAX_ITEMS for name lists, 24 for the profile
        items.extend([copy.deepcopy(items[0])] * rng.choice([25, 501]))
    elif how == "drop" and items:
        items.pop(rng.randrange(len(items)))
    else:
        rng.shuffle(items) if how == "shuffle" else items.reverse()
    return data, f"list {path}: {how}"


def m_duplicate_name(rng, data):
    lists = _named_lists(data)
    if not lists:
        return data, "duplicate: none"
    path, items = rng.choice(lists)
    items.append(copy.deepcopy(rng.choice(items)))
    return data, f"duplicate an item of {path}"


def m_rename(rng, data):
    """Renames a workload, pool or scenario without updating what refers to it, or points a
    reference at a name that does not exist."""
    lists = _named_lists(data)
    refs = [(p, v) for p, v in _nodes(data)
            if len(p) >= 2 and p[-1] == "workload" or (len(p) >= 3 and p[-2] == "workloads"
                                                       and isinstance(v, str))]
    if refs and rng.random() < 0.4:
        path, old = rng.choice(refs)
        new = rng.choice(["ghost", "", "chat", "assistant", "summarizer"])
        return _set(data, path, new), f"reference {path}: {old!r} -> {new!r}"
    if not lists:
        return data, "rename: none"
    path, items = rng.choice(lists)
    item = rng.choice(items)
    old = item["name"]
    item["name"] = rng.choice(["renamed", f"{old}.x", f".{old}", f"{old}.", "base", "",
                               f"{old} ", old.upper() if isinstance(old, str) else "n",
                               "\ud800", f"{old}\udfff", "a\x00b", "名前 🚀", "x" * 81])
    return data, f"rename in {path}: {old!r} -> {item['name']!r}"


def m_override(rng, data):
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(scenarios, list) or not scenarios or not isinstance(scenarios[0], dict):
        return data, "override: no scenarios"
    scenario = rng.choice([s for s in scenarios if isinstance(s, dict)] or [scenarios[0]])
    overrides = scenario.setdefault("overrides", {})
    if not isinstance(overrides, dict):
        return data, "override: not a dict"
    section = rng.choice(["pools", "workloads", "facility", "scenarios", "baseline", "nope"])
    names = [x.get("name") for x in data.get(section, [])
             if isinstance(x, dict) and isinstance(x.get("name"), str)] \
        if isinstance(data.get(section), list) else []
    item = rng.choice(names + ["0", "1", "ghost", "", "a.b"]) if section != "facility" else None
    field = rng.choice(FIELDS)
    key = ".".join(p for p in (section, item, field) if p is not None)
    if rng.random() < 0.2:
        key = rng.choice([key + ".", "." + key, key.replace(".", ".."), key.upper(), "", "."])
    value = rng.choice([rng.choice(NUMBERS), _other_type(rng, 0), rng.choice(SYSTEMS),
                        rng.choice(MODELS), None, 4, 0.9, "disaggregated",
                        [{"profile": "3g.40gb", "workload": "assistant"}]])
    if overrides and rng.random() < 0.3:  # garble an existing key instead
        old = rng.choice(list(overrides))
        overrides[old.replace(".", rng.choice([".0.", "..", ". ", "/"]), 1)] = overrides.pop(old)
        return data, f"override key {old!r} garbled"
    overrides[key] = value
    return data, f"override {key!r}={value!r}"


def m_catalog_ids(rng, data):
    hit = _pick(rng, data, lambda v: isinstance(v, dict) and ("system" in v or "model" in v))
    if hit is None:
        return data, "ids: none"
    path, node = hit
    key = "system" if "system" in node else "model"
    node[key] = rng.choice(SYSTEMS if key == "system" else MODELS)
    return data, f"{key} {path}: {node[key]!r}"


def m_schema_version(rng, data):
    if not isinstance(data, dict):
        return data, "schema: not a dict"
    value = rng.choice([0, 1, 1, 1, 3, 99, -1, "2", 2.0, None, True, 10**30, [2]])
    data["schema_version"] = value
    if value == 1 and rng.random() < 0.7:  # the index-addressed overrides schema 1 allowed
        pools = data.get("pools")
        for s in data.get("scenarios") or []:
            if isinstance(s, dict) and isinstance(s.get("overrides"), dict):
                i = rng.choice([0, 0, 1, 5])
                s["overrides"][f"pools.{i}.{rng.choice(['count', 'layout.tp', 'x'])}"] = \
                    rng.choice([2, 4, -1, None])
                if isinstance(pools, list) and pools and rng.random() < 0.3:
                    s["overrides"]["pools.0.redundancy"] = 2
    elif value is None and rng.random() < 0.5:
        del data["schema_version"]
    return data, f"schema_version {value!r}"


def m_format(rng, data):
    if not isinstance(data, dict):
        return data, "format: not a dict"
    value = rng.choice(["", "inference-planner-catalog", "inference-planner-recovery", None, 5,
                        "Inference-Planner-Plan", ["inference-planner-plan"]])
    data["format"] = value
    return data, f"format {value!r}"


TINY = [5e-324, 1e-300, 1e-9]
#: Values at or near the edges of what validation accepts, so the plan loads and the engine
#: meets them: (where, field, values). "where" is a top-level list, or "facility".
EXTREMES = [
    ("pools", "count", [0, 1, 1_000_000, None]),
    ("pools", "layout.tp", [1, 3, 7, 1024]), ("pools", "layout.pp", [1, 7, 256]),
    ("pools", "layout.ep", [1, 1024]), ("pools", "layout.chips", [1, 100_000, None]),
    ("pools", "serving", ["aggregated", "disaggregated"]),
    ("pools", "prefill_share", [5e-324, 1e-9, 0.5, 0.999999, 0.9999999999999999]),
    ("pools", "target_utilization", [*TINY, 1]), ("pools", "redundancy", [0, 1000]),
    ("pools", "rent_usd_per_accelerator_hour", [0, 1e-9, 1000, None]),
    ("pools", "layout.mig", [None, [], [{"profile": "7g.80gb", "workload": "chat"}],
                             [{"profile": "1g.10gb", "workload": "assistant"}] * 7,
                             [{"profile": "1g.10gb", "workload": "assistant"}] * 8,
                             [{"profile": "no-such", "workload": "summarizer"}]]),
    ("workloads", "traffic.peak_rps", [*TINY, 1e7]),
    ("workloads", "traffic.profile_24h", [[0] * 23 + [1e-300], [1] * 24, [0] * 24,
                                          [1e-9] * 24]),
    ("workloads", "input_tokens.mean", [1, 2_000_000]),
    ("workloads", "output_tokens.mean", [1, 2_000_000]),
    ("workloads", "input_tokens.distribution", ["fixed", "exponential", "lognormal"]),
    ("workloads", "output_tokens.cv", [0, 1e-300, 10]),
    ("workloads", "slo.ttft_p99_ms", [*TINY, 3.6e6]),
    ("workloads", "slo.tpot_p99_ms", [*TINY, 1e5, None]),
    ("workloads", "slo.min_user_tok_s", [*TINY, 1e6, None]),
    ("workloads", "weight_precision", ["fp16", "bf16", "fp8", "int8", "fp4", "int4", None]),
    ("workloads", "kv_precision", ["fp16", "fp8", "int4", None]),
    ("facility", "pue", [1, 3]), ("facility", "electricity_usd_per_kwh", [0, 2]),
    ("facility", "rack_power_budget_kw", [*TINY, 1000]),
    ("facility", "max_air_cooled_rack_kw", [*TINY, 200]),
    ("facility", "cost_model", ["colocation", "owned"]),
    ("facility", "facility_capex_usd_per_mw", [0, 1e9]),
    ("facility", "facility_life_years", [*TINY, 50]),
    ("facility", "amortization_years", [*TINY, 15]),
    ("facility", "cost_of_capital", [0, 1e-300, 1]),
    ("facility", "colocation_usd_per_kw_month", [0, 5000]),
    ("facility", "installation_capex_pct", [0, 100]),
]


def m_extreme_valid(rng, data):
    """A value at an edge of what validation accepts, in the plan or as a scenario override."""
    where, field, values = rng.choice(EXTREMES)
    value = copy.deepcopy(rng.choice(values))
    items = data.get(where) if isinstance(data, dict) else None
    if where == "facility":
        target, prefix = items, "facility"
    elif isinstance(items, list) and items and isinstance(items[0], dict):
        target = rng.choice(items)
        prefix = f"{where}.{target.get('name')}"
    else:
        return data, "extreme: no target"
    scenarios = data.get("scenarios")
    if rng.random() < 0.3 and isinstance(scenarios, list) and scenarios \
            and isinstance(scenarios[-1], dict) and isinstance(scenarios[-1].get("overrides"),
                                                               dict):
        scenarios[-1]["overrides"][f"{prefix}.{field}"] = value
        return data, f"override {prefix}.{field}={value!r}"
    if not isinstance(target, dict):
        return data, "extreme: no target"
    node = target
    *parents, last = field.split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return data, "extreme: no target"
    node[last] = value
    return data, f"{prefix}.{field}={value!r}"


STRUCTURAL = [m_extreme_valid, m_extreme_valid, m_extreme_valid, m_extreme_valid,
              m_delete_key, m_add_key, m_swap_type, m_number, m_number, m_string, m_list,
              m_duplicate_name, m_rename, m_override, m_override, m_catalog_ids,
              m_catalog_ids, m_schema_version, m_format]


# -- byte mutations -----------------------------------------------------------------------------
def b_truncate(rng, raw):
    cut = rng.randrange(len(raw) + 1)
    return raw[:cut], f"truncate at {cut}"


def b_flip(rng, raw):
    raw = bytearray(raw)
    spots = [rng.randrange(len(raw)) for _ in range(rng.randint(1, 8))]
    for i in spots:
        raw[i] ^= 1 << rng.randrange(8)
    return bytes(raw), f"flip bits at {spots}"


def b_insert(rng, raw):
    at = rng.randrange(len(raw) + 1)
    junk = rng.choice([bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))), b"\0",
                       b"\0" * 4, b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                       b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"-", b"e", b"9" * 5000,
                       b"NaN", b"Infinity", b"1e999", b"\r\n", b"\t", b"\xef\xbb\xbf"])
    return raw[:at] + junk + raw[at:], f"insert {junk[:20]!r} at {at}"


def b_delete(rng, raw):
    at = rng.randrange(len(raw))
    n = rng.randint(1, 64)
    return raw[:at] + raw[at + n:], f"delete {n} bytes at {at}"


def b_bom(rng, raw):
    bom = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"])
    return bom + raw, f"prefix {bom!r}"


def b_reencode(rng, raw):
    text = raw.decode("utf-8", "replace")
    enc = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1"])
    return text.encode(enc, "replace"), f"re-encode as {enc}"


def b_duplicate_slice(rng, raw):
    a = rng.randrange(len(raw))
    b = min(len(raw), a + rng.randint(1, 200))
    at = rng.randrange(len(raw) + 1)
    return raw[:at] + raw[a:b] + raw[at:], f"copy bytes {a}:{b} to {at}"


def b_long_number(rng, raw):
    """A number with thousands of digits, past what Python converts to an int by default."""
    numbers = list(re.finditer(rb"(?<![\w.])\d+(?![\w.])", raw))
    if not numbers:
        return raw, "long number: none"
    m = rng.choice(numbers)
    digits = b"9" * rng.choice([400, 4301, 5000, 20000])
    return raw[:m.start()] + digits + raw[m.end():], f"{len(digits)} digits at {m.start()}"


BYTES = [b_long_number, b_truncate, b_flip, b_insert, b_insert, b_delete, b_bom, b_reencode,
         b_duplicate_slice]


# -- cases --------------------------------------------------------------------------------------
def make_case(seed: int, index: int, sources: list[tuple[str, str]]) -> tuple[bytes, list[str]]:
    """The file contents of case ``index`` and the mutations that made it."""
    rng = random.Random(f"{seed}:{index}")
    name, text = rng.choice(sources)
    steps = [f"from {name}"]
    data = json.loads(text)
    level = rng.random()
    if level < 0.75:  # structure, sometimes bytes on top
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            data, what = rng.choice(STRUCTURAL)(rng, data)
            steps.append(what)
        raw = json.dumps(data, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5,
                         allow_nan=True).encode("utf-8", "surrogatepass")
        if level > 0.65:
            raw, what = rng.choice(BYTES)(rng, raw)
            steps.append(what)
    else:  # bytes of the file as written
        raw = text.encode("utf-8")
        for _ in range(rng.choice([1, 1, 2])):
            raw, what = rng.choice(BYTES)(rng, raw or b" ")
            steps.append(what)
    return raw, steps


def _describe(seed: int, index: int, steps: list[str], raw: bytes, exc: BaseException) -> str:
    shown = raw[:300] + (b"..." if len(raw) > 300 else b"")
    return (f"case {index} (seed {seed}; rerun with PLANNER_FUZZ_SEED={seed} "
            f"PLANNER_FUZZ_CASE={index}): {' | '.join(steps)}\n"
            f"  raised {type(exc).__name__}: {str(exc)[:300]}\n"
            f"  file starts {shown!r}\n"
            + "".join(traceback.format_exception(exc)[-4:]))


#: Problems with the file as a whole, which have no field or line to name.
WHOLE_FILE = ("binary file", "the file is empty", "holds a JSON object", "nested too deeply")


def _message_is_printable(exc: PlannerError) -> bool:
    message = str(exc)
    try:
        message.encode("utf-8")  # a lone surrogate here would break printing and logging
    except UnicodeEncodeError:
        return False
    return bool(message.strip())


def test_fuzzed_plan_files_load_or_raise_planner_error(tmp_path, catalog):
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in EXAMPLES]
    assert len(sources) >= 2, "the fuzz test mutates the example plans"
    indexes = [int(ONLY_CASE)] if ONLY_CASE is not None else list(range(CASES))
    assert ONLY_CASE is not None or CASES >= MIN_CASES
    failures: list[str] = []
    loaded: list[tuple[int, list[str], bytes, Plan]] = []
    outcomes = {"loaded": 0, "refused": 0}
    path = tmp_path / "case.json"
    started = time.perf_counter()
    for index in indexes:
        raw, steps = make_case(SEED, index, sources)
        path.write_bytes(raw)
        try:
            plan = read_plan(path, catalog)
        except PlannerError as exc:
            outcomes["refused"] += 1
            if not _message_is_printable(exc):
                failures.append(_describe(SEED, index, steps, raw, exc).encode(
                    "utf-8", "backslashreplace").decode() + "  (the message cannot be printed)")
            elif str(path) not in str(exc):
                failures.append(_describe(SEED, index, steps, raw, exc)
                                + "  (the message does not name the file)")
            elif not (exc.field or exc.line or any(p in exc.detail for p in WHOLE_FILE)):
                failures.append(_describe(SEED, index, steps, raw, exc)
                                + "  (the message names neither a field nor a line)")
        except Exception as exc:  # noqa: BLE001 - anything but PlannerError is the bug
            failures.append(_describe(SEED, index, steps, raw, exc))
        else:
            outcomes["loaded"] += 1
            assert isinstance(plan, Plan)
            if len(loaded) < EVALUATE_AT_MOST:
                loaded.append((index, steps, raw, plan))
        if len(failures) >= 5:
            break
    read_seconds = time.perf_counter() - started
    assert not failures, (f"{len(failures)} fuzz case(s) failed (only a Plan, or a printable "
                          "PlannerError naming the file, is allowed):\n\n"
                          + "\n".join(failures))

    engine_failures, known = [], []
    for index, steps, raw, plan in loaded:
        try:
            results = evaluate(plan, catalog)
        except PlannerError:
            continue
        except Exception as exc:  # noqa: BLE001
            problem = f"{type(exc).__name__}: {exc}"
        else:
            numbers = results.kpis.select_dtypes("number").to_numpy(dtype=float).ravel()
            if len(results.kpis) == len(plan.scenario_names()) and not any(
                    map(math.isnan, numbers)):
                continue
            problem = "KPIs missing or NaN"
            exc = AssertionError(problem)
        defect = known_engine_defect(plan)
        if defect:
            known.append(f"case {index}: {defect} ({problem})")
        else:
            engine_failures.append(_describe(SEED, index, steps, raw, exc)
                                   + "  (in evaluate(plan, catalog))")
    print(f"fuzz seed {SEED}: {len(indexes)} cases, {outcomes['loaded']} loaded, "
          f"{outcomes['refused']} refused ({read_seconds:.1f} s); evaluated {len(loaded)}, "
          f"{len(known)} hit known engine defects")
    assert not engine_failures, (f"{len(engine_failures)} loaded mutant(s) broke the "
                                 "engine:\n\n" + "\n".join(engine_failures))


# -- engine defects the fuzz test found, now fixed: kept as regression tests ---------------------
# The fuzz test treats every engine failure as new; these were the first it found.
def known_engine_defect(plan: Plan) -> str | None:
    return None


@pytest.mark.parametrize("overrides", [
    {"pools.serving.target_utilization": 5e-324},
    {"pools.serving.serving": "disaggregated", "pools.serving.prefill_share": 5e-324},
    {"facility.amortization_years": 1e-300},
], ids=["target_utilization", "prefill_share", "amortization"])
def test_absurdly_small_fractions_are_refused_with_the_field(example_plan, overrides):
    # They used to reach the engine and overflow the replica count or the capital recovery.
    with pytest.raises(PlannerError, match=next(iter(overrides)).split(".")[-1]):
        apply_overrides(example_plan, overrides)


def test_a_replica_carrying_almost_nothing_is_reported_not_overflowed(example_plan, catalog,
                                                                      monkeypatch):
    from planner_core.engine import sizing

    real = sizing.max_rate

    def crawling(*args, **kwargs):
        point = real(*args, **kwargs)
        return dataclasses.replace(point, rate_rps=np.asarray(point.rate_rps) * 1e-310)

    monkeypatch.setattr(sizing, "max_rate", crawling)
    results = evaluate(example_plan, catalog, scenarios=["base"])
    assert any(w["kind"] == "slo-missed" and "more than" in w["message"]
               for w in results.warnings)


def test_tiny_cost_of_capital_tends_to_straight_line(example_plan, catalog):
    plan = apply_overrides(example_plan, {"facility.cost_of_capital": 1e-300})
    k = evaluate(plan, catalog, scenarios=["base"]).kpi("base")
    assert math.isfinite(k["annual_capex_usd"]) and math.isfinite(k["tco_usd_per_year"])
    assert k["annual_capex_usd"] == pytest.approx(k["capex_usd"] / plan.facility.amortization_years)


def test_fuzz_cases_are_reproducible():
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in EXAMPLES]
    for index in (0, 17, 999):
        assert make_case(SEED, index, sources) == make_case(SEED, index, sources)
    assert make_case(SEED, 1, sources) != make_case(SEED, 2, sources)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_unmutated_examples_load(example: Path, catalog):
    assert isinstance(read_plan(example, catalog), Plan)
