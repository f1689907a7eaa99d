# Notification, ChannelPreference and Delivery moved to the notifications app (notifications
# 0001): removed from this app's state only, their tables and rows stay. Their content types
# follow, so that admin log entries and permissions stay attached to them.

from django.db import migrations

MOVED = ['notification', 'channelpreference', 'delivery']


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
        ('notifications', '0001_initial'),
        ('supervision', '0004_calendar_moved_to_common'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Delivery'),
                migrations.DeleteModel(name='Notification'),
                migrations.DeleteModel(name='ChannelPreference'),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            move_content_types('supervision', 'notifications'), move_content_types('notifications', 'supervision')
        ),
    ]
