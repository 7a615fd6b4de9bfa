"""Prefect flows: one file per thing the office does."""
