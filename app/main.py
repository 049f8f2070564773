"""The program: `inference-planner [command] ...`. With no command or `gui`, the window opens;
every other command is the command line's (:mod:`app.cli`), which never imports the window."""

from __future__ import annotations

import sys

from app.cli.parser import build_parser, run


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from app.window.gui import run_gui

        return run_gui(getattr(args, "plan", None), getattr(args, "screenshot", None),
                       getattr(args, "panel", None), getattr(args, "scenario", None),
                       getattr(args, "whatif", None))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
