"""The installers for three platforms must agree with build.spec and the Linux path; only Linux
can be built here, so these checks catch a rename that would break Windows or macOS unseen."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _spec_string(name: str) -> str:
    match = re.search(rf'^{name} = "([^"]+)"', _read("build.spec"), re.MULTILINE)
    assert match, f"build.spec has no {name}"
    return match.group(1)


APP = _spec_string("APP_NAME")
DISPLAY = _spec_string("DISPLAY_NAME")


def test_the_spec_renders_the_icons_the_installers_use():
    spec = _read("build.spec")
    assert '"app.window.icon_files"' in spec and 'root / "build" / "icons"' in spec
    assert r"SetupIconFile=..\..\build\icons\app.ico" in _read(".ci/windows/inference-planner.iss")
    assert "build/icons" in _read("Makefile")


def test_windows_installer_ships_the_bundle_and_both_programs():
    iss = _read(".ci/windows/inference-planner.iss")
    assert f'#define AppExe "{APP}.exe"' in iss
    assert rf'Source: "..\..\dist\{APP}\*"' in iss
    assert 'name=f"{APP_NAME}-cli"' in _read("build.spec")
    assert f"{APP}-cli.exe" in _read(".ci/smoke_frozen.py")
    assert f"{APP}-cli.exe" in _read(".github/workflows/installers.yml")


def test_macos_app_name_matches_everywhere():
    assert 'name=f"{DISPLAY_NAME}.app"' in _read("build.spec")
    assert f'app="dist/{DISPLAY}.app"' in _read(".ci/macos/make_dmg.sh")
    assert f'"{DISPLAY}.app"' in _read(".ci/smoke_frozen.py")
    assert f"{DISPLAY}.app/Contents/MacOS/{APP}" in _read(".github/workflows/installers.yml")


def test_linux_package_starts_the_bundled_program():
    assert f'NAME = "{APP}"' in _read(".ci/linux/build_deb.py")
    desktop = _read(f".ci/linux/{APP}.desktop")
    assert f"\nExec=/usr/bin/{APP} gui %f\n" in desktop
    assert f"\nIcon={APP}\n" in desktop
    assert f"\nName={DISPLAY}\n" in desktop


def test_every_script_the_workflow_and_ci_call_exists():
    for text in (_read(".github/workflows/installers.yml"), _read(".ci/run"), _read("Makefile")):
        for path in re.findall(r"\.ci[/\\][\w/\\.-]+\.(?:py|sh|iss)", text):
            assert (ROOT / path.replace("\\", "/")).is_file(), path
    assert "bash .ci/run" in _read(".github/workflows/installers.yml")
    run = _read(".ci/run")
    assert run.index("make test") < run.index("make dist") < run.index("make smoke")
