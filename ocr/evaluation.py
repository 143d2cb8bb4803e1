"""Scores against ground truth (NFKC, whitespace-insensitive).

Two scores tell reading order apart from recognition: the character error rate (CER) of
the page text as ordered, which counts a misplaced line as errors, and an order-free score
over the bag of characters (precision, recall, F1), which only sees what was read.
"""

import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions each cost 1)."""
    return Levenshtein.distance(a, b)


@dataclass(frozen=True)
class Score:
    errors: int
    length: int
    found: int = 0  # characters of the truth read, wherever they stand
    read: int = 0  # characters the engine gave

    @property
    def cer(self) -> float:
        return self.errors / self.length if self.length else float(self.errors > 0)

    @property
    def recall(self) -> float:
        return self.found / self.length if self.length else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.read if self.read else float(not self.length)

    @property
    def bag_f1(self) -> float:
        """Order-free: the F1 of the character multisets."""
        total = self.recall + self.precision
        return 2 * self.recall * self.precision / total if total else 0.0


def score(recognized: str, truth: str) -> Score:
    hyp, ref = normalize(recognized), normalize(truth)
    found = sum((Counter(hyp) & Counter(ref)).values())
    return Score(errors=edit_distance(hyp, ref), length=len(ref), found=found, read=len(hyp))


def pooled(scores: list[Score]) -> Score:
    return Score(
        errors=sum(s.errors for s in scores),
        length=sum(s.length for s in scores),
        found=sum(s.found for s in scores),
        read=sum(s.read for s in scores),
    )
