"""Prefect tasks: one retryable step each, over plain functions."""
