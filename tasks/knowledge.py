"""The office's knowledge base (templates/knowledge_base.toml) and finding the entry that answers a comment.

Matching is TF-IDF cosine over the normalised text: whole words, light Indonesian stems and
character 4-grams (so "pendaftarannya", "daftar" and "mendaftar" meet), each comment compared
with every question form an entry lists and with the labelled questions of the training file.
Before that, the office's synonyms ([sinonim]: chat abbreviations, regional and English words)
are rewritten to one word, and an entry's key terms (kata_kunci) found in the comment add to its
score: a question naming "sertifikat" is about certificates whatever else it says. A comment
nearer to a labelled question the base does not cover than to the best entry gets no answer.
Pure Python: the respond runs that draft replies stay free of the model's heavy imports.
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
# Calibrated by cross-validation on the training file's questions (never on the held-out ones).
MATCH_THRESHOLD = 0.33  # below it no entry is trusted to answer: the draft asks for a manual answer
UNCOVERED_MARGIN = 0.1  # a comment this much closer to a known not-covered question gets no answer
FORM_WEIGHT, KEY_WEIGHT, KEY_SATURATION = 0.8, 0.2, 2
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
    keys: tuple[str, ...] = ()  # key terms, already through the synonyms and normalisation

    @property
    def citation(self) -> str:
        return f"{self.source} ({self.link})" if self.link else self.source


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    keyed: bool = False  # one of the entry's key terms is in the comment
    nearest: float = 0.0  # cosine with the entry's most similar question form


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


class Synonyms:
    """The office's rewrites: each variant (a word or phrase) becomes its canonical word before matching."""

    def __init__(self, table: dict[str, list[str]]):
        self._canonical = {}
        for canonical, variants in table.items():
            for variant in variants:
                self._canonical[" ".join(normalize(variant).text.split())] = canonical.lower()
        parts = sorted(self._canonical, key=len, reverse=True)
        # An ending stays on the rewritten word: "sertifnya" reads "sertifikatnya".
        self._pattern = (regex.compile(r"(?<![\p{L}\p{N}])(" + "|".join(regex.escape(p) for p in parts)
                                       + r")(nya|ku|mu)?(?![\p{L}\p{N}])") if parts else None)

    def rewrite(self, normalized_text: str) -> str:
        if self._pattern is None:
            return normalized_text
        return self._pattern.sub(lambda m: self._canonical[m.group(1)] + (m.group(2) or ""), normalized_text)


def _words(text: str, synonyms: Synonyms) -> list[str]:
    return regex.findall(r"[\p{L}\p{N}]+", synonyms.rewrite(normalize(text).text))


def features(text: str, synonyms: Synonyms | None = None) -> Counter:
    """Words, stems and character 4-grams of the normalised text, without filler words."""
    words = [w for w in _words(text, synonyms or Synonyms({})) if w not in _STOPWORDS]
    counted: Counter = Counter()
    for word in words:
        counted["w:" + word] += 1
        counted["s:" + _stem(word)] += 1
        padded = f"<{word}>"
        for i in range(len(padded) - 3):
            counted["c:" + padded[i:i + 4]] += 0.25
    return counted


