"""The monthly recap: how many comments came in, how they ended, and each SOP step's time against its standard."""

from prefect import flow

from tasks.records.recap import publish_recap, write_recap


@flow(name="rekap-bulanan", flow_run_name="rekap-bulanan",
      description="Susun rekap bulanan (PDF/A dengan grafik, angka dalam CSV); tanpa parameter: bulan lalu (WIB).")
def monthly_recap(year: int | None = None, month: int | None = None) -> dict:
    """Write the monthly recap (PDF/A with plots, figures in CSV); without parameters, last month's (WIB)."""
    result = write_recap(year, month)
    publish_recap(result)
    return {"period": result["period"], "comments": result["figures"]["comments"], "files": result["files"]}
