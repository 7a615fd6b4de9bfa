"""The pemusnahan as the office meets it: the served deployment lists what is due, waits for the
approving official's form, then removes personal data, redraws the files and writes a berita acara."""

from __future__ import annotations

import json
from datetime import timedelta

import pikepdf
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run

from db.models import Comment, PurgeRecord, utcnow
from db.session import session_scope
from flows.verify_archive import verify_archive
from tanggap.dates import WIB
from tasks.records import archive_store
from tasks.records.register import build_register, register_period
from tests import case_factory
from tests.e2e.test_website_case_end_to_end import flow_run, form_saved, wait_final
from tests.harness import wait_until

APPROVAL = {"action": "musnahkan", "approver_name": "Kepala Balai (uji)", "approver_nip": "197001011995031001",
            "approver_role": "Kepala Balai", "note": "Sesuai jadwal retensi arsip."}


def waiting_key(run_id) -> str | bool:
    state = flow_run(run_id).state
    if state.is_final():
        raise AssertionError(f"run ended as {state.name}: {state.message}")
    key = state.is_paused() and state.state_details.pause_key
    return key if key and key.startswith("pemusnahan-") and form_saved(run_id, key) else False


def test_an_approved_pemusnahan_removes_personal_data_and_writes_a_berita_acara(served, tanggap_env):
    now = utcnow()
    with session_scope() as session:
        channel = case_factory.channel(session)
        due = case_factory.finished_case(session, channel_row=channel, number=1, posted_at=now - timedelta(days=800),
                                         author="Sari Wulandari")
        kept = case_factory.finished_case(session, channel_row=channel, number=2, posted_at=now - timedelta(days=10),
                                          author="Budi Santoso")
        session.flush()
        due_id, kept_id, due_found = due.id, kept.id, due.found_at
    for case_id in (due_id, kept_id):
        case_factory.write_archive_files(case_id)
    register = build_register(register_period("bulanan", due_found.astimezone(WIB).date()))
    kept_hashes = {a.kind: a.sha256 for a in _case(kept_id).archives}

    run = run_deployment("pemusnahan/bulanan", timeout=0)
    key = wait_until(lambda: waiting_key(run.id), timeout=180, what="the approval form")
    with session_scope() as session:  # nothing goes before the approval
        assert session.get(Comment, due_id).author_name == "Sari Wulandari"
    resume_flow_run(run.id, run_input=APPROVAL)
    state = wait_final(run.id)
    assert state.is_completed(), state.message

    case = _case(due_id)
    assert (case.author_name, case.author_external_id, case.link, case.raw_payload) == ("[nama dihapus]", None, None, {})
    assert "Sari" not in case.publication.text and case.personal_data_removed_at is not None
    for archive in case.archives:
        data = archive_store.resolve(archive.path).read_bytes()
        assert archive_store.sha256_of(data) == archive.sha256 and b"Sari" not in data
    assert {a.kind: a.sha256 for a in _case(kept_id).archives} == kept_hashes
    assert "Sari" not in archive_store.resolve(register["files"]["csv"]).read_text("utf-8-sig")

    with session_scope() as session:
        purge = session.query(PurgeRecord).one()
        assert (purge.approver_name, purge.approver_nip) == (APPROVAL["approver_name"], APPROVAL["approver_nip"])
        assert [item["case_id"] for item in purge.items] == [due_id] and purge.items[0]["rule"] == "kasus"
        document = archive_store.resolve(purge.document_path)
        assert archive_store.sha256_of(document.read_bytes()) == purge.document_sha256
    with pikepdf.open(document) as pdf:
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "3"
        embedded = json.loads(next(iter(pdf.attachments.values())).get_file().read_bytes())
        assert embedded["approval"]["approver_name"] == APPROVAL["approver_name"] and key.startswith("pemusnahan-")
    assert verify_archive()["problems"] == 0


def _case(case_id: int) -> Comment:
    from tasks.cases import load_case

    with session_scope() as session:
        return load_case(session, case_id)
