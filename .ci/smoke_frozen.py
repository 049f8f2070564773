"""Smoke test of the frozen app, as a user would meet it: run by `.ci/run` after `make dist`,
and by the GitHub Actions workflow on Windows and macOS.

    python .ci/smoke_frozen.py [--program PATH] [--deb PATH | --no-deb]

With no --program it runs what `make dist` (or PyInstaller) left in dist/ for this platform.
Every run happens in an empty folder with a private HOME and no PYTHONPATH, so the frozen app
can lean on nothing from the checkout. Any ImportError, ModuleNotFoundError or traceback in
any output fails the test. Uses the standard library only.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = "inference-planner"
EXAMPLE = ROOT / "resources" / "examples" / "llama70b-chat.json"
FATAL = re.compile(r"ImportError|ModuleNotFoundError|Traceback \(most recent call last\)"
                   r"|Could not load the Qt platform plugin|Segmentation fault|core dumped")
TIMEOUT_S = 180
SHOWN_LINES = 8


class SmokeFailure(Exception):
    pass


def _version() -> str:
    text = (ROOT / "planner_core" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SmokeFailure("planner_core/__init__.py has no __version__")
    return match.group(1)


def _default_program() -> Path:
    if sys.platform == "win32":  # the console twin: the windowed one has no stdout
        return ROOT / "dist" / "inference-planner" / "inference-planner-cli.exe"
    if sys.platform == "darwin":
        return (ROOT / "dist" / "Inference Planner.app" / "Contents" / "MacOS"
                / "inference-planner")
    return ROOT / "dist" / "inference-planner" / "inference-planner"


class Runner:
    def __init__(self, work: Path):
        self.work = work
        home = work / "home"
        home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PYTHON", "INFERENCE_PLANNER", "QT_", "XDG_"))}
        self.env.update(HOME=str(home), USERPROFILE=str(home), APPDATA=str(home / "AppData"),
                        LOCALAPPDATA=str(home / "AppData"), XDG_CONFIG_HOME=str(home / "config"),
                        XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
                        XDG_RUNTIME_DIR=str(home / "run"), QT_QPA_PLATFORM="offscreen")
        (home / "run").mkdir(mode=0o700)
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)
        if sys.platform == "win32":  # as app.display.offscreen_fonts does for the app itself
            self.env["QT_QPA_FONTDIR"] = os.path.join(os.environ.get("WINDIR", r"C:\Windows"),
                                                      "Fonts")

    def run(self, label: str, argv: list[str]) -> str:
        print(f"-- {label}: {' '.join(shlex.quote(str(a)) for a in argv)}", flush=True)
        try:
            done = subprocess.run([str(a) for a in argv], cwd=self.work, env=self.env,
                                  capture_output=True, text=True, errors="replace",
                                  timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise SmokeFailure(f"{label}: no answer in {TIMEOUT_S} s") from exc
        except OSError as exc:
            raise SmokeFailure(f"{label}: cannot start {argv[0]}: {exc}") from exc
        output = done.stdout + done.stderr
        lines = output.strip().splitlines()
        shown = lines[:SHOWN_LINES] + ([f"... {len(lines) - SHOWN_LINES} more lines"]
                                       if len(lines) > SHOWN_LINES else [])
        for line in shown:
            print(f"   {line}", flush=True)
        if FATAL.search(output):
            raise SmokeFailure(f"{label}: {FATAL.search(output).group(0)} in the output")
        if done.returncode != 0:
            raise SmokeFailure(f"{label}: exit code {done.returncode}")
        return done.stdout


def _expect_file(path: Path, magic: bytes, min_bytes: int) -> None:
    if not path.is_file():
        raise SmokeFailure(f"{path.name} was not written")
    data = path.read_bytes()
    if not data.startswith(magic) or len(data) < min_bytes:
        raise SmokeFailure(f"{path.name}: {len(data)} bytes starting {data[:8]!r}, expected "
                           f"{magic!r} and at least {min_bytes} bytes")


def check_program(runner: Runner, program: Path, version: str, tag: str = "bundle",
                  full: bool = True) -> None:
    """--version, catalog, evaluate with CSV; when full also the PDF, optimize and a GUI
    screenshot."""
    if not program.is_file():
        raise SmokeFailure(f"{program}: not found; build it first (make dist)")
    out = runner.run("version", [program, "--version"])
    if out.strip() != f"inference-planner {version}":
        raise SmokeFailure(f"--version printed {out.strip()!r}, the package is {version}")
    out = runner.run("catalog", [program, "catalog", "systems"])
    if "GB200" not in out:
        raise SmokeFailure("catalog systems lists no GB200: the bundled catalog is missing")
    csv, pdf = runner.work / f"{tag}.csv", runner.work / f"{tag}.pdf"
    runner.run("evaluate", [program, "evaluate", EXAMPLE, "--csv", csv]
               + (["--pdf", pdf] if full else []))
    _expect_file(csv, b'\xef\xbb\xbf"scenario"', 2000)  # a BOM, then quoted text cells
    if full:
        out = runner.run("optimize", [program, "optimize", EXAMPLE, "--top", "3"])
        if "cheapest" not in out:
            raise SmokeFailure("optimize printed no cheapest option")
        _expect_file(pdf, b"%PDF-", 100_000)
        if b"/FontFile" not in pdf.read_bytes():  # text drawn as empty boxes embeds no font
            raise SmokeFailure(f"{pdf.name} embeds no font: its text did not render")
        png = runner.work / f"{tag}.png"
        # No plan given: the window opens the built-in example from the bundled resources.
        runner.run("gui", [program, "gui", "--screenshot", png])
        _expect_file(png, b"\x89PNG\r\n\x1a\n", 20_000)
        windowed = program.with_name(f"{APP}.exe")
        if program.name == f"{APP}-cli.exe" and windowed.is_file():
            # The program the Start menu starts has no console; it must run all the same.
            png = runner.work / f"{tag}-windowed.png"
            runner.run("windowed gui", [windowed, "gui", "--screenshot", png])
            _expect_file(png, b"\x89PNG\r\n\x1a\n", 20_000)


def check_deb(runner: Runner, deb: Path, version: str) -> None:
    """Unpacks the .deb as dpkg would and runs what the desktop entry starts."""
    root = runner.work / "deb"
    runner.run("dpkg-deb -x", ["dpkg-deb", "-x", deb, root])
    fields = runner.run("dpkg-deb -f", ["dpkg-deb", "-f", deb, "Package", "Version", "Depends"])
    if f"Version: {version}" not in fields or "libxcb" not in fields:
        raise SmokeFailure(f"{deb.name}: control fields look wrong:\n{fields}")
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(root / "usr/share/applications/inference-planner.desktop", encoding="utf-8")
    if not entry.has_section("Desktop Entry"):
        raise SmokeFailure(f"{deb.name}: no desktop entry")
    exec_argv = shlex.split(entry["Desktop Entry"]["Exec"])
    icon = entry["Desktop Entry"]["Icon"]
    if not (root / f"usr/share/icons/hicolor/256x256/apps/{icon}.png").is_file():
        raise SmokeFailure(f"{deb.name}: the entry's icon {icon!r} is not installed")
    link = root / exec_argv[0].lstrip("/")
    target = Path(os.readlink(link))
    if not target.is_absolute() or not (root / str(target).lstrip("/")).is_file():
        raise SmokeFailure(f"{deb.name}: {exec_argv[0]} points to {target}, not into the package")
    # The entry's command, with the file argument dropped as a launcher does with no file,
    # started through a link as /usr/bin's is: the program must find its _internal folder
    # from the link's target.
    launcher = runner.work / "bin" / exec_argv[0].rsplit("/", 1)[-1]
    launcher.parent.mkdir()
    os.symlink(root / str(target).lstrip("/"), launcher)
    argv = [launcher] + [a for a in exec_argv[1:] if a != "%f"]
    png = runner.work / "desktop-entry.png"
    runner.run("desktop entry", argv + ["--screenshot", png])
    _expect_file(png, b"\x89PNG\r\n\x1a\n", 20_000)
    check_program(runner, root / str(target).lstrip("/"), version, tag="deb", full=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path, default=None)
    parser.add_argument("--deb", type=Path, default=None)
    parser.add_argument("--no-deb", action="store_true", help="skip the Debian package")
    args = parser.parse_args(argv)
    version = _version()
    with tempfile.TemporaryDirectory(prefix="smoke-") as tmp:
        runner = Runner(Path(tmp))
        try:
            check_program(runner, (args.program or _default_program()).resolve(), version)
            if sys.platform.startswith("linux") and not args.no_deb:
                deb = args.deb or next(iter(sorted((ROOT / "dist").glob(
                    f"inference-planner_{version}_*.deb"))), None)
                if deb is None:
                    raise SmokeFailure(f"no dist/inference-planner_{version}_*.deb: run make dist")
                check_deb(runner, deb, version)
        except SmokeFailure as exc:
            print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
            return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
