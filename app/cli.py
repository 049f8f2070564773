"""The command line: `inference-planner [command] ...`. Qt is imported only by `gui`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from planner_core import __version__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="inference-planner",
        description="Plan AI-inference data centers: racks, power, latency, throughput and "
        "cost per million tokens. With no command, opens the planner window.",
    )
    p.add_argument("--version", action="version", version=f"inference-planner {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser("gui", help="open the planner window (the default)")
    g.add_argument("plan", nargs="?", type=Path, help="plan file to open (default: the example)")
    g.add_argument("--screenshot", type=Path, metavar="PNG",
                   help="render the main window once, save it as PNG and exit")
    g.add_argument("--panel", default=None,
                   choices=["fleet", "mig", "racks", "workloads", "facility", "scenarios",
                            "dashboard", "compare", "whatif"],
                   help="panel to bring to the front (with --screenshot: the one to show)")
    g.add_argument("--whatif", default=None,
                   choices=["sweep", "optimize", "sensitivity", "uncertainty"],
                   help="with --screenshot: run this What-if page with its defaults first")
    g.add_argument("--scenario", default=None, metavar="NAME",
                   help="scenario to show (default: the base plan)")

    from . import cli_core

    cli_core.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        from .gui import run_gui

        return run_gui(getattr(args, "plan", None), getattr(args, "screenshot", None),
                       getattr(args, "panel", None), getattr(args, "scenario", None),
                       getattr(args, "whatif", None))
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
