"""What export_data and import_data share: one PATH argument, a backup function of planpromo.backup run on it (its
BackupError becomes a CommandError, so the command exits with the message), and a line saying what was done."""

from django.core.management.base import BaseCommand, CommandError

from planpromo.backup import BackupError


class BackupCommand(BaseCommand):
    path_help = ""

    def add_arguments(self, parser):
        parser.add_argument("path", help=self.path_help)

    def run(self, path) -> dict:
        """The backup function's manifest."""
        raise NotImplementedError

    def done(self, manifest: dict, path) -> str:
        raise NotImplementedError

    def handle(self, *args, path, **options):
        try:
            manifest = self.run(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.done(manifest, path))
