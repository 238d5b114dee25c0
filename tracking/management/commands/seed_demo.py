import logging
import os

from django.core.management.base import BaseCommand

from tracking.demo import demo_accounts_ensure, demo_periods_keep_open, demo_reports_ensure, generated_password


class Command(BaseCommand):
    help = (
        "Create the demo accounts (admin, pad, pdd, guangdong, hunan, tianjin, analyst) and a spread of 2012 "
        "reports, with the demo plan's periods kept open (never closing). Password: --password, else "
        "$DEMO_PASSWORD, else a generated one (printed) for new accounts. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo account")
        parser.add_argument("--no-reports", action="store_true", help="create the accounts only")

    def handle(self, *args, password=None, no_reports=False, **options):
        password = password or os.environ.get("DEMO_PASSWORD")
        generated = None
        if not password:
            from django.contrib.auth import get_user_model

            if not get_user_model().objects.filter(username="admin").exists():
                password = generated = generated_password()
        created, users = demo_accounts_ensure(password=password)
        demo_periods_keep_open()
        audit = logging.getLogger("planpromo.audit")
        level, audit.level = audit.level, logging.WARNING  # one line per demo report would drown the output
        try:
            reports = 0 if no_reports else demo_reports_ensure(users=users)
        finally:
            audit.setLevel(level)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts created: {', '.join(created) or 'none (all existed)'}."))
        self.stdout.write(f"Demo reports created: {reports}.")
        if generated:
            self.stdout.write(self.style.WARNING(f"Generated password for every demo account: {generated}"))
        elif not password:
            self.stdout.write("Existing demo accounts kept their passwords (pass --password to set one).")
