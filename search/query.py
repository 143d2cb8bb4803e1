"""The query language: what a librarian types, as terms the index can answer.

- ``张氏`` — the characters in a row (a phrase; no spaces needed between Chinese characters).
- ``张氏 江夏`` — several terms: a page must hold all of them.
- ``-江夏`` — a page must not hold it.
- ``"black cat"`` (or “…”, 「…」) — Latin words in this order.
- ``hist*`` — Latin words starting so.

Terms are folded like the text (``search.folding``): 張氏 finds 张氏, ＡＢＣ finds abc.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from search.folding import fold
from search.tokens import GAP, MAX_TERM_TOKENS, PRIVATE, is_cjk, positions

TERM = re.compile(r'(-?)(?:"([^"]*)"?|“([^”]*)”?|「([^」]*)」?|(\S+))')
MAX_TERMS = 10


class QueryError(ValueError):
    """The query cannot be searched; ``str()`` says why, for the person who typed it."""


@dataclass(frozen=True)
class Unit:
    """One token of a term at its offset: exact, or any token it begins (``prefix``)."""

    offset: int
    token: str
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    text: str  # as typed, cleaned
    folded: str
    units: tuple[Unit, ...]
    exclude: bool = False

    @property
    def cjk_runs(self) -> list[str]:
        """The runs of Chinese characters in the term as typed (for exact-form matching)."""
        runs, current = [], ""
        for character in fold(self.text, exact_form=True):
            if is_cjk(character):
                current += character
            elif current:
                runs.append(current)
                current = ""
        return [*runs, current] if current else runs


def term_units(folded: str, *, prefix: bool = False) -> tuple[Unit, ...]:
    """The units a term matches: its text's tokens at their offsets, gaps included."""
    found = positions(folded)
    if not found:
        return ()
    units = []
    for offset, position in enumerate(found):
        last = offset == len(found) - 1
        token = position.token
        lone_character = len(token) == 1 and is_cjk(token)
        if last and lone_character and offset and len(found[offset - 1].token) == 2:
            break  # the end of a run: its last bigram holds it already
        # A run's last character stands alone in the query; in the text the next character
        # may follow it (a bigram beginning with it), unless the term goes on after it.
        units.append(Unit(offset, token, prefix=last and (lone_character or prefix)))
    return tuple(units)


def parse(text: str) -> list[Term]:
    terms = []
    for match in TERM.finditer(PRIVATE.sub(" ", text or "")):
        exclude = match.group(1) == "-"
        quoted = next((g for g in match.groups()[1:4] if g is not None), None)
        raw = (quoted if quoted is not None else match.group(5) or "").strip()
        prefix = quoted is None and raw.endswith("*")
        raw = raw.rstrip("*") if prefix else raw
        folded = fold(raw)
        units = term_units(folded, prefix=prefix and not is_cjk(folded[-1:] or " "))
        if not units:
            continue
        if len(units) > MAX_TERM_TOKENS:
            raise QueryError(
                _("A search term can be at most %(count)s characters or words long.")
                % {"count": MAX_TERM_TOKENS}
            )
        terms.append(Term(raw, folded, units, exclude))
    if len(terms) > MAX_TERMS:
        raise QueryError(_("Use at most %(count)s search terms.") % {"count": MAX_TERMS})
    if terms and all(term.exclude for term in terms):
        raise QueryError(_("Say what to find, not only what to leave out."))
    return terms


def is_gap(unit: Unit) -> bool:
    return unit.token == GAP
