# The working-day calendar's models were made in the supervision app. They move here in state
# only: their tables (supervision_calendaroverride, supervision_calendarwarning) and rows stay.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The supervision migration that last touched these models: their tables exist by then.
        ('supervision', '0003_calendar_warning_once_a_day'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='date')),
                        ('is_workday', models.BooleanField(verbose_name='working day')),
                        ('note', models.CharField(blank=True, max_length=100, verbose_name='note')),
                    ],
                    options={
                        'verbose_name': 'calendar override',
                        'verbose_name_plural': 'calendar overrides',
                        'db_table': 'supervision_calendaroverride',
                        'ordering': ['date'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarWarning',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField()),
                        ('day', models.DateField()),
                    ],
                    options={
                        'db_table': 'supervision_calendarwarning',
                        'constraints': [models.UniqueConstraint(fields=('year', 'day'), name='calendar_warning_once_a_day')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
