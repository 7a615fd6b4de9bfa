"""Undo the disguises spammers use, so triage and answer matching read plain lowercase text.

Order matters: fold every character to plain Latin (NFKC, the Unicode confusables data,
Unicode names for small capitals and squared/circled/regional-indicator letters), drop what
is invisible, then join letters split by separators, map leetspeak digits, and rebuild
disguised domains ("gacor88 titik com", "[dot]", "d0t c0m"). What was undone is reported:
a disguise is itself a strong sign of spam.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path

import confusable_homoglyphs
import regex
from unidecode import unidecode

# Names of the disguises found, as the approver reads them (see tasks/triage.py for the reasons).
HOMOGLYPH = "homoglyph"
INVISIBLE = "invisible"
COMBINING = "combining"
SPACED = "spaced"
LEET = "leet"
DISGUISED_DOMAIN = "disguised_domain"

_LETTER_NAME = regex.compile(
    r"^(?:LATIN LETTER SMALL CAPITAL|(?:NEGATIVE )?(?:SQUARED|CIRCLED|PARENTHESIZED) LATIN (?:CAPITAL |SMALL )?LETTER"
    r"|MODIFIER LETTER (?:CAPITAL |SMALL )?|LATIN SUBSCRIPT SMALL LETTER) ([A-Z])$")
# Scripts whose letters are borrowed as look-alikes of Latin ones. Arabic, CJK and the like are
# real writing, never folded.
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "CHEROKEE", "ARMENIAN", "COPTIC", "LISU", "LATIN", "MODIFIER LETTER",
                      "MATHEMATICAL", "SCRIPT", "BLACK-LETTER", "DOUBLE-STRUCK", "FULLWIDTH", "CANADIAN",
                      "TIFINAGH", "VAI", "OLD ITALIC", "GLAGOLITIC", "GOTHIC", "RUNIC", "DESERET")
_REGIONAL_A = 0x1F1E6
_REGIONAL_RUN = regex.compile(r"[\U0001F1E6-\U0001F1FF]{3,}")  # a pair is a flag; three or more spell a word
_LEET = {"0": "o", "1": "il", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g",
         "@": "a", "$": "s"}
# Letters (or single digits) standing alone, three or more in a row, split by spaces, dots,
# hyphens, stars, bullets or emoji: "s l o t", "S.L.O.T", "g-a-c-o-r", "s🎰l🎰o🎰t".
_SEPARATOR = r"(?:[\s.\-_*·•|~+:]|\p{Extended_Pictographic}|\uFE0F)+"
_SPACED_RUN = regex.compile(rf"(?<![\p{{L}}\p{{N}}])\p{{L}}(?:{_SEPARATOR}[\p{{L}}\p{{N}}](?![\p{{L}}\p{{N}}])){{2,}}")
_EMOJI_BETWEEN_WORDS = regex.compile(r"(?<=\p{L})(?:\p{Extended_Pictographic}|\uFE0F|\u200D)+(?=\p{L})")
_TOKEN_WITH_DIGITS = regex.compile(r"(?<![\p{L}\p{N}])(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[0-9@$])[a-z0-9@$]{3,}(?![\p{L}\p{N}])")
_TLDS = ("com", "net", "org", "id", "co", "xyz", "site", "online", "vip", "io", "me", "info", "link", "club",
         "top", "pro", "asia", "live", "app", "cc", "ws", "biz", "bet", "win", "fun", "store", "shop", "ly",
         "gg", "tv", "to", "icu", "lol", "one", "cfd", "sbs")
_TLD = "(?:" + "|".join(sorted(_TLDS, key=len, reverse=True)) + r")(?![a-z0-9])"
_SPOKEN_DOT = regex.compile(
    rf"(?<=[a-z0-9])\s*(?:[\[\(\{{<]\s*(?:dot|titik|\.)\s*[\]\)\}}>]|\s(?:dot|titik|tittik|dott)\s|\s\.\s?|\.\s)\s*(?={_TLD})")
_DOMAIN = regex.compile(rf"(?<![a-z0-9.@-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+{_TLD}(?:/[^\s]*)?")
_REPEATS = regex.compile(r"(\p{L})\1{2,}")  # "mantaaap", "SLOOOOT": stretched letters count once


@dataclass(frozen=True)
class Normalized:
    """The comment as triage reads it, and what had to be undone to get there."""

    text: str
    disguises: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _confusable_to_latin() -> dict[str, str]:
    """Each look-alike character mapped to the ASCII letter or digit it imitates (Unicode confusables data)."""
    path = Path(confusable_homoglyphs.__file__).parent / "confusables.json"
    groups = json.loads(path.read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def root(ch: str) -> str:
        while parent.setdefault(ch, ch) != ch:
            parent[ch] = parent[parent[ch]]
            ch = parent[ch]
        return ch

    for ch, entry in groups.items():
        for homoglyph in entry:
            a, b = root(ch), root(homoglyph["c"])
            if a != b:
                parent[a] = b
    members: dict[str, list[str]] = {}
    for ch in list(parent):
        if len(ch) == 1:
            members.setdefault(root(ch), []).append(ch)
    mapping = {}
    for group in members.values():
        ascii_members = [c for c in group if c.isascii() and c.isalnum()]
        if not ascii_members:
            continue
        # Prefer a lowercase letter, then any letter, then a digit: "1", "l" and "I" share a group.
        target = min(ascii_members, key=lambda c: (not c.islower(), not c.isalpha(), c)).lower()
        for c in group:
            if not c.isascii():
                mapping[c] = target
    return mapping


@lru_cache(maxsize=8192)
def _fold(ch: str) -> tuple[str, str | None]:
    """One character (already NFKC) as plain text, and the disguise it was if any."""
    if ch.isascii():
        return ch, None
    category = unicodedata.category(ch)
    if category == "Cf" or ch in "\u034f\u115f\u1160\u3164\uffa0":  # zero-width, joiners, bidi, filler
        return "", INVISIBLE
    if category in ("Mn", "Me"):
        return "", COMBINING
    name = unicodedata.name(ch, "")
    named = _LETTER_NAME.match(name)
    if named:
        return named.group(1).lower(), HOMOGLYPH
    if name.startswith(_LOOKALIKE_SCRIPTS):
        table = _confusable_to_latin()
        target = table.get(ch) or table.get(ch.upper())  # Cherokee small letters: only capitals are listed
        if target in ("i", "l"):
            target = "1"  # could be either: the leetspeak step picks the one that makes a known word
        if target and not name.startswith("LATIN"):
            return target, HOMOGLYPH
        plain = unidecode(ch)
        if plain.isascii() and plain.isalnum():
            # Latin letters with accents are ordinary writing; other scripts' letters are look-alikes.
            return plain.lower(), None if name.startswith("LATIN") else HOMOGLYPH
        if target:
            return target, HOMOGLYPH
    return ch, None


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Words a leetspeak digit may stand in for: the terms of the office's triage rules."""
    from .triage_rules import load_rules  # local: the rules module normalises its own terms

    return load_rules().vocabulary


