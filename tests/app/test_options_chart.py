"""The optimizer's scatter: a colour per system (the cheapest few by name, the rest as
"other"), a marker per precision named in the title, the option under the pointer in words,
and log ticks written as plain numbers."""

import numpy as np
import pandas as pd

from app.charts.whatif_charts import OTHER, SHOWN_SYSTEMS, LogAxis, OptionsChart


def _frame(n_systems: int = 10) -> pd.DataFrame:
    rows = []
    for i in range(n_systems):
        for precision in ("fp8", "fp4"):
            rows.append({"system": f"sys-{i}", "system_name": f"System {i}",
                         "precision": precision, "layout": "TP8", "engine": "trtllm",
                         "usd_per_m_output_tokens": 1.0 + i + (precision == "fp4"),
                         "latency_p99_ms": 800.0 + 10 * i, "meets_slo": True,
                         "pareto": i == 0})
    return pd.DataFrame(rows)


def test_systems_are_coloured_and_precisions_marked(qtbot):
    chart = OptionsChart()
    qtbot.addWidget(chart)
    frame = _frame()
    chart.show(frame)
    assert list(chart.colors) == [f"sys-{i}" for i in range(SHOWN_SYSTEMS)]  # cheapest first
    assert len(set(chart.colors.values())) == SHOWN_SYSTEMS
    points = chart._scatter.points()
    brushes = {p.data(): p.brush().color().name() for p in points}
    symbols = {p.data(): p.symbol() for p in points}
    last = frame.index[frame.system == "sys-9"][0]
    assert brushes[last] == OTHER
    assert symbols[0] == "o" and symbols[1] == "t"  # fp8, fp4
    labels = [label.text for _sample, label in chart.key.items]
    assert f"{10 - SHOWN_SYSTEMS} other systems" in labels and "Pareto front" in labels
    title = chart.getPlotItem().titleLabel.text
    assert "● fp8" in title and "▼ fp4" in title
    tip = chart._describe(0.0, 0.0, 1)
    assert "System 0" in tip and "fp4" in tip and "$2.00 per M output tokens" in tip


def test_log_ticks_are_plain_numbers(qtbot):
    axis = LogAxis("bottom")
    values = np.log10([0.5, 1.0, 2.0, 3.0, 20.0, 1000.0])
    assert axis.logTickStrings(values, 1.0, 1.0) == ["0.5", "1", "2", "", "20", "1,000"]
