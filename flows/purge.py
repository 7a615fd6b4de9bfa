"""Retention: personal data and archive files whose period ended go, with approval and a berita acara."""

from prefect import flow

from tasks.records.retention import (ask_for_purge_approval, carry_out_purge, list_due_records, publish_purge_list,
                                     purge_cutoff)


@flow(name="pemusnahan", flow_run_name="pemusnahan",
      description="Musnahkan data pribadi dan berkas yang masa retensinya berakhir, setelah disetujui; "
                  "uji coba hanya mendaftar.")
def purge(dry_run: bool = True) -> dict:
    """Destroy personal data and files past their retention once approved; a dry run only lists them."""
    cutoff = purge_cutoff()  # the same on a resumed run, so the approved list stays the same
    items = list_due_records(cutoff)
    publish_purge_list(items, cutoff, dry_run)
    if dry_run or not items:
        return {"dry_run": dry_run, "due": len(items), "case_ids": [i["case_id"] for i in items]}
    approval = ask_for_purge_approval(items, cutoff)  # waits for the approving official
    if approval["action"] != "musnahkan":
        return {"dry_run": False, "due": len(items), "refused_by": approval["approver_name"]}
    return carry_out_purge(items, cutoff, approval)
