"""Corrections kept when a page is recognized again: which new line takes which corrected text.

A corrected line goes onto the new line over it: each box lies mostly inside the other
(``MATCH_SHARE`` both ways, so a line the corrector split is not matched onto the whole
line the engine reads again), best pairs first, one to one. A corrected line no new line
matches is kept as it was, with its own box, and read in its place among the new lines; a
new line lying almost wholly under kept corrections (``COVERED_SHARE`` of its area, all
kept boxes together) is dropped, so corrected text does not appear twice. A new line only
partly under them stays: its text may show twice, never go missing.
"""

from dataclasses import dataclass, field

from ocr import boxes
from ocr.engine import RecognizedLine
from ocr.models import TextLine

MATCH_SHARE = 0.7
COVERED_SHARE = 0.8


@dataclass
class CarryOver:
    lines: list[RecognizedLine] = field(default_factory=list)  # what to arrange and store
    source: dict[int, TextLine] = field(default_factory=dict)  # id(line): corrected line
    kept: set[int] = field(default_factory=set)  # id(line) of corrected lines kept as they were
    dropped: list[RecognizedLine] = field(default_factory=list)

    def correction_of(self, line: RecognizedLine) -> TextLine | None:
        return self.source.get(id(line))

    def is_kept(self, line: RecognizedLine) -> bool:
        return id(line) in self.kept


def as_recognized(line: TextLine) -> RecognizedLine:
    """A stored line as the engine's output: its box, polygon and engine text."""
    return RecognizedLine(
        polygon=[tuple(point) for point in line.polygon],
        box=line.box,
        text=line.engine_text,
        confidence=line.confidence or 0.0,
    )


def carry_corrections(corrected: list[TextLine], new: list[RecognizedLine]) -> CarryOver:
    """The new lines, with the corrected lines matched onto them or kept beside them."""
    pairs = sorted(
        (
            (boxes.iou(old.box, line.box), index, number)
            for index, old in enumerate(corrected)
            for number, line in enumerate(new)
            if min(boxes.share_inside(old.box, line.box), boxes.share_inside(line.box, old.box))
            >= MATCH_SHARE
        ),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    result = CarryOver()
    taken_old, taken_new = set(), set()
    for _overlap, index, number in pairs:
        if index in taken_old or number in taken_new:
            continue
        taken_old.add(index)
        taken_new.add(number)
        result.source[id(new[number])] = corrected[index]
    unmatched = [old for index, old in enumerate(corrected) if index not in taken_old]
    for number, line in enumerate(new):
        covered = sum(boxes.share_inside(line.box, old.box) for old in unmatched)
        if number not in taken_new and covered >= COVERED_SHARE:
            result.dropped.append(line)
        else:
            result.lines.append(line)
    for old in unmatched:
        line = as_recognized(old)
        result.lines.append(line)
        result.source[id(line)] = old
        result.kept.add(id(line))
    return result
