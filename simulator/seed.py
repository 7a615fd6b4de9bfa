"""Realistic Indonesian seed data for the WordPress simulator (the BBPP Ketindan website).

What the seed holds, so tests can count on it:

- 1 user: id 2, ``humas-bbpp`` ("Humas BBPP Ketindan"), a moderator with the application
  password ``abcd efgh ijkl mnop``; it writes the posts and the official replies.
- 3 posts, all open for comments.
- 12 comments in total:
  - 10 top-level visitor comments (``author`` 0): questions about schedules, requirements
    and certificates, complaints (certificate not issued, broken dormitory AC, online
    registration error), praise, one gambling spam with a link, and one whose raw text holds
    entity-escaped ``<script>`` plus emoji;
  - 1 visitor reply (``author`` 0) under the oldest question;
  - 1 official reply by user 2 under that same question, 4+ days old. It is the office's own
    answer and must never be taken in as a new comment.
  So ``SEED_VISITOR_COMMENTS`` (comments not by the official account) is 11.

Dates are relative to ``now``: the old thread starts 5 days back, everything else falls in
the last ~3 days. The site's clock is Asia/Jakarta (WIB, +07:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from simulator.wordpress import WordPressSite

OFFICIAL_USER_ID = 2
OFFICIAL_USERNAME = "humas-bbpp"
OFFICIAL_NAME = "Humas BBPP Ketindan"
OFFICIAL_APP_PASSWORD = "abcd efgh ijkl mnop"

SEED_POSTS = 3
SEED_TOP_LEVEL_VISITOR_COMMENTS = 10
SEED_VISITOR_REPLIES = 1
SEED_OFFICIAL_REPLIES = 1
SEED_VISITOR_COMMENTS = SEED_TOP_LEVEL_VISITOR_COMMENTS + SEED_VISITOR_REPLIES  # 11
SEED_COMMENTS = SEED_VISITOR_COMMENTS + SEED_OFFICIAL_REPLIES  # 12
# The first visitor question already carries the official reply: it needs no new case.
SEED_AWAITING_ANSWER = SEED_VISITOR_COMMENTS - SEED_OFFICIAL_REPLIES  # 10

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

# (post key, author name, email, IP, age, raw content) for the 9 recent top-level comments.
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


def seed_wordpress(site: WordPressSite, now: datetime | None = None) -> WordPressSite:
    """Add the official account, 3 posts and 12 comments (see the module docstring)."""
    now = now or datetime.now(timezone.utc)
    site.add_user(
        user_id=OFFICIAL_USER_ID,
        username=OFFICIAL_USERNAME,
        name=OFFICIAL_NAME,
        app_password=OFFICIAL_APP_PASSWORD,
        can_moderate=True,
        email="humas@bbppketindan.bppsdmp.pertanian.go.id",
    )
    post_ids = {
        key: site.add_post(title=p["title"], slug=p["slug"], content=p["content"],
                           date=now - p["age"], author=OFFICIAL_USER_ID)
        for key, p in _POSTS.items()
    }
    _add_answered_thread(site, post_ids["petani-milenial"], now)
    for post_key, name, email, ip, age, content in _RECENT_COMMENTS:
        site.add_comment(post_ids[post_key], author_name=name, content=content, date=now - age,
                         author_email=email, author_ip=ip)
    return site


def _add_answered_thread(site: WordPressSite, post_id: int, now: datetime) -> None:
    """The old question the office already answered, and a newer visitor reply under it."""
    question = site.add_comment(
        post_id, author_name="Sutrisno", date=now - timedelta(days=5),
        author_email="sutrisno.tani@gmail.com", author_ip="110.136.201.14",
        content="Selamat siang. Apakah pelatihan ini terbuka untuk petani dari luar Jawa Timur? "
                "Saya dari Lombok Timur, NTB. Terima kasih.",
    )
    site.add_comment(
        post_id, author_name=OFFICIAL_NAME, user_id=OFFICIAL_USER_ID, parent=question,
        date=now - timedelta(days=4, hours=20), author_email="humas@bbppketindan.bppsdmp.pertanian.go.id",
        author_ip="103.10.61.5",
        content="Selamat siang, Bapak Sutrisno. Pelatihan terbuka untuk peserta dari seluruh Indonesia "
                "yang memenuhi persyaratan usia 19–39 tahun dan mendapat rekomendasi dinas pertanian "
                "setempat. Informasi lengkap tersedia di laman pendaftaran. Salam, Humas BBPP Ketindan.",
    )
    site.add_comment(
        post_id, author_name="Lalu Ahmad Zaini", parent=question, date=now - timedelta(days=1, hours=3),
        author_email="lalu.zaini@gmail.com", author_ip="202.67.40.18",
        content="Saya juga dari NTB pak, minggu lalu sudah daftar. Tapi sampai sekarang belum ada email "
                "konfirmasi, apakah itu normal?",
    )
