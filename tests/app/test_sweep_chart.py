"""The sweep chart draws what each value gives: a line where the SLOs are met, a red cross
where a figure misses them, and a red dashed line across the chart where there is no figure
at all (never a point at 0, which would read as a cost of nothing)."""

import numpy as np
import pandas as pd

from app.charts.whatif_charts import SweepChart


def test_values_without_a_figure_are_lines_across_not_zeros(qtbot):
    chart = SweepChart()
    qtbot.addWidget(chart)
    frame = pd.DataFrame({"value": [10.0, 20.0, 30.0, 40.0],
                          "usd_per_m_output_tokens": [2.0, 2.5, 3.1, np.nan],
                          "meets_slo": [True, True, False, False]})
    chart.show(frame, "usd_per_m_output_tokens", "$/M", "peak (req/s)")
    items = chart.getPlotItem().listDataItems()
    points = [(x, y) for item in items if item.opts.get("symbol") is not None
              for x, y in zip(*item.getData(), strict=True)]
    assert (30.0, 3.1) in points  # the miss, at its own value
    assert all(y != 0.0 for _x, y in points) and all(x != 40.0 for x, _y in points)
    dashed = [item for item in items if item.opts.get("connect") == "pairs"]
    assert len(dashed) == 1
    xs, ys = dashed[0].getData()
    assert list(xs) == [40.0, 40.0] and min(ys) >= 2.0  # across the figures' own range
