"""How `make bench` states a figure: min, median and max over repeats against its target
(machines here are shared and noisy: one shot proves nothing)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def repeat(fn: Callable[[], object], times: int) -> list[float]:
    """Wall seconds of ``times`` calls of ``fn``."""
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def line(name: str, values: list[float], unit: str, target: float | None = None,
         scale: float = 1.0, on: str = "median", at_least: bool = False) -> str:
    """``name: min / median / max unit [target <= T: met]``; ``on`` is the statistic the
    target is read against; ``at_least``: the target is a floor (a throughput)."""
    v = [x * scale for x in values]
    stats = {"min": min(v), "median": statistics.median(v), "max": max(v)}
    digits = 2 if stats["median"] < 10 else 1 if stats["median"] < 1000 else 0
    shown = " / ".join(f"{stats[k]:,.{digits}f}" for k in ("min", "median", "max"))
    text = f"{name:<46} {shown:>28} {unit:<3}"
    if target is not None:
        met = stats[on] >= target if at_least else stats[on] <= target
        verdict = "met" if met else "NOT met"
        text += f"  [{on} target {'>=' if at_least else '<='} {target:,g} {unit}: {verdict}]"
    return text + f"  ({len(v)} runs)"


HEAD = f"{'figure':<46} {'min / median / max':>28}"
