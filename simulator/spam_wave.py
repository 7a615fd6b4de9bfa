"""A burst of spam on each platform, for the demo: what a spam wave looks like when it lands."""

from __future__ import annotations

PHRASES = (
    "Slot gacor hari ini pasti maxwin! Daftar di gacor88.example, WA 0812-3456-7890",
    "Pinjaman online cair 5 menit tanpa jaminan, hubungi WA 0813 9988 7766 di danacepat.example",
    "Togel online terpercaya, deposit pulsa tanpa potongan di togelku.example",
)


def add_spam_wave(kind: str, site, count: int) -> None:
    """`count` spam comments under the platform's first post (on X, mentions of our account)."""
    for n in range(count):
        text, author = f"{PHRASES[n % len(PHRASES)]} #{n + 1}", f"promo_gacor{n + 1}"
        if kind == "wordpress":
            site.add_comment(site.posts[0]["id"], author_name=author, content=text)
        elif kind == "facebook":
            site.add_comment(site.posts[0]["id"], text, author_name=author)
        elif kind == "instagram":
            site.add_comment(site.media[0]["id"], text, username=author)
        elif kind == "youtube":
            site.add_comment(site.videos[0]["id"], text, author_name=author)
        elif kind == "x":
            site.add_comment(text, author=author)
