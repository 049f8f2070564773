"""The site editor: the electrical chain, the cooling plant, the fabric, the site's limits and
its halls of rack positions.

Like the facility editor, each form is built from the plan model (ranges, defaults and their
source notes), so every number shows where it comes from when hovered. Halls are a table: each
cell edit, added hall or removed hall is one undo step.
"""

from __future__ import annotations

from typing import Literal, get_args, get_origin

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QSizePolicy,
)

from app.window.widgets.fields import spin
from app.window.widgets.list_table import ListTable
from app.window.widgets.plan_form import PlanForm, model_bounds
from planner_core.plan import edits
from planner_core.plan.site import Cooling, Electrical, Fabric, Floor, Hall, Limits

# (group title, model, path under "site", [(field, label, suffix, decimals, step)])
GROUPS = [
    ("Electrical chain", Electrical, "electrical", [
        ("redundancy", "UPS redundancy", "", 0, 0),
        ("ups_module_kw", "Largest UPS module", " kW", 0, 50),
        ("transformer_efficiency", "Transformer efficiency", " %", 2, 0.1),
        ("ups_efficiency", "UPS efficiency (full load)", " %", 2, 0.1),
        ("distribution_efficiency", "Distribution efficiency", " %", 2, 0.1),
        ("plant_usd_per_kw", "Electrical plant", " $/kW", 0, 100),
    ]),
    ("Cooling plant", Cooling, "cooling", [
        ("pue_source", "PUE", "", 0, 0),
        ("climate", "Climate", "", 0, 0),
        ("liquid_heat_share", "Heat to coolant", " %", 1, 1),
        ("cdu_kw", "CDU capacity", " kW", 0, 100),
        ("cdu_spares", "Spare CDUs", "", 0, 1),
        ("heat_rejection_unit_kw", "Chiller / dry cooler", " kW", 0, 100),
        ("heat_rejection_spares", "Spare chillers", "", 0, 1),
    ]),
    ("Scale-out fabric", Fabric, "fabric", [
        ("design", "Design", "", 0, 0),
        ("oversubscription", "Oversubscription", " : 1", 1, 0.5),
        ("optics", "Optics", "", 0, 0),
        ("switch_ports", "Switch ports", "", 0, 8),
        ("switch_port_gbps", "Switch port speed", " Gb/s", 0, 100),
        ("switch_w", "Switch power (no optics)", " W", 0, 50),
        ("switch_usd", "Switch price", " $", 0, 5000),
        ("transceiver_usd_per_100g", "Optics price", " $/100G", 0, 10),
        ("flat_w_per_system", "Flat: power per system", " W", 0, 50),
        ("flat_capex_pct", "Flat: CapEx", " % of systems", 1, 1),
    ]),
    ("Site limits", Limits, "limits", [
        ("utility_mw", "Utility power", " MW", 2, 1),
        ("it_mw", "IT load built for", " MW", 2, 1),
    ]),
    ("Floor", Floor, "floor", [
        ("m2_per_position", "White space per position", " m²", 1, 0.1),
        ("switches_per_network_rack", "Switches per network rack", "", 0, 1),
    ]),
]
#: Stored as fractions, shown as percentages.
PERCENT = {"transformer_efficiency", "ups_efficiency", "distribution_efficiency",
           "liquid_heat_share"}
#: Choices as the architect reads them.
CHOICES = {
    "redundancy": {"N": "N", "N+1": "N+1", "2N": "2N", "DR": "DR (4 make 3)"},
    "pue_source": {"given": "given", "derived": "derived (estimate)"},
    "climate": {"cool": "cool", "temperate": "temperate", "hot-dry": "hot, dry",
                "hot-humid": "hot, humid"},
    "design": {"fat-tree": "fat tree", "flat": "flat"},
    "optics": {"dsp": "DSP", "linear": "linear (LPO)"},
}
#: Hall table columns: (field, header, decimals; None = text)
HALL_COLUMNS = [("name", "Hall", None), ("rows", "Rows", 0),
                ("positions_per_row", "Positions / row", 0), ("rack_kw_limit", "kW / rack", 1),
                ("row_kw_limit", "kW / row", 0), ("rack_kg_limit", "kg / rack", 0)]


def _optional(model, name: str) -> bool:
    return type(None) in get_args(model.model_fields[name].annotation)


def _choices(model, name: str) -> list[str]:
    ann = model.model_fields[name].annotation
    return list(get_args(ann)) if get_origin(ann) is Literal else []


class SiteEditor(PlanForm):
    def __init__(self, parent=None):
        super().__init__("site", parent)
        layout = self.column
        for title, model, where, rows in GROUPS:
            group = QGroupBox(title)
            form = QFormLayout(group)
            # A narrow pane puts a field under its label instead of cutting it off.
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            defaults = model()
            for name, label, suffix, decimals, step in rows:
                info = model.model_fields[name]
                if _choices(model, name):
                    w = QComboBox()
                    w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
                    w.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
                    for value in _choices(model, name):
                        w.addItem(CHOICES[name][value], value)
                    tip = f"{label}: {info.description or ''}"
                else:
                    lo, hi = model_bounds(model, name, decimals)
                    scale = 100.0 if name in PERCENT else 1.0
                    optional = _optional(model, name)
                    w = spin(0.0 if optional else lo * scale, hi * scale, decimals, step,
                             suffix, special="none" if optional else "")
                    default = getattr(defaults, name)
                    shown = "none" if default is None else f"{default * scale:,.{decimals}f}"
                    tip = f"{label}{suffix}: {info.description or ''}. Default {shown}."
                w.setToolTip(tip)
                self.binder.bind(w, f"{where}.{name}", label.lower(),
                                 scale=100.0 if name in PERCENT else 1.0)
                self.fields[f"{where}.{name}"] = w
                form.addRow(label, w)
            layout.addWidget(group)
        layout.addWidget(self._halls_box())
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _halls_box(self) -> ListTable:
        self.halls = ListTable(
            "Halls", "Rows of rack positions; racks are placed first fit, each pool kept "
            "together. Empty limit cells: the rack budget, no row or weight limit.",
            HALL_COLUMNS, {"rows", "positions_per_row"}, _new_hall, self._set_halls,
            lambda m: self.doc.editRefused.emit(m) if self.doc else None)
        return self.halls

    def shown(self, plan) -> None:
        flat = plan.site.fabric.design == "flat"
        for name, w in self.fields.items():
            if name.startswith("fabric.") and name != "fabric.design":
                w.setEnabled(flat == name.startswith("fabric.flat_"))
        self.halls.show_rows([h.model_dump(mode="json") for h in plan.site.floor.halls])

    def _set_halls(self, halls: list[dict], text: str) -> None:
        if self.doc is not None:
            self.doc.apply(lambda p: edits.set_value(p, "site.floor.halls", halls,
                                                     self.doc.scenario), text)


def _new_hall(halls: list[dict]) -> dict:
    """A hall to edit: the next free name, 4 rows of 10 positions, no limits of its own."""
    taken = {h["name"] for h in halls}
    n = len(halls) + 1
    while f"Hall {n}" in taken:
        n += 1
    return Hall(name=f"Hall {n}", rows=4, positions_per_row=10).model_dump(mode="json")
