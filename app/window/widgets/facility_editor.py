"""The facility and cost editor: every facility field, with its unit, range and source.

The form is built from the plan model itself (field ranges, defaults and their source notes),
so a new facility field appears here without a second list to keep in step.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QPushButton,
)

from app.window.widgets.fields import spin
from app.window.widgets.plan_form import PlanForm, model_bounds
from planner_core.plan import Facility, edits

# label, unit suffix, decimals, step; grouped as an architect reads a facility sheet
GROUPS: list[tuple[str, list[tuple[str, str, str, int, float]]]] = [
    ("Power and cooling", [
        ("pue", "PUE", "", 2, 0.05),
        ("rack_power_budget_kw", "Rack power budget", " kW", 1, 5),
        ("max_air_cooled_rack_kw", "Air-cooled rack limit", " kW", 1, 5),
        ("electricity_usd_per_kwh", "Electricity", " $/kWh", 4, 0.005),
    ]),
    ("Facility cost", [
        ("cost_model", "Facility", "", 0, 0),
        ("colocation_usd_per_kw_month", "Colocation", " $/kW·month", 0, 10),
        ("facility_capex_usd_per_mw", "Build cost (owned)", " $/MW", 0, 250_000),
        ("facility_life_years", "Facility life (owned)", " years", 1, 1),
    ]),
    ("Hardware finance", [
        ("amortization_years", "Amortization", " years", 1, 0.5),
        ("cost_of_capital", "Cost of capital", " %/year", 1, 0.5),
        ("maintenance_pct_per_year", "Maintenance", " % of CapEx/year", 1, 0.5),
        ("installation_capex_pct", "Installation", " % of systems", 1, 0.5),
    ]),
]
PERCENT_FRACTIONS = {"cost_of_capital"}  # stored as a fraction, shown as a percentage


class FacilityEditor(PlanForm):
    def __init__(self, parent=None):
        super().__init__("facility", parent)
        layout = self.column
        defaults = Facility()
        for title, rows in GROUPS:
            group = QGroupBox(title)
            form = QFormLayout(group)
            for name, label, suffix, decimals, step in rows:
                info = Facility.model_fields[name]
                default = getattr(defaults, name)
                if name == "cost_model":
                    w = QComboBox()
                    w.addItem("colocation (rent space and power per kW)", "colocation")
                    w.addItem("owned (build the facility, amortize it)", "owned")
                    tip = "How the building is paid for"
                else:
                    lo, hi = model_bounds(Facility, name, decimals)
                    scale = 100.0 if name in PERCENT_FRACTIONS else 1.0
                    w = spin(lo * scale, hi * scale, decimals or 0, step, suffix)
                    shown = default * scale
                    tip = (f"{label}{suffix}: {info.description or ''}. "
                           f"Default {shown:,.{decimals}f}{suffix}.")
                w.setToolTip(tip)
                scale = 100.0 if name in PERCENT_FRACTIONS else 1.0
                self.binder.bind(w, name, label.lower(), scale=scale)
                self.fields[name] = w
                form.addRow(label, w)
            layout.addWidget(group)
        self.reset = QPushButton("Reset to reference defaults")
        self.reset.setToolTip("Sets every facility field back to the defaults from the "
                              "reference constants (one undo step)")
        self.reset.clicked.connect(self._reset)
        layout.addWidget(self.reset)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def shown(self, plan) -> None:
        owned = plan.facility.cost_model == "owned"
        for name in ("facility_capex_usd_per_mw", "facility_life_years"):
            self.fields[name].setEnabled(owned)
        self.fields["colocation_usd_per_kw_month"].setEnabled(not owned)

    def _reset(self) -> None:
        if self.doc is None:
            return
        scenario = self.doc.scenario
        defaults = Facility().model_dump(mode="json")

        def change(plan):
            for name, value in defaults.items():
                plan = edits.set_value(plan, f"facility.{name}", value, scenario)
            return plan

        self.doc.apply(change, "Reset the facility to defaults")
