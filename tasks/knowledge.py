"""The office's knowledge base (templates/knowledge_base.toml) and finding the entry that answers a comment.

Matching is TF-IDF cosine over the normalised text: whole words, light Indonesian stems and
character 4-grams (so "pendaftarannya", "daftar" and "mendaftar" meet), each comment compared
with every question form an entry lists and with the entry as a whole. Pure Python: the
respond runs that draft replies stay free of the model's heavy imports.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from tanggap.settings import TEMPLATES_DIR

from .normalize import normalize

KNOWLEDGE_FILE = TEMPLATES_DIR / "knowledge_base.toml"
MATCH_THRESHOLD = 0.35  # below it no entry is trusted to answer: the draft asks for a manual answer
_STOPWORDS = frozenset("""
min admin kak kakak pak bu bapak ibu mas mbak ya yah dong deh sih nih kok lho loh kah nya tah
yang di ke dari dan atau untuk buat ini itu ada apa saja aja bisa tidak nggak gak ga enggak ndak mau
saya aku kami kita sy ini itu juga lagi udah sudah sangat banget terus the a an is to of for do i
mohon tolong info terima kasih makasih halo selamat pagi siang sore malam om
""".split())
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "pe", "di", "ter", "ber", "ke", "se")
_SUFFIXES = ("nya", "kan", "lah", "kah", "an", "i")


class KnowledgeError(ValueError):
    """The knowledge base file cannot be used as it is."""


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str
    link: str
    answer: str  # Jinja text: may use {{ kantor.* }}
    short: str
    questions: tuple[str, ...]

    @property
    def citation(self) -> str:
        return f"{self.source} ({self.link})" if self.link else self.source


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


def _stem(word: str) -> str:
    """A light Indonesian stem: enough to let 'pendaftaran' meet 'daftar', not a linguistic analysis."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            return word[len(prefix):]
    return word


def features(text: str) -> Counter:
    """Words, stems and character 4-grams of the normalised text, without filler words."""
    words = [w for w in regex.findall(r"[\p{L}\p{N}]+", normalize(text).text) if w not in _STOPWORDS]
    counted: Counter = Counter()
    for word in words:
        counted["w:" + word] += 1
        counted["s:" + _stem(word)] += 1
        padded = f"<{word}>"
        for i in range(len(padded) - 3):
            counted["c:" + padded[i:i + 4]] += 0.25
    return counted


class KnowledgeBase:
    def __init__(self, entries: list[Entry]):
        self.entries = entries
        documents = [features(q) for e in entries for q in (e.title, *e.questions)]
        self._owner = [e for e in entries for _ in (e.title, *e.questions)]
        frequency = Counter(term for doc in documents for term in doc)
        self._idf = {t: math.log((1 + len(documents)) / (1 + n)) + 1 for t, n in frequency.items()}
        self._forms = [self._weigh(doc) for doc in documents]
        whole: dict[str, Counter] = {}
        for owner, doc in zip(self._owner, documents):
            whole.setdefault(owner.id, Counter()).update(doc)
        self._wholes = {key: self._weigh(doc) for key, doc in whole.items()}

    def _weigh(self, counted: Counter) -> dict[str, float]:
        vector = {t: (1 + math.log(n)) * self._idf.get(t, 0.0) for t, n in counted.items() if n > 0 and t in self._idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    @staticmethod
    def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(t, 0.0) for t, v in a.items())

    def ranked(self, text: str) -> list[Match]:
        """Every entry with its score, best first."""
        query = self._weigh(features(text))
        best: dict[str, float] = {}
        for owner, form in zip(self._owner, self._forms):
            best[owner.id] = max(best.get(owner.id, 0.0), self._cosine(query, form))
        scores = {e.id: 0.6 * best[e.id] + 0.4 * self._cosine(query, self._wholes[e.id]) for e in self.entries}
        return sorted((Match(e, round(scores[e.id], 4)) for e in self.entries), key=lambda m: -m.score)

    def best(self, text: str) -> Match | None:
        """The entry that answers the text, or None when none matches well enough."""
        ranked = self.ranked(text)
        return ranked[0] if ranked and ranked[0].score >= MATCH_THRESHOLD else None


def load_knowledge_from(path: Path) -> KnowledgeBase:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = [
            Entry(id=item["id"], title=item["judul"], source=item["sumber"], link=item.get("tautan", ""),
                  answer=item["jawaban"].strip(), short=item["singkat"].strip(), questions=tuple(item["pertanyaan"]))
            for item in data["jawaban"]
        ]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeError(f"basis pengetahuan {path} tidak dapat dibaca: {exc}") from exc
    ids = [e.id for e in entries]
    if len(ids) != len(set(ids)):
        raise KnowledgeError(f"basis pengetahuan {path}: id harus unik, didapat {ids}")
    empty = [e.id for e in entries if not e.questions or not e.answer or not e.short]
    if empty:
        raise KnowledgeError(f"basis pengetahuan {path}: entri tanpa pertanyaan, jawaban atau jawaban singkat: {empty}")
    return KnowledgeBase(entries)


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The knowledge base file, read once per process."""
    return load_knowledge_from(KNOWLEDGE_FILE)
