"""Results as one CSV table: a row per scenario × pool × workload, units in the column names.

One flat table is what a spreadsheet user can filter and pivot: each row carries its
workload's latency and throughput, its pool's fleet, power and cost (``pool_`` columns) and its
scenario's totals (``scenario_`` columns). Text cells that a spreadsheet would run as a formula
are neutralized (OWASP "CSV injection"): plan, pool and workload names are user input and the
file will be opened in Excel by people who never see our app.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from planner_core.engine.evaluate import Results
from planner_core.files import atomic_write_bytes

#: A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
#: Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def results_table(results: Results) -> pd.DataFrame:
    """The flat table: scenario, pool, workload, then workload, pool and scenario columns."""
    wl = results.workloads.copy()
    # calibration_basis keeps its name: what the row's performance figures rest on.
    pools = results.pools.rename(columns={c: f"pool_{c}" for c in results.pools.columns
                                          if c not in ("scenario", "pool", "calibration_basis")})
    kpis = results.kpis.rename(columns={c: f"scenario_{c}" for c in results.kpis.columns
                                        if c != "scenario"})
    table = wl.merge(pools, on=["scenario", "pool"], how="left")
    table = table.merge(kpis, on="scenario", how="left")
    return table.reset_index(drop=True)


def neutralize(value):
    """Prefixes a formula-like text cell with an apostrophe, as OWASP recommends.

    Numbers stay numbers: pandas writes them as plain numerals, which a spreadsheet reads as
    values, never as formulas (a negative number is safe; a negative *text* is not).
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents and µ right) and a header row."""
    safe = table.copy()
    for column in safe.columns:
        # Text may be "object" or pandas' own string dtype, depending on the pandas version.
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralize).astype(object)
    safe.columns = [neutralize(str(c)) for c in safe.columns]
    # Every text cell quoted: a carriage return or line break inside a text (a warning, a
    # reason) then stays in its cell, and no cell can start a row of its own.
    text = safe.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    return text.encode("utf-8-sig")


def write_results_csv(path: Path | str, results: Results) -> pd.DataFrame:
    """Writes the table atomically (PlannerError naming the file if it cannot); returns it."""
    table = results_table(results)
    atomic_write_bytes(Path(path), to_csv_bytes(table))
    return table
