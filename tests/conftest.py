"""Headless, isolated test setup: offscreen Qt, test-mode standard paths, private settings."""

from __future__ import annotations

import os

import pytest

# A real display only when asked for explicitly (INFERENCE_PLANNER_TEST_DISPLAY=1).
if not os.environ.get("INFERENCE_PLANNER_TEST_DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No test reads or writes the real user's settings or files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    yield


@pytest.fixture(scope="session", autouse=True)
def _qt_test_mode():
    try:
        from PySide6.QtCore import QCoreApplication, QStandardPaths
    except ImportError:  # core-only environments
        yield
        return
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("Inference Planner Tests")
    QCoreApplication.setApplicationName("Inference Planner Tests")
    yield


@pytest.fixture(scope="session")
def catalog():
    from planner_core.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def example_plan():
    from planner_core.plan import plan_from_json
    from planner_core.resources import resource_path

    return plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
