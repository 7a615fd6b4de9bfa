"""The office's triage rules (templates/triage_rules.toml): terms that mark gambling, adverts and policy."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from tanggap.settings import TEMPLATES_DIR

RULES_FILE = TEMPLATES_DIR / "triage_rules.toml"
CUE_KINDS = ("pertanyaan", "keluhan", "saran", "apresiasi", "sindiran")
_PHONE = regex.compile(r"(?<!\d)(?:\+?62|0)8\d{2}[\s.-]?\d{3,4}[\s.-]?\d{3,5}(?!\d)")


class RulesError(ValueError):
    """The rules file cannot be used as it is."""


class _Terms:
    """One list of terms: whole words, or anywhere for terms written with '*'.

    Two patterns, one per kind, each a plain alternation the regex engine can scan quickly (a
    lookbehind inside every alternative made a comment cost a millisecond); their matches are
    merged leftmost-longest, as one pattern would give them.
    """

    def __init__(self, terms: list[str]):
        self.terms = [t.strip().lower() for t in terms if t.strip()]
        anywhere = sorted({t[1:] for t in self.terms if t.startswith("*")}, key=len, reverse=True)
        whole = sorted({t for t in self.terms if not t.startswith("*")}, key=len, reverse=True)
        self.patterns = [regex.compile("|".join(regex.escape(t) for t in anywhere))] if anywhere else []
        if whole:
            self.patterns.append(regex.compile(r"(?<![\p{L}\p{N}])(?:" + "|".join(regex.escape(t) for t in whole)
                                               + r")(?![\p{L}\p{N}])"))

    def find(self, text: str) -> list[str]:
        spans = sorted((m.start(), -m.end(), m.group(0)) for p in self.patterns for m in p.finditer(text))
        found, reached = [], -1
        for start, negative_end, term in spans:
            if start >= reached:
                found.append(term)
                reached = -negative_end
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class RuleHits:
    """What the rules recognise in one normalised comment."""

    gambling: list[str]  # strong gambling terms
    gambling_weak: list[str]
    advert: list[str]
    invitation: list[str]
    policy: list[str]
    abuse: list[str]
    cues: dict[str, list[str]]  # kind of comment (pertanyaan, keluhan, saran, apresiasi, sindiran) -> words found
    foreign_domains: list[str]
    phones: list[str]


@dataclass(frozen=True)
class Rules:
    gambling: _Terms
    gambling_weak: _Terms
    advert: _Terms
    invitation: _Terms
    policy: _Terms
    policy_pairs: tuple[tuple[_Terms, _Terms], ...]  # a term of each list in one comment: policy too
    abuse: _Terms
    cues: dict[str, _Terms]
    official_domains: tuple[str, ...]
    vocabulary: frozenset[str]
    fingerprint: str  # changes whenever the file does: the model is retrained then

    def apply(self, text: str, domains: tuple[str, ...] = (), *, ignore_domains: tuple[str, ...] = ()) -> RuleHits:
        """What the rules find in normalised text; `ignore_domains` are links the platform itself adds."""
        return RuleHits(
            gambling=self.gambling.find(text),
            gambling_weak=self.gambling_weak.find(text),
            advert=self.advert.find(text),
            invitation=self.invitation.find(text),
            policy=self.policy.find(text) + self._pairs(text),
            abuse=self.abuse.find(text),
            cues={kind: terms.find(text) for kind, terms in self.cues.items()},
            foreign_domains=[d for d in domains if not self._official(d) and d not in ignore_domains],
            phones=[m.group(0) for m in _PHONE.finditer(text)],
        )

    def _pairs(self, text: str) -> list[str]:
        found = []
        for first, second in self.policy_pairs:
            a, b = first.find(text), second.find(text)
            if a and b:
                found.append(f"{a[0]} … {b[0]}")
        return found

    def _official(self, domain: str) -> bool:
        return any(domain == d or domain.endswith("." + d) for d in self.official_domains)


def load_rules_from(path: Path) -> Rules:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        lists = {
            "gambling": data["judi"]["kuat"], "gambling_weak": data["judi"]["lemah"],
            "advert": data["promosi"]["kuat"], "invitation": data["promosi"]["ajakan"],
            "policy": data["kebijakan"]["frasa"], "abuse": data["kasar"]["kata"],
        }
        cues = {kind: data["isyarat"][kind] for kind in CUE_KINDS}
        pairs = [(pair["kata"], pair["dengan"]) for pair in data["kebijakan"].get("pasangan", [])]
        official = tuple(d.lower() for d in data["tautan"]["resmi"])
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise RulesError(f"berkas aturan triase {path} tidak dapat dibaca: {exc}") from exc
    if not all(isinstance(t, str) for terms in [*lists.values(), *cues.values(), *(x for p in pairs for x in p)]
               for t in terms):
        raise RulesError(f"berkas aturan triase {path}: setiap istilah harus berupa teks")
    vocabulary = frozenset(w for terms in lists.values() for t in terms for w in regex.findall(r"[a-z]+", t.lower()))
    return Rules(**{k: _Terms(v) for k, v in lists.items()}, cues={k: _Terms(v) for k, v in cues.items()},
                 policy_pairs=tuple((_Terms(a), _Terms(b)) for a, b in pairs),
                 official_domains=official, vocabulary=vocabulary,
                 fingerprint=hashlib.sha256(raw).hexdigest()[:16])


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The rules file, read once per process."""
    return load_rules_from(RULES_FILE)
