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
    newlines = [m.start() for m in re.finditer("\n", text)]
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


#: The json module's wording, said plainly. Messages not listed are shown as they are.
_PLAIN_JSON = {
    "Expecting value": "a value is missing or misspelt (text needs double quotes)",
    "Expecting ',' delimiter": "a comma is missing",
    "Expecting ':' delimiter": "a colon is missing",
    "Expecting property name enclosed in double quotes":
        "expected a field name in double quotes (is there a comma too many?)",
    "Unterminated string starting at": "a text in double quotes is not closed",
    "Invalid control character at": "a control character (a tab or line break?) inside "
                                    "double quotes",
    "Extra data": "more text after the end of the plan",
    "Invalid \\escape": "a backslash that does not start a valid escape (write \\\\)",
    "Invalid \\uXXXX escape": "a \\u escape without four hexadecimal digits",
    "Unexpected UTF-8 BOM (decode using utf-8-sig)": "a stray byte-order mark",
}


def json_error_message(exc) -> str:
    """A :class:`json.JSONDecodeError` as "not valid JSON (line L, column C): what"."""
    what = _PLAIN_JSON.get(exc.msg, exc.msg)
    rest = exc.doc[exc.pos:].strip()
    # A plan is one object, so a whole file ends with "}". The error on its last line of one
    # that does not means the file was cut short rather than mistyped.
    if exc.msg != "Extra data" and (not rest or (
            "\n" not in rest and not exc.doc.rstrip().endswith("}"))):
        what = f"the file ends too early, so it was probably cut short ({what})"
    return f"not valid JSON (line {exc.lineno}, column {exc.colno}): {what}"
