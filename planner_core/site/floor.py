"""The floor: pools' racks placed onto the halls' rows of rack positions.

Placement is first fit that keeps a pool together: each group of racks (a pool's compute racks,
then its network racks) starts in the first row with a free position it may use and fills rows
onward from there. A position takes a rack only within the hall's limits per rack (kW, kg) and
the row's power limit. Racks no row takes are reported, never dropped silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planner_core.plan.site import Floor


@dataclass
class RackGroup:
    pool: str
    kind: str  # "compute" or "network"
    racks: int
    kw: float  # one rack, provisioned
    kg: float | None  # one rack; None = not known


@dataclass
class Row:
    hall: str
    index: int  # 1-based within its hall
    positions: int
    kw_limit: float | None
    segments: list[tuple[RackGroup, int]] = field(default_factory=list)

    @property
    def used(self) -> int:
        return sum(n for _, n in self.segments)

    @property
    def kw(self) -> float:
        return sum(g.kw * n for g, n in self.segments)

    @property
    def kg(self) -> float:
        return sum((g.kg or 0.0) * n for g, n in self.segments)


@dataclass
class FloorPlan:
    rows: list[Row]
    unplaced: dict[str, int]  # pool -> racks no row took
    reasons: dict[str, str]  # pool -> why (the limit that kept them out)
    racks: int
    m2_used: float
    m2_total: float | None  # the halls' white space; None without halls

    @property
    def positions(self) -> int:
        return sum(r.positions for r in self.rows)

    @property
    def placed(self) -> int:
        return sum(r.used for r in self.rows)


def place(groups: list[RackGroup], floor: Floor, rack_budget_kw: float) -> FloorPlan:
    racks = sum(g.racks for g in groups)
    if not floor.halls:
        return FloorPlan([], {}, {}, racks, racks * floor.m2_per_position, None)
    rows = [Row(h.name, i + 1, h.positions_per_row, h.row_kw_limit)
            for h in floor.halls for i in range(h.rows)]
    halls = {h.name: h for h in floor.halls}
    unplaced: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for g in groups:
        left = g.racks
        started = False
        for row in rows:
            if left <= 0:
                break
            hall = halls[row.hall]
            why = _refused(g, hall, rack_budget_kw)
            if why:
                reasons.setdefault(g.pool, why)
                continue
            n = _room(row, g)
            if n <= 0:
                if started and row.kw_limit is not None and row.used < row.positions:
                    reasons.setdefault(g.pool, f"row power limit {row.kw_limit:,.0f} kW")
                continue
            take = min(n, left)
            row.segments.append((g, take))
            left -= take
            started = True
        if left > 0:
            unplaced[g.pool] = unplaced.get(g.pool, 0) + left
            reasons.setdefault(g.pool, "no free positions left")
    placed = sum(r.used for r in rows)
    return FloorPlan(rows, unplaced, {p: reasons[p] for p in unplaced}, racks,
                     placed * floor.m2_per_position,
                     sum(r.positions for r in rows) * floor.m2_per_position)


def _refused(g: RackGroup, hall, budget: float) -> str:
    limit = hall.rack_kw_limit if hall.rack_kw_limit is not None else budget
    if g.kw > limit * (1 + 1e-9):
        return f"a rack draws {g.kw:,.1f} kW, over hall {hall.name!r}'s {limit:,.0f} kW"
    if hall.rack_kg_limit is not None and g.kg is not None and g.kg > hall.rack_kg_limit:
        return (f"a rack weighs {g.kg:,.0f} kg, over hall {hall.name!r}'s "
                f"{hall.rack_kg_limit:,.0f} kg")
    return ""


def _room(row: Row, g: RackGroup) -> int:
    free = row.positions - row.used
    if row.kw_limit is not None and g.kw > 0:
        free = min(free, math.floor((row.kw_limit - row.kw) / g.kw * (1 + 1e-12)))
    return max(free, 0)
