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
         scale: float = 1.0, on: str = "median") -> str:
    """``name: min / median / max unit [target <= T: met]``; ``on`` is the statistic the
    target is read against."""
    v = [x * scale for x in values]
    stats = {"min": min(v), "median": statistics.median(v), "max": max(v)}
    digits = 2 if stats["median"] < 10 else 1 if stats["median"] < 1000 else 0
    shown = " / ".join(f"{stats[k]:,.{digits}f}" for k in ("min", "median", "max"))
    text = f"{name:<46} {shown:>28} {unit:<3}"
    if target is not None:
        verdict = "met" if stats[on] <= target else "NOT met"
        text += f"  [{on} target <= {target:,g} {unit}: {verdict}]"
    return text + f"  ({len(v)} runs)"


HEAD = f"{'figure':<46} {'min / median / max':>28}"
