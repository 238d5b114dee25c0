from django.core.management.base import BaseCommand, CommandError

from tracking.generate import SCALES, NotEnoughSlots, generate


class Command(BaseCommand):
    help = (
        "Generate synthetic plan-years (copies of the 2012 plan) and reports with their history, deterministically "
        "for a seed: --scale small (the 2012 plan, one year of reports) or large (2012-2021, about 45,000 "
        "reports); --reports N for another number (an error, and nothing written, when the plan-years have fewer free "
        "slots; a plan-year still to come has none). A plan-year is the same whatever --years and --reports say. "
        "Existing plan-years and reports are kept; a second run adds reports only where slots are free."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--reports", type=int, help="reports to create (default: the scale's)")
        parser.add_argument("--years", type=int, help="plan-years from 2012 (default: the scale's)")
        parser.add_argument("--seed", type=int, default=2012)
        parser.add_argument("--batch-size", type=int, default=5_000)

    def handle(self, *args, scale, reports, years, seed, batch_size, **options):
        if reports is not None and not 0 <= reports <= 1_000_000:
            raise CommandError("--reports is between 0 and 1,000,000.")
        if years is not None and not 1 <= years <= 89:
            raise CommandError("--years is between 1 and 89 (plan years 2012-2100).")

        def progress(done, total):
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {done:,} / {total:,} reports")

        try:
            result = generate(
                scale=scale, reports=reports, years=years, seed=seed, batch_size=batch_size, progress=progress
            )
        except NotEnoughSlots as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Generated: {result.summary()}."))
