"""Each editor changes the plan, the dashboard follows, and undo/redo restore both."""


from PySide6.QtCore import Qt


def test_workload_peak_load_resizes_the_fleet_and_undo_restores(qtbot, window, settle, tile):
    doc = window.document
    before_acc, before_rps = tile("accelerators"), doc.plan.workload("chat").traffic
    settle(lambda: window.workloads.peak.setValue(400.0))
    assert doc.plan.workload("chat").traffic.peak_rps == 400.0
    assert tile("accelerators") > before_acc
    assert tile("facility_mw_provisioned") > 0.11
    assert "expected" in window.dashboard.tiles["facility_mw_provisioned"].delta.text()
    assert window.isWindowModified()
    settle(doc.undo_stack.undo)
    assert doc.plan.workload("chat").traffic == before_rps
    assert tile("accelerators") == before_acc
    assert window.workloads.peak.value() == 40.0  # the editor shows the restored value
    assert not window.isWindowModified()
    settle(doc.undo_stack.redo)
    assert window.workloads.peak.value() == 400.0 and tile("accelerators") > before_acc


def test_slo_and_tokens_edits_change_latency_kpis(qtbot, window, settle, tile):
    doc = window.document
    settle(lambda: window.workloads.input_tokens_mean.setValue(8000))
    assert doc.plan.workload("chat").input_tokens.mean == 8000
    ttft_long = tile("ttft_p99_ms")
    settle(lambda: window.workloads.input_tokens_mean.setValue(500))
    assert tile("ttft_p99_ms") < ttft_long
    settle(lambda: window.workloads.tpot.setValue(0))  # "none" = no TPOT SLO
    assert doc.plan.workload("chat").slo.tpot_p99_ms is None


def test_pool_system_and_layout_edits(qtbot, window, settle, tile):
    doc = window.document
    box = window.pools.system_box
    settle(lambda: box.setCurrentIndex(box.findData("hgx-h200")))
    assert doc.plan.pools[0].system == "hgx-h200"
    assert window.fleet.item(0, 1).text() == "hgx-h200"
    acc_tp8 = tile("accelerators")
    settle(lambda: window.pools.tp.setValue(4))
    assert doc.plan.pools[0].layout.tp == 4
    assert tile("accelerators") != acc_tp8
    # An SRAM system hides TP/PP/EP and shows the chain length instead.
    settle(lambda: box.setCurrentIndex(box.findData("groq-rack")))
    assert window.pools.chips.isVisibleTo(window.pools)
    assert not window.pools.tp.isVisibleTo(window.pools)


def test_slider_drag_is_one_undo_step(qtbot, window, settle, tile):
    doc = window.document
    slider = window.pools.util
    steps = doc.undo_stack.count()
    slider.setSliderDown(True)
    for v in (70, 65, 60, 55, 50):
        slider.setValue(v)
    slider.setSliderDown(False)
    assert doc.plan.pools[0].target_utilization == 0.5
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert doc.plan.pools[0].target_utilization == 0.75
    assert slider.value() == 75


def test_profile_drag_is_one_undo_step_and_changes_the_day(qtbot, window, settle, tile):
    doc = window.document
    chart = window.workloads.profile
    steps = doc.undo_stack.count()
    flat = [1.0] * 24
    settle(lambda: [chart.profileEdited.emit([0.5] * 23 + [1.0], 7),
                                   chart.profileEdited.emit(flat, 7)])
    assert doc.undo_stack.count() == steps + 1
    assert doc.plan.workload("chat").traffic.profile_24h == flat
    hourly = doc.results.hourly[doc.results.hourly.scenario == "base"]
    assert hourly.utilization_pct.min() == hourly.utilization_pct.max()  # flat load, flat use


def test_facility_edits_change_cost_and_power(qtbot, window, settle, tile):
    doc = window.document
    cost, mw = tile("usd_per_m_output_tokens"), tile("facility_mw_provisioned")
    settle(lambda: window.facility.fields["electricity_usd_per_kwh"].setValue(0.3))
    assert doc.plan.facility.electricity_usd_per_kwh == 0.3
    assert tile("usd_per_m_output_tokens") > cost
    settle(lambda: window.facility.fields["pue"].setValue(1.8))
    assert tile("facility_mw_provisioned") > mw
    settle(lambda: window.facility.fields["cost_of_capital"].setValue(12.0))
    assert doc.plan.facility.cost_of_capital == 0.12  # shown in %, stored as a fraction
    settle(window.facility.reset.click)
    assert doc.plan.facility.pue == 1.3 and doc.plan.facility.cost_of_capital == 0.08


def test_refused_edit_leaves_plan_and_says_why(qtbot, window, settle, tile):
    doc = window.document
    served = window.pools.workload_list
    before = doc.plan
    served.item(0).setCheckState(Qt.CheckState.Unchecked)  # chat would be served by no pool
    assert doc.plan is before
    assert "at least 1 item" in window.statusBar().currentMessage()
    assert served.item(0).checkState() == Qt.CheckState.Checked  # the editor snapped back


