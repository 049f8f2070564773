"""The command line: one module per command group (``evaluate``, ``catalog``, ``whatif``,
``evidence``), the parser that registers them, and the shared table and progress helpers.
It never imports the window; `evaluate --pdf` uses the report, drawn offscreen."""
