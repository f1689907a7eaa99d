# Notification, ChannelPreference and Delivery were made in the supervision app. They move here in
# state only: their tables (supervision_notification, supervision_channelpreference,
# supervision_delivery) and rows stay.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('tasks', '0002_attachment_completionrequest_extensionrequest_and_more'),
        ('units', '0002_unit_group'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The tables exist from supervision 0001; no later migration changed them.
        ('supervision', '0004_calendar_moved_to_common'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ChannelPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.BooleanField(default=True, verbose_name='by email')),
                        ('webhook_url', models.URLField(blank=True, verbose_name='group-chat robot address')),
                        ('webhook_format', models.CharField(choices=[('generic', 'Generic JSON'), ('dingtalk', 'DingTalk robot'), ('wecom', 'WeCom robot')], default='generic', max_length=10, verbose_name='robot message format')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='channel_preference', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'channel preference',
                        'verbose_name_plural': 'channel preferences',
                        'db_table': 'supervision_channelpreference',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200, unique=True)),
                        ('kind', models.CharField(max_length=30, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='content')),
                        ('link', models.CharField(blank=True, max_length=300, verbose_name='link')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                        ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tasks.task')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='units.unit')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'supervision_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='notification_inbox_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('webhook', 'Group-chat robot')], max_length=10, verbose_name='channel')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(verbose_name='next attempt at')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('notification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notifications.notification')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'supervision_delivery',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='delivery_due_idx')],
                        'constraints': [models.UniqueConstraint(fields=('notification', 'channel'), name='delivery_unique_channel')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