def test_unsupported_precision_is_a_warning_on_the_pool(qtbot, window, settle, tile):
    window.scenario_box.setCurrentIndex(window.scenario_box.findData("HGX H200"))
    box = window.workloads.weights_box
    settle(lambda: box.setCurrentIndex(box.findData("fp4")))  # H200: no FP4
    messages = [window.warnings.item(i).text() for i in range(window.warnings.count())]
    assert any("pools.serving" in m and "does not run fp4" in m for m in messages), messages
    assert window.document.plan.workload("chat").weight_precision == "fp8"  # base untouched


def test_mig_layout_from_the_editor(qtbot, window, settle, tile):
    doc = window.document
    box = window.pools.system_box
    settle(lambda: box.setCurrentIndex(box.findData("hgx-h100")))
    assert window.pools.mig_group.isVisibleTo(window.pools)
    mig = window.pools.mig
    settle(lambda: mig.enable_box.setChecked(True))
    layout = doc.plan.pools[0].layout.mig
    assert layout is not None and len(layout) == 1
    # The largest slice takes the whole GPU: every other profile is refused now.
    assert not any(b.isEnabled() for b in mig.profile_buttons.values())
    doc.undo_stack.undo()
    assert doc.plan.pools[0].layout.mig is None


def test_catalog_add_creates_a_pool_and_a_workload(qtbot, window, settle, tile):
    doc = window.document
    assert window.browser.select("system", "mi300x-8")
    settle(window.browser.add_btn.click)
    assert [p.system for p in doc.plan.pools] == ["gb200-nvl72", "mi300x-8"]
    assert window.pools.current == doc.plan.pools[1].name
    assert window.fleet.rowCount() == 2
    assert window.browser.select("model", "llama-3.1-8b")
    settle(window.browser.add_btn.click)
    assert [w.model for w in doc.plan.workloads][-1] == "llama-3.1-8b"
    assert window.editors.currentWidget().isAncestorOf(window.workloads)


def test_warning_click_selects_its_item(qtbot, window, settle, tile):
    doc = window.document
    settle(lambda: window.pools.count.setValue(1))  # 1 rack: too few at 400 rps
    settle(lambda: window.workloads.peak.setValue(400.0))
    window.show_panel("facility")
    items = [window.warnings.item(i) for i in range(window.warnings.count())]
    pool_warn = [i for i in items if i.data(Qt.ItemDataRole.UserRole) == "pools.serving"]
    assert pool_warn, [i.text() for i in items]
    window._warning_clicked(pool_warn[0])
    assert window.editors.currentWidget() is window.pools
    assert window.pools.current == "serving"
    assert doc.plan.pools[0].count == 1


