"""One way of writing a figure: units scaled to the number, significant digits that fit a
tile, the reader's separators in the window and plain "," and "." everywhere else."""

import pytest

from app import figures
from app.figures import MINUS, quantity, significant, unit_for


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.0123, "MW", "12.3 kW"),  # a small plan: not "0.01 MW"
    (11.74, "MW", "11.7 MW"),
    (5553.0, "MW", "5.55 GW"),
    (999.96, "kW", "1 MW"),  # rounding up crosses into the next unit
    (0.23, "GB", "230 MB"),  # Groq's SRAM: not "0 GB"
    (186.0, "GB", "186 GB"),
    (3.13e6, "$", "$3.13M"),  # not "3.13 M$" nor "0.00 M$" for a small one:
    (4200.0, "$", "$4.2k"),
    (-4200.0, "$", f"{MINUS}$4.2k"),
    (0.0, "MW", "0 MW"),
    (40.0, "req/s", "40 req/s"),  # a unit of its own is kept; no "40.000"
    (71104.0, "", "71,104"),
])
def test_quantity(value, unit, text):
    assert quantity(value, unit) == text


@pytest.mark.parametrize(("value", "text"), [
    (1332.4, "1,332"), (26.24, "26.2"), (0.01234, "0.0123"), (40.0, "40"), (99.96, "100"),
    (float("nan"), "—"), (float("inf"), "—"),
])
def test_significant_keeps_the_whole_part_and_drops_trailing_zeros(value, text):
    assert significant(value) == text


def test_a_chart_scales_by_its_largest_value():
    assert unit_for(2146.6, "kW") == ("MW", pytest.approx(1e-3))
    assert unit_for(60.6e6, "$") == ("$M", pytest.approx(1e-6))
    assert unit_for(0.0, "kW") == ("kW", 1.0)


def test_the_readers_separators():
    try:
        figures.set_separators(".", ",")
        assert quantity(1234.5, "W") == "1,23 kW"
        assert figures.number(1234.5, 1) == "1.234,5"
        assert significant(40.5) == "40,5"
    finally:
        figures.set_separators(",", ".")
    assert figures.number(1234.5, 1) == "1,234.5"


def test_chart_ticks_use_the_readers_separators(qapp):
    from app.charts.dashboard import LocalAxis
    from app.figures import set_separators, tick

    axis = LocalAxis("left")
    assert axis.tickStrings([12000.0, 0.5], 1.0, 0.5) == ["12,000", "0.5"]
    set_separators(".", ",")
    try:
        assert tick("12000.5") == "12.000,5" and tick("-3") == "−3"
        assert axis.tickStrings([2500.0, 5000.0], 1.0, 2500.0) == ["2.500", "5.000"]
    finally:
        set_separators(",", ".")
    assert tick("n/a") == "n/a"


def test_bandwidth_and_compute_take_the_unit_that_suits_them():
    from app.figures import quantity

    assert quantity(21_000, "TB/s") == "21 PB/s" and quantity(0.82, "TB/s") == "820 GB/s"
    assert quantity(62_500, "TFLOPS") == "62.5 PFLOPS" and quantity(918, "TFLOPS") == "918 TFLOPS"
