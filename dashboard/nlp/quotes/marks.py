"""Quotation marks and paragraphs: where quoted text is, before any grammar is looked at.

Straight and curly double quotes, the typewriter pairs of older archives (`` and ''), and single
quotes that open at the start of a word (so "soldiers' bodies" and "don't" never open one). A
quotation left open at the end of a paragraph continues when the next paragraph reopens it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_DOUBLE_MARK = re.compile(r"``|''|[“”„\"]")
_DOUBLE_OPEN = {"“", "„", "``"}
_DOUBLE_CLOSE = {"”"}
_DOUBLE_EITHER = {'"', "''"}  # opens when no quotation is open, closes otherwise
_SINGLE_OPEN = re.compile(r"(?<![\w’'`])[‘'](?=[\w])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])[’'](?![\w])")
_MAX_SINGLE_QUOTE = 400  # single quotes further apart than this are apostrophes, not a quotation


@dataclass(frozen=True)
class Marked:
    """A span of text between quotation marks; `inner` excludes the marks."""

    outer_start: int
    outer_end: int
    inner_start: int
    inner_end: int


def paragraphs(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) character spans of the non-blank paragraphs of text[start:]."""
    spans, pos = [], start
    for match in _PARAGRAPH_BREAK.finditer(text, start):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def double_quoted(text: str, paras: list[tuple[int, int]]) -> list[Marked]:
    """Spans in double quotes (“ ”, ", and the typewriter pairs `` and '' of older archives); an
    unclosed quote ends with its paragraph unless the next paragraph reopens it (the newspaper
    convention for a quotation running over several paragraphs)."""
    found: list[Marked] = []
    opened: tuple[int, int] | None = None  # (outer start, inner start) of the open quotation
    for n, (start, end) in enumerate(paras):
        marks = list(_DOUBLE_MARK.finditer(text, start, end))
        if opened is not None and marks and marks[0].start() == start and marks[0].group() not in _DOUBLE_CLOSE:
            marks = marks[1:]  # the reopening mark of a continued quotation
        for mark in marks:
            kind = mark.group()
            if kind in _DOUBLE_OPEN or (kind in _DOUBLE_EITHER and opened is None):
                if opened is not None:
                    found.append(Marked(opened[0], mark.start(), opened[1], mark.start()))
                opened = (mark.start(), mark.end())
            elif opened is not None:
                found.append(Marked(opened[0], mark.end(), opened[1], mark.start()))
                opened = None
        if opened is not None:
            nxt = _DOUBLE_MARK.match(text, paras[n + 1][0]) if n + 1 < len(paras) else None
            if not (nxt and nxt.group() not in _DOUBLE_CLOSE):
                found.append(Marked(opened[0], end, opened[1], end))
                opened = None
    return found


def single_quoted(text: str, paras: list[tuple[int, int]], taken: list[Marked]) -> list[Marked]:
    """Spans in single quotes outside double-quoted text. An opening mark must start a word, so
    apostrophes ("soldiers' bodies", "don't") never open one."""
    found: list[Marked] = []
    inside = Covered([(m.outer_start, m.outer_end) for m in taken])
    for start, end in paras:
        pos = start
        while True:
            opening = _SINGLE_OPEN.search(text, pos, end)
            if not opening:
                break
            pos = opening.end()
            if inside.covers(opening.start()):
                continue
            closing = _SINGLE_CLOSE.search(text, pos, min(end, pos + _MAX_SINGLE_QUOTE))
            if not closing:
                continue
            found.append(Marked(opening.start(), closing.end(), pos, closing.start()))
            pos = closing.end()
    return found


class Covered:
    """Fast membership test of a character offset in sorted, disjoint spans."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def covers(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.spans[i][1]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self.starts, start)
        self.spans.insert(i, (start, end))
        self.starts.insert(i, start)


def merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined, as Covered needs."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def marked_spans(text: str, paras: list[tuple[int, int]]) -> list[Marked]:
    """Every quotation-marked span of the paragraphs, double and single, in text order."""
    double = double_quoted(text, paras)
    return sorted(double + single_quoted(text, paras, double), key=lambda m: m.outer_start)


def quoted_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Inner (start, end) offsets of every quotation-marked span in text[start:], in order."""
    return [(m.inner_start, m.inner_end) for m in marked_spans(text, paragraphs(text, start))]
