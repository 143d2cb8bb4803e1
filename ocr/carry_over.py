"""Corrections kept when a page is recognized again: which new line takes which corrected text.

A corrected line goes onto the new line over it (box overlap, IoU at least ``MATCH_IOU``,
best pairs first, one to one). A corrected line no new line matches is kept as it was, with
its own box, and read in its place among the new lines; new lines lying mostly under it are
dropped, so its corrected text does not appear twice beside the engine's new reading of it.
"""

from dataclasses import dataclass, field

from ocr import boxes
from ocr.engine import RecognizedLine
from ocr.models import TextLine

MATCH_IOU = 0.5
COVERED_SHARE = 0.5  # of a new line's area under a kept corrected line: dropped


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


def carry_corrections(corrected: list[TextLine], new: list[RecognizedLine]) -> CarryOver:
    """The new lines, with the corrected lines matched onto them or kept beside them."""
    pairs = sorted(
        (
            (boxes.iou(old.box, line.box), index, number)
            for index, old in enumerate(corrected)
            for number, line in enumerate(new)
        ),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    result = CarryOver()
    taken_old, taken_new = set(), set()
    for overlap, index, number in pairs:
        if overlap < MATCH_IOU:
            break
        if index in taken_old or number in taken_new:
            continue
        taken_old.add(index)
        taken_new.add(number)
        result.source[id(new[number])] = corrected[index]
    unmatched = [old for index, old in enumerate(corrected) if index not in taken_old]
    for number, line in enumerate(new):
        if number not in taken_new and any(
            boxes.share_inside(line.box, old.box) >= COVERED_SHARE for old in unmatched
        ):
            result.dropped.append(line)
        else:
            result.lines.append(line)
    for old in unmatched:
        line = RecognizedLine(
            polygon=[tuple(point) for point in old.polygon],
            box=old.box,
            text=old.engine_text,
            confidence=old.confidence if old.confidence is not None else 0.0,
        )
        result.lines.append(line)
        result.source[id(line)] = old
        result.kept.add(id(line))
    return result
