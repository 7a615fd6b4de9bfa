from datetime import datetime, timezone

from tasks.channels.text import excerpt, html_to_text
from tasks.rendering import markdown_escape, markdown_link, markdown_quote, render, waktu


def test_rendered_wordpress_html_becomes_plain_text_with_entities_unescaped():
    html = "<p>Kapan pendaftaran &#8216;Petani Milenial&#8217; dibuka?<br />\nTerima kasih &amp; salam</p>\n"
    assert html_to_text(html) == "Kapan pendaftaran ‘Petani Milenial’ dibuka?\nTerima kasih & salam"


def test_escaped_script_stays_visible_text_and_control_characters_go():
    html = "<p>&lt;script&gt;alert(1)&lt;/script&gt; Mantap 👍\x00\x07</p>"
    assert html_to_text(html) == "<script>alert(1)</script> Mantap 👍"


def test_markdown_escape_leaves_no_markup_in_untrusted_text():
    hostile = "<script>alert('x')</script> [klik](http://judi.example) **tebal** # judul"
    escaped = markdown_escape(hostile)
    assert "<script>" not in escaped and "&lt;script&gt;" in escaped
    assert "[klik]" not in escaped and "\\[klik\\]" in escaped
    assert "**" not in escaped


def test_markdown_quote_keeps_every_line_inside_the_quote():
    quoted = markdown_quote("baris satu\n# bukan judul\n\nbaris tiga")
    assert quoted.split("\n") == ["> baris satu", "> \\# bukan judul", ">", "> baris tiga"]


def test_only_http_links_become_clickable():
    assert markdown_link("https://bbpp.example/berita/x/#comment-1") == "<https://bbpp.example/berita/x/#comment-1>"
    assert not markdown_link("javascript:alert(1)").startswith("<")


def test_times_are_shown_in_wib_with_indonesian_months():
    assert waktu(datetime(2026, 3, 4, 9, 15, tzinfo=timezone.utc)) == "4 Maret 2026 16:15 WIB"


def test_excerpt_is_short_and_single_line():
    text = "kata " * 100
    assert len(excerpt(text)) <= 120 and "\n" not in excerpt("a\nb")
