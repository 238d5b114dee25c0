"""export_data / import_data: a backup restored into an empty database is the same data, to the byte.

The round trip: data of every kind (plan, accounts with profiles and tokens, reports in every state with target
values and history, attachments with files, a removed attachment in the history), exported; the database
flushed and the files deleted; the backup imported; exported again: the two backups are identical but for their
creation time.
"""

import json
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from planpromo.backup import BACKUP_MODELS
from tests.security.roles import accounts_ensure, report_of, tokens_for
from tracking import services
from tracking.demo import demo_reports_ensure
from tracking.models import Attachment, Report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def everything(media_root):
    """Some of every kind of data planpromo keeps."""
    users = accounts_ensure()
    tokens_for(users)
    demo_reports_ensure(users=users, program_numbers=[4], period_labels=["2012-Q1"])
    report_of(users, "tianjin", code="I.1", label="2012-Q3", state="returned")
    report_of(users, "pad", code="I.1", label="2012-Q3", state="accepted")
    draft = report_of(users, "guangdong", code="I.1", label="2012-Q3")
    services.report_update(
        report=draft, user=users["guangdong"], version=draft.version, fields={"summary": "Edited once."}
    )
    for name, content in (("evidence.pdf", PDF), ("photo.png", PNG), ("removed.pdf", PDF)):
        services.attachment_add(report=draft, user=users["guangdong"], uploaded_file=SimpleUploadedFile(name, content))
    services.attachment_delete(attachment=Attachment.objects.get(name="removed.pdf"), user=users["guangdong"])
    assert Report.objects.filter(state="returned").exists() and Report.objects.filter(state="accepted").exists()
    return users


def backup_contents(path: Path) -> tuple[dict, list, dict]:
    """The manifest without its time, the rows, and the files' bytes of a backup directory."""
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.pop("created")
    rows = json.loads((path / "data.json").read_text())
    files = {p.relative_to(path).as_posix(): p.read_bytes() for p in (path / "media").rglob("*") if p.is_file()}
    return manifest, rows, files


def empty_everything(media_root: Path):
    if connection.vendor == "postgresql":
        # The test runs in a transaction, where PostgreSQL refuses to TRUNCATE tables with foreign-key checks still
        # deferred: run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", "--no-input", verbosity=0)
    shutil.rmtree(media_root, ignore_errors=True)


@pytest.mark.parametrize("archive", ["backup.zip", "backup.tar.gz", "backup-directory"])
def test_export_flush_import_export_finds_nothing_lost_or_changed(everything, media_root, tmp_path, archive):
    first = tmp_path / archive
    call_command("export_data", str(first), verbosity=0)
    if archive.endswith("directory"):
        before = backup_contents(first)
    else:
        call_command("export_data", str(tmp_path / "first-as-directory"), verbosity=0)
        before = backup_contents(tmp_path / "first-as-directory")
    manifest, _rows, files = before
    # Every model of the backup has rows here, and every attachment its file.
    assert [label for label, count in manifest["models"].items() if not count] == ["auth.Group"]
    assert len(files) == Attachment.objects.count() == 2
    counts = {label: apps.get_model(label)._base_manager.count() for label in BACKUP_MODELS}

    empty_everything(media_root)
    assert Report.objects.count() == 0 and not media_root.exists()
    call_command("import_data", str(first), verbosity=0)

    assert {label: apps.get_model(label)._base_manager.count() for label in BACKUP_MODELS} == counts
    call_command("export_data", str(tmp_path / "second"), verbosity=0)
    after = backup_contents(tmp_path / "second")
    changed = [
        (a["model"], a["pk"], {k: (v, b["fields"][k]) for k, v in a["fields"].items() if b["fields"][k] != v})
        for a, b in zip(before[1], after[1], strict=True)
        if a != b
    ]
    assert not changed, changed[:3]  # every row, field by field
    assert after[0] == before[0]  # counts, file hashes, data hash
    assert after[2] == before[2]  # every file, byte by byte


def test_restored_data_works(everything, media_root, tmp_path):
    """After a restore the app goes on: sign-in passwords, tokens, the workflow, downloads, new rows' ids."""
    call_command("export_data", str(tmp_path / "b.zip"), verbosity=0)
    draft_id = Report.objects.get(period__label="2012-Q3", office__short_name="Guangdong").pk
    empty_everything(media_root)
    call_command("import_data", str(tmp_path / "b.zip"), verbosity=0)

    users = accounts_ensure()  # the same accounts, found again (nothing created)
    assert users["guangdong"].check_password("demo-password-for-tests")
    draft = Report.objects.get(pk=draft_id)
    assert [h.history_change_reason for h in draft.history.order_by("history_id")] == [
        "create", "edit", "attach", "attach", "attach", "detach",
    ]  # fmt: skip
    attachment = draft.attachments.get(name="evidence.pdf")
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF
    submitted = services.report_submit(report=draft, user=users["guangdong"], version=draft.version)
    assert submitted.version == draft.version + 1 and submitted.history.count() == 7
    new = report_of(users, "hunan", code="I.1", label="2012-Q3")  # the sequences were reset: a new row gets a new id
    assert new.pk > max(Report.objects.exclude(pk=new.pk).values_list("pk", flat=True))


def test_import_refuses_a_database_that_is_not_empty(everything, tmp_path):
    call_command("export_data", str(tmp_path / "b"), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_data", str(tmp_path / "b"), verbosity=0)


def test_import_refuses_a_damaged_backup_and_writes_nothing(everything, media_root, tmp_path):
    backup = tmp_path / "b"
    call_command("export_data", str(backup), verbosity=0)
    data = backup / "data.json"
    data.write_text(data.read_text().replace("Edited once.", "Edited twice."))
    empty_everything(media_root)
    with pytest.raises(CommandError, match="damaged"):
        call_command("import_data", str(backup), verbosity=0)
    assert Report.objects.count() == 0 and not media_root.exists()


def test_export_refuses_to_overwrite(everything, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_data", str(tmp_path / "b"), verbosity=0)
