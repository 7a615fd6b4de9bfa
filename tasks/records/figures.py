"""The figures of a set of cases: counts per channel and category, outcomes, step times against the SOP."""

from __future__ import annotations

import csv
import io

import numpy

from tasks.events import SOP_STEPS
from tasks.triage import CATEGORY_LABELS

from .case_facts import OUTCOMES, CaseFacts
from .step_times import SOP_TOTAL_MINUTES, STEP_ORDER


def _spread(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    median, p90 = numpy.percentile(values, [50, 90])
    return round(float(median), 2), round(float(p90), 2)


def case_figures(facts: list[CaseFacts]) -> dict:
    """Counts and step-time statistics; every number a table, plot or CSV row shows."""
    per_channel: dict[str, dict[str, int]] = {}
    for case in facts:
        row = per_channel.setdefault(case.channel_name, {})
        label = CATEGORY_LABELS.get(case.category, case.category)
        row[label] = row.get(label, 0) + 1
    steps = []
    for step in STEP_ORDER:
        minutes = [t.minutes for case in facts for t in case.times if t.step == step]
        median, p90 = _spread(minutes)
        standard = SOP_STEPS[step][2]
        steps.append({"step": step, "sop_step": SOP_STEPS[step][0], "label": SOP_STEPS[step][1],
                      "standard_minutes": standard, "cases": len(minutes), "median_minutes": median,
                      "p90_minutes": p90,
                      "within_share": round(sum(m <= standard for m in minutes) / len(minutes), 4) if minutes else None})
    totals = [case.total_minutes for case in facts if case.total_minutes is not None]
    median, p90 = _spread(totals)
    outcomes = {label: sum(case.outcome == key for case in facts) for key, label in OUTCOMES.items()}
    return {
        "comments": len(facts),
        "per_channel_category": {k: dict(sorted(v.items())) for k, v in sorted(per_channel.items())},
        "per_category": {label: sum(case.category == key for case in facts) for key, label in CATEGORY_LABELS.items()},
        "outcomes": outcomes,
        "spam": {"kategori spam": sum(case.category == "spam" for case in facts),
                 "disembunyikan": outcomes[OUTCOMES["disembunyikan"]]},
        "escalated": sum(case.escalated for case in facts),
        "steps": steps,
        "total": {"standard_minutes": SOP_TOTAL_MINUTES, "cases": len(totals), "median_minutes": median,
                  "p90_minutes": p90,
                  "within_share": round(sum(t <= SOP_TOTAL_MINUTES for t in totals) / len(totals), 4) if totals else None},
    }


def figures_csv(figures: dict, period: str) -> bytes:
    """The figures in long form: one measured number per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["periode", "tabel", "dimensi", "subdimensi", "ukuran", "nilai"])
    writer.writerow([period, "ringkasan", "", "", "komentar masuk", figures["comments"]])
    writer.writerow([period, "ringkasan", "", "", "dieskalasi ke Kepala Balai", figures["escalated"]])
    for channel, categories in figures["per_channel_category"].items():
        for category, count in categories.items():
            writer.writerow([period, "komentar per kanal dan kategori", channel, category, "jumlah", count])
    for category, count in figures["per_category"].items():
        writer.writerow([period, "komentar per kategori", category, "", "jumlah", count])
    for outcome, count in figures["outcomes"].items():
        writer.writerow([period, "hasil", outcome, "", "jumlah", count])
    for kind, count in figures["spam"].items():
        writer.writerow([period, "spam", kind, "", "jumlah", count])
    for step in figures["steps"] + [{**figures["total"], "sop_step": "1-5", "label": "Total (komentar sampai jawaban tampil)"}]:
        name = f"{step['sop_step']}. {step['label']}" if step["sop_step"] else step["label"]
        for measure in ("standard_minutes", "cases", "median_minutes", "p90_minutes", "within_share"):
            value = step[measure]
            writer.writerow([period, "waktu langkah SOP", name, "", _MEASURES[measure], "" if value is None else value])
    return buffer.getvalue().encode("utf-8-sig")


_MEASURES = {"standard_minutes": "standar (menit)", "cases": "jumlah kasus", "median_minutes": "median (menit)",
             "p90_minutes": "persentil 90 (menit)", "within_share": "porsi sesuai standar"}