def _unleet(token: str) -> str:
    """'s1ot' -> 'slot', 'g4c0r' -> 'gacor'; numbers, '50rb' or 'slot88' stay as they are."""
    if regex.search(r"[0-9]{2,}", token) or regex.fullmatch(r"[a-z]+[0-9]+", token):
        return token
    options = [_LEET.get(c, c) for c in token]
    candidates = ["".join(p) for p in product(*options)] if len(token) <= 24 else []
    known = _known_words()
    for candidate in candidates:
        if candidate in known:
            return candidate
    interior = regex.search(r"[a-z][0-9@$]+[a-z]", token)
    return "".join(o[0] for o in options) if interior else token


def _join_spaced(match: regex.Match) -> str:
    run = match.group(0)
    # Letters tied by emoji, dots or hyphens ("j🎰u🎰d🎰i s🎰l🎰o🎰t"): a bare space is then the word gap.
    tied = regex.search(r"[^\s]", regex.sub(r"\p{L}|\p{N}", "", run)) is not None
    words = regex.split(r"\s+|\s*[/|]\s*" if tied else r"\s{2,}|\s*[/|]\s*", run)
    return " ".join(_segment(regex.sub(_SEPARATOR, "", w)) for w in words if w.strip())


def _segment(word: str) -> str:
    """'judislot' -> 'judi slot' when the run splits wholly into the rules' words; else as it is."""
    known = _known_words()
    if word in known or len(word) < 6:
        return word
    best: list[list[str] | None] = [[]] + [None] * len(word)  # best[i]: fewest known words spelling word[:i]
    for end in range(3, len(word) + 1):
        for start in range(max(0, end - 20), end - 2):
            piece, before = word[start:end], best[start]
            if before is not None and piece in known and (best[end] is None or len(before) + 1 < len(best[end])):
                best[end] = before + [piece]
    return " ".join(best[-1]) if best[-1] and len(best[-1]) > 1 else word


def normalize(text: str) -> Normalized:
    """The comment folded to plain lowercase Latin text with its disguises undone."""
    found: set[str] = set()
    spelled = _REGIONAL_RUN.sub(lambda m: "".join(chr(ord("a") + ord(c) - _REGIONAL_A) for c in m.group(0)), text)
    if spelled != text or any(_compatibility_letter(c) for c in text if not c.isascii()):
        found.add(HOMOGLYPH)  # regional-indicator, mathematical, fullwidth, circled or superscript letters
    composed = unicodedata.normalize("NFKC", spelled)
    parts = []
    for ch in unicodedata.normalize("NFD", composed):
        plain, disguise = _fold(ch)
        if disguise and not (disguise == COMBINING and unicodedata.combining(ch) and _is_accent(ch)):
            found.add(disguise)
        parts.append(plain)
    folded = unicodedata.normalize("NFC", "".join(parts)).lower()

    joined = _SPACED_RUN.sub(_join_spaced, folded)
    if any(len(regex.findall(r"\p{L}|\p{N}", m.group(0))) >= 4 for m in _SPACED_RUN.finditer(folded)):
        found.add(SPACED)  # "K.T.P" is an abbreviation; "s l o t" is a disguise
    joined = _EMOJI_BETWEEN_WORDS.sub(" ", joined)

    unleeted = _TOKEN_WITH_DIGITS.sub(lambda m: _unleet(m.group(0)), joined)
    if unleeted != joined:
        found.add(LEET)

    dotted = _SPOKEN_DOT.sub(".", unleeted)
    if dotted != unleeted:
        found.add(DISGUISED_DOMAIN)
    plain = " ".join(_REPEATS.sub(r"\1", dotted).split())
    domains = tuple(dict.fromkeys(m.group(0).split("/")[0] for m in _DOMAIN.finditer(plain)))
    return Normalized(text=plain, disguises=frozenset(found), domains=domains)


@lru_cache(maxsize=4096)
def _compatibility_letter(ch: str) -> bool:
    """A styled letter that NFKC turns into a plain one (𝓢, ｓ, Ⓢ, ˢ)."""
    plain = unicodedata.normalize("NFKC", ch)
    return plain != ch and plain.isascii() and plain.isalpha()


def _is_accent(ch: str) -> bool:
    """Ordinary accents (é, ñ) are writing, not a disguise; overlays and strokes (s̷) are."""
    return 0x0300 <= ord(ch) <= 0x0314 or ord(ch) in (0x0323, 0x0327, 0x0328)
