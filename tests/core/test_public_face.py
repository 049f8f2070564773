"""planner_core's public face: the names the app and tests use, loaded on first use, and never
used from inside the core (a room imports from the rooms below it, not from the package)."""

import ast
import subprocess
import sys
from pathlib import Path

import planner_core

CORE = Path(planner_core.__file__).parent


def test_every_public_name_resolves():
    for name in planner_core.__all__:
        assert getattr(planner_core, name) is not None, name
    from planner_core.engine.evaluate import evaluate
    from planner_core.plan.storage import read_plan

    assert planner_core.evaluate is evaluate and planner_core.read_plan is read_plan


def test_an_unknown_name_is_an_attribute_error():
    try:
        planner_core.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_importing_the_package_loads_nothing_heavy():
    """`inference-planner --version` imports the package: it must not pull numpy or pandas."""
    code = ("import sys, planner_core; "
            "print(sorted(m for m in ('numpy', 'pandas', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_no_core_module_imports_the_public_face():
    offenders = []
    for path in CORE.rglob("*.py"):
        if path == CORE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "planner_core":
                names = {a.name for a in node.names}
                if names - {"__version__"}:
                    offenders.append(f"{path.relative_to(CORE)}: {sorted(names)}")
            if isinstance(node, ast.ImportFrom) and node.level and node.module is None:
                offenders.append(f"{path.relative_to(CORE)}: relative 'from . import'")
            if isinstance(node, ast.Import) and any(a.name == "planner_core" for a in node.names):
                offenders.append(f"{path.relative_to(CORE)}: import planner_core")
    assert not offenders, offenders
