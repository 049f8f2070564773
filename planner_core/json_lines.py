"""Which line of a JSON text holds a given field, so an error can say "line 42".

``json`` gives positions only for syntax errors. A plan whose JSON is fine but whose values are
wrong (a negative count, a misspelt field) should still be found in an editor, so after a
failed validation we scan the text once and map each field's path to the line of its key.
The scanner reads only text that ``json.loads`` has already accepted.
"""

from __future__ import annotations

import bisect
import re

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,\]\}\s]+")
_SPACE = re.compile(r"\s*")


def field_lines(text: str) -> dict[tuple, int]:
    """Maps every path (keys and list indexes) to its 1-based line; empty if unreadable."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    lines: dict[tuple, int] = {}

    def line(pos: int) -> int:
        return bisect.bisect_right(newlines, pos - 1) + 1

    def skip(pos: int) -> int:
        return _SPACE.match(text, pos).end()

    def value(pos: int, path: tuple) -> int:
        pos = skip(pos)
        ch = text[pos]
        if ch == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                m = _STRING.match(text, pos)
                key = _unquote(m.group())
                lines[path + (key,)] = line(pos)
                pos = skip(m.end())  # the colon
                pos = value(pos + 1, path + (key,))
                pos = skip(pos)
                if text[pos] == "}":
                    return pos + 1
                pos = skip(pos + 1)
        if ch == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                lines[path + (index,)] = line(skip(pos))
                pos = skip(value(pos, path + (index,)))
                index += 1
                if text[pos] == "]":
                    return pos + 1
                pos += 1
        if ch == '"':
            return _STRING.match(text, pos).end()
        return _SCALAR.match(text, pos).end()

    try:
        value(0, ())
    except (IndexError, AttributeError, RecursionError):
        return {}
    return lines


def _unquote(quoted: str) -> str:
    import json

    return json.loads(quoted)


def line_of(lines: dict[tuple, int], loc: tuple) -> int | None:
    """The line of ``loc`` or of its nearest enclosing field that has one."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None
