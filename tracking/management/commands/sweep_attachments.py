"""Delete attachment files that no attachment refers to (red-team finding 12).

A file is written to storage before its row is committed (attachment_add); when the transaction around it rolls
back later (the page's combined save: attach, then a submit that fails), the file stays without a row. Run daily
beside `make serve` (README, "Production"): files younger than --older-than seconds are left alone, since their
row may be about to commit.
"""

import time

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from tracking.models import Attachment

ROOT = "attachments"


class Command(BaseCommand):
    help = "Delete attachment files that no attachment refers to (orphans of rolled-back uploads)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=3600, help="only files older than this many seconds (default 3600)"
        )
        parser.add_argument("--dry-run", action="store_true", help="list the orphans without deleting them")

    def handle(self, *args, older_than, dry_run, **options):
        known = set(Attachment.objects.values_list("file", flat=True))
        cutoff = time.time() - older_than
        swept = 0
        for path in self.files(ROOT):
            if path in known:
                continue
            if default_storage.get_modified_time(path).timestamp() > cutoff:
                continue
            if not dry_run:
                default_storage.delete(path)
            swept += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {path}")
        if options["verbosity"]:
            self.stdout.write(f"{swept} orphaned file(s) {'found' if dry_run else 'deleted'}.")

    def files(self, directory):
        if not default_storage.exists(directory):
            return
        directories, files = default_storage.listdir(directory)
        for name in files:
            yield f"{directory}/{name}"
        for name in directories:
            yield from self.files(f"{directory}/{name}")
