"""Notifying people: the in-app inbox, and an outbox of deliveries by email and group-chat robot.

`notify` writes the notification and its deliveries in the caller's transaction and hands the
deliveries to Celery only after commit. If the broker is down nothing is lost: deliveries stay
queued in the database and the `deliver_outbox` job sends them when it can.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import access
from common.bulk import insert_new

from .models import ChannelPreference, Delivery, Notification
from .webhooks import WebhookRefused, post_json

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A claim older than this belongs to a worker that died mid-send; the delivery is retried.
CLAIM_LEASE = datetime.timedelta(minutes=5)
WEBHOOK_TIMEOUT_SECONDS = 5


def backoff(attempts: int) -> datetime.timedelta:
    """1, 4, 16, 64 minutes … between attempts."""
    return datetime.timedelta(minutes=4 ** max(0, attempts - 1))


def notify(
    *, recipient, key: str, kind: str, title: str, body: str = "", link: str = "", task=None, unit=None, now=None
):
    """Create the notification named by `key` unless it exists; return it if created, else None."""
    now = now or timezone.now()
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient, "kind": kind, "title": title[:200], "body": body, "link": link,
            "task": task, "unit": unit, "created_at": now,
        },
    )  # fmt: skip
    if not created:
        return None
    _queue_deliveries([notification], ChannelPreference.objects.filter(user=recipient), now)
    return notification


@dataclass(frozen=True)
class Message:
    """One notification to be created by notify_many (the arguments of notify)."""

    recipient: object
    key: str
    kind: str
    title: str
    body: str = ""
    link: str = ""
    task: object = None
    unit: object = None


def notify_many(messages, *, now=None) -> list[Notification]:
    """Create the notifications whose keys do not exist yet, in a fixed number of queries however
    many there are; return those created. Deliveries go to the workers after commit, as with notify."""
    now = now or timezone.now()
    unique = {message.key: message for message in messages}
    existing = set(Notification.objects.filter(key__in=list(unique)).values_list("key", flat=True)) if unique else set()
    fresh = [message for key, message in unique.items() if key not in existing]
    if not fresh:
        return []
    rows = [
        Notification(
            key=m.key, recipient=m.recipient, kind=m.kind, title=m.title[:200], body=m.body, link=m.link,
            task=m.task, unit=m.unit, created_at=now,
        )
        for m in fresh
    ]  # fmt: skip
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:
        # A key was created meanwhile by someone else: one by one, each key still once.
        fields = ("recipient", "key", "kind", "title", "body", "link", "task", "unit")
        made = [notify(**{name: getattr(m, name) for name in fields}, now=now) for m in fresh]
        return [notification for notification in made if notification is not None]
    _queue_deliveries(created, ChannelPreference.objects.filter(user__in={m.recipient.pk for m in fresh}), now)
    return created


def notify_bulk(keys, build, *, now=None) -> set[str]:
    """The jobs' bulk path: create the notifications named by `keys` that do not exist yet and
    return the keys created now. `build(key)` makes the Message of a key, called only for the keys
    not sent before, so a re-run pays one look-up and builds nothing.

    On PostgreSQL the rows go in from arrays (unnest): one INSERT … ON CONFLICT (key) DO NOTHING
    for the notifications and one for their deliveries, with no model instance per row (the ORM's
    bulk_create spends most of a 20,000-message run building them). A key inserted meanwhile by a
    parallel run is skipped by the database and not returned: each key is sent once, and each run
    counts only its own. Elsewhere (SQLite) notify_many does the same in more statements."""
    now = now or timezone.now()
    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    if connection.vendor != "postgresql":
        existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
        return {n.key for n in notify_many([build(key) for key in keys if key not in existing], now=now)}
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {table} WHERE key = ANY(%s)", [keys])
        existing = {row[0] for row in cursor.fetchall()}
    fresh = [build(key) for key in keys if key not in existing]
    if not fresh:
        return set()
    columns = {
        "key": ("varchar", [m.key for m in fresh]),
        "recipient_id": ("bigint", [m.recipient.pk for m in fresh]),
        "kind": ("varchar", [m.kind for m in fresh]),
        "title": ("varchar", [m.title[:200] for m in fresh]),
        "body": ("text", [m.body for m in fresh]),
        "link": ("varchar", [m.link for m in fresh]),
        "task_id": ("bigint", [m.task.pk if m.task is not None else None for m in fresh]),
        "unit_id": ("bigint", [m.unit.pk if m.unit is not None else None for m in fresh]),
        "created_at": ("timestamptz", [now] * len(fresh)),
    }
    created = {pk: key for key, pk in insert_new(table, columns).items()}  # id → key
    if not created:
        return set()
    by_key = {m.key: m for m in fresh}
    recipients = {by_key[key].recipient.pk: by_key[key].recipient for key in created.values()}
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(user__in=list(recipients))}
    first_attempt = min(now, timezone.now())  # as in _queue_deliveries
    # Decided once per person.
    chosen = {recipient.pk: channels_for(recipient, preferences.get(recipient.pk)) for recipient in recipients.values()}
    notification_ids, channels = [], []
    for pk, key in created.items():
        for channel in chosen[by_key[key].recipient.pk]:
            notification_ids.append(pk)
            channels.append(channel)
    if notification_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Delivery._meta.db_table} "
                "(notification_id, channel, status, attempts, next_attempt_at, last_error) "
                "SELECT n, c, %s, 0, %s, '' FROM unnest(%s::bigint[], %s::varchar[]) AS d(n, c) RETURNING id",
                [Delivery.Status.QUEUED, first_attempt, notification_ids, [str(c) for c in channels]],
            )
            delivery_ids = [row[0] for row in cursor.fetchall()]
        transaction.on_commit(lambda: enqueue_deliveries(delivery_ids))
    return set(created.values())


def channels_for(recipient, preference: ChannelPreference | None) -> list[str]:
    """The channels a notification to `recipient` goes out on: email when they want it (by
    default, for those who never chose) and have an address; their group-chat robot if they set one."""
    wants_email = preference.email if preference else _EMAIL_BY_DEFAULT
    return ([Delivery.Channel.EMAIL] if wants_email and recipient.email else []) + (
        [Delivery.Channel.WEBHOOK] if preference and preference.webhook_url else []
    )


_EMAIL_BY_DEFAULT = ChannelPreference._meta.get_field("email").default


def _queue_deliveries(notifications, preferences, now) -> None:
    """Queue each notification on its recipient's channels; hand them to workers after commit."""
    by_user = {preference.user_id: preference for preference in preferences}
    # The first attempt is due at once: by the job's clock, or by the real one when a job runs
    # as of a later moment (runjob --now, tests).
    first_attempt = min(now, timezone.now())
    deliveries = [
        Delivery(notification=notification, channel=channel, next_attempt_at=first_attempt)
        for notification in notifications
        for channel in channels_for(notification.recipient, by_user.get(notification.recipient.pk))
    ]
    delivery_ids = [delivery.pk for delivery in Delivery.objects.bulk_create(deliveries)]
    if delivery_ids:
        transaction.on_commit(lambda: enqueue_deliveries(delivery_ids))


