"""The one error type the core raises for bad input, so callers catch one thing."""

from __future__ import annotations

import re


class PlannerError(Exception):
    """Invalid plan, catalog or request. The message names the field and what is wrong.

    ``str(error)`` reads ``SOURCE: FIELD (line N): MESSAGE``, each part present when known.
    """

    def __init__(self, message: str, *, field: str | None = None, source: str | None = None,
                 line: int | None = None):
        message, field, source = _printable(message), _printable(field), _printable(source)
        self.field = field
        self.source = source
        self.line = line
        self.detail = message
        where = field or ""
        if line:
            where = f"{where} (line {line})" if where else f"line {line}"
        prefix = ": ".join(p for p in (source, where) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class FieldValueError(ValueError):
    """Raised by a model validator about one field: ``loc`` is that field's path below the
    model, so the error names it (and its line) rather than the whole model."""

    def __init__(self, message: str, loc: tuple = ()):
        super().__init__(message)
        self.loc = tuple(loc)


def _printable(text):
    """Text that can be printed, logged and shown: a file may hold lone UTF-16 surrogates
    (``"\\ud800"`` is valid JSON) and a file name undecodable bytes, which would make printing
    the message fail; they are shown as ``\\udXXX`` instead."""
    if text is None:
        return None
    text = str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    # Control characters and text-direction overrides from a file (a name with a carriage
    # return, U+202E) are shown escaped, not obeyed; a message's own line breaks stay (one
    # error may list several files, a line each).
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text


_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


#: Pydantic's wording where a plainer one helps a reader who does not program.
_PLAIN = {
    "missing": "required, but missing",
    "extra_forbidden": "not a field Inference Planner knows (misspelt, or from another file?)",
}


def from_validation_error(exc, *, source: str | None = None, data=None,
                          text: str | None = None) -> PlannerError:
    """Turn a pydantic ValidationError into a PlannerError naming each bad field.

    With the validated ``data``, list items are named as scenario overrides name them
    (``pools.serving.count`` rather than ``pools.0.count``); with its JSON ``text`` each field
    also gets its line. ``error.problems`` lists ``(field, line, message)`` for each.
    """
    from planner_core.json_lines import field_lines, line_of

    lines_by_path = field_lines(text) if text else {}
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        kind = err.get("type", "")
        msg = err.get("msg", "invalid value")
        cause = (err.get("ctx") or {}).get("error")
        show_input = kind not in ("missing", "value_error", "assertion_error")
        if isinstance(cause, FieldValueError):
            loc += cause.loc
            msg = str(cause)
        elif kind in _PLAIN:
            msg = _PLAIN[kind]
        elif kind == "string_pattern_mismatch" and str((err.get("ctx") or {}).get(
                "pattern", "")).startswith(r"^[^."):
            msg = ("must not contain a dot (dots separate the parts of a scenario override), "
                   "a control character or a text-direction override")
        elif kind in ("value_error", "assertion_error"):
            msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        name = _readable(loc, data)
        line = line_of(lines_by_path, loc) if lines_by_path else None
        if show_input:
            shown = repr(err.get("input"))
            if len(shown) > 60:
                shown = shown[:57] + "..."
            msg = f"{msg} (got {shown})"
        problems.append((name, line, msg))
    texts = []
    for name, line, msg in problems:
        where = name or "(top level)"
        texts.append(f"{where}" + (f" (line {line})" if line else "") + f": {msg}")
    more = f" (and {len(texts) - 3} more)" if len(texts) > 3 else ""
    error = PlannerError("; ".join(texts[:3]) + more, source=source)
    # Each part of the message already names its field; kept for callers.
    error.field = _printable(problems[0][0]) if problems else None
    error.line = problems[0][1] if problems else None
    error.problems = problems
    return error


def _readable(loc: tuple, data) -> str:
    """A pydantic location as a dotted path, list indexes replaced by the item's id (catalog
    entries, as an override by id names them) or name (a plan's items)."""
    parts, node = [], data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            name = node.get("name") if isinstance(node, dict) else None
            if isinstance(ident, str) and ident:
                parts.append(ident)
            else:
                parts.append(name if isinstance(name, str) and name and "." not in name
                             else f"[{part}]")
            continue
        node = node.get(part) if isinstance(node, dict) else None
        parts.append(str(part))
    return ".".join(parts).replace(".[", "[")
