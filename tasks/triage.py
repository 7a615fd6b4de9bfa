"""A first sorting of comments, to pick the draft template and warn the approver.

Keyword rules only: a hint for people, never a decision. The approver sees the category
and can always answer, escalate or close whatever it says.
"""

from __future__ import annotations

import re

_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("spam", ("slot", "gacor", "judi", "togel", "maxwin", "kasino", "casino", "deposit", "jackpot", "bit.ly")),
    ("aduan", ("rusak", "kecewa", "belum terbit", "belum keluar", "belum dapat", "tidak bisa", "tidak dapat",
               "error", "gagal", "lambat", "keluh", "komplain", "mengecewakan", "parah", "tidak ada respon")),
    ("pertanyaan", ("?", "kapan", "bagaimana", "apakah", "berapa", "di mana", "dimana", "syarat", "mohon info",
                    "bagaimana cara")),
    ("apresiasi", ("terima kasih", "terimakasih", "mantap", "keren", "bagus", "sukses", "semangat",
                   "luar biasa", "bermanfaat", "👍")),
]
# Subjects the SOP reserves for the Kepala Balai (internal policy).
_POLICY_WORDS = ("biaya", "pungutan", "tunjangan", "kebijakan", "uang saku", "honor", "kuota", "seleksi",
                 "gratifikasi", "pegawai", "rekrutmen")

CATEGORY_LABELS = {
    "pertanyaan": "Pertanyaan",
    "aduan": "Aduan",
    "apresiasi": "Apresiasi",
    "spam": "Spam/promosi",
    "umum": "Komentar umum",
}


def _contains(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(w), text) if w[0].isalnum() else w in text for w in words)


def categorize(text: str) -> str:
    lowered = text.lower()
    for category, words in _RULES:
        if _contains(lowered, words):
            return category
    return "umum"


def may_touch_internal_policy(text: str) -> bool:
    return _contains(text.lower(), _POLICY_WORDS)
