"""X counts replies in weighted characters (twitter-text v3); the connector must count the same."""

from __future__ import annotations

import pytest

from simulator.x import tweet_length
from tasks.channels.x import XClient, weighted_length

CASES = [
    pytest.param("a" * 280, 280, id="plain-ascii-280"),
    pytest.param("a" * 281, 281, id="plain-ascii-281"),
    pytest.param("https://bbppketindan.bppsdmp.pertanian.go.id/pelatihan/petani-milenial-angkatan-iv", 23,
                 id="long-url-23"),
    pytest.param("http://x.id", 23, id="short-url-also-23"),
    pytest.param("Daftar di https://contoh.go.id/daftar.", 10 + 23 + 1, id="url-without-sentence-dot"),
    pytest.param("(lihat https://id.wikipedia.org/wiki/Padi_(tanaman))", 7 + 23 + 1, id="url-with-balanced-parens"),
    pytest.param("bbppketindan.bppsdmp.pertanian.go.id", 23, id="bare-government-domain"),
    pytest.param("Buka contoh.id/daftar ya", 5 + 23 + 3, id="bare-cctld-domain-with-path"),
    pytest.param("contoh.id", 9, id="bare-two-part-cctld-is-not-a-link"),
    pytest.param("humas@contoh.com", 16, id="email-is-not-a-link"),
    pytest.param("pukul 08.00 WIB", 15, id="time-is-not-a-link"),
    pytest.param("農業研修", 8, id="cjk-counts-2"),
    pytest.param("เกษตร", 5, id="thai-counts-1"),
    pytest.param("👍", 2, id="emoji"),
    pytest.param("👍🏽", 2, id="emoji-with-skin-tone"),
    pytest.param("🇮🇩", 2, id="flag"),
    pytest.param("👨‍👩‍👧‍👦", 2, id="family-zwj-sequence"),
    pytest.param("👩🏽‍🌾", 2, id="farmer-with-skin-tone-zwj"),
    pytest.param("❤️", 2, id="heart-with-variation-selector"),
    pytest.param("1️⃣", 2, id="keycap"),
    pytest.param("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2, id="tag-sequence-flag"),
    pytest.param("🙏🌱👍🏽", 6, id="three-emoji"),
    pytest.param("𝐀", 2, id="astral-letter-is-one-code-point"),
    pytest.param("Kafé", 4, id="precomposed-accent"),
    pytest.param("Kafe\u0301", 4, id="decomposed-accent-normalised-first"),
    pytest.param("“Terima kasih” — salam", 22, id="curly-quotes-and-em-dash-count-1"),
    pytest.param("Tunggu…", 8, id="ellipsis-counts-2"),
    pytest.param("Sertifikat ✅ sudah terbit, Bu Ni’mah!", 38, id="indonesian-with-emoji-and-apostrophe"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_weighted_length_counts_like_twitter_text(text, expected):
    assert weighted_length(text) == expected
    assert XClient.reply_length(text) == expected


@pytest.mark.parametrize("text, expected", CASES)
def test_the_simulator_counts_the_same_on_its_own(text, expected):
    assert tweet_length(text) == expected


def test_the_limit_is_280_weighted_characters():
    assert XClient.reply_limit == 280 and XClient.kind == "x"
    assert XClient.reply_length("a" * 280) <= XClient.reply_limit < XClient.reply_length("a" * 281)
    assert XClient.reply_length("日" * 140) == 280 < XClient.reply_length("日" * 141)
    assert XClient.reply_length("👍🏽" * 140) == 280
    eleven_links = " ".join(["https://contoh.go.id/halaman-yang-panjang-sekali"] * 11)
    assert XClient.reply_length(eleven_links) == 11 * 23 + 10 <= 280 < len(eleven_links)
