"""The program: `inference-planner [command] ...`. With no command or `gui`, the window opens;
every other command is the command line's (:mod:`app.cli`), which never imports the window."""

from __future__ import annotations

import sys

from app import start_up


def main(argv: list[str] | None = None) -> int:
    start_up.begin()  # the collector is back once the window has painted or a command runs
    try:
        from app.cli.parser import build_parser, run

        args = build_parser().parse_args(argv)
        if args.command in (None, "gui"):
            from app.window.gui import run_gui

            return run_gui(getattr(args, "plan", None), getattr(args, "screenshot", None),
                           getattr(args, "panel", None), getattr(args, "scenario", None),
                           getattr(args, "whatif", None), getattr(args, "catalog", None),
                           getattr(args, "builtin_catalog", False))
        start_up.done()
        return run(args)
    finally:
        start_up.done()


if __name__ == "__main__":
    sys.exit(main())
