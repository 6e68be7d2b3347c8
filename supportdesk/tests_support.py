"""Builders shared by the test suites of every app (kept out of conftest so helpers and
benchmarks can import them)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from supportdesk.accounts.choices import Role, TeamKind
from supportdesk.accounts.models import Team, User
from supportdesk.crm.models import Contact, InstalledProduct, Organization, Product, ProductVersion
from supportdesk.tickets.actions import NewTicket, do_create_ticket
from supportdesk.tickets.defaults import fill_shipped_scheme
from supportdesk.tickets.models import Category, Priority, Ticket

PASSWORD = "correct-horse-battery"


@dataclass
class Cast:
    org: Organization
    other_org: Organization
    customer: User
    colleague: User
    outsider: User
    l1: User
    l2: User
    lead: User
    admin: User
    l1_team: Team
    l2_team: Team
    product: InstalledProduct
    other_product: InstalledProduct

    def priority(self, code: str) -> Priority:
        return Priority.objects.get(code=code)

    def category(self, code: str) -> Category:
        return Category.objects.get(code=code)

    def ticket(self, *, by: User | None = None, **fields: object) -> Ticket:
        """A ticket filed by the customer (or ``by``) for their organization."""
        actor = by or self.customer
        org = actor.organization if actor.is_customer else fields.pop("organization", self.org)
        draft = NewTicket(
            subject=str(fields.pop("subject", "登录时提示 token 失效")),
            description=str(fields.pop("description", "每次登录都提示 token 失效，无法进入系统。")),
            organization=org,  # type: ignore[arg-type]
            **fields,  # type: ignore[arg-type]
        )
        return do_create_ticket(draft, actor=actor)


def make_user(username: str, role: str, org: Organization | None = None, **extra: object) -> User:
    user = User(username=username, role=role, organization=org, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_cast() -> Cast:
    fill_shipped_scheme(Priority, Category)
    org = Organization.objects.create(name="云帆科技有限公司", email_domains="yunfan.example")
    other_org = Organization.objects.create(name="北辰物流集团", email_domains="beichen.example")
    customer = make_user(
        "zhang.wei", Role.CUSTOMER, org, display_name="张伟", email="zhang.wei@yunfan.example"
    )
    colleague = make_user(
        "li.na", Role.CUSTOMER, org, display_name="李娜", email="li.na@yunfan.example"
    )
    outsider = make_user("wang.qiang", Role.CUSTOMER, other_org, display_name="王强")
    Contact.objects.create(
        organization=org, name="张伟", email="zhang.wei@yunfan.example", user=customer
    )
    Contact.objects.create(
        organization=org, name="李娜", email="li.na@yunfan.example", user=colleague
    )
    Contact.objects.create(organization=other_org, name="王强", user=outsider)
    l1 = make_user("chen.l1", Role.L1, display_name="陈一线")
    l2 = make_user("zhao.l2", Role.L2, display_name="赵二线")
    lead = make_user("sun.lead", Role.LEAD, display_name="孙组长")
    admin = make_user("admin", Role.ADMIN, display_name="管理员")
    l1_team = Team.objects.create(name="一线支持", kind=TeamKind.L1, lead=lead)
    l2_team = Team.objects.create(name="二线支持", kind=TeamKind.L2, lead=lead)
    l1_team.members.add(l1, lead)
    l2_team.members.add(l2, lead)
    erp = Product.objects.create(name="云枢 ERP", code="erp", product_line="企业管理")
    v = ProductVersion.objects.create(product=erp, version="5.2.1")
    product = InstalledProduct.objects.create(
        organization=org, product=erp, version=v, model="标准版"
    )
    other_product = InstalledProduct.objects.create(organization=other_org, product=erp, version=v)
    return Cast(
        org=org, other_org=other_org, customer=customer, colleague=colleague, outsider=outsider,
        l1=l1, l2=l2, lead=lead, admin=admin, l1_team=l1_team, l2_team=l2_team,
        product=product, other_product=other_product,
    )  # fmt: skip


def upload(name: str = "screenshot.png", content: bytes = b"\x89PNG\r\n\x1a\n" + b"0" * 64,
           content_type: str = "image/png") -> SimpleUploadedFile:  # fmt: skip
    return SimpleUploadedFile(name, content, content_type=content_type)


def big_upload(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, io.BytesIO(b"x" * size).getvalue(), content_type="text/plain")


def database_url_for_subprocesses() -> str:
    """The test database as a DATABASE_URL, for tests that start other processes on it."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{s['NAME']}"


# --- the worker's queue in tests --------------------------------------------------------
# Jobs normally run inline in tests; the ``queued_jobs`` fixture (conftest) sends them to the
# real queue (a SQLite file) instead, until ``run_worker`` runs them as the worker would.


def queued_task_names() -> list[str]:
    from huey.contrib.djhuey import HUEY

    return [HUEY.deserialize_task(item).name for item in HUEY.storage.enqueued_items()]


def run_worker() -> None:
    from huey.contrib.djhuey import HUEY

    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
