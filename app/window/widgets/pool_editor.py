"""The fleet editor: pools of systems, how replicas are laid out on them, and how they serve.

What a pool can set depends on its hardware: HBM systems take TP/PP/EP, SRAM systems (LPU,
wafer) a chain length, MIG-capable GPUs a slice layout. Controls that do not apply are hidden
rather than ignored, so the form never shows a knob that has no effect.
"""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.figures import quantity, significant
from app.window.widgets.fields import spin
from app.window.widgets.item_editor import ItemEditor
from app.window.widgets.mig_editor import MigEditor
from planner_core import PlannerError
from planner_core.catalog.engines import ENGINES, engine_for
from planner_core.plan import MigSlice, edits
from planner_core.plan.schema import Speculative


def _slider(minimum: int, maximum: int, tip: str) -> tuple[QSlider, QLabel, QWidget]:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(minimum, maximum)
    slider.setPageStep(5)
    slider.setToolTip(tip)
    label = QLabel()
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance("100 %") + 6)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    slider.valueChanged.connect(lambda v: label.setText(f"{v} %"))
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(slider, 1)
    row.addWidget(label)
    return slider, label, box


POWER_LIMIT_TIP = (
    "Board power limit per accelerator (nvidia-smi -pl). Below the TDP the clock drops: the "
    "matmul-bound work slows, memory-bound decode barely, each token takes less energy, and "
    "racks are planned at the limit, so more systems fit a rack's power budget.")

