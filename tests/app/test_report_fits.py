"""Every example's PDF report fits its pages and stays small: each glyph of text, placed where
the PDF's own text operators put it and as wide as its font says, lies inside the page's
margins, only the footer's line sits in the footer's band, and no character lacks a glyph
(an empty box on paper); each file is under 2 MB.

Writing the five examples' reports takes about 15 s here, the long-names plan 2 s more (most
of it laying out the pages).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner_core import evaluate, read_plan
from planner_core.resources import resource_path

MAX_BYTES = 2_000_000
#: Slack for the rounding of positions (points).
SLACK_PT = 0.5
EXAMPLES = sorted(resource_path("examples").glob("*.json"))


def _areas(page) -> tuple[tuple[float, float, float, float], float]:
    """The page's text area in PDF points (left, bottom, right, top): the page less margins;
    and the top of the footer's band at its foot, where only the footer's line belongs."""
    from app.report.pages import FOOTER_MM, MARGINS_MM

    pt = 72 / 25.4
    box = page.mediabox
    bottom = float(box.bottom) + MARGINS_MM.bottom() * pt
    return ((float(box.left) + MARGINS_MM.left() * pt, bottom,
             float(box.right) - MARGINS_MM.right() * pt, float(box.top) - MARGINS_MM.top() * pt),
            bottom + FOOTER_MM * pt)


class _Font:
    """A Type 0 font as Qt writes it (two-byte glyph codes): each glyph's advance (1/1000 em)
    from the descendant font's /W, its ascent and descent, and its character (/ToUnicode)."""

    def __init__(self, font) -> None:
        descendant = font["/DescendantFonts"][0].get_object()
        self.advance = _widths(descendant.get("/W", []))
        self.default = float(descendant.get("/DW", 1000))
        descriptor = descendant["/FontDescriptor"].get_object()
        self.ascent = float(descriptor["/Ascent"])
        self.descent = float(descriptor["/Descent"])
        self.char = _chars(font["/ToUnicode"].get_object().get_data().decode("latin-1"))

    def glyphs(self, code: bytes) -> list[int]:
        return [int.from_bytes(code[i:i + 2], "big") for i in range(0, len(code), 2)]


