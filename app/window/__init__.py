"""The window: the document of the open plan and its undo commands, the main window, its
editors and panels (``widgets/``), plan files, autosave and recovery, and the what-if runner.
Charts come from :mod:`app.charts`, which the PDF report shares."""