class PoolEditor(ItemEditor):
    section = "pools"
    noun = "pool"

    def build_form(self, layout: QVBoxLayout) -> None:
        b, f = self.binder, self.form
        self.system_box = QComboBox()
        self.system_box.setToolTip("The system this pool is built from (catalog entry)")
        f.addRow("System", b.bind(self.system_box, "system", "system"))
        self.system_info = QLabel()
        self.system_info.setWordWrap(True)
        f.addRow("", self.system_info)
        self.basis = QLabel()
        self.basis.setWordWrap(True)
        self.basis.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.basis.setToolTip("What this pool's speeds rest on: measurements of this engine "
                              "on this accelerator family, a fit borrowed from the nearest "
                              "one, or assumptions. The uncertainty analysis spreads the "
                              "pool's performance by the error of its basis.")
        f.addRow("Basis", self.basis)
        self.count = spin(-1, 1_000_000, 0, 1, " systems", special="size for me",
                          tip="Systems in the pool; 'size for me' = the fewest that meet the "
                          "peak within the SLOs at the target utilization, plus spares")
        f.addRow("Size", b.bind(self.count, "count", "pool size"))
        self.power_limit = spin(0, 5000, 0, 10, " W per accelerator", special="TDP (no limit)",
                                tip=POWER_LIMIT_TIP)
        f.addRow("Power limit", b.bind(self.power_limit, "power_limit_w", "power limit"))
        self.cooling = QComboBox()
        self.cooling.addItem("as the system is built", "system")
        self.cooling.addItem("direct liquid cooling", "liquid")
        self.cooling.setToolTip("Liquid: direct-to-chip cooling for an air-cooled system sold "
                                "with that option (HGX); its racks have no air-cooling limit "
                                "and most of their heat goes to the coolant")
        f.addRow("Cooling", b.bind(self.cooling, "cooling", "cooling"))

        lay = QGroupBox("Replica layout")
        lf = QFormLayout(lay)
        self.tp = spin(1, 1024, tip="Tensor parallelism: accelerators splitting every layer. "
                       "For an MLA model (DeepSeek) with EP > 1 these ranks run attention "
                       "data-parallel, each with its own sequences (shown as DP in results)")
        self.pp = spin(1, 256, tip="Pipeline parallelism: stages of consecutive layers")
        self.ep = spin(1, 1024, tip="Expert parallelism (MoE models): accelerators sharing "
                       "the experts")
        self.chips = spin(0, 100_000, 0, 8, " chips", special="auto",
                          tip="Chips in one SRAM chain (a replica); auto = the fewest that "
                          "hold the weights plus the KV caches of a pipeline-filling batch")
        lf.addRow("Tensor parallel (TP)", b.bind(self.tp, "layout.tp", "TP"))
        lf.addRow("Pipeline parallel (PP)", b.bind(self.pp, "layout.pp", "PP"))
        lf.addRow("Expert parallel (EP)", b.bind(self.ep, "layout.ep", "EP"))
        lf.addRow("Chain length", b.bind(self.chips, "layout.chips", "chain length"))
        self.max_batch = spin(0, 65_536, 0, 16, " sequences", special="engine default (2,048)",
                              tip="The serving engine's cap on sequences decoding at once in a "
                              "replica (per data-parallel rank): max_num_seqs in vLLM, "
                              "max_batch_size in TensorRT-LLM")
        lf.addRow("Batch cap", b.bind(self.max_batch, "layout.max_batch", "batch cap"))
        self.layout_form = lf
        layout.addWidget(lay)

        self.mig_group = QGroupBox("MIG slices")
        mg = QVBoxLayout(self.mig_group)
        self.mig = MigEditor()
        self.mig.layoutEdited.connect(self._mig_edited)
        mg.addWidget(self.mig)
        layout.addWidget(self.mig_group)

        serve = QGroupBox("Serving")
        sf = QFormLayout(serve)
        self.engine = QComboBox()
        self.engine.setToolTip("The serving engine: its memory rule and its calibrated speed "
                               "on this hardware (the basis below says what that rests on)")
        b.bind(self.engine, "engine", "serving engine")
        sf.addRow("Engine", self.engine)
        self.dp_attention = QComboBox()
        self.dp_attention.addItem("auto", None)
        self.dp_attention.addItem("data-parallel", True)
        self.dp_attention.addItem("tensor-parallel", False)
        self.dp_attention.setToolTip("MLA models (DeepSeek): how attention runs over the TP "
                                     "ranks. Data-parallel: each rank its own sequences and one "
                                     "copy of each cache; tensor-parallel: heads split over the "
                                     "ranks, each holding the whole latent cache; auto: "
                                     "data-parallel when EP > 1")
        sf.addRow("MLA attention", b.bind(self.dp_attention, "layout.dp_attention",
                                          "MLA attention"))
        self.spec_on = QCheckBox("speculative decoding")
        self.spec_on.setToolTip("Speculative decoding or multi-token prediction: each decode "
                                "step verifies drafted tokens; defaults are DeepSeek-V3's MTP, "
                                "one draft token accepted 85% of the time")
        self.spec_on.toggled.connect(self._speculative_toggled)
        sf.addRow("Speculation", self.spec_on)
        self.spec_tokens = spin(1, 16, tip="Tokens drafted per sequence and step")
        self.spec_accept = spin(0, 99, 0, 1, " %", tip="Chance each drafted token is "
                                "accepted, given the ones before it were")
        sf.addRow("Draft tokens", b.bind(self.spec_tokens, "speculative.draft_tokens",
                                         "draft tokens"))
        sf.addRow("Acceptance", b.bind(self.spec_accept, "speculative.acceptance",
                                       "acceptance", scale=100))
        self.serve_form = sf
        self.serving = QComboBox()
        # Short names, the meaning in the tips: long ones made the panel wider than its column.
        self.serving.addItem("aggregated", "aggregated")
        self.serving.setItemData(0, "Prefill and decode share replicas",
                                 Qt.ItemDataRole.ToolTipRole)
        self.serving.addItem("disaggregated", "disaggregated")
        self.serving.setItemData(1, "Separate prefill and decode replicas; the KV cache "
                                 "crosses the fabric once per request", Qt.ItemDataRole.ToolTipRole)
        self.serving.setToolTip("aggregated: prefill and decode share replicas; "
                                "disaggregated: separate prefill and decode replicas")
        sf.addRow("Prefill / decode", b.bind(self.serving, "serving", "serving mode"))
        self.prefill, self.prefill_label, box = _slider(
            5, 95, "Share of accelerators doing prefill, %")
        sf.addRow("Prefill share", box)
        b.bind(self.prefill, "prefill_share", "prefill share", scale=100)
        self.workload_list = QListWidget()
        self.workload_list.setMaximumHeight(80)
        self.workload_list.setToolTip("Workloads this pool serves")
        self.workload_list.itemChanged.connect(self._workloads_changed)
        sf.addRow("Serves", self.workload_list)
        # This pool's share of each workload it shares with other pools (the Workloads
        # panel's split, from this side).
        self.shares_box = QWidget()
        self.shares_form = QFormLayout(self.shares_box)
        self.shares_form.setContentsMargins(0, 0, 0, 0)
        self.share_spins: dict[str, QWidget] = {}
        sf.addRow("Its share of", self.shares_box)
        self.util, self.util_label, box = _slider(
            10, 100, "Highest share of SLO capacity the pool may run at the peak hour, %")
        sf.addRow("Target utilization", box)
        b.bind(self.util, "target_utilization", "target utilization", scale=100)
        self.redundancy = spin(0, 1000, tip="N+k: spare replicas beyond the peak's need")
        sf.addRow("Spare replicas", b.bind(self.redundancy, "redundancy", "spare replicas"))
        # The minimum is one step below zero, so one step up from "owned" reaches $0.
        self.rent = spin(-0.25, 1000, 2, 0.25, " $/acc·h", special="owned (no rent)",
                         tip="Cloud rent per accelerator-hour, USD. A system sold only as a "
                             "cloud rental (TPU, Trainium, Inferentia) costs this (else the "
                             "catalog's rent); for a bought one it is what owning is compared "
                             "with")
        sf.addRow("Rent", b.bind(self.rent, "rent_usd_per_accelerator_hour", "rent"))
        layout.addWidget(serve)

        self.sizing_info = QLabel()
        self.sizing_info.setWordWrap(True)
        self.sizing_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sizing_info)

    def set_document(self, doc) -> None:
        was = self.system_box.blockSignals(True)  # filling the list is not an edit
        self.system_box.clear()
        cat = doc.catalog
        for ident, s in sorted(cat.systems.items(), key=lambda kv: (kv[1].vendor, kv[1].name)):
            tag = "" if s.status == "shipping" else f" — {s.status}"
            self.system_box.addItem(f"{s.name}{tag}", ident)
        self.system_box.blockSignals(was)
        super().set_document(doc)
        doc.resultsChanged.connect(self._show_sizing)

    def sync_extra(self, data: dict, item: dict) -> None:
        cat = self.doc.catalog
        try:
            system = cat.system(item["system"])
            acc = cat.accelerator(system.accelerator)
        except PlannerError as exc:  # a plan file or override naming a system we lack
            self.system_info.setText(f"<b>{exc}</b>")
            self.mig_group.setVisible(False)
            return
        form = "whole rack" if system.form == "rack" else f"{system.rack_units or '?'} U"
        self.system_info.setText(
            f"{system.accelerators} × {acc.name} · {system.cooling}-cooled · {form} · "
            f"{quantity(acc.memory_gb.value, 'GB')} at "
            f"{significant(acc.memory_bw_gbs.value / 1e3)} TB/s each")
        # A rented-only system's pool costs the catalog's rent unless the plan sets its own.
        rent = acc.rent_usd_per_hour
        self.rent.setSpecialValueText(
            "owned (no rent)" if not system.rented else
            f"catalog's (${rent.value:g})" if rent is not None else "needed: rented only")
        sram = acc.architecture == "sram"
        tip = f"{POWER_LIMIT_TIP}\n\n{acc.name}: TDP {acc.tdp_w.value:,.0f} W, idle " \
              f"{acc.idle_w.value:,.0f} W."
        if acc.power_optimised_limit_w is not None:
            tip += (f" Its vendor runs it at {acc.power_optimised_limit_w.value:,.0f} W in "
                    f"power-optimised benchmarks ({acc.power_optimised_limit_w.source}).")
        self.power_limit.setToolTip(tip)
        # Only an air-cooled system with a liquid option can be switched to liquid.
        self.cooling.setEnabled(system.liquid_option or item.get("cooling") == "liquid")
        was = self.engine.blockSignals(True)
        self.engine.clear()
        self.engine.addItem(f"auto ({engine_for('auto', acc.vendor, acc.architecture).name})",
                            "auto")
        for e in ENGINES.values():
            if e.runs_on(acc.vendor) and (not sram or e.id == "vendor"):
                self.engine.addItem(e.name, e.id)
        chosen = item.get("engine", "auto")
        if self.engine.findData(chosen) < 0 and chosen in ENGINES:
            # Kept after a change of system: shown as what it is, so choosing another engine
            # (or auto) is a real edit.
            self.engine.addItem(f"{ENGINES[chosen].name} — does not run here", chosen)
        self.engine.setCurrentIndex(max(self.engine.findData(chosen), 0))
        self.engine.blockSignals(was)
        try:
            engine = engine_for(item.get("engine", "auto"), acc.vendor, acc.architecture)
        except PlannerError as exc:
            self.basis.setText(f"<b>{exc.detail}</b>")
        else:
            models = [w["model"] for w in data["workloads"] if w["name"] in item["workloads"]]
            self.basis.setText(self.doc.calibration.basis(acc.family, engine.id, cat,
                                                          models).text)
        mla = cat.models.get(next((w["model"] for w in data["workloads"]
                                   if w["name"] in item["workloads"]), ""))
        self.serve_form.setRowVisible(self.dp_attention,
                                      mla is not None and mla.kv_layout == "mla")
        spec = item.get("speculative")
        was = self.spec_on.blockSignals(True)
        self.spec_on.setChecked(spec is not None)
        self.spec_on.blockSignals(was)
        for w in (self.spec_tokens, self.spec_accept):
            self.serve_form.setRowVisible(w, spec is not None)
        for w in (self.tp, self.pp, self.ep):
            self.layout_form.setRowVisible(w, not sram)
        self.layout_form.setRowVisible(self.chips, sram)
        self.mig_group.setVisible(acc.mig is not None)
        slices = item["layout"].get("mig")
        self.mig.set_pool(acc, system.accelerators,
                          [MigSlice(**s) for s in slices] if slices else None,
                          list(item["workloads"]))
        self.prefill.setEnabled(item["serving"] == "disaggregated")
        # Syncing moves the sliders with their signals blocked; their labels follow here.
        self.prefill_label.setText(f"{self.prefill.value()} %")
        self.util_label.setText(f"{self.util.value()} %")
        was = self.workload_list.blockSignals(True)
        self.workload_list.clear()
        for w in data["workloads"]:
            it = QListWidgetItem(w["name"])
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if w["name"] in item["workloads"]
                             else Qt.CheckState.Unchecked)
            self.workload_list.addItem(it)
        self.workload_list.blockSignals(was)
        self._sync_shares(data, item)
        self._show_sizing()

    def _sync_shares(self, data: dict, item: dict) -> None:
        shared = [w for w in item["workloads"]
                  if sum(w in p["workloads"] for p in data["pools"]) > 1]
        label = self.serve_form.labelForField(self.shares_box)
        self.shares_box.setVisible(bool(shared))
        if label is not None:
            label.setVisible(bool(shared))
        if list(self.share_spins) != shared:
            while self.shares_form.rowCount():
                self.shares_form.removeRow(0)
            self.share_spins = {}
            for w in shared:
                box = spin(0, 100, 1, 5, " %", tip=f"The share of {w}'s traffic this pool "
                           "serves; the other pools serving it make up the rest")
                box.editingFinished.connect(lambda w=w: self._share_edited(w))
                self.share_spins[w] = box
                self.shares_form.addRow(w, box)
        plan = self.doc.view_plan()
        for w, box in self.share_spins.items():
            was = box.blockSignals(True)
            box.setValue(100 * plan.share(w, item["name"]))
            box.blockSignals(was)

    def _share_edited(self, workload: str) -> None:
        if not self.current or workload not in self.share_spins:
            return
        shares = edits.one_share(self.doc.view_plan(), workload, self.current,
                                 self.share_spins[workload].value() / 100)
        self._edit(f"workloads.{workload}.pool_shares", shares,
                   f"Split {workload} between pools", None)

    def _show_sizing(self, *_results) -> None:
        doc = self.doc
        if doc is None or doc.results is None or not self.current:
            return
        r = doc.results
        rows = [p for p in r.records("pools", doc.scenario) if p["pool"] == self.current]
        wl = [w for w in r.records("workloads", doc.scenario) if w["pool"] == self.current]
        if not rows:
            self.sizing_info.setText("")
            return
        p = SimpleNamespace(**rows[0])
        if getattr(p, "calibration_basis", None):
            self.basis.setText(str(p.calibration_basis))
        else:  # the engine cannot run on this system: say so, not a stale basis
            bad = [w["message"] for w in r.warnings if w["scenario"] == doc.scenario
                   and w["kind"] == "invalid-engine" and w["item"] == f"pools.{self.current}"]
            if bad:
                self.basis.setText(f"<b>{bad[0]}</b>")
        lines = [f"<b>Sized:</b> {p.systems:,} systems · {p.accelerators:,} accelerators · "
                 f"{p.racks:,} racks · peak IT {quantity(p.it_kw_peak, 'kW')} · "
                 f"utilization at peak {p.utilization_peak_pct:,.0f} %"]
        for w in (SimpleNamespace(**x) for x in wl):
            share = getattr(w, "traffic_share_pct", 100.0)
            lines.append(
                f"{w.workload}"
                + (f" ({share:.0f}% of its traffic, {w.peak_rps:,.1f} req/s at peak)"
                   if share < 99.95 else "")
                + f": {w.layout}, {w.replicas:,} replicas × "
                f"{w.capacity_rps_per_replica:,.2f} req/s within the SLOs, "
                f"batch ≤ {w.max_batch:,.0f}"
                + (f", clock {w.clock_pct:.0f} % under the power limit"
                   if getattr(w, "clock_pct", 100.0) < 99.5 else ""))
        self.sizing_info.setText("<br>".join(lines))

    def _speculative_toggled(self, on: bool) -> None:
        if self.current:
            self._edit(f"pools.{self.current}.speculative",
                       Speculative().model_dump() if on else None,
                       "Turn speculative decoding " + ("on" if on else "off"), None)

    def _mig_edited(self, layout) -> None:
        if self.current:
            self._edit(f"pools.{self.current}.layout.mig", layout, "Change the MIG layout", None)

    def _workloads_changed(self, _item) -> None:
        if not self.current:
            return
        names = [self.workload_list.item(i).text() for i in range(self.workload_list.count())
                 if self.workload_list.item(i).checkState() == Qt.CheckState.Checked]
        self._edit(f"pools.{self.current}.workloads", names, "Change the workloads served",
                   None)

    # -- structure ---------------------------------------------------------------------------
    def add_item(self, system: str | None = None) -> None:
        if self.doc is None:
            return
        system = system or self.doc.plan.pools[0].system
        before = [p.name for p in self.doc.plan.pools]
        if self.doc.apply(lambda p: edits.add_pool(p, system), f"Add pool of {system}"):
            self._after_add(before)

    def _duplicate(self) -> None:
        if self.doc is None or not self.current:
            return
        src = next(p for p in self.doc.plan.pools if p.name == self.current)
        before = [p.name for p in self.doc.plan.pools]
        if self.doc.apply(lambda p: edits.add_pool(p, src.system, like=src.name, name=src.name),
                          f"Duplicate pool {src.name}"):
            self._after_add(before)

    def accept_catalog(self, kind: str, ident: str) -> bool:
        if self.doc is None or self.doc.scenario != "base":
            return False
        if kind == "accelerator":
            systems = self.doc.catalog.systems_for(ident)
            if not systems:
                return False
            ident, kind = systems[0].id, "system"
        if kind != "system":
            return False
        self.add_item(ident)
        return True
