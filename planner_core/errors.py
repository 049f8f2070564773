"""The one error type the core raises for bad input, so callers catch one thing."""

from __future__ import annotations


class PlannerError(Exception):
    """Invalid plan, catalog or request. The message names the field and what is wrong."""

    def __init__(self, message: str, *, field: str | None = None, source: str | None = None):
        self.field = field
        self.source = source
        parts = []
        if source:
            parts.append(str(source))
        if field:
            parts.append(field)
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.detail = message


def from_validation_error(exc, *, source: str | None = None, data=None,
                          text: str | None = None) -> PlannerError:
    """Turn a pydantic ValidationError into a PlannerError naming each bad field.

    With the validated ``data``, list items are named as scenario overrides name them
    (``pools.serving.count`` rather than ``pools.0.count``); with its JSON ``text`` each field
    also gets its line.
    """
    from .json_lines import field_lines, line_of

    lines_by_path = field_lines(text) if text else {}
    lines = []
    first_field = None
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        name = _readable(loc, data)
        first_field = first_field or name
        line = line_of(lines_by_path, loc) if lines_by_path else None
        where = f"{name or '(top level)'}" + (f" (line {line})" if line else "")
        msg = err.get("msg", "invalid value")
        value = err.get("input")
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(f"{where}: {msg} (got {shown})")
    more = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    error = PlannerError("; ".join(lines[:3]) + more, source=source)
    error.field = first_field  # each line already names its field; kept for callers
    return error


def _readable(loc: tuple, data) -> str:
    """A pydantic location as a dotted path, list indexes replaced by the item's name."""
    parts, node = [], data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            name = node.get("name") if isinstance(node, dict) else None
            parts.append(name if isinstance(name, str) and name and "." not in name
                         else f"[{part}]")
            continue
        node = node.get(part) if isinstance(node, dict) else None
        parts.append(str(part))
    return ".".join(parts).replace(".[", "[")
