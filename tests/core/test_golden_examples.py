"""The example plans give the numbers they gave before the core moved into its rooms:
every value of evaluate()'s tables, the KPI rows of evaluate_many over a traffic sweep and the
first options of optimize, to 1e-9 (see tests/golden_examples.py)."""

import json
import math

import pytest

from tests.golden_examples import EXAMPLES, GOLDEN, snapshot

REL = 1e-9


@pytest.fixture(scope="module")
def now():
    return snapshot()


@pytest.fixture(scope="module")
def then():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def _same(a, b, where: str) -> list[str]:
    """Differences between two JSON-like values, numbers compared to REL."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{where}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in _same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _same(x, y, f"{where}[{i}]")]
    numbers = (int, float)
    if (isinstance(a, numbers) and isinstance(b, numbers)
            and not isinstance(a, bool) and not isinstance(b, bool)):
        if type(a) is not type(b):
            return [f"{where}: {type(a).__name__} {a!r} became {type(b).__name__} {b!r}"]
        ok = math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)
        return [] if ok else [f"{where}: {a!r} != {b!r}"]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("part", ["kpis", "pools", "workloads", "hourly", "warnings",
                                  "traffic_sweep", "prompt_sweep", "optimize"])
def test_example_gives_the_same_numbers(now, then, name, part):
    diffs = _same(then[name][part], json.loads(json.dumps(now[name][part])), f"{name}.{part}")
    assert not diffs, "\n".join(diffs[:20])


def test_the_comparison_sees_a_change(then):
    """The check is not blind: a figure off by 1e-8 or an int turned float is caught."""
    row = dict(then["llama70b-chat"]["kpis"][0])
    moved = dict(row, usd_per_m_output_tokens=row["usd_per_m_output_tokens"] * (1 + 1e-8))
    assert _same(row, moved, "kpis")
    assert _same(row, dict(row, racks=float(row["racks"])), "kpis")
    assert not _same(row, dict(row), "kpis")
