"""In-process timing of the agent ticket page (Django test client, no HTTP): 20 tickets x 3.

Usage: SUPPORTDESK_DATA_DIR=<data dir of a demo install> python bench/time_ticket_page.py
Used to compare two versions of the page in the same run on the same data.
"""

from __future__ import annotations

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    django.setup()
    from django.test import Client

    from supportdesk.accounts.models import User
    from supportdesk.tickets.models import Ticket

    client = Client()
    client.force_login(User.objects.filter(role="l1").order_by("id").first())
    numbers = list(Ticket.objects.order_by("-id").values_list("number", flat=True)[:20])
    for number in numbers[:3]:
        client.get(f"/desk/tickets/{number}/")
    samples = []
    for _ in range(3):
        for number in numbers:
            start = time.perf_counter()
            response = client.get(f"/desk/tickets/{number}/")
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    samples.sort()
    print(
        f"ticket page median {statistics.median(samples):.1f} ms, "
        f"p90 {samples[int(len(samples) * 0.9)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
