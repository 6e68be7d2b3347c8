"""Signed messages to DingTalk / WeCom group robots, retried with backoff (R-IN-1).

Deliveries are rows: created once per (robot, cause), then sent by whoever claims them.
A claim is a conditional UPDATE on ``attempts`` that also pushes ``next_attempt_at`` a
lease ahead, so two workers never send the same attempt, and a robot that times out or
answers 500 only delays its own delivery: the SLA sweep never waits on it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk.notifications.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookKind,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = dt.timedelta(minutes=2)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8, 16 minutes after the 1st…5th failure."""
    return dt.timedelta(minutes=2 ** max(0, attempts - 1))


def signed_url(endpoint: WebhookEndpoint, now_ms: int) -> str:
    """DingTalk "加签": HMAC-SHA256 of "timestamp\\nsecret", base64, as URL parameters."""
    if endpoint.kind != WebhookKind.DINGTALK or not endpoint.secret:
        return endpoint.url
    to_sign = f"{now_ms}\n{endpoint.secret}".encode()
    digest = hmac.new(endpoint.secret.encode(), to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in endpoint.url else "?"
    return f"{endpoint.url}{joiner}timestamp={now_ms}&sign={sign}"


def payload(text: str) -> bytes:
    # Both robots take the same plain-text message shape.
    return json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()


def enqueue(key: str, text: str) -> list[WebhookDelivery]:
    """One delivery per active robot for this cause; a repeated cause adds nothing."""
    created = []
    now = timezone.now()
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        try:
            with transaction.atomic():
                created.append(
                    WebhookDelivery.objects.create(
                        endpoint=endpoint, key=key, text=text, next_attempt_at=now
                    )
                )
        except IntegrityError:
            continue
    return created


def _post(endpoint: WebhookEndpoint, text: str) -> None:
    url = signed_url(endpoint, int(time.time() * 1000))
    request = urllib.request.Request(  # noqa: S310  (the URL is an admin-set http(s) robot)
        url, data=payload(text), headers={"Content-Type": "application/json"}, method="POST"
    )
    timeout = getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body = response.read(2000)
    # The robots answer 200 with {"errcode": 0} on success and a non-zero code otherwise.
    try:
        errcode = json.loads(body or b"{}").get("errcode", 0)
    except ValueError:
        errcode = 0
    if errcode:
        raise RuntimeError(f"robot refused the message: {body[:200]!r}")


def deliver(delivery_id: int, now: dt.datetime | None = None) -> bool:
    """Claims and sends one delivery attempt. True when this call sent it."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if delivery is None:
        return False
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=delivery.attempts + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return False
    attempts = delivery.attempts + 1
    try:
        _post(delivery.endpoint, delivery.text)
    except (OSError, urllib.error.URLError, RuntimeError, ValueError) as exc:
        failed = attempts >= MAX_ATTEMPTS
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            next_attempt_at=None if failed else now + backoff(attempts),
            last_error=str(exc)[:300],
        )
        logger.warning("webhook delivery %s attempt %s failed: %s", delivery.pk, attempts, exc)
        return False
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return True


def deliver_due(now: dt.datetime | None = None) -> int:
    """Sends every delivery whose attempt is due (the worker runs this every minute)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(next_attempt_at__lte=now, status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    return sum(deliver(pk, now) for pk in due)
