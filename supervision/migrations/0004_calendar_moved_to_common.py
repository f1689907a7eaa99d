# The working-day calendar's models moved to the common app (common 0001): removed from this
# app's state only, their tables and rows stay. Their content types follow, so that admin log
# entries and permissions (the office group's calendar permissions) stay attached to them.

from django.db import migrations

MOVED = ['calendaroverride', 'calendarwarning']


def move_content_types(from_label, to_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model('contenttypes', 'ContentType')
        db = schema_editor.connection.alias
        for model in MOVED:
            # A row under the new label exists if post_migrate already made one: leave both as they are.
            if ContentType.objects.using(db).filter(app_label=to_label, model=model).exists():
                continue
            ContentType.objects.using(db).filter(app_label=from_label, model=model).update(app_label=to_label)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('common', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('supervision', '0003_calendar_warning_once_a_day'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CalendarOverride'),
                migrations.DeleteModel(name='CalendarWarning'),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            move_content_types('supervision', 'common'), move_content_types('common', 'supervision')
        ),
    ]
