"""The program: `inference-planner [command] ...`. With no command or `gui`, the window opens;
every other command is the command line's (:mod:`app.cli`), which never imports the window."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    # Start-up builds hundreds of thousands of objects (Qt's and pydantic's types, the
    # catalog) that all live on: collecting among them while they are made is time lost.
    # The collector comes back once the window has first painted, or before a command runs.
    gc.disable()
    try:
        from app.cli.parser import build_parser, run

        args = build_parser().parse_args(argv)
        if args.command in (None, "gui"):
            from app.window.gui import run_gui

            return run_gui(getattr(args, "plan", None), getattr(args, "screenshot", None),
                           getattr(args, "panel", None), getattr(args, "scenario", None),
                           getattr(args, "whatif", None), getattr(args, "catalog", None),
                           getattr(args, "builtin_catalog", False))
        start_up_done()
        return run(args)
    finally:
        start_up_done()


def start_up_done() -> None:
    """Back to normal memory management: what start-up built is set aside for good (it
    lives as long as the program), so later collections need not walk it again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