# Deliveries handed to a worker per message: a reminder run's 20,000 deliveries are 200 messages,
# not 20,000 round trips to the broker after the job's commit.
DELIVERIES_PER_MESSAGE = 100


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers, a hundred per message; with the broker down, leave them to
    the outbox job (they stay queued in the database)."""
    from .tasks import deliver_notifications

    for start in range(0, len(delivery_ids), DELIVERIES_PER_MESSAGE):
        chunk = delivery_ids[start : start + DELIVERIES_PER_MESSAGE]
        try:
            deliver_notifications.delay(chunk)
        except Exception:  # kombu raises various errors when the broker is unreachable
            logger.warning("Broker unavailable: %s deliveries stay queued for the outbox job.",
                           len(delivery_ids) - start, exc_info=True)  # fmt: skip
            return


def claim(delivery_id: int, now) -> bool:
    """Compare-and-set: take a due delivery (or one whose claim expired) for sending."""
    return bool(
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def delivery_send(delivery_id: int, now=None) -> str:
    """Send one delivery once it is claimed; record the outcome. Returns sent/retry/failed/skipped."""
    now = now or timezone.now()
    if not claim(delivery_id, now):
        return "skipped"  # sent already, not due yet, or another worker has it
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            _send_email(delivery.notification)
        else:
            _send_webhook(delivery.notification)
    except WebhookRefused as error:
        # A refused address stays refused however often it is tried: a recorded failure, no retries.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, claimed_at=None, last_error=f"WebhookRefused: {error.messages[0]}"[:2000]
        )
        logger.warning("Delivery %s refused: %s", delivery.pk, error.messages[0])
        return "failed"
    except Exception as error:
        final = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if final else Delivery.Status.QUEUED,
            next_attempt_at=now + backoff(delivery.attempts),
            claimed_at=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning(
            "Delivery %s (%s) failed, attempt %s: %s", delivery.pk, delivery.channel, delivery.attempts, error
        )
        return "failed" if final else "retry"
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_at=None)
    return "sent"


def absolute_link(link: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{link}" if link.startswith("/") else link


def _send_email(notification: Notification) -> None:
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_link(notification.link)}"
    send_mail(notification.title, body, None, [notification.recipient.email], fail_silently=False)


def webhook_payload(notification: Notification, fmt: str) -> dict:
    """The message in the robot's format: generic JSON, DingTalk or WeCom markdown."""
    link = absolute_link(notification.link) if notification.link else ""
    text = notification.body + (f"\n\n[查看详情]({link})" if link else "")
    if fmt == ChannelPreference.WebhookFormat.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": notification.title, "text": f"### {notification.title}\n\n{text}"},
        }
    if fmt == ChannelPreference.WebhookFormat.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": f"**{notification.title}**\n{text}"}}
    return {
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": link,
        "recipient": notification.recipient.get_username(),
        "created_at": notification.created_at.isoformat(),
    }


def _send_webhook(notification: Notification) -> None:
    preference = ChannelPreference.objects.get(user=notification.recipient)
    data = json.dumps(webhook_payload(notification, preference.webhook_format), ensure_ascii=False).encode()
    # The address is checked again here, as it resolves now (see notifications.webhooks).
    post_json(preference.webhook_url, data, timeout=WEBHOOK_TIMEOUT_SECONDS)


def notification_mark_read(*, user, notification_id: int | None = None, now=None) -> int:
    """Mark one (or, without an id, all) of the user's notifications read; returns how many."""
    unread = access.visible_to(user, Notification).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now or timezone.now())


def channel_preference_update(*, user, email: bool, webhook_url: str, webhook_format: str) -> ChannelPreference:
    preference, _created = ChannelPreference.objects.get_or_create(user=user)
    preference.email, preference.webhook_url, preference.webhook_format = email, webhook_url, webhook_format
    preference.full_clean()
    preference.save()
    return preference


def due_delivery_ids(now, limit: int = 500) -> list[int]:
    """Deliveries the outbox job should (re)try now."""
    return list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
