"""Who changed what: a word-level redline between two versions of the reply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    kind: Literal["same", "removed", "added"]
    text: str


def redline(old: str, new: str) -> list[Piece]:
    """The new text as pieces kept, removed and added relative to the old one.

    Changes separated only by spaces are shown as one removed phrase and one added phrase,
    which reads better than alternating single words.
    """
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # Two equal runs never follow each other, so a run that is not the last sits between changes.
        spaces_between_changes = (tag == "equal" and index < len(opcodes) - 1 and bool(merged)
                                  and merged[-1][0] == "change" and all(t.isspace() for t in before[i1:i2]))
        if tag != "equal" or spaces_between_changes:
            if merged and merged[-1][0] == "change":
                merged[-1][2], merged[-1][4] = i2, j2
            else:
                merged.append(["change", i1, i2, j1, j2])
        else:
            merged.append(["equal", i1, i2, j1, j2])
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            pieces.append(Piece("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(after[j1:j2])))
    return pieces
