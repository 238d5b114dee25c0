from django.core.management.base import BaseCommand, CommandError

from planpromo.backup import BackupError, export_data


class Command(BaseCommand):
    help = (
        "Back up everything (plans, periods, people and their organisations, reports with their target values, "
        "history and attachment files) to PATH: a new directory, or an archive if PATH ends in .zip, .tar, .tar.gz "
        "or .tgz. Restore with import_data. See README.md, Backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="where to write the backup (a directory, or .zip/.tar/.tar.gz/.tgz)")

    def handle(self, *args, path, **options):
        try:
            manifest = export_data(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["models"].values())
        self.stdout.write(
            f"Backed up {rows} rows of {len(manifest['models'])} models and {len(manifest['files'])} files to {path}."
        )
