"""The workload editor: model, precision, peak load and its 24-hour shape, tokens, SLOs."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QPushButton, QVBoxLayout

from app.charts.profile_chart import ProfileChart
from app.window.widgets.fields import spin
from app.window.widgets.item_editor import ItemEditor
from planner_core.plan import edits

PRECISIONS = ["fp16", "bf16", "fp8", "int8", "fp4", "int4"]
DISTRIBUTIONS = [("fixed", "fixed"), ("exponential", "exponential"),
                 ("lognormal", "lognormal (set CV)")]


class WorkloadEditor(ItemEditor):
    section = "workloads"
    noun = "workload"

    def build_form(self, layout: QVBoxLayout) -> None:
        b, f = self.binder, self.form
        self.model_box = QComboBox()
        self.model_box.setToolTip("The model this workload serves (catalog entry)")
        f.addRow("Model", b.bind(self.model_box, "model", "model"))
        self.weights_box = QComboBox()
        self.weights_box.addItem("accelerator's default", None)
        self.kv_box = QComboBox()
        self.kv_box.addItem("automatic (FP8 with ≤ 8-bit weights)", None)
        for p in PRECISIONS:
            self.weights_box.addItem(p.upper(), p)
            self.kv_box.addItem(p.upper(), p)
        self.weights_box.setToolTip("Weight precision; the accelerator must support it")
        self.kv_box.setToolTip("KV-cache precision")
        f.addRow("Weights", b.bind(self.weights_box, "weight_precision", "weight precision"))
        f.addRow("KV cache", b.bind(self.kv_box, "kv_precision", "KV-cache precision"))

        traffic = QGroupBox("Traffic")
        tf = QFormLayout(traffic)
        self.peak = spin(0.001, 1e7, 3, 1.0, " req/s",
                         tip="Requests per second at the busiest hour of the day")
        tf.addRow("Peak load", b.bind(self.peak, "traffic.peak_rps", "peak load"))
        self.profile = ProfileChart()
        self.profile.setMinimumHeight(170)
        self.profile.setToolTip("Load through the day as % of the peak: drag the bars to shape "
                                "it (one drag is one undo step)")
        self.profile.profileEdited.connect(self._profile_edited)
        tf.addRow(self.profile)
        layout.addWidget(traffic)

        self.split_group = QGroupBox("Split between pools")
        self.split_group.setToolTip("The share of this workload's traffic each pool serving it "
                                    "takes; they add up to 100%. Changing one share scales "
                                    "the others to make up the rest")
        self.split_form = QFormLayout(self.split_group)
        self.split_spins: dict = {}
        self.equal_split = QPushButton("Equal split")
        self.equal_split.clicked.connect(lambda: self._set_shares({}))
        layout.addWidget(self.split_group)

        tokens = QGroupBox("Tokens per request")
        kf = QFormLayout(tokens)
        for side, label in (("input_tokens", "Input"), ("output_tokens", "Output")):
            mean = spin(1, 2_000_000, 0, 50, " tokens", tip=f"{label} tokens per request, mean")
            dist = QComboBox()
            for value, text in DISTRIBUTIONS:
                dist.addItem(text, value)
            dist.setToolTip(f"How {label.lower()} lengths vary between requests")
            cv = spin(0, 10, 2, 0.05, tip="Coefficient of variation (std / mean) for lognormal")
            kf.addRow(f"{label} mean", b.bind(mean, f"{side}.mean", f"{label.lower()} tokens"))
            kf.addRow(f"{label} spread", b.bind(dist, f"{side}.distribution",
                                                f"{label.lower()} distribution"))
            kf.addRow(f"{label} CV", b.bind(cv, f"{side}.cv", f"{label.lower()} CV"))
            setattr(self, f"{side}_mean", mean)
        self.prefix_cache = spin(0, 99, 0, 5, " %", tip=(
            "Share of prompt tokens the engine finds in its prefix cache (shared system "
            "prompts, conversation history): no prefill work, but still KV memory"))
        kf.addRow("Prefix cache hits", b.bind(self.prefix_cache, "prefix_cache_share",
                                              "prefix cache hits", scale=100))
        layout.addWidget(tokens)

        slo = QGroupBox("Service-level objectives (p99)")
        sf = QFormLayout(slo)
        self.ttft = spin(1, 3_600_000, 0, 50, " ms",
                         tip="p99 time to first token the service must meet, ms")
        self.tpot = spin(0, 100_000, 1, 1, " ms", special="none",
                         tip="p99 time per output token, ms (none = no limit)")
        self.user_tok = spin(0, 1_000_000, 1, 1, " tok/s", special="none",
                             tip="Minimum tokens per second each user sees (none = no limit)")
        sf.addRow("Time to first token", b.bind(self.ttft, "slo.ttft_p99_ms", "TTFT SLO"))
        sf.addRow("Time per output token", b.bind(self.tpot, "slo.tpot_p99_ms", "TPOT SLO"))
        sf.addRow("Tokens/s per user", b.bind(self.user_tok, "slo.min_user_tok_s",
                                              "tokens/s per user"))
        layout.addWidget(slo)

    def set_document(self, doc) -> None:
        # Filling the list is not an edit: with signals on, it would "set" the model of the
        # previous plan's workload.
        was = self.model_box.blockSignals(True)
        self.model_box.clear()
        for ident, m in sorted(doc.catalog.models.items(), key=lambda kv: kv[1].name):
            self.model_box.addItem(f"{m.name} ({m.params_b:g} B)", ident)
        self.model_box.blockSignals(was)
        super().set_document(doc)

    def sync_extra(self, data: dict, item: dict) -> None:
        traffic = item["traffic"]
        self.profile.set_profile(traffic["profile_24h"], traffic["peak_rps"])
        self._sync_split(data, item)

    def _sync_split(self, data: dict, item: dict) -> None:
        """One share per serving pool, shown when more than one pool serves the workload."""
        serving = [p["name"] for p in data["pools"] if item["name"] in p["workloads"]]
        shares = item.get("pool_shares") or {p: 1.0 / len(serving) for p in serving}
        self.split_group.setVisible(len(serving) > 1)
        if list(self.split_spins) != serving:
            while self.split_form.rowCount():
                self.split_form.removeRow(0)  # deletes the old spins and the button's row
            self.equal_split = QPushButton("Equal split")
            self.equal_split.clicked.connect(lambda: self._set_shares({}))
            self.split_spins = {}
            for pool in serving:
                box = spin(0, 100, 1, 5, " %", tip=f"Share of the traffic pool {pool} serves")
                box.editingFinished.connect(lambda pool=pool: self._share_edited(pool))
                self.split_spins[pool] = box
                self.split_form.addRow(pool, box)
            self.split_form.addRow("", self.equal_split)
        for pool, box in self.split_spins.items():
            was = box.blockSignals(True)
            box.setValue(100 * shares.get(pool, 0.0))
            box.blockSignals(was)

    def _share_edited(self, pool: str) -> None:
        """One pool's share as typed; the others scaled to make up the rest of 100%."""
        if not self.current or pool not in self.split_spins:
            return
        self._set_shares(edits.one_share(self.doc.view_plan(), self.current, pool,
                                         self.split_spins[pool].value() / 100))

    def _set_shares(self, shares: dict) -> None:
        if self.current:
            self._edit(f"workloads.{self.current}.pool_shares",
                       {p: round(v, 6) for p, v in shares.items()},
                       f"Split {self.current} between pools", None)

    def _profile_edited(self, values: list, drag_id: int) -> None:
        if self.current:
            self._edit(f"workloads.{self.current}.traffic.profile_24h",
                       [float(v) for v in values], "Shape the load profile",
                       f"profile-{drag_id}")

    # -- structure ---------------------------------------------------------------------------
    def add_item(self, model: str | None = None) -> None:
        if self.doc is None:
            return
        model = model or self.doc.plan.workloads[0].model
        before = [w.name for w in self.doc.plan.workloads]
        if self.doc.apply(lambda p: edits.add_workload(p, model), f"Add workload ({model})"):
            self._after_add(before)

    def _duplicate(self) -> None:
        if self.doc is None or not self.current:
            return
        src = self.doc.plan.workload(self.current)
        before = [w.name for w in self.doc.plan.workloads]
        pool = next((p.name for p in self.doc.plan.pools if src.name in p.workloads), None)
        if self.doc.apply(lambda p: edits.add_workload(p, src.model, like=src.name, pool=pool,
                                                       name=src.name),
                          f"Duplicate workload {src.name}"):
            self._after_add(before)

    def accept_catalog(self, kind: str, ident: str) -> bool:
        if kind != "model" or self.doc is None or self.doc.scenario != "base":
            return False
        self.add_item(ident)
        return True
