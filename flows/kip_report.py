"""The yearly figures UU 14/2008 asks public bodies to report on their information service."""

from prefect import flow

from tasks.records.recap import publish_kip_report, write_kip_report


@flow(name="laporan-tahunan-kip", flow_run_name="laporan-tahunan-kip",
      description="Susun angka tahunan untuk laporan layanan informasi publik (PDF/A, CSV, JSON); "
                  "tanpa tahun: tahun lalu.")
def kip_report(year: int | None = None) -> dict:
    """Write a year's public-information figures for the KIP report; without a year, last year's."""
    result = write_kip_report(year)
    publish_kip_report(result)
    return {"year": result["year"], "files": result["files"]}
