from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0005_notifications_moved_out'),
    ]

    operations = [
        migrations.AddField(
            model_name='supervisionnotice',
            name='followed_up_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='followed up at'),
        ),
        migrations.AlterField(
            model_name='supervisionnotice',
            name='kind',
            field=models.CharField(choices=[('overdue_reports', 'Reports overdue'), ('task_overdue', 'Task past its deadline'), ('return_not_fixed', 'Returned report not fixed')], max_length=20, verbose_name='kind'),
        ),
        migrations.AddIndex(
            model_name='supervisionnotice',
            index=models.Index(condition=models.Q(('followed_up_at__isnull', True), ('status', 'open')), fields=['answer_by'], name='notice_to_follow_up_idx'),
        ),
    ]