class KnowledgeBase:
    """The entries, their question forms and the labelled questions, indexed for TF-IDF cosine matching.

    `examples` are labelled comments (text, entry id or None): answered ones join their entry's
    question forms; questions the base does not cover are kept too, so that a comment closer to
    one of those than to any entry's forms is not given a loosely related answer.
    """

    def __init__(self, entries: list[Entry], synonyms: Synonyms | None = None,
                 examples: list[tuple[str, str | None]] = ()):
        self.entries = entries
        self.synonyms = synonyms or Synonyms({})
        known = {e.id for e in entries}
        texts = [(q, e.id) for e in entries for q in (e.title, *e.questions)]
        texts += [(text, answer) for text, answer in examples if answer is None or answer in known]
        documents = [features(q, self.synonyms) for q, _ in texts]
        self._owner = [owner for _, owner in texts]
        frequency = Counter(term for doc in documents for term in doc)
        self._idf = {t: math.log((1 + len(documents)) / (1 + n)) + 1 for t, n in frequency.items()}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for number, doc in enumerate(documents):
            for term, weight in self._weigh(doc).items():
                self._postings.setdefault(term, []).append((number, weight))
        self._keys = {e.id: [self._key_pattern(k) for k in e.keys] for e in entries}

    def _key_pattern(self, key: str) -> regex.Pattern:
        """A key term matches as whole words, its last word also with Indonesian endings ("sertifikatnya")."""
        words = regex.findall(r"[\p{L}\p{N}]+", self.synonyms.rewrite(normalize(key).text))
        body = r"\s+".join(regex.escape(w) for w in words)
        return regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:ber|di|ke|pe|pen|pem|peng|me|men|mem|meng)?{body}"
                             r"(?:nya|an|kan|i|lah|ku|mu)?(?![\p{L}\p{N}])")

    def _weigh(self, counted: Counter) -> dict[str, float]:
        vector = {t: (1 + math.log(n)) * self._idf.get(t, 0.0) for t, n in counted.items() if n > 0 and t in self._idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    def _nearest(self, query: dict[str, float]) -> dict[str | None, float]:
        """Per owner (entry id, or None for the not-covered questions): its most similar document."""
        similarity: Counter = Counter()
        for term, weight in query.items():
            for number, other in self._postings.get(term, ()):
                similarity[number] += weight * other
        nearest: dict[str | None, float] = {}
        for number, value in similarity.items():
            owner = self._owner[number]
            nearest[owner] = max(nearest.get(owner, 0.0), value)
        return nearest

    def ranked(self, text: str) -> list[Match]:
        """Every entry with its score, best first."""
        return self.scored(text)[0]

    def scored(self, text: str) -> tuple[list[Match], float]:
        """Every entry with its score, best first; and the cosine with the nearest not-covered question."""
        query = self._weigh(features(text, self.synonyms))
        rewritten = " ".join(_words(text, self.synonyms))
        nearest = self._nearest(query)
        matches = []
        for e in self.entries:
            keys = sum(1 for pattern in self._keys[e.id] if pattern.search(rewritten))
            score = FORM_WEIGHT * nearest.get(e.id, 0.0) + KEY_WEIGHT * min(keys, KEY_SATURATION) / KEY_SATURATION
            matches.append(Match(e, round(score, 4), keyed=keys > 0, nearest=nearest.get(e.id, 0.0)))
        return sorted(matches, key=lambda m: -m.score), nearest.get(None, 0.0)

    def best(self, text: str) -> Match | None:
        """The entry that answers the text, or None when none matches well enough."""
        ranked, uncovered = self.scored(text)
        if not ranked or ranked[0].score < MATCH_THRESHOLD:
            return None
        return ranked[0] if ranked[0].nearest + UNCOVERED_MARGIN >= uncovered else None


def load_knowledge_from(path: Path, examples: list[tuple[str, str | None]] = ()) -> KnowledgeBase:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        synonyms = Synonyms({str(k): [str(v) for v in vs] for k, vs in data.get("sinonim", {}).items()})
        entries = [
            Entry(id=item["id"], title=item["judul"], source=item["sumber"], link=item.get("tautan", ""),
                  answer=item["jawaban"].strip(), short=item["singkat"].strip(), questions=tuple(item["pertanyaan"]),
                  keys=tuple(str(k) for k in item.get("kata_kunci", ())))
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
    return KnowledgeBase(entries, synonyms, examples)


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The knowledge base file with the labelled questions of the training file, read once per process."""
    from .labelled import TRAINING_FILE, read_examples

    questions = [(e.text, e.answer) for e in read_examples(TRAINING_FILE) if e.category == "pertanyaan"]
    return load_knowledge_from(KNOWLEDGE_FILE, questions)
