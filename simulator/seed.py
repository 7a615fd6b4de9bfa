"""Realistic Indonesian seed data for the BBPP Ketindan website, for the WordPress simulator and
for the real WordPress the tests install (tests/realwp): one plan, applied to either.

What the seed holds, so tests can count on it:

- 1 user: id 2, ``humas-bbpp`` ("Humas BBPP Ketindan"), a moderator (an editor on the real
  site) with an application password (``abcd efgh ijkl mnop`` on the simulator); it writes the
  posts and the official replies.
- 3 posts, all open for comments.
- 14 comments in total:
  - 10 approved top-level visitor comments (``author`` 0): questions about schedules,
    requirements and certificates, complaints (certificate not issued, broken dormitory AC,
    online registration error), praise, one gambling spam with a link, and one whose raw text
    holds entity-escaped ``<script>`` plus emoji;
  - 2 top-level visitor comments held for moderation: a question about fees from a first-time
    commenter, and a loan spam with two links (what WordPress holds by default);
  - 1 approved visitor reply (``author`` 0) under the oldest question;
  - 1 official reply by user 2 under that same question, 4+ days old. It is the office's own
    answer and must never be taken in as a new comment.
  So ``SEED_VISITOR_COMMENTS`` (comments not by the official account) is 13, of which
  ``SEED_HELD_COMMENTS`` (2) wait for moderation; the public sees ``SEED_APPROVED_COMMENTS`` (12).

Dates are relative to ``now``: the old thread starts 5 days back, everything else falls in
the last ~3 days. The site's clock is Asia/Jakarta (WIB, +07:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from simulator.wordpress import WordPressSite

OFFICIAL_USER_ID = 2
OFFICIAL_USERNAME = "humas-bbpp"
OFFICIAL_NAME = "Humas BBPP Ketindan"
OFFICIAL_EMAIL = "humas@bbppketindan.bppsdmp.pertanian.go.id"
OFFICIAL_APP_PASSWORD = "abcd efgh ijkl mnop"

SEED_POSTS = 3
SEED_TOP_LEVEL_VISITOR_COMMENTS = 12
SEED_HELD_COMMENTS = 2
SEED_VISITOR_REPLIES = 1
SEED_OFFICIAL_REPLIES = 1
SEED_VISITOR_COMMENTS = SEED_TOP_LEVEL_VISITOR_COMMENTS + SEED_VISITOR_REPLIES  # 13
SEED_COMMENTS = SEED_VISITOR_COMMENTS + SEED_OFFICIAL_REPLIES  # 14
SEED_APPROVED_COMMENTS = SEED_COMMENTS - SEED_HELD_COMMENTS  # 12: what a visitor sees
# The first visitor question already carries the official reply: it needs no new case.
# Held comments are cases too: they are what the office must look at.
SEED_AWAITING_ANSWER = SEED_VISITOR_COMMENTS - SEED_OFFICIAL_REPLIES  # 12


@dataclass(frozen=True)
class SeedPost:
    key: str
    title: str
    slug: str
    content: str
    date: datetime  # aware


@dataclass(frozen=True)
class SeedComment:
    key: str
    post_key: str
    author_name: str
    author_email: str
    author_ip: str
    date: datetime  # aware
    content: str  # raw, as stored
    status: str = "approve"  # approve | hold
    parent_key: str | None = None
    official: bool = False  # written by the official account (user 2)


_POSTS = {
    "petani-milenial": dict(
        title="Pembukaan Pendaftaran Pelatihan Petani Milenial Angkatan IV 2026",
        slug="pembukaan-pendaftaran-pelatihan-petani-milenial-angkatan-iv-2026",
        content=(
            "BBPP Ketindan membuka pendaftaran Pelatihan Petani Milenial Angkatan IV Tahun 2026. "
            "Pelatihan berlangsung selama 10 hari di kampus BBPP Ketindan, Lawang, Kabupaten Malang, "
            "dengan materi budidaya, pascapanen, pemasaran digital, dan akses permodalan.\n\n"
            "Persyaratan: usia 19–39 tahun, aktif berusaha tani, dan melampirkan KTP serta surat "
            "rekomendasi dari dinas pertanian kabupaten/kota. Pendaftaran dilakukan secara daring "
            "melalui laman resmi BBPP Ketindan."
        ),
        age=timedelta(days=7),
    ),
    "hortikultura": dict(
        title="Pelatihan Budidaya Hortikultura Organik bagi Penyuluh",
        slug="pelatihan-budidaya-hortikultura-organik-bagi-penyuluh",
        content=(
            "Sebanyak 30 penyuluh pertanian dari berbagai kabupaten di Jawa Timur mengikuti "
            "Pelatihan Budidaya Hortikultura Organik. Peserta mempraktikkan pembuatan pupuk organik "
            "cair, pestisida nabati, dan pengelolaan lahan sayuran tanpa bahan kimia sintetis."
        ),
        age=timedelta(days=3),
    ),
    "kunjungan": dict(
        title="Kunjungan Kerja ke Lahan Praktik BBPP Ketindan",
        slug="kunjungan-kerja-ke-lahan-praktik-bbpp-ketindan",
        content=(
            "Rombongan Dinas Pertanian Kabupaten Pasuruan melakukan kunjungan kerja ke lahan praktik "
            "BBPP Ketindan. Kunjungan meliputi demplot padi, kebun hortikultura, dan unit "
            "pengolahan kompos."
        ),
        age=timedelta(days=2),
    ),
}

# (post key, author name, email, IP, age, raw content) for the 9 recent approved top-level comments.
_RECENT_COMMENTS = [
    ("petani-milenial", "Rina Wulandari", "rinawulan88@gmail.com", "114.124.180.22", timedelta(hours=2),
     "Persyaratan pendaftarannya apa saja ya min? Apakah wajib melampirkan surat keterangan dari desa, "
     "atau cukup rekomendasi dinas?"),
    ("petani-milenial", "Dimas Pratama", "dimas.pratama@yahoo.co.id", "36.72.215.9", timedelta(hours=20),
     "Dari kemarin mau daftar lewat website selalu muncul \"Error 500\" waktu unggah KTP... "
     "Sudah coba 3 kali dari HP dan laptop tetap gagal. Mohon dicek, takut pendaftarannya keburu ditutup."),
    ("petani-milenial", "Slot Gacor88", "promo.gacor88@mailinator.com", "103.152.118.41", timedelta(hours=30),
     "slot gacor hari ini gampang maxwin!!! daftar sekarang di https://gacor88-maxwin.example/daftar "
     "bonus new member 100% deposit pulsa tanpa potongan"),
    ("hortikultura", "Hj. Siti Aminah", "sitiaminah.kwt@gmail.com", "180.248.31.7", timedelta(hours=44),
     "Alhamdulillah, pelatihan kemarin sangat bermanfaat. Materi pembuatan pupuk organik cair langsung "
     "saya praktikkan di kelompok wanita tani. Terima kasih BBPP Ketindan :)"),
    ("hortikultura", "Agus Setiawan, S.P.", "agus.setiawan.ppl@gmail.com", "125.166.4.93", timedelta(hours=52),
     "Sertifikat pelatihan angkatan Februari kok belum terbit ya? Sudah hampir 2 bulan. "
     "Padahal dibutuhkan untuk pengajuan angka kredit penyuluh."),
    ("hortikultura", "Yoga Pratama", "yoga.p@outlook.com", "140.213.56.120", timedelta(hours=8),
     "&lt;script&gt;alert('xss')&lt;/script&gt; Mantap pelatihannya 👍🌾🇮🇩"),
    ("hortikultura", "Wahyu Nugroho", "wahyu.nugroho@gmail.com", "182.1.97.33", timedelta(hours=60),
     "Mohon info jadwal pelatihan hortikultura berikutnya.\n"
     "Apakah ada kelas khusus untuk penyuluh swadaya?\n\n"
     "Terima kasih."),
    ("kunjungan", "Endang Sri Lestari", "endang.lestari@gmail.com", "114.5.104.77", timedelta(hours=14),
     "Waktu menginap di asrama minggu lalu, AC di kamar 12 rusak dan air kamar mandinya keruh. "
     "Mohon diperbaiki sebelum angkatan berikutnya datang."),
    ("kunjungan", "Fajar Hidayat", "fajar.hidayat@gmail.com", "36.68.12.201", timedelta(hours=5),
     "Lahan praktiknya rapi & terawat, semoga bisa jadi contoh untuk kabupaten lain. Sukses selalu!"),
]



# The same shape, held for moderation: a first-time commenter, and spam with two links.
_HELD_COMMENTS = [
    ("hortikultura", "Bambang Sutejo", "bambang.sutejo77@gmail.com", "114.79.20.156", timedelta(hours=3),
     "Apakah pelatihan ini dipungut biaya? Ada yang menawarkan pendaftaran berbayar lewat WhatsApp, "
     "mohon konfirmasi resminya."),
    ("kunjungan", "Dana Kilat", "cs.danakilat@mailinator.com", "103.47.132.9", timedelta(hours=10),
     "Butuh dana cepat untuk modal tani? Pinjaman cair 5 menit tanpa BI checking "
     "https://danakilat.example/daftar atau chat admin https://danakilat.example/wa"),
]


def wordpress_seed(now: datetime | None = None) -> tuple[list[SeedPost], list[SeedComment]]:
    """The seed as data: posts and comments (parents before their replies), dates from `now`."""
    now = now or datetime.now(timezone.utc)
    posts = [SeedPost(key=key, title=p["title"], slug=p["slug"], content=p["content"], date=now - p["age"])
             for key, p in _POSTS.items()]
    comments = [
        SeedComment("question", "petani-milenial", "Sutrisno", "sutrisno.tani@gmail.com", "110.136.201.14",
                    now - timedelta(days=5),
                    "Selamat siang. Apakah pelatihan ini terbuka untuk petani dari luar Jawa Timur? "
                    "Saya dari Lombok Timur, NTB. Terima kasih."),
        SeedComment("official-answer", "petani-milenial", OFFICIAL_NAME, OFFICIAL_EMAIL, "103.10.61.5",
                    now - timedelta(days=4, hours=20),
                    "Selamat siang, Bapak Sutrisno. Pelatihan terbuka untuk peserta dari seluruh Indonesia "
                    "yang memenuhi persyaratan usia 19–39 tahun dan mendapat rekomendasi dinas pertanian "
                    "setempat. Informasi lengkap tersedia di laman pendaftaran. Salam, Humas BBPP Ketindan.",
                    parent_key="question", official=True),
        SeedComment("visitor-reply", "petani-milenial", "Lalu Ahmad Zaini", "lalu.zaini@gmail.com", "202.67.40.18",
                    now - timedelta(days=1, hours=3),
                    "Saya juga dari NTB pak, minggu lalu sudah daftar. Tapi sampai sekarang belum ada email "
                    "konfirmasi, apakah itu normal?", parent_key="question"),
    ]
    for status, rows in (("approve", _RECENT_COMMENTS), ("hold", _HELD_COMMENTS)):
        for number, (post_key, name, email, ip, age, content) in enumerate(rows, start=1):
            comments.append(SeedComment(f"{status}-{number}", post_key, name, email, ip, now - age, content,
                                        status=status))
    return posts, comments


def seed_wordpress(site: WordPressSite, now: datetime | None = None) -> WordPressSite:
    """Add the official account, 3 posts and 14 comments (see the module docstring)."""
    posts, comments = wordpress_seed(now)
    site.add_user(user_id=OFFICIAL_USER_ID, username=OFFICIAL_USERNAME, name=OFFICIAL_NAME,
                  app_password=OFFICIAL_APP_PASSWORD, can_moderate=True, email=OFFICIAL_EMAIL)
    post_ids = {p.key: site.add_post(title=p.title, slug=p.slug, content=p.content, date=p.date,
                                     author=OFFICIAL_USER_ID) for p in posts}
    comment_ids: dict[str, int] = {}
    for c in comments:
        comment_ids[c.key] = site.add_comment(
            post_ids[c.post_key], author_name=c.author_name, content=c.content, date=c.date, status=c.status,
            parent=comment_ids[c.parent_key] if c.parent_key else 0,
            user_id=OFFICIAL_USER_ID if c.official else 0, author_email=c.author_email, author_ip=c.author_ip)
    return site

