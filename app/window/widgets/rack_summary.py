"""All of a fleet's racks in a few lines, above the elevation drawing: the drawing shows at
most a dozen racks a pool at a readable scale and scrolls sideways, so at 1280 pixels it
shows three racks of seventy; this says what the rest are before anyone scrolls."""

from __future__ import annotations

from app.figures import quantity
from app.window.widgets.rack_view import MAX_RACKS_PER_POOL
from planner_core.engine.pool_sizing import PoolSizing


def rack_summary(sizings: list[PoolSizing], peak_kw: dict[str, float]) -> str:
    """Plain text: the racks in all, then per pool how many, of what, at what draw, and which
    of them the drawing shows. ``peak_kw``: each pool's expected IT draw at peak, kW."""
    total = sum(max(ps.racks, 0) for ps in sizings)
    lines = [f"{total:,} racks in all; each pool's racks below, left to right."]
    for ps in sizings:
        name = ps.pool.name
        if ps.racks <= 0 or ps.systems <= 0:
            lines.append(f"• {name}: no racks (sized to zero systems)")
            continue
        what = (f"{ps.system.name} racks" if ps.system.form == "rack"
                else f"racks of up to {ps.systems_per_rack:,} × {ps.system.name}")
        per_rack = peak_kw.get(name, 0.0) / ps.racks
        text = (f"• {name}: {ps.racks:,} {what}, about {quantity(per_rack, 'kW')} expected "
                f"and {quantity(ps.systems_per_rack * ps.system_kw_peak, 'kW')} at TDP each")
        if ps.racks > MAX_RACKS_PER_POOL:
            text += (f"; racks 1–{MAX_RACKS_PER_POOL} are drawn, the other "
                     f"{ps.racks - MAX_RACKS_PER_POOL:,} are alike (the last box of the row)")
        lines.append(text)
    return "\n".join(lines)
