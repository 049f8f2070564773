"""The scenario comparison view with the example plan's four scenarios."""

from __future__ import annotations

import dataclasses
import math

import pytest
from PySide6.QtCore import QPoint, Qt

from app.charts.bar_rows import ROW_PX
from app.charts.compare import VERDICT_ROLE, CompareView, format_change, verdict_colors
from planner_core import evaluate


@pytest.fixture(scope="module")
def results(catalog, example_plan):
    return evaluate(example_plan, catalog)


@pytest.fixture
def view(qtbot, results):
    v = CompareView()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    qtbot.waitExposed(v)
    v.show_results(results, "base", "base")
    return v


def _header(view, col):
    return view.table.horizontalHeaderItem(col)


def test_one_column_per_scenario_in_results_order(view, results):
    names = list(results.kpis.scenario)
    assert names == ["base", "HGX H200", "Groq LPU racks", "Power +50%"]
    assert view.table.columnCount() == 4
    headers = [_header(view, c).text() for c in range(4)]
    assert headers[0] == "base\n(baseline)"
    assert headers[1:] == names[1:]
    assert all("(baseline)" not in h for h in headers[1:])
    assert _header(view, 0).font().bold()
    assert not _header(view, 1).font().bold()


def test_power_plus_50_costs_more_and_is_marked_worse(view, results):
    item = view.cell("usd_per_m_output_tokens", "Power +50%")
    base = results.kpi("base").usd_per_m_output_tokens
    mine = results.kpi("Power +50%").usd_per_m_output_tokens
    assert mine > base
    pct = (mine / base - 1) * 100
    # Under 1% the change keeps a decimal, so it does not read as nothing.
    change = f"{pct:+.1f}%" if pct < 1 else f"{pct:+.0f}%"
    assert item.text() == f"{mine:,.2f}  ({change})"
    assert item.data(VERDICT_ROLE) == "worse"
    _good, bad = verdict_colors(view.palette())
    assert item.foreground().color() == bad
    # The tooltip has the exact values behind the rounded ones.
    assert f"{base:,.5f}" in item.toolTip() and f"{mine:,.5f}" in item.toolTip()
    assert item.textAlignment() & Qt.AlignmentFlag.AlignRight
    # Same hardware, same accelerator count: no change and no color.
    same = view.cell("accelerators", "Power +50%")
    assert same.text() == "72  (±0%)" and same.data(VERDICT_ROLE) is None


def test_h200_uses_a_different_number_of_accelerators(view, results):
    base = view.cell("accelerators", "base")
    h200 = view.cell("accelerators", "HGX H200")
    assert base.text() == f"{results.kpi('base').accelerators:,.0f}"
    assert h200.text().split()[0] != base.text()
    change = round((results.kpi("HGX H200").accelerators / results.kpi("base").accelerators
                    - 1) * 100)
    assert f"(−{-change}%)" in h200.text()
    # Counts are neutral: no better/worse color either way.
    assert h200.data(VERDICT_ROLE) is None
    # Big factors read as such, with thousands separators.
    groq = view.cell("accelerators", "Groq LPU racks")
    n = results.kpi("Groq LPU racks").accelerators
    ratio = n / results.kpi("base").accelerators
    assert ratio >= 10
    factor = f"{ratio:,.1f}" if ratio < 100 else f"{ratio:,.0f}"
    assert groq.text() == f"{n:,.0f}  (×{factor})"


def test_lower_cost_is_better_and_more_tokens_per_kwh_is_better(view):
    assert view.cell("usd_per_m_output_tokens", "HGX H200").data(VERDICT_ROLE) == "better"
    assert view.cell("output_tokens_per_kwh", "HGX H200").data(VERDICT_ROLE) == "better"
    assert view.cell("output_tokens_per_kwh", "Groq LPU racks").data(VERDICT_ROLE) == "worse"
    assert view.cell("ttft_p99_ms", "HGX H200").data(VERDICT_ROLE) == "worse"


