"""Folding text for search: one character in, one character out.

Index and query are folded the same way, so 张氏 finds 張氏 and 裡 finds 裏: width and
compatibility forms (NFKC: full-width Ｌａｔｉｎ, ①), case, the Taiwan, Hong Kong and
Japanese variant forms back to the standard traditional ones, then traditional to
simplified, all from OpenCC's character tables (shipped by opencc-python-reimplemented,
read from its files; the converter itself is never called). Each step maps one character
to one character and is skipped where it would not, so an offset in the folded text is the
offset in the original: hits are marked in the text as it was written.

Character by character, not phrase by phrase: OpenCC's phrase tables choose among
candidates by context (乾 in 乾隆 stays 乾), which would fold the same character in the
index and in a query differently. Known merges this makes, as every simplified index does:
後/后, 於/于, 範/范, 瀋/沈, 髮/發, 乾/幹/干 (the exact-form option tells them apart).
"""

import unicodedata
from functools import lru_cache
from pathlib import Path

from ocr.variants import _package_file

# Variant forms back to the standard traditional form, then traditional to simplified.
VARIANT_TABLES = ("TWVariantsRev.txt", "HKVariantsRev.txt")
REVERSED_TABLES = ("JPVariants.txt",)  # standard → Japanese form: read backwards
SIMPLIFYING_TABLE = "TSCharacters.txt"


class FoldingTablesMissing(RuntimeError):
    pass


def table_paths() -> dict[str, Path | None]:
    names = (*VARIANT_TABLES, *REVERSED_TABLES, SIMPLIFYING_TABLE)
    return {name: _package_file("opencc", "dictionary", name) for name in names}


def _pairs(path: Path, *, reverse: bool = False):
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if reverse:
            source, target = target, source
        if len(source) == 1 and len(target) == 1 and source != target:
            yield source, target


@lru_cache(maxsize=1)
def script_table() -> dict[str, str]:
    """Character → its simplified standard form, where OpenCC has one."""
    paths = table_paths()
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        raise FoldingTablesMissing(
            "OpenCC's tables for search folding are not installed "
            f"({', '.join(missing)}): run `make venv` (opencc-python-reimplemented==0.1.7)"
        )
    variants: dict[str, str] = {}
    for name in REVERSED_TABLES:
        variants.update(_pairs(paths[name], reverse=True))
    for name in VARIANT_TABLES:
        variants.update(_pairs(paths[name]))
    simplified = dict(_pairs(paths[SIMPLIFYING_TABLE]))
    table = {}
    for character in {*variants, *simplified}:
        folded = character
        for _ in range(3):  # variant → traditional → simplified, until it stays
            folded = simplified.get(variants.get(folded, folded), variants.get(folded, folded))
        if folded != character:
            table[character] = folded
    return table


class _FoldTable(dict):
    """``str.translate`` table filled on first sight of each character."""

    def __init__(self, script: dict[str, str] | None):
        super().__init__()
        self.script = script

    def __missing__(self, code: int) -> str:
        character = chr(code)
        folded = unicodedata.normalize("NFKC", character)
        if len(folded) != 1:
            folded = character
        lower = folded.lower()
        folded = lower if len(lower) == 1 else folded
        if self.script is not None:
            folded = self.script.get(folded, folded)
        self[code] = folded
        return folded


@lru_cache(maxsize=2)
def _table(exact_form: bool) -> _FoldTable:
    return _FoldTable(None if exact_form else script_table())


def fold(text: str, *, exact_form: bool = False) -> str:
    """The text as search compares it; the same length as ``text``.

    ``exact_form``: keep the script and variant forms (width and case still fold).
    """
    return text.translate(_table(exact_form))
