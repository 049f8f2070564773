"""The command line's parser and the running of its commands.

Every command but `gui` (which :mod:`app.main` hands to the window) runs from here, without
Qt; only `evaluate --pdf` starts Qt, offscreen, to draw the report.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli import catalog as cli_catalog
from app.cli import evaluate as cli_evaluate
from app.cli import evidence as cli_evidence
from app.cli import measurements as cli_measurements
from app.cli import roadmap as cli_roadmap
from app.cli import site as cli_site
from app.cli import whatif as cli_whatif
from planner_core import __version__


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="inference-planner",
        description="Plan AI-inference data centers: racks, power, latency, throughput and "
        "cost per million tokens. With no command, opens the planner window.",
    )
    p.add_argument("--version", action="version", version=f"inference-planner {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="on an internal error, print the whole traceback (for a bug report)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser("gui", help="open the planner window (the default)")
    g.add_argument("plan", nargs="?", type=Path, help="plan file to open (default: the example)")
    g.add_argument("--screenshot", type=Path, metavar="PNG",
                   help="render the main window once, save it as PNG and exit")
    g.add_argument("--panel", default=None,
                   choices=["fleet", "mig", "racks", "floor", "workloads", "facility", "site",
                            "scenarios", "dashboard", "compare", "whatif", "evidence",
                            "roadmap"],
                   help="panel to bring to the front (with --screenshot: the one to show)")
    g.add_argument("--whatif", default=None,
                   choices=["sweep", "optimize", "sensitivity", "uncertainty"],
                   help="with --screenshot: run this What-if page with its defaults first")
    g.add_argument("--scenario", default=None, metavar="NAME",
                   help="scenario to show (default: the base plan)")
    g.add_argument("--catalog", action="append", type=Path, metavar="FILE", default=None,
                   help="your own catalog file (repeatable; later files override earlier "
                   "ones): whole entries, or one field of a built-in entry; remembered for "
                   "the next start (see README, 'Your own hardware and models')")
    g.add_argument("--builtin-catalog", action="store_true",
                   help="forget the remembered catalog files: the built-in catalog only")

    cli_evidence.add_parsers(sub)
    cli_measurements.add_parsers(sub)
    cli_evaluate.add_parser(sub)
    cli_catalog.add_parser(sub)
    cli_whatif.add_parsers(sub)
    cli_site.add_parsers(sub)
    cli_roadmap.add_parsers(sub)
    return p


#: sysexits' EX_SOFTWARE: the planner itself failed (a bug), not the input.
EXIT_INTERNAL = 70
#: Interrupted (Ctrl+C), as shells report SIGINT.
EXIT_INTERRUPTED = 130


def run(args: argparse.Namespace) -> int:
    """Runs a parsed command other than `gui`; returns the exit code."""
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("inference-planner: stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: one line and an exit code, the traceback on request
        if getattr(args, "debug", False):
            raise
        text = str(exc)
        text = text if len(text) <= 300 else text[:297] + "..."
        print(f"inference-planner: internal error ({type(exc).__name__}: {text}); nothing "
              "more was written. Run again with --debug for the traceback to report.",
              file=sys.stderr)
        return EXIT_INTERNAL
