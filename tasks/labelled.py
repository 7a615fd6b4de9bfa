"""The labelled comments written for Tanggap (tests/data/triage_*.tsv): what the triage model learns from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from tanggap.settings import REPO_ROOT

DATA_DIR = REPO_ROOT / "tests" / "data"
TRAINING_FILE = DATA_DIR / "triage_train.tsv"
HELD_OUT_FILE = DATA_DIR / "triage_heldout.tsv"
# Written later and split from new training rows by a hash of the text (see its header).
HELD_OUT_SECOND_FILE = DATA_DIR / "triage_heldout_2.tsv"
CATEGORIES = ("pertanyaan", "keluhan", "saran", "apresiasi", "kasar", "spam")
_INVISIBLE_ESCAPE = regex.compile(r"\\u(200b|200c|200d|2060|feff)", regex.IGNORECASE)


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    policy: bool
    answer: str | None  # the knowledge-base entry that answers it
    tag: str | None  # "obf" (disguised) or "hn" (hard negative: looks like spam, is not)


def read_examples(path: Path) -> list[Example]:
    """Rows of a labelled file; a malformed row is an error naming its line."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 5 or fields[0] not in CATEGORIES or fields[1] not in ("0", "1"):
            raise ValueError(f"{path.name}:{number}: expected category, policy 0/1, answer, tag, text")
        category, policy, answer, tag, text = fields
        text = _INVISIBLE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        examples.append(Example(text=text, category=category, policy=policy == "1",
                                answer=None if answer == "-" else answer, tag=None if tag == "-" else tag))
    return examples
