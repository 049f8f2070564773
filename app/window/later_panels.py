"""The window's panels behind the first screen, built when first shown or asked for
(:class:`app.window.deferred.Deferred`): the Workloads, Facility and Scenarios editors, and
the Compare, What-if, Evidence and Roadmap views. Each is an attribute of the window as if it
had always been there (``window.workloads``); asking for it builds it.

A mixin of MainWindow, which provides ``document``, ``_choose_scenario``, ``_apply_option``,
``_stale`` and ``_show_hidden_panels``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from app.window.deferred import Deferred


def subtabs(name: str, *pages: tuple[QWidget, str, str],
            tabs: QTabWidget | None = None) -> QTabWidget:
    """Tabs inside an editor tab: (widget, title, tooltip) each."""
    tabs = tabs if tabs is not None else QTabWidget()
    tabs.setObjectName(name)
    tabs.setDocumentMode(True)
    for i, (widget, title, tip) in enumerate(pages):
        tabs.addTab(widget, title)
        tabs.setTabToolTip(i, tip)
    return tabs


class _EditorTabs(QTabWidget):
    """Editors on tabs of one panel: each takes the open plan."""

    def set_document(self, doc) -> None:
        for i in range(self.count()):
            self.widget(i).set_document(doc)


class LaterPanels:
    def _make_later_panels(self) -> None:
        """The placeholders the tab widgets hold until their panels are first shown."""
        self._workloads = Deferred(self._new_workloads, self._attach)
        self._facility_tabs = Deferred(self._new_facility_tabs, self._attach)
        self._scenarios = Deferred(self._new_scenarios, self._attach)
        self._compare = Deferred(self._new_compare, self._attach)
        self._whatif = Deferred(self._new_whatif, self._attach)
        self._evidence = Deferred(self._new_evidence, self._attach)
        self._roadmap = Deferred(self._new_roadmap, self._attach)

    def _later_panels(self) -> tuple[Deferred, ...]:
        return (self._workloads, self._facility_tabs, self._scenarios, self._compare,
                self._whatif, self._evidence, self._roadmap)

    @property
    def workloads(self):
        return self._workloads.panel()

    @property
    def facility_tabs(self) -> QTabWidget:
        return self._facility_tabs.panel()

    @property
    def facility(self):
        return self.facility_tabs.widget(0)

    @property
    def site(self):
        return self.facility_tabs.widget(1)

    @property
    def scenarios(self):
        return self._scenarios.panel()

    @property
    def compare(self):
        return self._compare.panel()

    @property
    def whatif(self):
        return self._whatif.panel()

    @property
    def evidence(self):
        return self._evidence.panel()

    @property
    def roadmap(self):
        return self._roadmap.panel()

    @staticmethod
    def _new_workloads():
        from app.window.widgets.workload_editor import WorkloadEditor

        return WorkloadEditor()

    @staticmethod
    def _new_facility_tabs():
        from app.window.widgets.facility_editor import FacilityEditor
        from app.window.widgets.site_editor import SiteEditor

        return subtabs("facility-tabs", (FacilityEditor(), "Power && cost", ""), (
            SiteEditor(), "Site", "Electrical chain and redundancy, cooling plant, scale-out "
            "fabric, site limits, halls"), tabs=_EditorTabs())

    @staticmethod
    def _new_scenarios():
        from app.window.widgets.scenario_panel import ScenarioPanel

        return ScenarioPanel()

    def _new_compare(self):
        from app.charts.compare import CompareView

        view = CompareView()
        view.scenarioActivated.connect(self._choose_scenario)
        return view

    def _new_whatif(self):
        from app.window.widgets.whatif_panel import WhatIfPanel

        panel = WhatIfPanel()
        panel.applyRequested.connect(self._apply_option)
        return panel

    @staticmethod
    def _new_evidence():
        from app.window.widgets.evidence_panel import EvidencePanel

        return EvidencePanel()

    @staticmethod
    def _new_roadmap():
        from app.window.widgets.roadmap_panel import RoadmapPanel

        return RoadmapPanel()

    def _attach(self, panel) -> None:
        """A panel just built takes the open plan (the Compare view, its results)."""
        if self.document is None:
            return
        if hasattr(panel, "set_document"):
            panel.set_document(self.document)
        else:
            self._stale.add("compare")
            self._show_hidden_panels()
