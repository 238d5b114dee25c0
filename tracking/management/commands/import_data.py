from django.core.management.base import BaseCommand, CommandError

from planpromo.backup import BackupError, import_data


class Command(BaseCommand):
    help = (
        "Restore a backup written by export_data (a directory or a .zip/.tar/.tar.gz/.tgz archive) into an empty, "
        "migrated database: every row with its primary key, and the attachment files. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup to restore")

    def handle(self, *args, path, **options):
        try:
            manifest = import_data(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["models"].values())
        self.stdout.write(
            f"Restored {rows} rows and {len(manifest['files'])} files from {path} ({manifest['created']})."
        )
