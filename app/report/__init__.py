"""The PDF report of a plan: cover, results per scenario, charts, assumptions and sources.

Built with Qt alone (QTextDocument laid out on a QPdfWriter), in memory, then written in one
atomic step: a failed or cancelled report never leaves a partial file or touches an old one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from planner_core import Catalog, Plan, Results, __version__
from planner_core.files import atomic_write_bytes

__all__ = ["ReportCancelled", "write_pdf_report", "write_pdf_report_offscreen"]

# Shares of the progress bar, as the time goes: recording the charts, then laying out and
# drawing the pages.
_CHARTS, _PAGES = 0.30, 0.65


class ReportCancelled(Exception):
    """The progress callback asked to stop; no file was written."""


def write_pdf_report(path: Path, plan: Plan, results: Results, catalog: Catalog, *,
                     progress: Callable[[float, str], bool] | None = None) -> None:
    """Writes the plan's report to ``path`` (PDF, A4).

    ``results`` is ``evaluate(plan, catalog)`` over every scenario. A QApplication must exist.
    ``progress(fraction, label)`` is called as the work goes; returning False (not merely a
    falsy None) cancels with :class:`ReportCancelled`. Writing errors raise PlannerError.
    """
    # Qt modules load here so that importing the package (e.g. for the CLI's option list)
    # costs nothing until a report is made.
    from app.report.charts import render_dashboards
    from app.report.pages import render_pdf, text_width_px96
    from app.report.sections import ROADMAP_PICTURE, STYLE, report_html

    def step(fraction: float, label: str) -> None:
        if progress is not None and progress(min(max(fraction, 0.0), 1.0), label) is False:
            raise ReportCancelled("the report was cancelled")

    step(0.0, "Preparing the report")
    scenarios = [s for s in plan.scenario_names() if s in set(results.kpis.scenario)]
    n = max(len(scenarios), 1)
    charts = render_dashboards(
        results, scenarios, plan.baseline,
        step=lambda i, s: step(0.02 + _CHARTS * i / n, f"Drawing the charts of {s}"))
    names = {s: f"chart{i}" for i, s in enumerate(charts)}
    roadmap = compared = None
    if plan.timeline is not None and plan.timeline.options:
        from app.report.charts import render_roadmap
        from planner_core.engine.calibration import for_plan
        from planner_core.roadmap.scenarios import compare, scenario_names
        from planner_core.roadmap.search import choose

        step(0.02 + _CHARTS, "Running the roadmap")
        roadmap = choose(plan, catalog, for_plan(plan, None))
        charts[ROADMAP_PICTURE] = render_roadmap(roadmap)
        names[ROADMAP_PICTURE] = "roadmap"
        if len(scenario_names(plan)) > 1:
            compared = compare(plan, catalog, lambda v: for_plan(v, None),
                               lambda f, label: step(0.02 + _CHARTS, f"Roadmap of {label}"),
                               known={"base": roadmap})
    html = report_html(plan, results, catalog, names, text_width_px96(), roadmap=roadmap,
                       roadmap_scenarios=compared)
    pdf = render_pdf(
        html, STYLE, {names[s]: chart for s, chart in charts.items()},
        title=plan.name, creator=f"Inference Planner {__version__}",
        footer=f"{plan.name} · Inference Planner {__version__}",
        step=lambda f, label: step(0.02 + _CHARTS + _PAGES * f, label))
    step(1.0, f"Saving {Path(path).name}")
    atomic_write_bytes(Path(path), pdf)


#: The QApplication the command line's report starts; it must outlive every widget drawn for it.
_OFFSCREEN_APP = None


def write_pdf_report_offscreen(path: Path, plan: Plan, results: Results, catalog: Catalog, *,
                               progress: Callable[[float, str], bool] | None = None) -> None:
    """:func:`write_pdf_report` from a program without a window (the command line): starts Qt
    on its offscreen platform, which needs no display, if no QApplication runs yet."""
    import os

    from PySide6.QtWidgets import QApplication

    from app.display import offscreen_fonts

    if QApplication.instance() is None:
        # The report is drawn, never shown; an inherited xcb setting without a display would
        # abort the process instead.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        offscreen_fonts()  # before the QApplication: Qt reads it once, at start
        global _OFFSCREEN_APP
        _OFFSCREEN_APP = QApplication(["inference-planner"])
    write_pdf_report(path, plan, results, catalog, progress=progress)

