"""SOP step 1's output kept as a register: the Daftar Inventaris Komentar Masuk of a day, week or month."""

from datetime import date
from typing import Literal

from prefect import flow

from tasks.records.register import publish_register, write_register


@flow(name="daftar-inventaris", flow_run_name="daftar-inventaris-{period}",
      description="Susun Daftar Inventaris Komentar Masuk satu periode (PDF/A dan CSV) dari basis data; "
                  "tanpa tanggal: periode lengkap terakhir.")
def inventory_register(period: Literal["harian", "mingguan", "bulanan"] = "harian", day: date | None = None) -> dict:
    """Write one period's comment register (PDF/A and CSV); without a day, the last complete period."""
    result = write_register(period, day)
    publish_register(result)
    return result
