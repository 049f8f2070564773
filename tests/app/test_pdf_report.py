"""The PDF report of the example plan, read back with pypdf: contents, fonts, cancel, failures."""

from __future__ import annotations

import re
import unicodedata

import pytest
from pypdf import PdfReader

from app.report import ReportCancelled, write_pdf_report
from app.report.sections import KPI_ROWS, SECTIONS
from planner_core import PlannerError, evaluate, load_catalog, read_plan
from planner_core.resources import resource_path


def _plain(text: str) -> str:
    """Text as a reader sees it: ligatures unfolded, zero-width breaks gone, one space apart."""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def example():
    catalog = load_catalog()
    plan = read_plan(resource_path("examples", "llama70b-chat.json"), catalog)
    return plan, evaluate(plan, catalog), catalog


@pytest.fixture(scope="module")
def report(qapp, example, tmp_path_factory):
    plan, results, catalog = example
    path = tmp_path_factory.mktemp("report") / "llama.pdf"
    calls = []
    # A callback returning None (like the command line's progress bar) must not cancel.
    write_pdf_report(path, plan, results, catalog,
                     progress=lambda f, label: calls.append((f, label)))
    reader = PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    return path, reader, pages, calls


def test_sections_plan_name_and_page_numbers(report, example):
    plan, _results, _catalog = example
    _path, reader, pages, calls = report
    text = _plain("\n".join(pages))
    for n, title in enumerate(SECTIONS, start=1):
        assert f"{n} {title}" in text
    assert plan.name in _plain(pages[0])
    total = len(reader.pages)
    assert total >= 8
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {total}" in _plain(page)
    # The cover has its page to itself.
    assert "1 Key figures" not in _plain(pages[0])
    assert "1 Key figures" in _plain(pages[1])
    fractions = [f for f, _label in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_kpi_row_shows_each_scenario_as_formatted(report, example):
    _plan, results, _catalog = example
    text = _plain("\n".join(report[2]))
    row = next(r for r in KPI_ROWS if r.key == "usd_per_m_output_tokens")
    base = row.show(results.kpi("base")["usd_per_m_output_tokens"])
    assert base == f"{results.kpi('base')['usd_per_m_output_tokens']:,.2f}"
    values = " ".join(row.show(results.kpi(s)[row.key]) for s in results.kpis.scenario)
    assert f"{row.label} {values}" in text


def test_catalog_sources_and_facility_assumptions(report, example):
    plan, _results, catalog = example
    text = _plain("\n".join(report[2])).replace(" ", "")
    system = catalog.system(plan.pools[0].system)
    for spec in (system.price_usd, system.host_power_w,
                 catalog.accelerator(system.accelerator).memory_gb,
                 catalog.model(plan.workloads[0].model)):
        assert _plain(spec.source).replace(" ", "") in text
    # Every scenario's systems are there, not only the base plan's.
    for name in ("hgx-h200", "groq-rack", "groq-lpu"):
        assert f"({name})" in text
    assert "USindustrialaverage2023,EIA[S]" in text  # the electricity default's source


def test_fonts_are_embedded(report):
    reader = report[1]
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                font.get("/BaseFont")
            seen += 1
    assert seen


def test_cancelling_leaves_no_file(qapp, example, tmp_path):
    plan, results, catalog = example
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "cancelled.pdf"
    labels = []

    def progress(fraction, label):
        labels.append(label)
        return fraction < 0.2  # stops while the charts are drawn

    with pytest.raises(ReportCancelled):
        write_pdf_report(path, plan, results, catalog, progress=progress)
    assert len(labels) > 1
    assert list(folder.iterdir()) == []


def test_unwritable_paths_raise_and_leave_old_files_alone(qapp, example, tmp_path):
    plan, _results, catalog = example
    # One scenario keeps this quick: the failure is in the writing, not in the building.
    small = plan.model_copy(update={"scenarios": []})
    results = evaluate(small, catalog)
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "old.pdf"
    old.write_bytes(b"the old report")
    inside_file = old / "report.pdf"
    with pytest.raises(PlannerError) as err:
        write_pdf_report(inside_file, small, results, catalog)
    assert str(inside_file) in str(err.value)
    with pytest.raises(PlannerError) as err:
        write_pdf_report(folder, small, results, catalog)
    assert str(folder) in str(err.value)
    assert old.read_bytes() == b"the old report"
    assert sorted(p.name for p in folder.iterdir()) == ["old.pdf"]


def test_assumptions_say_what_each_pools_performance_rests_on(catalog):
    from app.report.sections import assumptions
    from planner_core import evaluate
    from planner_core.plan import plan_from_json
    from planner_core.resources import resource_path

    plan = plan_from_json(resource_path("examples", "deepseek-v3-disagg-gb200.json").read_text())
    results = evaluate(plan, catalog, scenarios=["base", "HGX H200"])
    html = assumptions(plan, ["base", "HGX H200"], results)
    assert "What each pool's performance rests on" in html
    # The Blackwell pool borrows for DeepSeek (marked), the Hopper one is calibrated.
    assert "mixture-of-experts models borrow that fit" in html
    assert "calibrated (200 cases" in html


def test_a_plan_with_a_timeline_gets_its_roadmap_tables_and_charts(qapp, tmp_path):
    catalog = load_catalog()
    plan = read_plan(resource_path("examples", "roadmap-2026-2030.json"), catalog)
    path = tmp_path / "roadmap.pdf"
    write_pdf_report(path, plan, evaluate(plan, catalog), catalog)
    reader = PdfReader(path)
    text = _plain("\n".join(page.extract_text() for page in reader.pages))
    section = text.split("6 Roadmap", 1)[1].split("7 Charts", 1)[0]
    assert "only GB300 NVL72" in section and "The chosen sequence, period by period" in section
    assert "24,300" in section  # the 2030 demand
    # The example's scenario runs its own sequence beside the base's.
    compared = section.split("The plan's scenarios over the years", 1)[1]
    assert "base (chosen for it)" in compared and "Grid a year late (chosen for it)" in compared
    # Its four charts come inside the section, drawn as vectors like the dashboards: their
    # titles are text, and the file holds no image at all.
    for title in ("Capacity and demand", "Utility power", "Cumulative cash out",
                  "Cost per M output tokens"):
        assert title in section
    assert sum(len(page.images) for page in reader.pages) == 0


def test_a_plan_without_a_timeline_says_it_is_one_snapshot(report):
    _path, _reader, pages, _calls = report
    text = _plain("\n".join(pages))
    assert "no timeline with options to buy" in text.split("6 Roadmap", 1)[1]
