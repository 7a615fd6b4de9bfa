"""The archive folder: where each file goes, atomic writes, SHA-256, and the monthly manifests.

Paths in the database are relative to the archive folder (the setting TANGGAP_ARCHIVE_DIR),
so the archive can move; rows written before this rule hold absolute paths, which still resolve.
Case files are filed by the month the comment was found, in WIB.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Iterator

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import ArchiveRecord
from tanggap.dates import WIB
from tanggap.settings import get_settings

MANIFEST_NAME = "MANIFEST.sha256"  # `sha256sum -c MANIFEST.sha256` checks a month by hand


def archive_root() -> Path:
    return get_settings().archive_dir


def resolve(relative: str) -> Path:
    return archive_root() / relative


def file_uris(files: dict[str, str]) -> dict[str, str]:
    """The file:// address of each archive file (kind -> relative path), for links in artifacts."""
    return {kind: resolve(relative).as_uri() for kind, relative in files.items()}


def month_of(moment: datetime) -> str:
    """The archive month of a moment, "YYYY/MM" in WIB."""
    return f"{moment.astimezone(WIB):%Y/%m}"


def case_files(case_id: int, channel_key: str, found_at: datetime) -> dict[str, str]:
    """Relative paths of a case's softfile and hardfile."""
    stem = PurePosixPath(month_of(found_at)) / f"kasus-{case_id:06d}-{channel_key}"
    return {"softfile": f"{stem}.json", "hardfile": f"{stem}.pdf"}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stage(relative: str, data: bytes) -> Path:
    """Write `data` beside its final place under a unique temporary name, flushed to disk."""
    target = resolve(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    return Path(name)


def put_in_place(staged: Path, relative: str) -> None:
    """Move a staged file to its place in one step: readers see the old file or the new one."""
    target = resolve(relative)
    os.replace(staged, target)
    _sync_folder(target.parent)


def write_atomically(relative: str, data: bytes) -> str:
    """Write a file atomically; returns its SHA-256."""
    put_in_place(stage(relative, data), relative)
    return sha256_of(data)


def discard(staged: Path) -> None:
    staged.unlink(missing_ok=True)


def remove(relative: str) -> bool:
    target = resolve(relative)
    if not target.exists():
        return False
    target.unlink()
    _sync_folder(target.parent)
    return True


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Serialises manifest writers across processes (every respond run archives on its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def relative_to_root(path: str) -> str:
    """A stored path as relative to the archive folder (older rows hold absolute paths)."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(archive_root()).as_posix()
        except ValueError:
            return path
    return path


def manifest_lines(session: Session, month: str) -> list[str]:
    """`sha256sum` lines for the month's kept case files, as the database knows them."""
    records = session.scalars(select(ArchiveRecord).where(
        ArchiveRecord.destroyed_at.is_(None),
        or_(ArchiveRecord.path.like(f"{month}/%"), ArchiveRecord.path.like(f"%/{month}/%")))).all()
    lines = []
    for record in records:
        relative = relative_to_root(record.path)
        if relative.rsplit("/", 1)[0] == month:
            lines.append(f"{record.sha256}  {relative.rsplit('/', 1)[1]}")
    return sorted(lines, key=lambda line: line.split("  ", 1)[1])


def manifest_path(month: str) -> str:
    return f"{month}/{MANIFEST_NAME}"


def write_manifest(month: str) -> str:
    """Rewrite the month's manifest from the database; returns its relative path.

    Runs after the archiving transaction commits, under a lock: whoever writes last has seen
    every commit before it, so the manifest never loses a file.
    """
    from db.session import session_scope

    with _folder_lock(resolve(month)):
        with session_scope() as session:
            lines = manifest_lines(session, month)
        write_atomically(manifest_path(month), ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    return manifest_path(month)
