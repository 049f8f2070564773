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


def from_validation_error(exc, *, source: str | None = None) -> PlannerError:
    """Turn a pydantic ValidationError into a PlannerError naming each bad field."""
    lines = []
    first_field = None
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        first_field = first_field or loc
        msg = err.get("msg", "invalid value")
        value = err.get("input")
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(f"{loc or '(top level)'}: {msg} (got {shown})")
    more = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return PlannerError("; ".join(lines[:3]) + more, field=None, source=source)
