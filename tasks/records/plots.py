"""The recap's plots (matplotlib), as PNG bytes for the PDF and the Prefect artifact."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display here; set before pyplot is imported
from matplotlib import pyplot  # noqa: E402

_BLUE, _GREY, _RED, _GREEN = "#2b6cb0", "#a0aec0", "#c53030", "#2f855a"
_SHORT = {"check": "1. Pemeriksaan", "draft": "2. Draf", "correction": "3. Koreksi", "decision": "3. Keputusan\nKepala Balai",
          "publish": "4. Pengiriman", "confirm": "5. Konfirmasi", "total": "Total\n(65 menit)"}


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, facecolor="white", bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()


def channels_and_categories(figures: dict) -> bytes:
    figure, axes = pyplot.subplots(figsize=(7.2, 2.8))
    channels = list(figures["per_channel_category"])
    categories = [c for c in figures["per_category"] if any(c in v for v in figures["per_channel_category"].values())]
    left = [0] * len(channels)
    for index, category in enumerate(categories):
        counts = [figures["per_channel_category"][ch].get(category, 0) for ch in channels]
        axes.barh(channels, counts, left=left, label=category, color=pyplot.cm.tab10(index))
        left = [a + b for a, b in zip(left, counts)]
    axes.set_xlabel("jumlah komentar")
    axes.set_title("Komentar masuk per kanal dan kategori")
    if categories:
        axes.legend(fontsize=7, loc="lower right")
    axes.invert_yaxis()
    return _png(figure)


def steps_against_standard(figures: dict) -> bytes:
    """Median and p90 of each step as a share of its standard: 100 % is the standard."""
    steps = [s for s in figures["steps"] if s["cases"]]
    figure, axes = pyplot.subplots(figsize=(7.2, 3.0))
    labels = [_SHORT[s["step"]] for s in steps]
    positions = range(len(steps))
    median = [100 * s["median_minutes"] / s["standard_minutes"] for s in steps]
    p90 = [100 * s["p90_minutes"] / s["standard_minutes"] for s in steps]
    axes.bar([p - 0.2 for p in positions], median, width=0.4, color=_BLUE, label="median")
    axes.bar([p + 0.2 for p in positions], p90, width=0.4, color=_GREY, label="persentil 90")
    axes.axhline(100, color=_RED, linewidth=1.2, label="standar SOP")
    for p, s in zip(positions, steps):
        axes.annotate(f"{s['median_minutes']:.1f} / {s['p90_minutes']:.1f} mnt\nstandar {s['standard_minutes']}",
                      (p, max(median[p], p90[p])), ha="center", va="bottom", fontsize=6)
    axes.set_xticks(list(positions), labels, fontsize=7)
    axes.set_ylim(0, 1.3 * max(median + p90 + [100]))
    axes.set_ylabel("% dari standar waktu")
    axes.set_title("Durasi tiap langkah terhadap standar SOP (median dan persentil 90)")
    axes.legend(fontsize=7, loc="upper left")
    return _png(figure)


def share_within_standard(figures: dict) -> bytes:
    rows = [s for s in figures["steps"] if s["cases"]] + (
        [{**figures["total"], "step": "total"}] if figures["total"]["cases"] else [])
    figure, axes = pyplot.subplots(figsize=(7.2, 2.6))
    labels = [_SHORT[s["step"]] for s in rows]
    shares = [100 * s["within_share"] for s in rows]
    axes.bar(labels, shares, color=[_GREEN if v >= 90 else _RED for v in shares])
    for index, value in enumerate(shares):
        axes.annotate(f"{value:.0f} %", (index, value), ha="center", va="bottom", fontsize=7)
    axes.set_ylim(0, 110)
    axes.set_ylabel("% kasus sesuai standar")
    axes.set_title("Porsi kasus yang selesai dalam standar, per langkah")
    axes.tick_params(axis="x", labelsize=7)
    return _png(figure)


def outcomes_and_spam(figures: dict) -> bytes:
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(7.2, 2.4))
    names, counts = list(figures["outcomes"]), list(figures["outcomes"].values())
    left.barh(names, counts, color=_BLUE)
    left.invert_yaxis()
    left.set_title("Hasil penanganan", fontsize=9)
    left.tick_params(labelsize=7)
    right.bar(list(figures["spam"]), list(figures["spam"].values()), color=[_GREY, _RED])
    right.set_title("Volume spam", fontsize=9)
    right.tick_params(labelsize=7)
    return _png(figure)


def recap_plots(figures: dict) -> dict[str, bytes]:
    return {
        "kanal-kategori": channels_and_categories(figures),
        "durasi-langkah": steps_against_standard(figures),
        "sesuai-standar": share_within_standard(figures),
        "hasil-spam": outcomes_and_spam(figures),
    }
