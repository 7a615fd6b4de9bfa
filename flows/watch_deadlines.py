"""The SOP clock, on a schedule: overdue steps are recorded and announced, and the approval
queue is renewed so its ages and deadlines are current."""

from prefect import flow

from tasks.approval_queue import publish_approval_queue
from tasks.deadlines import announce_breaches, record_overdue_steps


@flow(name="watch-deadlines", flow_run_name="periksa-batas-waktu",
      description="Cari langkah yang melewati batas waktu SOP, catat dan umumkan; perbarui antrean persetujuan.")
def watch_deadlines() -> int:
    """Find steps past their SOP deadline, record and announce them; renew the approval queue."""
    breaches = record_overdue_steps()
    announce_breaches(breaches)
    publish_approval_queue()
    return len(breaches)
