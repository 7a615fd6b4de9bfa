"""Re-hash the archive and compare it with what the database and the monthly manifests say."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from prefect import task
from prefect.artifacts import create_table_artifact
from sqlalchemy import select

from db.models import ArchiveRecord, PurgeRecord
from db.session import session_scope
from tasks.rendering import render

from . import archive_store

VERIFICATION_ARTIFACT_KEY = "verifikasi-arsip"
_MONTH_FOLDER = "[0-9][0-9][0-9][0-9]/[0-9][0-9]"


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the archive folder
    problem: str  # what an archivist reads
    case_id: int | None = None


@dataclass
class ArchiveCheck:
    files_checked: int = 0
    manifests_checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return {"files_checked": self.files_checked, "manifests_checked": self.manifests_checked,
                "problems": len(self.findings)}


def _check_file(check: ArchiveCheck, relative: str, sha256: str, case_id: int | None, destroyed: bool) -> None:
    path = archive_store.resolve(relative)
    if destroyed:
        if path.exists():
            check.findings.append(Finding(relative, "masih ada, padahal tercatat sudah dimusnahkan", case_id))
        return
    check.files_checked += 1
    if not path.exists():
        check.findings.append(Finding(relative, "hilang", case_id))
    elif archive_store.sha256_of_file(path) != sha256:
        check.findings.append(Finding(relative, "berubah (SHA-256 tidak cocok dengan basis data)", case_id))


def check_archive_now() -> ArchiveCheck:
    """Every recorded file present and unchanged, every month's manifest as the database says, nothing unknown."""
    check = ArchiveCheck()
    with session_scope() as session:
        records = session.scalars(select(ArchiveRecord).order_by(ArchiveRecord.id)).all()
        known = set()
        months = set()
        for record in records:
            relative = archive_store.relative_to_root(record.path)
            known.add(relative)
            _check_file(check, relative, record.sha256, record.comment_id, record.destroyed_at is not None)
            if record.destroyed_at is None:
                months.add(relative.rsplit("/", 1)[0])
        for purge in session.scalars(select(PurgeRecord).where(PurgeRecord.document_path.is_not(None))).all():
            _check_file(check, purge.document_path, purge.document_sha256, None, False)
        root = archive_store.archive_root()
        months |= {p.relative_to(root).as_posix() for p in root.glob(_MONTH_FOLDER) if p.is_dir()}
        for month in sorted(months):
            expected = archive_store.manifest_lines(session, month)
            _check_manifest(check, month, expected)
            for path in sorted((root / month).iterdir()):
                relative = path.relative_to(root).as_posix()
                if path.is_file() and not path.name.startswith(".") and path.name != archive_store.MANIFEST_NAME \
                        and relative not in known:
                    check.findings.append(Finding(relative, "tidak tercatat di basis data"))
    return check


def _check_manifest(check: ArchiveCheck, month: str, expected: list[str]) -> None:
    path = archive_store.resolve(archive_store.manifest_path(month))
    if not path.exists():
        if expected:
            check.findings.append(Finding(archive_store.manifest_path(month), "manifest bulanan hilang"))
        return
    check.manifests_checked += 1
    found = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if found != expected:
        differing = sorted(set(found) ^ set(expected))
        names = sorted({line.split("  ", 1)[-1] for line in differing})
        check.findings.append(Finding(archive_store.manifest_path(month),
                                      "manifest bulanan tidak cocok dengan basis data: " + ", ".join(names[:20])))


@task(task_run_name="periksa-arsip")
def check_archive() -> dict:
    """Re-hash every archived file; returns the summary and the findings."""
    check = check_archive_now()
    return {**check.summary, "findings": [asdict(f) for f in check.findings]}


def archive_check_description(result: dict) -> str:
    """The verdict above the findings' table."""
    return render("artifacts/archive_check.md.j2", files_checked=result["files_checked"],
                  manifests_checked=result["manifests_checked"], problems=len(result["findings"]))


@task(task_run_name="terbitkan-hasil-verifikasi")
def publish_archive_check(result: dict) -> None:
    """The findings as a table artifact (one row per file missing or changed)."""
    rows = [{"Berkas": f["path"], "Masalah": f["problem"], "Kasus": f"#{f['case_id']}" if f["case_id"] else "-"}
            for f in result["findings"]]
    create_table_artifact(key=VERIFICATION_ARTIFACT_KEY,
                          table=rows or [{"Berkas": "-", "Masalah": "tidak ada", "Kasus": "-"}],
                          description=archive_check_description(result))


class ArchiveDamaged(Exception):
    """Files of the archive are missing or changed."""
