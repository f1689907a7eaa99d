from django.db import migrations, models
from django.db.models import Q

# The column is added with a temporary default, filled from the periods (one UPDATE, written so
# that PostgreSQL and SQLite both run it), then the default goes: new rows must name their number.
FILL = (
    "UPDATE tasks_obligation SET period_number = "
    "(SELECT number FROM campaigns_reportingperiod WHERE campaigns_reportingperiod.id = tasks_obligation.period_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_reporting_ledger"),
        ("tasks", "0010_report_coordination_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="obligation",
            name="period_number",
            field=models.PositiveIntegerField(default=0, verbose_name="period number"),
            preserve_default=False,
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(
                condition=Q(("state__in", ["submitted", "returned", "resubmitted", "accepted"])),
                fields=["task", "unit", "period_number"],
                name="obligation_filed_order_idx",
            ),
        ),
    ]
