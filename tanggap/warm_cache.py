"""Imported by the warm parent (tanggap/warm_runs.py): what every run would otherwise load for
itself, loaded once. Today the triage model (scikit-learn and the trained model, ~2.5 s)."""

import logging

try:
    from tasks.triage import model

    model()
except Exception as exc:  # noqa: BLE001 - a run loads it itself then; the warm parent must start
    logging.getLogger("tanggap.warm_cache").warning("triage model not preloaded: %s", exc)
