"""Backups of everything planpromo keeps: the plans, the people and the reports, with their history and evidence.

A backup is a directory, or the same as a single archive (`.zip`, `.tar`, `.tar.gz`/`.tgz`), holding:

- `manifest.json`: the format and its version, when it was made, how many rows of each model and each file with
  its size and SHA-256;
- `data.json`: every row of the models in BACKUP_MODELS, in Django's JSON serialization (times to the
  microsecond), primary keys kept (so that the history and the attachments' paths stay valid) and references to
  users, permissions and content types by natural key (so that they survive a database whose content types were
  numbered differently);
- `media/`: the files of the attachments, under the names the database gives them.

`import_data` loads a backup into an empty database (migrated, nothing loaded): it refuses to mix a backup with
existing data. It goes through `loaddata`, which saves rows raw (no history entries are invented: the history is
in the backup), checks every constraint at the end and resets PostgreSQL's sequences.

For PostgreSQL, `pg_dump`/`pg_restore` back up the database as a whole (see README.md, "Backups"); these
commands are database-neutral and include the attachment files.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

FORMAT = "planpromo-backup"
VERSION = 1
# In the order they load: what a row refers to comes before it.
BACKUP_MODELS = [
    "auth.Group",
    "auth.User",
    "participants.Department",
    "participants.DepartmentAlias",
    "participants.ProvincialOffice",
    "participants.Profile",
    "participants.ApiToken",
    "programs.Plan",
    "programs.ReportingPeriod",
    "programs.Program",
    "programs.ProgramDepartment",
    "programs.WorkItem",
    "programs.WorkItemDepartment",
    "programs.WorkItemOffice",
    "programs.Target",
    "tracking.Report",
    "tracking.Obligation",
    "tracking.TargetValue",
    "tracking.Attachment",
    "tracking.HistoricalReport",
    "tracking.HistoricalTargetValue",
    "tracking.HistoricalAttachment",
]
# Any of these holding a row means the database is not empty.
CONTENT_MODELS = ["auth.User", "programs.Plan", "participants.Department", "participants.ProvincialOffice"]
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds: DjangoJSONEncoder cuts them to milliseconds (as
    ECMAScript dates have them), which a backup must not do. The JSON deserializer reads either form."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            value = o.isoformat()
            return value.removesuffix("+00:00") + "Z" if value.endswith("+00:00") else value
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup that cannot be written or read, or a database it cannot be loaded into."""


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    if name.endswith(".tar"):
        return "tar"
    return "directory"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_relative(name: str) -> PurePosixPath:
    """A stored file name as a relative path that stays inside the backup (no absolute paths, no `..`)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"unsafe file name in the backup: {name!r}")
    return path


def export_to_directory(target: Path) -> dict:
    """Write the backup into the directory `target` (created; must be empty). Returns the manifest."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    counts, files = {}, {}
    with transaction.atomic():  # one consistent snapshot of every table (PostgreSQL: repeatable within)
        objects = []
        for label in BACKUP_MODELS:
            model = apps.get_model(label)
            rows = list(model._base_manager.order_by("pk"))
            counts[label] = len(rows)
            objects.extend(rows)
        rows = serializers.serialize("python", objects, use_natural_foreign_keys=True)
        data = json.dumps(rows, cls=FullPrecisionEncoder, indent=1, ensure_ascii=False)
        attachments = list(apps.get_model("tracking.Attachment")._base_manager.order_by("pk"))
        for attachment in attachments:
            name = attachment.file.name
            destination = target / "media" / _safe_relative(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source, destination.open("wb") as out:
                shutil.copyfileobj(source, out)
            files[name] = {"size": destination.stat().st_size, "sha256": _sha256(destination)}
    (target / "data.json").write_text(data, encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": timezone.now().isoformat(),
        "models": counts,
        "files": files,
        "data_sha256": _sha256(target / "data.json"),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def export_data(path: str | Path) -> dict:
    """Write a backup to `path`: a directory, or an archive when the name ends in .zip, .tar, .tar.gz or .tgz."""
    path = Path(path)
    kind = _kind(path)
    if kind == "directory":
        return export_to_directory(path)
    if path.exists():
        raise BackupError(f"{path} exists already")
    with tempfile.TemporaryDirectory(prefix="planpromo-backup-") as tmp:
        manifest = export_to_directory(Path(tmp) / "backup")
        root = Path(tmp) / "backup"
        members = sorted(p for p in root.rglob("*") if p.is_file())
        if kind == "zip":
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for member in members:
                    archive.write(member, member.relative_to(root).as_posix())
        else:
            with tarfile.open(path, "w:gz" if kind == "tar.gz" else "w") as archive:
                for member in members:
                    archive.add(member, member.relative_to(root).as_posix())
    return manifest


@contextmanager
def _opened(path: Path):
    """The backup at `path` as a directory (an archive is unpacked into a temporary one, safely)."""
    kind = _kind(path)
    if kind == "directory":
        if not path.is_dir():
            raise BackupError(f"no backup at {path}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="planpromo-restore-") as tmp:
        root = Path(tmp)
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    _safe_relative(name)
                archive.extractall(root)
        else:
            with tarfile.open(path) as archive:
                archive.extractall(root, filter="data")  # refuses links and paths outside `root`
        yield root


def _check(root: Path) -> dict:
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"not a planpromo backup (manifest.json: {exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"not a planpromo backup of version {VERSION}: {manifest.get('format')} {manifest.get('version')}"
        )
    if _sha256(root / "data.json") != manifest["data_sha256"]:
        raise BackupError("data.json does not match the manifest: the backup is damaged")
    for name, expected in manifest["files"].items():
        stored = root / "media" / _safe_relative(name)
        if not stored.is_file() or _sha256(stored) != expected["sha256"]:
            raise BackupError(f"the file {name} is missing or damaged in the backup")
    return manifest


def database_is_empty() -> bool:
    return not any(apps.get_model(label)._base_manager.exists() for label in CONTENT_MODELS)


def import_data(path: str | Path) -> dict:
    """Load the backup at `path` into an empty database, with the attachments' files. All or nothing: a failure
    leaves the database as it was (the files written so far are removed)."""
    path = Path(path)
    if not database_is_empty():
        raise BackupError("the database is not empty: import a backup after `migrate`, before loading anything")
    with _opened(path) as root:
        manifest = _check(root)
        written = []
        try:
            with transaction.atomic():
                call_command("loaddata", str(root / "data.json"), verbosity=0)
                for name in manifest["files"]:
                    if default_storage.exists(name):
                        raise BackupError(f"the file {name} exists already in the storage")
                    with (root / "media" / _safe_relative(name)).open("rb") as handle:
                        saved = default_storage.save(name, File(handle, name=name))
                    written.append(saved)
                    if saved != name:
                        raise BackupError(f"the storage renamed {name} to {saved}")
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    return manifest
