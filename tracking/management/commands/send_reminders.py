import datetime

from django.core.management.base import BaseCommand, CommandError

from tracking.reminders import reminders_send


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Send the day's reminders: deadlines approaching (the plan's lead time), obligations overdue (weekly), the "
        "reviewers' weekly digest. Idempotent: a second run the same day sends nothing. Run it daily (cron or a "
        "systemd timer); the e-mails go through the task worker (manage.py db_worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=str, help="the day to act as (YYYY-MM-DD); default: today")
        parser.add_argument("--dry-run", action="store_true", help="say what would be sent, store and send nothing")

    def handle(self, *args, **options):
        today = iso_date(options["today"]) if options["today"] else None
        run = reminders_send(today=today, dry_run=options["dry_run"])
        self.stdout.write(str(run))
        if options["verbosity"] > 1:
            from tracking.notifications import render

            for notification in run.notifications:
                subject, _text = render(notification)
                self.stdout.write(f"  {notification.recipient} · {subject}")
