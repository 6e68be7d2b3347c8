"""Fetching a mailbox over IMAP (IMAPS or STARTTLS), safe against dropped connections.

Messages are read in batches with ``BODY.PEEK[]`` (the server's \\Seen flag is untouched),
stored and processed (``ingest.receive_batch`` commits the batch), and only then filed away
on the server: moved to the processed folder, or flagged \\Seen when there is none. A
connection that drops in between leaves messages on the server; the next run fetches them
again and ``receive_batch`` recognises them by their Message-ID (or the digest of their
bytes), so nothing is lost and nothing is duplicated.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from imapclient import IMAPClient

from ..choices import ImapSecurity
from ..credentials import CredentialError
from ..models import Mailbox
from . import ingest
from .tls import tls_context

log = logging.getLogger(__name__)

BATCH = ingest.BATCH_SIZE


@dataclass
class FetchResult:
    fetched: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)


def connect(mailbox: Mailbox, timeout: float = 60.0) -> IMAPClient:
    # Before connecting: a password that cannot be decrypted is reported as it is.
    password = mailbox.imap_password
    context = tls_context(mailbox)
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=mailbox.imap_security == ImapSecurity.SSL,
        ssl_context=context,
        timeout=timeout,
    )
    try:
        if mailbox.imap_security == ImapSecurity.STARTTLS:
            client.starttls(context)
        client.login(mailbox.imap_username, password)
    except BaseException:
        with contextlib.suppress(Exception):
            client.shutdown()
        raise
    return client


def fetch(
    mailbox: Mailbox,
    *,
    after_each: Callable[[IMAPClient, int], None] | None = None,
) -> FetchResult:
    """Fetches what is waiting in the mailbox's folder; never raises for server trouble."""
    result = FetchResult()
    try:
        _fetch(mailbox, result, after_each)
    finally:
        # The administrator sees on the mailbox whether the last fetch worked.
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error="; ".join(result.errors)[:500], last_checked_at=timezone.now()
        )
    return result


def _fetch(
    mailbox: Mailbox,
    result: FetchResult,
    after_each: Callable[[IMAPClient, int], None] | None,
) -> None:
    try:
        client = connect(mailbox)
    except CredentialError as exc:  # needs an administrator, said plainly
        result.errors.append(str(exc)[:300])
        return
    except Exception as exc:  # a mailbox that is down is retried next run
        result.errors.append(f"connect: {exc.__class__.__name__}: {exc}"[:300])
        return
    try:
        _fetch_with(client, mailbox, result, after_each)
    except Exception as exc:  # what was stored is kept; the rest comes next run
        log.warning("IMAP fetch of %s stopped: %s", mailbox.address, exc)
        result.errors.append(f"{exc.__class__.__name__}: {exc}"[:300])
    finally:
        # The connection may already be gone.
        with contextlib.suppress(Exception):
            client.logout()


def _fetch_with(
    client: IMAPClient,
    mailbox: Mailbox,
    result: FetchResult,
    after_each: Callable[[IMAPClient, int], None] | None,
) -> None:
    processed = mailbox.imap_processed_folder.strip()
    if processed and not client.folder_exists(processed):
        client.create_folder(processed)
    client.select_folder(mailbox.imap_folder)
    uids = sorted(client.search(_criteria(mailbox)))
    can_move = b"MOVE" in client.capabilities()
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        response = client.fetch(batch, ["BODY.PEEK[]"])
        fetched = [
            (uid, raw)
            for uid in batch
            if isinstance(raw := response.get(uid, {}).get(b"BODY[]"), bytes)
        ]
        # One transaction for the batch; filed away on the server only once it committed.
        outcomes = ingest.receive_batch([raw for _uid, raw in fetched], mailbox)
        for (uid, _raw), outcome in zip(fetched, outcomes, strict=True):
            result.fetched += 1
            result.new += int(outcome.created)
            _file_away(client, uid, processed, can_move)
            if after_each is not None:
                after_each(client, uid)


def _criteria(mailbox: Mailbox) -> list[str]:
    # With a processed folder everything left in the folder is new; without one, new mail
    # is what we have not flagged \\Seen yet.
    if mailbox.imap_processed_folder.strip():
        return ["NOT", "DELETED"]
    return ["UNSEEN", "NOT", "DELETED"]


def _file_away(client: IMAPClient, uid: int, processed: str, can_move: bool) -> None:
    if not processed:
        client.add_flags([uid], [b"\\Seen"])
    elif can_move:
        client.move([uid], processed)
    else:
        client.copy([uid], processed)
        client.add_flags([uid], [b"\\Deleted"])
        client.uid_expunge([uid])


def watch(
    mailbox: Mailbox,
    stop: threading.Event,
    *,
    poll_seconds: float = 60.0,
    idle_seconds: float = 600.0,
    on_fetched: Callable[[FetchResult], None] | None = None,
) -> None:
    """Fetches, then waits for new mail until ``stop`` is set.

    Where the server offers IDLE, it announces new mail at once; elsewhere the folder is
    polled every ``poll_seconds``. IDLE is renewed every ``idle_seconds`` (servers drop idle
    connections after about 30 minutes), and any connection trouble falls back to polling.
    """
    while not stop.is_set():
        result = fetch(mailbox)
        if on_fetched is not None:
            on_fetched(result)
        if stop.is_set():
            return
        if not _wait_with_idle(mailbox, stop, idle_seconds):
            stop.wait(poll_seconds)


def _wait_with_idle(mailbox: Mailbox, stop: threading.Event, idle_seconds: float) -> bool:
    """Waits for the server to announce new mail; False when IDLE could not be used."""
    try:
        client = connect(mailbox)
    except Exception:  # the next fetch reports the trouble
        return False
    try:
        if b"IDLE" not in client.capabilities():
            return False
        client.select_folder(mailbox.imap_folder, readonly=True)
        # Mail that arrived between the fetch and now would not be announced again.
        if client.search(_criteria(mailbox)):
            return True
        client.idle()
        deadline = time.monotonic() + idle_seconds
        try:
            if _said_with_go_ahead(client):
                return True
            while not stop.is_set() and time.monotonic() < deadline:
                responses = client.idle_check(timeout=1)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            client.idle_done()
        return True
    except Exception:  # a dropped IDLE connection: poll instead this time
        log.warning("IDLE on %s failed; polling", mailbox.address, exc_info=True)
        return False
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def _said_with_go_ahead(client: IMAPClient) -> bool:
    """Whether the server sent more right behind its IDLE go-ahead ("+ idling").

    Mail that arrived between the search and IDLE is announced at once, often in the same
    packet as the go-ahead; imaplib reads the socket in blocks, so those lines wait in its
    buffer, where ``idle_check`` (which polls the socket) never looks (imapclient #150).
    """
    sock = client.socket()
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return bool(client._imap.file.peek(1))
    except OSError:  # nothing buffered and nothing on the socket yet
        return False
    finally:
        sock.settimeout(timeout)


def fetch_all() -> dict[str, FetchResult]:
    return {
        mailbox.address: fetch(mailbox)
        for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="")
    }
