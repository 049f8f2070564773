"""MIG layouts: which sets of slices NVIDIA lets one GPU hold.

NVIDIA's slice model: a GPU has 7 compute slices and 8 memory slices. A profile with m memory
slices (1, 2, 4 or 8) must start at a memory-slice offset that is a multiple of m, slices may
not overlap, the compute slices add up to at most 7, and no profile exceeds its maximum
instance count. Placing the largest profiles first at the lowest free aligned offset finds a
placement whenever one exists for these power-of-two sizes.
"""

from __future__ import annotations

from collections import Counter

from planner_core.catalog import MigSpec
from planner_core.errors import PlannerError


def place(spec: MigSpec, profiles: list[str]) -> list[tuple[str, int]]:
    """Memory-slice offset of each slice, or PlannerError saying why the layout is not allowed."""
    if not profiles:
        raise PlannerError("a MIG layout needs at least one slice", field="layout.mig")
    chosen = [spec.profile(p) for p in profiles]
    counts = Counter(p.name for p in chosen)
    for p in chosen:
        if counts[p.name] > p.max_instances:
            raise PlannerError(f"{counts[p.name]}× {p.name}: at most {p.max_instances} per GPU",
                               field="layout.mig")
    compute = sum(p.compute_slices for p in chosen)
    if compute > spec.compute_slices:
        raise PlannerError(f"the slices need {compute} compute slices; a GPU has "
                           f"{spec.compute_slices}", field="layout.mig")
    me = sum(1 for p in chosen if p.media_extensions)
    if me > 1:
        raise PlannerError("only one +me (media extensions) slice per GPU", field="layout.mig")
    used = [False] * spec.memory_slices
    placed = []
    for p in sorted(chosen, key=lambda p: -p.memory_slices):
        m = p.memory_slices
        align = m if m in (1, 2, 4, 8) else 1
        for start in range(0, spec.memory_slices - m + 1, align):
            if not any(used[start:start + m]):
                for i in range(start, start + m):
                    used[i] = True
                placed.append((p.name, start))
                break
        else:
            raise PlannerError(
                f"no room for {p.name} after {', '.join(n for n, _ in placed) or 'nothing'}: "
                f"the memory slices do not fit on one GPU", field="layout.mig")
    return placed


def allowed(spec: MigSpec, profiles: list[str]) -> bool:
    try:
        place(spec, profiles)
        return True
    except PlannerError:
        return False
