"""Character error rate against ground truth (NFKC, whitespace-insensitive)."""

import unicodedata
from dataclasses import dataclass


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, O(len(a) * len(b)) time and O(len(b)) memory."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Score:
    errors: int
    length: int

    @property
    def cer(self) -> float:
        return self.errors / self.length if self.length else float(self.errors > 0)


def score(recognized: str, truth: str) -> Score:
    hyp, ref = normalize(recognized), normalize(truth)
    return Score(errors=edit_distance(hyp, ref), length=len(ref))


def pooled(scores: list[Score]) -> Score:
    return Score(errors=sum(s.errors for s in scores), length=sum(s.length for s in scores))