def _chars(cmap: str) -> dict[int, str]:
    out: dict[int, str] = {}
    hexes = r"<([0-9A-Fa-f]+)>"
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(rf"{hexes}\s*{hexes}\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
            lo, hi = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for k, code in enumerate(re.findall(hexes, dst)):
                    out[lo + k] = bytes.fromhex(code).decode("utf-16-be")
            else:
                first = int(dst[1:-1], 16)
                out.update({lo + k: chr(first + k) for k in range(hi - lo + 1)})
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rf"{hexes}\s*{hexes}", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    return out


def _widths(w) -> dict[int, float]:
    out, i, items = {}, 0, list(w)
    while i < len(items):
        first, following = int(items[i]), items[i + 1]
        if isinstance(following, list):
            out.update({first + k: float(v) for k, v in enumerate(following)})
            i += 2
        else:
            out.update({c: float(items[i + 2]) for c in range(first, int(following) + 1)})
            i += 3
    return out


def _problems(path: Path) -> list[str]:
    """Every run of text that reaches outside its page's text area, and every character no
    font had (drawn as an empty box: glyph 0, .notdef), described.

    Qt places each glyph with its own Td and draws it with Tj: pypdf's text extraction hands
    each operator over with the current matrices, so each glyph's box is exact.
    """
    reader = PdfReader(path)
    problems: list[str] = []
    fonts: dict[int, _Font] = {}
    for number, page in enumerate(reader.pages, start=1):
        (left, bottom, right, top), footer = _areas(page)
        resources = page["/Resources"].get_object().get("/Font", {})
        state: dict = {"font": None, "size": 0.0}
        out: list[tuple[float, float, str]] = []  # glyphs outside: x, y, character
        foot: dict[float, str] = {}  # baselines in the footer's band: their text
        missing: list[str] = []

        def visit(op, args, cm, tm, state=state, out=out, foot=foot, missing=missing,
                  resources=resources, left=left, bottom=bottom, right=right, top=top,
                  footer=footer):
            if op == b"Tf":
                ref = resources[args[0]]
                key = ref.idnum if hasattr(ref, "idnum") else id(ref)
                if key not in fonts:
                    fonts[key] = _Font(ref.get_object())
                state["font"], state["size"] = fonts[key], float(args[1])
                return
            if op != b"Tj":
                return
            font, size = state["font"], state["size"]
            code = getattr(args[0], "original_bytes", None) or bytes(args[0])
            x0 = 0.0
            for glyph in font.glyphs(code):
                x1 = x0 + font.advance.get(glyph, font.default) * size / 1000
                xs, ys = [], []
                for x in (x0, x1):
                    for y in (0.0, font.descent * size / 1000, font.ascent * size / 1000):
                        # Text space through the text matrix, then the page's.
                        tx, ty = tm[0] * x + tm[2] * y + tm[4], tm[1] * x + tm[3] * y + tm[5]
                        xs.append(cm[0] * tx + cm[2] * ty + cm[4])
                        ys.append(cm[1] * tx + cm[3] * ty + cm[5])
                char = font.char.get(glyph, "?")
                if glyph == 0:
                    missing.append(char)
                if (min(xs) < left - SLACK_PT or max(xs) > right + SLACK_PT
                        or min(ys) < bottom - SLACK_PT or max(ys) > top + SLACK_PT):
                    out.append((max(xs), min(ys), char))
                elif min(ys) < footer:
                    baseline = round(ys[0], 1)  # the origin's: (x0, 0) comes first
                    foot[baseline] = foot.get(baseline, "") + char
                x0 = x1

        page.extract_text(visitor_operand_before=visit)
        lines: dict[float, list] = {}
        for x, y, ch in out:
            lines.setdefault(round(y), []).append((x, ch))
        problems += [f"page {number}: {''.join(ch for _x, ch in glyphs)!r} reaches x "
                     f"{max(x for x, _ch in glyphs):.1f}, y {y}; the text area is x "
                     f"{left:.1f}-{right:.1f}, y {bottom:.1f}-{top:.1f}"
                     for y, glyphs in lines.items()]
        if len(foot) > 1:  # the footer and something else: text below the page's body
            problems.append(f"page {number}: lines in the footer's band: {sorted(foot.values())}")
        if missing:
            problems.append(f"page {number}: {len(missing)} characters without a glyph")
    return problems


def _write(plan, catalog, path: Path) -> Path:
    from app.report import write_pdf_report

    write_pdf_report(path, plan, evaluate(plan, catalog), catalog)
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_fits_its_pages_and_stays_small(qapp, catalog, example, tmp_path):
    path = _write(read_plan(example, catalog), catalog, tmp_path / f"{example.stem}.pdf")
    assert path.stat().st_size < MAX_BYTES, f"{path.stat().st_size:,} bytes"
    assert _problems(path) == []


def _drawn(path: Path, lines) -> Path:
    """A page of the report's size and margins with ``lines`` (x, y, text) drawn on it in the
    report's font; x and y in device pixels of the text area, x = -1 for flush right."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

    from app.report.pages import FONT_FAMILIES, MARGINS_MM, RESOLUTION

    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, MARGINS_MM,
                                     QPageLayout.Unit.Millimeter))
    width = writer.pageLayout().paintRectPixels(RESOLUTION).width()
    painter = QPainter(writer)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(9)
    painter.setFont(font)
    for x, y, line in lines:
        if x < 0:  # flush right, then ``-x`` pixels further
            x = width - painter.fontMetrics().horizontalAdvance(line) - x - 1
        painter.drawText(QPointF(x, y), line)
    painter.end()
    return path


def test_the_check_sees_text_past_the_margin_and_missing_glyphs(qapp, tmp_path):
    """The measuring above is not vacuous: a figure ending about 5 mm past the right margin
    (a cut column's last figure) is caught, and so is a character no font has."""
    flush = _drawn(tmp_path / "flush.pdf", [(0, 200, "inside"), (-1, 400, "1,762.09")])
    assert _problems(flush) == []
    past = _drawn(tmp_path / "past.pdf", [(0, 200, "inside"), (-61, 400, "1,762.09")])
    problems = _problems(past)
    # Only the glyphs past the margin are named: the figure's tail, not its start.
    assert len(problems) == 1
    named = re.search(r"'(.*?)'", problems[0]).group(1)
    assert named and named != "1,762.09" and "1,762.09".endswith(named)
    # A private-use character of the last plane: no font draws it.
    boxed = _drawn(tmp_path / "box.pdf", [(0, 200, "a box: \U0010fffd")])
    assert _problems(boxed) == ["page 1: 1 characters without a glyph"]


def test_long_names_shrink_a_table_rather_than_leave_the_page(qapp, catalog, tmp_path,
                                                              monkeypatch):
    """Names without a place to break (25 characters: the report breaks longer ones itself)
    widen the fleet and latency tables past the page; their text shrinks until they fit."""
    import app.report.pages as pages
    from planner_core.plan import edits

    plan = read_plan(resource_path("examples", "llama70b-chat.json"), catalog)
    plan = edits.rename(plan, "pools", "serving", "ServingPoolOfTheChatAssis")
    plan = edits.rename(plan, "workloads", "chat", "ChatAssistantForEveryUser")
    shrunk = []
    fit = pages.fit_tables
    monkeypatch.setattr(pages, "fit_tables", lambda *a: shrunk.append(fit(*a)) or shrunk[-1])
    path = _write(plan, catalog, tmp_path / "long-names.pdf")
    assert shrunk and shrunk[0] > 0
    assert _problems(path) == []