def test_changing_the_baseline_changes_the_deltas(view, results):
    before = view.cell("usd_per_m_output_tokens", "Power +50%").text()
    view.show_results(results, "HGX H200", "base")
    assert _header(view, 1).text() == "HGX H200\n(baseline)"
    assert _header(view, 0).text() == "base"
    cost = {n: results.kpi(n)["usd_per_m_output_tokens"] for n in ("base", "HGX H200",
                                                                   "Power +50%")}
    own = view.cell("usd_per_m_output_tokens", "HGX H200")
    assert own.text() == f"{cost['HGX H200']:.2f}"  # no change against itself
    assert own.data(VERDICT_ROLE) is None
    base = view.cell("usd_per_m_output_tokens", "base")
    change = 100 * (cost["base"] / cost["HGX H200"] - 1)
    assert base.text() == f"{cost['base']:.2f}  (+{change:.0f}%)" and change > 100
    assert base.data(VERDICT_ROLE) == "worse"
    after = view.cell("usd_per_m_output_tokens", "Power +50%").text()
    power = 100 * (cost["Power +50%"] / cost["HGX H200"] - 1)
    assert after != before and after.endswith(f"(+{power:.0f}%)")


def test_double_click_on_header_emits_scenario(view, qtbot):
    header = view.table.horizontalHeader()
    col = 2
    pos = QPoint(header.sectionViewportPosition(col) + header.sectionSize(col) // 2,
                 header.height() // 2)
    with qtbot.waitSignal(view.scenarioActivated, timeout=1000) as blocker:
        qtbot.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["Groq LPU racks"]


def test_nan_and_inf_show_a_dash(view, results):
    rows = {table: [[dict(r) for r in part] for part in parts]
            for table, parts in results.rows.items()}
    for row in (r for part in rows["kpis"] for r in part):
        if row["scenario"] == "Groq LPU racks":
            row.update(ttft_p99_ms=math.nan, usd_per_m_output_tokens=math.inf)
    broken = dataclasses.replace(results, rows=rows)
    assert math.isnan(broken.kpis.set_index("scenario").loc["Groq LPU racks", "ttft_p99_ms"])
    view.show_results(broken, "base", "Groq LPU racks")
    for key in ("ttft_p99_ms", "usd_per_m_output_tokens"):
        item = view.cell(key, "Groq LPU racks")
        assert item.text() == "—"
        assert item.data(VERDICT_ROLE) is None
    assert view.cell("ttft_p99_ms", "HGX H200").text() != "—"
    assert _header(view, 2).font().bold()
    # The bar charts survive the gaps and label them too.
    assert view.charts["ttft_p99_ms"].bars.opts["width"][2] == 0.0


def test_issue_counts(view, results):
    warnings = [
        {"scenario": "HGX H200", "severity": "error", "item": "pool serving",
         "message": "does not fit"},
        {"scenario": "HGX H200", "severity": "warning", "item": "rack", "message": "hot"},
        {"scenario": "HGX H200", "severity": "warning", "item": "rack", "message": "loud"},
    ]
    view.show_results(dataclasses.replace(results, warnings=warnings), "base", "base")
    item = view.cell("issues", "HGX H200")
    assert item.text() == "1 / 2"
    assert item.data(VERDICT_ROLE) == "worse"
    assert "does not fit" in item.toolTip()
    assert view.cell("issues", "base").text() == "0 / 0"


def test_bar_charts_match_the_kpis(view, results):
    cost = view.charts["usd_per_m_output_tokens"]
    assert cost.values == pytest.approx(list(results.kpis.usd_per_m_output_tokens))
    assert list(cost.bars.opts["width"]) == pytest.approx(
        [cost.shown_width(v) for v in cost.values])
    assert cost.baseline == 0
    ttft = view.charts["ttft_p99_ms"]
    assert ttft.slo_line is not None
    slo = results.workloads.slo_ttft_p99_ms.min()
    assert ttft.slo_line.value() == pytest.approx(slo)
    assert f"SLO {slo:,.0f}" in ttft.toolTip()
    assert view.charts["accelerators"].slo_line is None
    # The scenarios are named once per row of charts, on the left one.
    names = cost.getAxis("left")._tickLevels[0]
    assert names[0][1].endswith("(baseline)")
    assert len(names) == 4
    assert not view.charts["facility_mw_provisioned"].names_axis


def test_bar_charts_update_in_place_and_follow_the_scenarios(view, results):
    cost = view.charts["usd_per_m_output_tokens"]
    bars, labels = cost.bars, list(cost.labels)
    view.show_results(results, "base", "base")
    assert cost.bars is bars and cost.labels == labels  # the same items, redrawn
    two = dataclasses.replace(results, rows={
        table: [[r for r in part if r["scenario"] in ("base", "Groq LPU racks")]
                for part in parts] for table, parts in results.rows.items()},
        sizings={k: v for k, v in results.sizings.items() if k in ("base", "Groq LPU racks")})
    view.show_results(two, "base", "base")
    assert cost.bars is bars and len(cost.labels) == 2
    assert list(cost.bars.opts["width"]) == pytest.approx(list(two.kpis.usd_per_m_output_tokens))
    assert [lab.toPlainText() for lab in cost.labels] == [
        f"{v:,.2f}" for v in two.kpis.usd_per_m_output_tokens]
    view.show_results(results, "base", "base")
    assert len(cost.labels) == 4


@pytest.mark.parametrize(("value", "base", "text"), [
    (2.41, 3.6, "−33%"),
    (3.7, 3.6, "+3%"),
    (3.6, 3.6, "±0%"),
    (3.61, 3.6, "+0.3%"),
    (0.01, 3.6, "−99.7%"),
    (100.0, 2.0, "×50.0"),
    (1.0, 0.0, ""),
    (math.nan, 1.0, ""),
])
def test_format_change(value, base, text):
    assert format_change(value, base)[0] == text


def test_switching_to_a_dark_palette_recolors(view):
    from PySide6.QtGui import QColor, QPalette

    light_bad = view.cell("usd_per_m_output_tokens", "Power +50%").foreground().color()
    pal = QPalette(view.palette())
    pal.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    pal.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(pal)
    _good, dark_bad = verdict_colors(view.palette())
    assert dark_bad != light_bad
    assert view.cell("usd_per_m_output_tokens", "Power +50%").foreground().color() == dark_bad
    chart = view.charts["usd_per_m_output_tokens"]
    assert chart.backgroundBrush().color() == QColor("#1e1e1e")


def test_an_outlier_breaks_the_axis_and_the_log_scale_shows_it_whole(view, results):
    """Groq's cost per token is many times the others': on a linear axis its bar stops a
    little past the next longest, marked and with its value printed; on a log scale every
    bar is whole."""
    cost = view.charts["usd_per_m_output_tokens"]
    kpis = results.kpis.set_index("scenario").usd_per_m_output_tokens
    groq = list(kpis.index).index("Groq LPU racks")
    assert cost.cut is not None and cost.cut < kpis["Groq LPU racks"]
    widths = list(cost.bars.opts["width"])
    assert widths[groq] == pytest.approx(cost.cut)
    assert cost.labels[groq].toPlainText() == f"{kpis['Groq LPU racks']:,.2f} ≫"
    assert all("≫" not in lab.toPlainText() for i, lab in enumerate(cost.labels) if i != groq)
    right = cost.viewRange()[0][1]
    assert right < kpis["Groq LPU racks"]  # the others are not flattened
    view.log_scale.setChecked(True)
    assert cost.cut is None
    assert list(cost.bars.opts["width"]) == pytest.approx(
        [math.log10(v) - math.floor(math.log10(kpis.min())) for v in kpis])
    assert all("≫" not in lab.toPlainText() for lab in cost.labels)
    ticks = [t[1] for t in cost.getAxis("bottom")._tickLevels[0]]
    assert ticks[:2] == ["1", "10"]
    view.log_scale.setChecked(False)
    assert cost.cut is not None


def test_many_scenarios_keep_readable_rows(view, results):
    """Twelve scenarios: every row keeps its height (the page scrolls), every name is on
    its row."""
    rows = {table: [[dict(r, scenario=f"{r['scenario']} {k}") for r in part]
                    for k in range(3) for part in parts] for table, parts in results.rows.items()}
    many = dataclasses.replace(results, rows=rows, sizings={
        f"{name} {k}": v for k in range(3) for name, v in results.sizings.items()})
    view.show_results(many, "base 0", "base 0")
    cost = view.charts["usd_per_m_output_tokens"]
    assert len(cost.getAxis("left")._tickLevels[0]) == 12
    assert view.chart_box.minimumHeight() >= 2 * 12 * ROW_PX


def test_the_ttft_chart_draws_a_limit_only_where_every_workload_shares_it(qtbot):
    """The bars are each scenario's worst workload; a line at one workload's tighter limit
    would make another's slower but allowed TTFT read as a miss."""
    from planner_core import read_plan
    from planner_core.resources import resource_path

    plan = read_plan(resource_path("examples", "platform-5000rps.json"))
    assert len({w.slo.ttft_p99_ms for w in plan.workloads}) > 1
    view = CompareView()
    qtbot.addWidget(view)
    view.show_results(evaluate(plan, scenarios=plan.scenario_names()[:2]), "base", "base")
    ttft = view.charts["ttft_p99_ms"]
    assert ttft.slo_line is None or not ttft.slo_line.isVisible()
    assert "SLO" not in ttft.toolTip()
