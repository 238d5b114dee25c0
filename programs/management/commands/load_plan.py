from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.services import FixtureError, plan_structure_load


class Command(BaseCommand):
    help = (
        "Load departments, provincial offices and plans from fixtures/ (or the given YAML files) in one "
        "transaction. Idempotent: a second run changes nothing. A broken file changes nothing either."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="fixture files (default: all of fixtures/)")

    def handle(self, *args, paths, **options):
        try:
            result = plan_structure_load(paths=paths or None)
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Plan fixtures loaded: {result.summary()}."))