def test_close_asks_when_modified(qtbot, window, settle, tile, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked = []
    window.ask_before_discarding = True
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    settle(lambda: window.facility.fields["pue"].setValue(1.4))
    assert "[*]" in window.windowTitle() and window.isWindowModified()
    assert not window.close()
    assert asked and window.isVisible() is window.isVisible()  # still open
    window.document.undo_stack.undo()
    assert window.close()  # clean again: no question
    assert len(asked) == 1


def test_opening_another_plan_is_not_an_edit(qtbot, window, settle, tile):
    from planner_core.resources import resource_path

    assert window.open_plan(resource_path("examples", "mig-h100-8b-tenants.json"))
    doc = window.document
    assert doc.undo_stack.count() == 0 and not window.isWindowModified()
    assert window.statusBar().currentMessage() == ""
    assert window.pools.current == "h100-mig" and window.workloads.current == "assistant"
    assert window.pools.mig.enable_box.isChecked()
    assert window.pools.system_box.currentData() == "hgx-h100"


def test_failed_save_says_why_and_keeps_the_changes(window, settle, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    settle(lambda: window.facility.fields["pue"].setValue(1.4))
    assert not window._write(tmp_path / "missing-folder" / "plan.json")
    assert shown and "Nothing was overwritten" in shown[0]
    assert window.isWindowModified() and window.document.plan.facility.pue == 1.4
    assert window._write(tmp_path / "plan.json")
    assert not window.isWindowModified()
    assert '"pue": 1.4' in (tmp_path / "plan.json").read_text()


def test_slider_labels_follow_undo(qtbot, window, settle, tile):
    doc = window.document
    assert window.pools.util_label.text() == "75 %"
    window.pools.util.setValue(60)
    assert window.pools.util_label.text() == "60 %"
    doc.undo_stack.undo()
    assert window.pools.util.value() == 75 and window.pools.util_label.text() == "75 %"


def test_batch_cap_is_an_edit_and_its_default_is_none(window, settle):
    doc = window.document
    free = doc.results.workloads.query("scenario == 'base'")["max_batch"].iloc[0]
    settle(lambda: window.pools.max_batch.setValue(16))
    assert doc.plan.pools[0].layout.max_batch == 16
    capped = doc.results.workloads.query("scenario == 'base'")["max_batch"].iloc[0]
    assert capped <= 16 < free
    settle(lambda: window.pools.max_batch.setValue(0))  # "engine default"
    assert doc.plan.pools[0].layout.max_batch is None
    doc.undo_stack.undo()
    assert doc.plan.pools[0].layout.max_batch == 16


def test_engine_choice_follows_the_hardware_and_shows_its_basis(qtbot, window, settle, tile):
    doc, pools = window.document, window.pools
    engines = [pools.engine.itemData(i) for i in range(pools.engine.count())]
    assert engines == ["auto", "trtllm", "vllm", "sglang"]  # an NVIDIA rack
    assert pools.basis.text().startswith("calibrated (")
    settle(lambda: pools.engine.setCurrentIndex(pools.engine.findData("vllm")))
    assert doc.plan.pools[0].engine == "vllm"
    # vLLM on Blackwell has no measurement of its own: borrowed from TensorRT-LLM on the
    # same GPUs, and the pool and the warnings say so.
    assert pools.basis.text().startswith("borrowed from trtllm/blackwell")
    assert any(w["kind"] == "calibration-basis" for w in doc.results.warnings)
    settle(doc.undo_stack.undo)
    assert doc.plan.pools[0].engine == "auto" and pools.basis.text().startswith("calibrated (")
    # An AMD platform offers no TensorRT-LLM; an SRAM chain only its vendor's stack.
    box = pools.system_box
    settle(lambda: box.setCurrentIndex(box.findData("mi355x-8")))
    engines = [pools.engine.itemData(i) for i in range(pools.engine.count())]
    assert "trtllm" not in engines and "sglang" in engines
    settle(lambda: box.setCurrentIndex(box.findData("groq-rack")))
    assert [pools.engine.itemData(i) for i in range(pools.engine.count())] == ["auto", "vendor"]


def test_speculation_and_prefix_cache_are_edits(qtbot, window, settle, tile):
    doc = window.document
    tpot, ttft = tile("tpot_p99_ms"), tile("ttft_p99_ms")
    settle(lambda: window.pools.spec_on.setChecked(True))
    spec = doc.plan.pools[0].speculative
    assert spec is not None and spec.draft_tokens == 1 and spec.acceptance == 0.85
    assert window.pools.spec_accept.isVisibleTo(window.pools)
    assert tile("tpot_p99_ms") < tpot
    settle(lambda: window.pools.spec_accept.setValue(60))
    assert doc.plan.pools[0].speculative.acceptance == 0.6
    settle(lambda: window.workloads.prefix_cache.setValue(50))
    assert doc.plan.workload("chat").prefix_cache_share == 0.5
    assert tile("ttft_p99_ms") < ttft
    for _ in range(3):
        settle(doc.undo_stack.undo)
    assert doc.plan.pools[0].speculative is None
    assert doc.plan.workload("chat").prefix_cache_share == 0.0
    assert not window.pools.spec_accept.isVisibleTo(window.pools)


def test_an_engine_that_cannot_run_after_a_system_change_is_shown_and_fixable(qtbot, window,
                                                                             settle, tile):
    doc, pools = window.document, window.pools
    settle(lambda: pools.engine.setCurrentIndex(pools.engine.findData("trtllm")))
    box = pools.system_box
    settle(lambda: box.setCurrentIndex(box.findData("mi355x-8")))
    assert doc.plan.pools[0].engine == "trtllm"
    assert pools.engine.currentText() == "TensorRT-LLM — does not run here"
    assert "does not run on AMD" in pools.basis.text()
    assert any(w["kind"] == "invalid-engine" for w in doc.results.warnings)
    settle(lambda: pools.engine.setCurrentIndex(pools.engine.findData("auto")))
    assert doc.plan.pools[0].engine == "auto"
    assert not any(w["kind"] == "invalid-engine" for w in doc.results.warnings)
    assert tile("accelerators") > 0


def test_a_workload_split_between_two_pools_is_edited_in_the_workloads_panel(window, settle):
    from planner_core.plan import edits

    doc = window.document
    pool = doc.plan.pools[0]
    settle(lambda: doc.apply(lambda p: edits.add_pool(p, "hgx-h200", ["chat"], name="h200"),
                             "Add a second pool"))
    editor = window.workloads
    editor.select("chat")
    assert not editor.split_group.isHidden() and set(editor.split_spins) == {pool.name, "h200"}
    assert editor.split_spins["h200"].value() == 50.0
    box = editor.split_spins["h200"]
    box.setValue(25.0)
    settle(box.editingFinished.emit)
    assert doc.plan.workload("chat").pool_shares == {"h200": 0.25, pool.name: 0.75}
    rows = doc.results.workloads.query("scenario == 'base'").set_index("pool")
    assert rows.traffic_share_pct["h200"] == 25.0
    window.pools.select("h200")
    assert "chat (25% of its traffic" in window.pools.sizing_info.text()
    settle(doc.undo_stack.undo)
    assert doc.plan.workload("chat").pool_shares == {}
