"""JSON as every file the planner reads is parsed: one guard against what a corrupt download
or a hostile file holds, each problem one PlannerError naming the file and the place.

``json.loads`` alone accepts ``NaN`` and ``Infinity``, numbers of thousands of digits, text
nested a thousand levels deep (which later copies recurse through until ``RecursionError``)
and strings of millions of characters. A plan, a catalog or a recovery copy needs none of
these, and each would surface as a traceback or a number without meaning.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from planner_core.errors import PlannerError

#: Deeper than any file the planner writes (a plan's deepest field is about ten levels).
MAX_DEPTH = 64
#: Longer than any name, note or source a person writes; a plan's notes may be long.
MAX_STRING = 100_000
#: Larger than any planning figure (a price, a rate, a count, watts); 1e308 is not one.
MAX_NUMBER = 1e15
#: Items in all of a file's lists and objects together.
MAX_ITEMS = 2_000_000


def loads(text: str, source: str | None = None, kind: str = "file", *,
          values: bool = True) -> Any:
    """``text`` parsed and checked; ``kind`` names what it should be ("a plan").

    ``values=False`` leaves NaN, infinities, out-of-range figures and long texts to the
    caller's own validation (a plan's fields name their bounds and the line); the shape
    (depth, item count) is checked whatever.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        from planner_core.json_lines import json_error_message

        error = PlannerError(json_error_message(exc), source=source)
        error.line = exc.lineno
        raise error from exc
    except RecursionError as exc:
        raise PlannerError(f"not {kind}: nested too deeply", source=source) from exc
    except ValueError as exc:  # a number longer than Python converts (sys.int_info)
        long = re.search(r"\d{1000,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        raise PlannerError(f"not {kind}: holds a number with thousands of digits",
                           source=source, line=line) from exc
    check(data, source, kind, values=values)
    return data


def check(data: Any, source: str | None = None, kind: str = "file", *,
          values: bool = True) -> None:
    """Depth, string length, number size and item count of parsed JSON, without recursion
    (the check must not fail the way it guards against)."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    items = 0
    while stack:
        node, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise PlannerError(f"not {kind}: nested more than {MAX_DEPTH} levels deep "
                               f"(under {_path(where[:3])})", source=source)
        if isinstance(node, dict):
            items += len(node)
            for key, value in node.items():
                if len(key) > MAX_STRING:
                    raise PlannerError(f"not {kind}: a key of {len(key):,} characters",
                                       field=_path(where) or None, source=source)
                stack.append((value, (*where, key)))
        elif isinstance(node, list):
            items += len(node)
            stack.extend((value, (*where, i)) for i, value in enumerate(node))
        elif isinstance(node, str):
            if values and len(node) > MAX_STRING:
                raise PlannerError(f"a text of {len(node):,} characters; at most "
                                   f"{MAX_STRING:,} are read", field=_path(where) or None,
                                   source=source)
        elif (values and isinstance(node, int | float) and not isinstance(node, bool)
              and (not math.isfinite(node) or abs(node) > MAX_NUMBER)):
            raise PlannerError(f"{node:.3g} is not a planning figure (a finite number of at "
                               f"most {MAX_NUMBER:.0e} is)", field=_path(where) or None,
                               source=source)
        if items > MAX_ITEMS:
            raise PlannerError(f"not {kind}: more than {MAX_ITEMS:,} items", source=source)


def _path(where: tuple) -> str:
    """A place in the file as a dotted path, shortened: it is echoed in a message."""
    text = ".".join(str(p)[:40] for p in where)
    return text if len(text) <= 200 else text[:197] + "..."
