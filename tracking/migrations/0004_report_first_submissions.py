from django.db import migrations
from django.db.models import F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce, Least


def first_submissions(apps, schema_editor):
    """Reports submitted before this migration: their first submission is the oldest "submit" in their history
    (the latest submission when the history has none)."""
    Report = apps.get_model("tracking", "Report")
    HistoricalReport = apps.get_model("tracking", "HistoricalReport")
    oldest = (
        HistoricalReport.objects.filter(id=OuterRef("pk"), history_change_reason="submit")
        .order_by()
        .values(first=Func("history_date", function="MIN"))
    )
    Report.objects.filter(submitted_at__isnull=False).update(
        first_submitted_at=Least(Coalesce(Subquery(oldest), F("submitted_at")), F("submitted_at"))
    )


class Migration(migrations.Migration):
    """Data only, in its own transaction: PostgreSQL refuses to alter a table with pending trigger events."""

    dependencies = [("tracking", "0003_obligations")]

    operations = [migrations.RunPython(first_submissions, migrations.RunPython.noop)]
