"""Exports of results the core writes itself: the CSV table (``results_csv``). The PDF report
is drawn by Qt and lives in the app (``app/report``)."""
