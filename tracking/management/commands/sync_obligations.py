from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracking.obligations import obligations_sync_all


class Command(BaseCommand):
    help = (
        "Make the reporting obligations of every plan equal to what its structure calls for (participating "
        "offices, responsible departments, periods) and link them to their reports. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            results = obligations_sync_all()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for year, result in results.items():
            self.stdout.write(f"{year}: {result}")
        self.stdout.write(self.style.SUCCESS("Obligations in step with the plans."))
