"""A page's text as search sees it, and the tokens the index holds.

Chinese has no spaces, so whole words cannot be the tokens: like Lucene's CJK analyzer the
index holds overlapping character bigrams, one per position (张氏族 → 张氏 氏族 族), and a
query of n characters is the phrase of its n-1 bigrams at consecutive positions, which
matches exactly where the text holds those n characters in a row. A single character is a
prefix query: every character of the text begins the token at its position (a bigram, or
itself at the end of a run). Unigram tokens as well would find it with one lookup, but
they made a third of the index (measured: bench/search_bench.py). Latin letters and
digits are words (case and width folded), with a ``GAP`` token wherever the text has
anything else (spaces, punctuation), so no phrase matches across it.

A page's lines are joined in reading order; a line break between two Chinese characters
joins them (a name broken across two lines of a vertical column is found), any other line
break separates like a space. Everything is built on folded text (``search.folding``),
which has the original's length, so a hit's offsets mark the text as written.
"""

import re
from collections import Counter
from dataclasses import dataclass

from search.folding import fold

GAP = "\ue000"  # a private-use character: text and queries never hold one after cleaning
PRIVATE = re.compile("[\ue000-\uf8ff]")

# Han (with compatibility forms, radicals and the supplementary planes), kana, hangul, and
# 々〆〇: each is a token of its own.
CJK_RANGES = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c"
    "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3130-\u318f"
    "\u1100-\u11ff\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
UNIT = re.compile(f"(?P<cjk>[{CJK_RANGES}])|(?P<word>[^\\W_{CJK_RANGES}]+)")
CJK_CHARACTER = re.compile(f"[{CJK_RANGES}]")

# Per index row: positions, and occurrences of one token (PostgreSQL keeps 256 positions a
# lexeme and numbers positions up to 16383). A longer page takes several rows that overlap
# by OVERLAP positions, so a phrase of up to OVERLAP tokens is found whole in one of them.
MAX_POSITIONS = 4000
MAX_REPEATS = 250
OVERLAP = 64
MAX_TERM_TOKENS = OVERLAP


def is_cjk(character: str) -> bool:
    return bool(CJK_CHARACTER.fullmatch(character))


@dataclass(frozen=True)
class PageText:
    """The joined text of a page's lines and where each line starts in it."""

    text: str
    starts: tuple[int, ...]
    lengths: tuple[int, ...]

    def line_spans(self, start: int, end: int):
        """``(line index, start, end)`` in each line's own text for a span of the page."""
        for index, (line_start, length) in enumerate(zip(self.starts, self.lengths, strict=True)):
            low, high = max(start, line_start), min(end, line_start + length)
            if low < high:
                yield index, low - line_start, high - line_start


def page_text(lines: list[str]) -> PageText:
    parts, starts, lengths = [], [], []
    offset = 0
    for text in lines:
        text = PRIVATE.sub(" ", text)
        if parts and not (parts[-1] and text and is_cjk(parts[-1][-1]) and is_cjk(text[0])):
            parts.append("\n")
            offset += 1
        starts.append(offset)
        lengths.append(len(text))
        parts.append(text)
        offset += len(text)
    return PageText("".join(parts), tuple(starts), tuple(lengths))


@dataclass(frozen=True)
class Position:
    token: str
    start: int  # span of the text this position stands for (a bigram: both characters)
    end: int


def positions(folded: str) -> list[Position]:
    """One token per position: a bigram, a last character of a run, a word, or a gap."""
    units = [(match.lastgroup, match.start(), match.end()) for match in UNIT.finditer(folded)]
    result = []
    previous_end = None
    for index, (kind, start, end) in enumerate(units):
        if previous_end is not None and start != previous_end:
            result.append(Position(GAP, previous_end, start))
        following = units[index + 1] if index + 1 < len(units) else None
        if kind == "cjk" and following and following[0] == "cjk" and following[1] == end:
            result.append(Position(folded[start : following[2]], start, following[2]))
        else:
            result.append(Position(folded[start:end], start, end))
        previous_end = end
    return result


def chunks(folded: str) -> list[str]:
    """The index rows' token streams (space-separated) for a page's folded text."""
    stream = [position.token for position in positions(folded)]
    rows = []
    start = 0
    while start < len(stream):
        counts: Counter = Counter()
        end = start
        while end < len(stream) and end - start < MAX_POSITIONS:
            counts[stream[end]] += 1
            if counts[stream[end]] > MAX_REPEATS:
                break
            end += 1
        rows.append(" ".join(stream[start:end]))
        if end >= len(stream):
            break
        start = max(end - OVERLAP, start + 1)
    return rows


def index_rows(lines: list[str]) -> list[str]:
    return chunks(fold(page_text(lines).text))
