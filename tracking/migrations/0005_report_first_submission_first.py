from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tracking", "0004_report_first_submissions")]

    operations = [
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('submitted_at__isnull', True), models.Q(('first_submitted_at__isnull', False), ('first_submitted_at__lte', models.F('submitted_at'))), _connector='OR'), name='report_first_submission_first'),
        ),
    ]
