"""Demo data: the support desk of 云枢软件, a Chinese business-software company.

``load_demo_data()`` fills an empty database with customer organizations (manufacturing,
logistics, a hospital, a bank, a school, retail...), their contacts and installed products,
the support teams and their engineers, and a few hundred tickets spread over the last 60
days in every status and channel, drawn from the guides' situations (``demo_scenarios``).

Tickets are made the way people make them: every change goes through ``tickets.actions``
(so numbers, timelines and their hash chains are real), with the clock set to the moment of
each step by ``time_machine``. The timing follows the desk's own rules: a fix nobody answers
closes as "no response" after ``AUTO_CLOSE_DAYS``, closed tickets are archived after
``AUTO_ARCHIVE_DAYS``, so the worker finds the data consistent when it starts.

The same ``seed`` and ``now`` give the same data. Loading is skipped when tickets exist.
``time_machine`` moves the clock of the whole process, so load where nothing else runs:
``supportdesk demo`` loads before it starts the web server and the worker.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.choices import Role, TeamKind
from supportdesk.accounts.models import Team, User
from supportdesk.core.demo_scenarios import SCENARIOS, Scenario
from supportdesk.core.history import announce_written, replaying_history
from supportdesk.core.memo import lookups_shared
from supportdesk.crm.choices import CustomerTier
from supportdesk.crm.models import Contact, InstalledProduct, Organization, Product, ProductVersion
from supportdesk.intake.models import Mailbox
from supportdesk.knowledge import demo as knowledge_demo
from supportdesk.routing import demo as routing_demo
from supportdesk.tickets import actions
from supportdesk.tickets.choices import CallDirection, Channel, CloseReason, Status
from supportdesk.tickets.models import Category, Priority, Ticket
from supportdesk.tickets.signals import announced_in_process
from supportdesk.tickets.tasks import system_label

# Printed by ``supportdesk demo``: a demo's passwords are public by design.
DEMO_MAILBOX = "support@yunshu-soft.example"
DEMO_PASSWORD = "supportdesk-demo"  # noqa: S105 - public on purpose
DEFAULT_SEED = 20261123
HISTORY_DAYS = 60


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    sees: str


DEMO_LOGINS = (
    DemoLogin("customer", "liu.yang", "刘洋", "华东精密制造 IT: only their organization's tickets"),
    DemoLogin("L1 engineer", "chen.jing", "陈静", "一线支持: every ticket, works the L1 queue"),
    DemoLogin("L2 engineer", "zhao.lei", "赵磊", "二线支持: escalated tickets"),
    DemoLogin("team lead", "sun.li", "孙丽", "leads 一线支持 and 二线支持"),
    DemoLogin("manager", "qian.jun", "钱军", "support manager"),
    DemoLogin("admin", "admin", "系统管理员", "everything, including /admin/"),
)

# --- the company and its customers ------------------------------------------------------

PRODUCTS = (
    # code, name, product line, versions (version, release date)
    ("erp", "云枢 ERP", "企业管理",
     (("5.0", "2025-03-18"), ("5.1", "2025-09-22"), ("5.2", "2026-04-15"))),
    ("srm", "智采 SRM", "供应链", (("3.4", "2025-08-01"), ("3.5", "2026-05-20"))),
    ("report", "报表中心", "数据分析", (("2.8", "2025-06-30"), ("3.0", "2026-03-10"))),
    ("mobile", "移动审批 App", "移动办公", (("4.2", "2026-01-15"), ("4.3", "2026-08-28"))),
    ("dip", "数据集成平台", "数据中台", (("1.6", "2025-07-07"), ("2.0", "2026-06-18"))),
    ("pda", "仓储手持终端 HT-520", "硬件", (("固件 2.3", "2025-11-01"),)),
)  # fmt: skip

# name, tier, industry, email domain, phone, address, contacts, installations
# contact: (name, department, title, phone, mailbox (also the login name), has a login)
# installation: (product code, version, model, purchase date)
ORGANIZATIONS = (
    ("华东精密制造股份有限公司", CustomerTier.KEY, "制造业", "hdjm.example", "0512-6688 1200",
     "江苏省苏州市工业园区星湖街 218 号",
     (("刘洋", "信息部", "IT 主管", "13812601234", "liu.yang", True),
      ("孙婷", "财务部", "总账会计", "13915602345", "sun.ting", True),
      ("郭强", "仓储部", "仓库主管", "13771603456", "guo.qiang", False)),
     (("erp", "5.2", "集团版", "2023-06-12"), ("srm", "3.5", "企业版", "2024-03-01"),
      ("report", "3.0", "企业版", "2023-06-12"), ("pda", "固件 2.3", "HT-520", "2024-09-20"))),
    ("顺达物流集团有限公司", CustomerTier.VIP, "物流", "sdwl.example", "021-5088 7700",
     "上海市浦东新区航城路 66 号",
     (("王芳", "信息部", "系统管理员", "13601827788", "wang.fang", True),
      ("高峰", "运营中心", "调度经理", "13761828899", "gao.feng", True),
      ("何丽", "财务部", "财务专员", "13917829900", "he.li", False),
      ("蒋伟", "仓储部", "仓库经理", "13585820011", "jiang.wei", False)),
     (("erp", "5.1", "集团版", "2022-11-08"), ("dip", "2.0", "企业版", "2024-01-15"),
      ("mobile", "4.3", "标准版", "2024-05-30"), ("pda", "固件 2.3", "HT-520", "2024-09-02"))),
    ("杭州仁和医院", CustomerTier.VIP, "医疗卫生", "rhyy.example", "0571-8709 3000",
     "浙江省杭州市西湖区文三路 99 号",
     (("陈晓", "信息科", "工程师", "13588713344", "chen.xiao", True),
      ("林静", "财务科", "科长", "13958714455", "lin.jing", True),
      ("马骏", "设备科", "采购员", "13867715566", "ma.jun", False)),
     (("erp", "5.2", "企业版", "2024-02-20"), ("report", "3.0", "企业版", "2024-02-20"),
      ("mobile", "4.3", "标准版", "2024-08-01"))),
    ("江南商业银行股份有限公司", CustomerTier.KEY, "金融", "jnbank.example", "025-8432 6000",
     "江苏省南京市建邺区江东中路 1 号",
     (("周杰", "科技部", "运维主管", "13913846677", "zhou.jie", True),
      ("吴倩", "运营管理部", "业务经理", "13705847788", "wu.qian", False)),
     (("dip", "2.0", "企业版", "2023-09-10"), ("report", "2.8", "企业版", "2023-09-10"),
      ("mobile", "4.2", "标准版", "2025-01-06"))),
    ("明德实验学校", CustomerTier.STANDARD, "教育", "mdsy.example", "010-6233 5500",
     "北京市海淀区学院路 12 号",
     (("黄磊", "信息中心", "主任", "13501095566", "huang.lei", True),
      ("赵敏", "财务处", "出纳", "13911096677", "zhao.min", True)),
     (("erp", "5.0", "标准版", "2023-03-15"), ("mobile", "4.2", "标准版", "2025-02-18"))),
    ("优选连锁超市有限公司", CustomerTier.STANDARD, "零售", "yxcs.example", "020-3866 4400",
     "广东省广州市天河区天河北路 300 号",
     (("郑浩", "信息部", "信息经理", "13802204433", "zheng.hao", True),
      ("钱蕾", "采购部", "采购主管", "13926205544", "qian.lei", True),
      ("许刚", "仓储部", "配送中心主管", "13631206655", "xu.gang", False)),
     (("erp", "5.1", "企业版", "2023-10-09"), ("srm", "3.4", "标准版", "2024-04-22"),
      ("report", "2.8", "标准版", "2023-10-09"), ("pda", "固件 2.3", "HT-520", "2025-03-03"))),
    ("新能动力汽车零部件有限公司", CustomerTier.KEY, "汽车零部件制造", "xndl.example",
     "0574-8788 2100",
     "浙江省宁波市北仑区新碶街道明州路 88 号",
     (("冯涛", "信息部", "ERP 负责人", "13867427788", "feng.tao", True),
      ("曹雪", "采购部", "采购工程师", "13957428899", "cao.xue", True),
      ("邓超", "质量部", "质量经理", "13736429900", "deng.chao", False)),
     (("erp", "5.2", "集团版", "2024-06-18"), ("srm", "3.5", "企业版", "2024-06-18"),
      ("dip", "1.6", "标准版", "2024-06-18"))),
    ("西岭能源集团有限公司", CustomerTier.STANDARD, "能源", "xlny.example", "028-8555 3300",
     "四川省成都市高新区天府大道 1200 号",
     (("彭宇", "信息中心", "系统工程师", "13880283344", "peng.yu", True),
      ("谢娜", "财务部", "费用会计", "13908284455", "xie.na", False)),
     (("erp", "5.1", "集团版", "2022-08-26"), ("report", "3.0", "企业版", "2024-11-11"),
      ("mobile", "4.3", "标准版", "2025-04-07"))),
)  # fmt: skip

# username, display name, role, teams (by kind)
STAFF = (
    ("chen.jing", "陈静", Role.L1, (TeamKind.L1,)),
    ("wu.hao", "吴昊", Role.L1, (TeamKind.L1,)),
    ("zhou.min", "周敏", Role.L1, (TeamKind.L1,)),
    ("zhao.lei", "赵磊", Role.L2, (TeamKind.L2,)),
    ("huang.tao", "黄涛", Role.L2, (TeamKind.L2,)),
    ("sun.li", "孙丽", Role.LEAD, (TeamKind.L1, TeamKind.L2)),
    ("lin.feng", "林峰", Role.L2, (TeamKind.RND,)),
    ("song.yang", "宋扬", Role.L2, (TeamKind.RND,)),
    ("he.yu", "何宇", Role.L2, (TeamKind.OPS,)),
    ("ma.chao", "马超", Role.L2, (TeamKind.VENDOR,)),
    ("qian.jun", "钱军", Role.MANAGER, ()),
    ("admin", "系统管理员", Role.ADMIN, ()),
)
STAFF_DOMAIN = "yunshu-soft.example"

# name, kind, lead, description
TEAMS = (
    ("一线支持", TeamKind.L1, "sun.li", "受理、初步诊断与常见问题解决（L1）"),
    ("二线支持", TeamKind.L2, "sun.li", "深入分析与疑难问题（L2）"),
    ("研发", TeamKind.RND, "lin.feng", "产品缺陷修复与需求评估"),
    ("运维", TeamKind.OPS, "he.yu", "服务器、网络、数据库与部署"),
    ("硬件供应商", TeamKind.VENDOR, "ma.chao", "手持终端等硬件的检测与维修"),
)
ESCALATION_TEAM = {
    "l2": TeamKind.L2,
    "rnd": TeamKind.RND,
    "ops": TeamKind.OPS,
    "vendor": TeamKind.VENDOR,
}
TEAM_WORDS = {TeamKind.L2: "二线工程师", TeamKind.RND: "研发团队", TeamKind.OPS: "运维团队",
              TeamKind.VENDOR: "硬件供应商"}  # fmt: skip
RESPONSE_PROMISE = {"P0": "30 分钟", "P1": "2 小时", "P2": "4 个工作小时", "P3": "1 个工作日"}
# How long work takes, relative to a P2, by priority.
PACE = {"P0": 0.12, "P1": 0.4, "P2": 1.0, "P3": 1.6}

# How many tickets end in each status, in parts of the whole.
TARGET_SHARES = (
    (Status.RECEIVED, 4), (Status.DIAGNOSING, 8), (Status.ANALYZING, 6),
    (Status.IMPLEMENTING, 5), (Status.WAITING_CUSTOMER, 6), (Status.RESOLVED, 8),
    (Status.REOPENED, 3), (Status.CLOSED, 30), (Status.ARCHIVED, 30),
)  # fmt: skip
CHANNEL_SHARES = (
    (Channel.PORTAL, 34), (Channel.EMAIL, 20), (Channel.PHONE, 20), (Channel.CHAT, 8),
    (Channel.IM, 8), (Channel.API, 3), (Channel.SOCIAL, 2), (Channel.INTERNAL, 2),
    (Channel.MONITORING, 3),
)  # fmt: skip

# Engineers work office hours on weekdays (local time); P0 and alerts are handled around the clock.
OFFICE_OPENS, OFFICE_CLOSES = dt.time(8, 30), dt.time(19, 0)

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


# --- the desk as built ---------------------------------------------------------------------


@dataclass
class Customer:
    org: Organization
    contacts: list[Contact]
    installs: dict[str, InstalledProduct]


@dataclass
class Desk:
    customers: list[Customer]
    staff: dict[str, User]
    teams: dict[str, Team]  # by kind
    priorities: dict[str, Priority]
    categories: dict[str, Category]

    def members(self, kind: str) -> list[User]:
        return [user for user in self.staff.values() if kind in _staff_teams(user.username)]


def _staff_teams(username: str) -> tuple[str, ...]:
    return next(teams for name, _n, _r, teams in STAFF if name == username)


def _build_desk() -> Desk:
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow by design

    def user(username: str, **fields: object) -> User:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing
        new = User(username=username, password=password, **fields)
        new.save()
        return new

    products: dict[str, Product] = {}
    versions: dict[tuple[str, str], ProductVersion] = {}
    for code, name, line, releases in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            code=code, defaults={"name": name, "product_line": line}
        )
        products[code] = product
        for version, released in releases:
            versions[code, version], _ = ProductVersion.objects.get_or_create(
                product=product,
                version=version,
                defaults={"released_on": dt.date.fromisoformat(released)},
            )

    customers = []
    for index, (name, tier, industry, domain, phone, address, people, installed) in enumerate(
        ORGANIZATIONS
    ):
        org, _ = Organization.objects.get_or_create(
            name=name,
            defaults={"tier": tier, "industry": industry, "email_domains": domain,
                      "phone": phone, "address": address},
        )  # fmt: skip
        contacts = []
        for person, department, title, mobile, mailbox, has_login in people:
            email = f"{mailbox}@{domain}"
            login = None
            if has_login:
                login = user(mailbox, role=Role.CUSTOMER, organization=org, display_name=person,
                             email=email, phone=mobile)  # fmt: skip
            contact, _ = Contact.objects.get_or_create(
                organization=org,
                name=person,
                defaults={"department": department, "title": title, "phone": mobile,
                          "email": email, "user": login},
            )  # fmt: skip
            contacts.append(contact)
        installs = {}
        for serial, (code, version, model, purchased) in enumerate(installed, start=1):
            installs[code], _ = InstalledProduct.objects.get_or_create(
                organization=org,
                product=products[code],
                defaults={
                    "version": versions[code, version],
                    "model": model,
                    "serial_number": f"{code.upper()}-{purchased[:4]}-{index + 1:02d}{serial:03d}",
                    "purchased_on": dt.date.fromisoformat(purchased),
                },
            )
        customers.append(Customer(org=org, contacts=contacts, installs=installs))

    staff = {
        username: user(username, role=role, display_name=display,
                       email=f"{username}@{STAFF_DOMAIN}", is_superuser=role == Role.ADMIN)
        for username, display, role, _teams in STAFF
    }  # fmt: skip
    teams: dict[str, Team] = {}
    for name, kind, lead, description in TEAMS:
        team, _ = Team.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "lead": staff[lead], "description": description,
                      "email": f"{kind}@{STAFF_DOMAIN}"},
        )  # fmt: skip
        team.members.add(*(staff[u] for u, _d, _r, kinds in STAFF if kind in kinds))
        teams[kind] = team
    return Desk(
        customers=customers,
        staff=staff,
        teams=teams,
        priorities={p.code: p for p in Priority.objects.all()},
        categories={c.code: c for c in Category.objects.all()},
    )


# --- planning ----------------------------------------------------------------------------


@dataclass
class Plan:
    """One ticket's fate, decided before anything is written (so the order is by date)."""

    scenario: Scenario
    customer: Customer
    contact: Contact
    channel: str
    target: Status
    created_at: dt.datetime
    end_at: dt.datetime  # when the last step before the post-resolution ones happens
    waits: bool
    escalates: bool
    implements: bool
    reopen_cycle: bool
    raise_priority: bool
    closing: str = ""  # "confirmed" or "no_response"
    resolved_at: dt.datetime | None = None
    reopened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    archived_at: dt.datetime | None = None
    variant: int = 0


def _spread(counts: tuple[tuple[str, int], ...], total: int, rng: random.Random) -> list[str]:
    """Exactly ``total`` values, shares as given, each at least once when total allows."""
    weight = sum(share for _v, share in counts)
    values: list[str] = []
    for value, share in counts:
        values += [value] * max(1 if total >= len(counts) else 0, round(total * share / weight))
    while len(values) < total:
        values.append(counts[-1][0])
    rng.shuffle(values)
    return values[:total]


def _between(rng: random.Random, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    if high <= low:
        return high
    return low + (high - low) * rng.random()


def _plan(desk: Desk, total: int, rng: random.Random, now: dt.datetime) -> list[Plan]:
    targets = _spread(TARGET_SHARES, total, rng)
    floor = now - HISTORY_DAYS * DAY
    close_after = settings.AUTO_CLOSE_DAYS * DAY
    archive_after = settings.AUTO_ARCHIVE_DAYS * DAY
    plans = []
    for target_value in targets:
        target = Status(target_value)
        customer = rng.choice(desk.customers)
        scenario = rng.choice([s for s in SCENARIOS if s.product in customer.installs])
        channel = _pick_channel(scenario, rng)
        with_login = [c for c in customer.contacts if c.user_id]
        contact = rng.choice(
            with_login if channel in (Channel.PORTAL, Channel.API) else customer.contacts
        )
        pace = PACE[scenario.priority]
        work = max(40 * MINUTE, rng.uniform(3, 96) * HOUR * pace)
        plan = Plan(
            scenario=scenario,
            customer=customer,
            contact=contact,
            channel=channel,
            target=target,
            created_at=now,
            end_at=now,
            waits=rng.random() < (0.55 if scenario.attachment else 0.35),
            escalates=bool(scenario.escalate_to) or target == Status.ANALYZING,
            implements=bool(scenario.plan) or rng.random() < 0.4 or target == Status.IMPLEMENTING,
            reopen_cycle=target in (Status.CLOSED, Status.ARCHIVED) and rng.random() < 0.08,
            raise_priority=scenario.priority in ("P0", "P1") and rng.random() < 0.2,
            variant=rng.randrange(len(scenario.subjects)),
        )
        if target == Status.RECEIVED:
            plan.created_at = now - rng.uniform(10, 16 * 60) * MINUTE
            plan.end_at = plan.created_at + min(30 * MINUTE, (now - plan.created_at) / 2)
        elif target in (Status.DIAGNOSING, Status.ANALYZING, Status.IMPLEMENTING,
                        Status.WAITING_CUSTOMER):  # fmt: skip
            plan.created_at = now - work * rng.uniform(0.8, 2.5)
            plan.end_at = plan.created_at + (now - plan.created_at) * rng.uniform(0.5, 0.95)
        elif target == Status.RESOLVED:
            # Office hours may pull steps up to a weekend earlier: stay clear of the auto-close.
            resolved = now - rng.uniform(1, max(2, close_after / HOUR - 72)) * HOUR
            plan.created_at, plan.resolved_at = resolved - work, resolved
        elif target == Status.REOPENED:
            reopened = now - rng.uniform(1, 96) * HOUR
            resolved = reopened - rng.uniform(2, 72) * HOUR
            plan.created_at, plan.resolved_at, plan.reopened_at = (
                resolved - work,
                resolved,
                reopened,
            )
        else:
            plan.closing = "no_response" if rng.random() < 0.22 else "confirmed"
            wait = (
                close_after + rng.uniform(1, 5) * MINUTE
                if plan.closing == "no_response"
                else rng.uniform(0.3, 48) * HOUR
            )
            if target == Status.CLOSED:
                low, high = now - archive_after + 4 * DAY, now - HOUR
            else:
                low, high = floor, now - archive_after - HOUR
            closed = _between(rng, max(low, floor + work + wait + HOUR), high)
            plan.closed_at, plan.resolved_at = closed, closed - wait
            plan.created_at = plan.resolved_at - work
            if target == Status.ARCHIVED:
                plan.archived_at = closed + archive_after + rng.uniform(1, 14) * MINUTE
        if target != Status.RECEIVED and channel != Channel.MONITORING:
            moved = _office_hours(plan.created_at, rng)
            plan.created_at = moved if moved >= floor else plan.created_at
        if plan.resolved_at is not None:
            plan.end_at = plan.resolved_at
        plans.append(plan)
    plans.sort(key=lambda p: p.created_at)
    return plans


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


def _office_hours(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """Most requests arrive during the customer's working day: moves a time back into one."""
    local = _local(moment)
    if rng.random() < 0.15:
        return moment
    if local.time() < OFFICE_OPENS:
        local = (local - DAY).replace(hour=rng.randint(15, 18), minute=rng.randint(0, 59))
    elif local.time() > OFFICE_CLOSES:
        local = local.replace(hour=rng.randint(13, 18), minute=rng.randint(0, 59))
    if local.weekday() >= 5:
        local -= (local.weekday() - 4) * DAY
    return local.astimezone(dt.UTC)


def _next_office_time(
    moment: dt.datetime, rng: random.Random, *, latest: dt.datetime
) -> dt.datetime:
    """The same moment, or the next weekday morning when it falls outside office hours."""
    local = _local(moment)
    if OFFICE_OPENS <= local.time() <= OFFICE_CLOSES and local.weekday() < 5:
        return moment
    if local.time() > OFFICE_CLOSES:
        local += DAY
    local = local.replace(hour=rng.randint(9, 11), minute=rng.randint(0, 59))
    while local.weekday() >= 5:
        local += DAY
    later = local.astimezone(dt.UTC)
    return later if later < latest else moment


def _working_windows(
    start: dt.datetime, end: dt.datetime, around_the_clock: bool
) -> list[tuple[dt.datetime, dt.datetime]]:
    if around_the_clock:
        return [(start, end)]
    zone = ZoneInfo(settings.TIME_ZONE)
    windows = []
    day = _local(start).date()
    while (opens := dt.datetime.combine(day, OFFICE_OPENS, zone)) < end:
        closes = dt.datetime.combine(day, OFFICE_CLOSES, zone)
        low, high = max(opens, start), min(closes, end)
        if high > low and day.weekday() < 5:
            windows.append((low, high))
        day += dt.timedelta(days=1)
    return windows


def _working_moment(windows: list[tuple[dt.datetime, dt.datetime]], fraction: float) -> dt.datetime:
    """The moment ``fraction`` of the way through the working time in ``windows``."""
    left = sum((high - low for low, high in windows), dt.timedelta()) * fraction
    for low, high in windows:
        if left <= high - low:
            return low + left
        left -= high - low
    return windows[-1][1]


def _pick_channel(scenario: Scenario, rng: random.Random) -> str:
    shares = [(c, s) for c, s in CHANNEL_SHARES if c != Channel.MONITORING or scenario.monitored]
    return rng.choices([c for c, _s in shares], weights=[s for _c, s in shares])[0]


# --- playing a plan through the actions ----------------------------------------------------


@contextmanager
def _clock(moment: dt.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield
        announce_written()


@dataclass
class _Story:
    """The steps of one ticket, each run at its own moment of the past."""

    plan: Plan
    desk: Desk
    rng: random.Random
    now: dt.datetime
    ticket: Ticket | None = None
    owner: User | None = None
    main: list[tuple[float, Callable[[], object]]] = field(default_factory=list)

    # -- who says what -----------------------------------------------------------------

    @property
    def customer_user(self) -> User | None:
        return self.plan.contact.user

    @property
    def customer_label(self) -> str:
        return f"{self.plan.contact.name} <{self.plan.contact.email}>"

    @property
    def t(self) -> Ticket:
        assert self.ticket is not None
        return self.ticket

    @property
    def o(self) -> User:
        assert self.owner is not None
        return self.owner

    def customer_says(self, body: str, attachment: str = "") -> None:
        files = [_demo_file(attachment)] if attachment else []
        if self.customer_user is not None:
            actions.do_add_reply(self.t, actor=self.customer_user, body=body, attachments=files)
        else:
            actions.do_add_reply(
                self.t, actor=None, actor_label=self.customer_label, body=body, attachments=files
            )

    def add(self, weight: float, step: Callable[[], object]) -> None:
        self.main.append((weight * self.rng.uniform(0.6, 1.4), step))

    # -- the story ---------------------------------------------------------------------

    def play(self) -> Ticket:
        plan = self.plan
        with _clock(plan.created_at):
            self.ticket = self._create()
        target = plan.target
        if target == Status.RECEIVED:
            if self.rng.random() < 0.5:
                self.add(1, lambda: actions.do_assign(
                    self.t, actor=self.desk.staff["sun.li"], team=self.desk.teams[TeamKind.L1],
                    assignee=None, note="请一线值班同事尽快受理。"))  # fmt: skip
        else:
            self._pickup()
            if target == Status.WAITING_CUSTOMER:
                self._ask_customer(answered=False)
            elif target == Status.DIAGNOSING:
                if plan.waits:
                    self._ask_customer(answered=True)
            else:
                if plan.waits:
                    self._ask_customer(answered=True)
                if plan.escalates:
                    self._escalate()
                if target != Status.ANALYZING:
                    if plan.implements:
                        self._implement()
                    if target != Status.IMPLEMENTING:
                        self._resolve()
                        if plan.reopen_cycle:
                            self._reopen_and_fix()
        self._run_main()
        self._finish()
        return self.t

    def _run_main(self) -> None:
        """Runs the steps in order, spread over the working time between creation and end."""
        plan = self.plan
        windows = _working_windows(plan.created_at, plan.end_at, plan.scenario.priority == "P0")
        working = sum((high - low for low, high in windows), dt.timedelta())
        if working < HOUR:
            windows = [(plan.created_at, plan.end_at)]
        total = sum(weight for weight, _step in self.main) or 1
        elapsed = 0.0
        for weight, step in self.main:
            elapsed += weight
            with _clock(_working_moment(windows, elapsed / total)):
                step()

    def _create(self) -> Ticket:
        plan, scenario, desk, rng = self.plan, self.scenario, self.desk, self.rng
        install = plan.customer.installs[scenario.product]
        subject = scenario.subjects[plan.variant]
        priority_code = scenario.priority
        if plan.raise_priority:
            priority_code = {"P0": "P1", "P1": "P2"}[priority_code]
        description = scenario.description
        if plan.channel == Channel.MONITORING:
            subject = f"【监控告警】{subject}"
            local = plan.created_at.astimezone(ZoneInfo(settings.TIME_ZONE))
            description = (
                f"Zabbix 告警：{scenario.subjects[0]}\n告警级别：严重\n"
                f"触发时间：{local:%Y-%m-%d %H:%M}\n主机：app-node-02（{plan.customer.org.name}）"
                "\n\n请值班工程师确认影响范围并联系客户。"
            )
        version = install.version.version if install.version else ""
        draft = actions.NewTicket(
            subject=subject,
            description=description,
            type=scenario.type,
            category=desk.categories.get(scenario.category),
            priority=desk.priorities.get(priority_code),
            channel=plan.channel,
            organization=plan.customer.org,
            contact=plan.contact,
            installed_product=install,
            occurred_at=plan.created_at - rng.uniform(5, 180) * MINUTE,
            frequency=scenario.frequency,
            reproducibility=scenario.reproducibility,
            env_os=rng.choice(scenario.env_os) if scenario.env_os else "",
            env_software_version=f"{install.product.name} {version}".strip(),
            env_browser=rng.choice(scenario.env_browser) if scenario.env_browser else "",
            env_network=rng.choice(scenario.env_network) if scenario.env_network else "",
            env_hardware=scenario.env_hardware,
            steps_tried=scenario.steps_tried,
        )
        l1 = rng.choice(desk.members(TeamKind.L1))
        channel = plan.channel
        if channel in (Channel.PORTAL, Channel.API):
            if channel == Channel.API:
                draft.source = "OA 系统对接（API）"
            return actions.do_create_ticket(draft, actor=self.customer_user)
        if channel == Channel.EMAIL:
            draft.source = plan.contact.email
            return actions.do_create_ticket(draft, actor=None, actor_label=self.customer_label)
        if channel == Channel.PHONE:
            return actions.do_create_ticket_from_call(
                draft,
                actor=l1,
                summary=f"{plan.contact.name}（{plan.contact.department}）来电：{subject}。"
                "已核实身份与联系方式，告知工单号和预计响应时间。",
                phone_number=plan.contact.phone,
                duration_seconds=rng.randint(120, 900),
            )
        if channel == Channel.MONITORING:
            draft.source = "Zabbix 告警"
            return actions.do_create_ticket(draft, actor=None, actor_label="Zabbix 监控")
        sources: dict[str, str] = {
            Channel.CHAT: "在线客服",
            Channel.IM: rng.choice(["钉钉服务群", "企业微信"]),
            Channel.SOCIAL: "微信公众号留言",
            Channel.INTERNAL: "内部测试环境",
        }
        draft.source = sources.get(channel, "")
        return actions.do_create_ticket(draft, actor=l1)

    @property
    def scenario(self) -> Scenario:
        return self.plan.scenario

    def _pickup(self) -> None:
        desk, rng, scenario = self.desk, self.rng, self.scenario
        l1 = rng.choice([u for u in desk.members(TeamKind.L1) if u.role == Role.L1])
        lead = desk.staff["sun.li"]
        self.owner = l1
        assigner = lead if rng.random() < 0.5 else l1
        self.add(0.4, lambda: actions.do_assign(
            self.t, actor=assigner, team=desk.teams[TeamKind.L1], assignee=l1))  # fmt: skip
        self.add(0.05, lambda: actions.do_transition(self.t, actor=l1, to=Status.DIAGNOSING))
        promise = RESPONSE_PROMISE[scenario.priority]
        self.add(0.05, lambda: actions.do_add_reply(
            self.t, actor=l1,
            body=f"您好，已收到您反馈的问题（工单号 {self.t.number}），我们正在排查，"
                 f"预计 {promise} 内给您反馈。"))  # fmt: skip
        if self.plan.raise_priority:
            self.add(0.1, lambda: actions.do_update_fields(
                self.t, actor=l1, changes={"priority": desk.priorities[scenario.priority]},
                reason="影响核心业务流程，按业务影响上调优先级。"))  # fmt: skip
        self.add(0.1, lambda: actions.do_update_fields(
            self.t, actor=l1, changes={"classification": scenario.classification}))  # fmt: skip
        for action, result in scenario.checks:
            self.add(0.7, partial(actions.do_record_step, self.t, actor=l1, action=action,
                                  result=result, is_public=False))  # fmt: skip

    def _ask_customer(self, *, answered: bool) -> None:
        owner = self.o  # who holds it now, not when the step runs
        scenario = self.scenario
        self.add(0.5, lambda: actions.do_transition(
            self.t, actor=owner, to=Status.WAITING_CUSTOMER, reason=scenario.ask))  # fmt: skip
        if answered:
            self.add(3, lambda: self.customer_says(scenario.answer, scenario.attachment))

    def _escalate(self) -> None:
        desk, rng, scenario = self.desk, self.rng, self.scenario
        kind = ESCALATION_TEAM[scenario.escalate_to or "l2"]
        team = desk.teams[kind]
        engineer = rng.choice([u for u in desk.members(kind) if u.role != Role.LEAD])
        note = scenario.escalation_note or (
            "升级说明：基础检查已完成（"
            + "；".join(result for _a, result in scenario.checks)
            + "），需二线进一步分析。"
        )
        escalator = self.o
        self.add(0.6, lambda: actions.do_assign(
            self.t, actor=escalator, team=team, assignee=engineer, note=note))  # fmt: skip
        self.owner = engineer
        promise = RESPONSE_PROMISE[scenario.priority]
        self.add(0.1, lambda: actions.do_add_reply(
            self.t, actor=escalator,
            body=f"您好，该问题需要{TEAM_WORDS[kind]}进一步分析，我们已升级处理，"
                 f"预计 {promise} 内反馈排查结果。"))  # fmt: skip
        self.add(0.4, lambda: actions.do_transition(self.t, actor=engineer, to=Status.ANALYZING))
        analysis = scenario.analysis or (
            ("复核一线排查记录并在测试环境复现", "已复现，定位到配置问题"),
        )
        for action, result in analysis:
            self.add(1.5, partial(actions.do_record_step, self.t, actor=engineer, action=action,
                                  result=result))  # fmt: skip
        if self.rng.random() < 0.5:
            self.add(0.3, lambda: actions.do_add_note(
                self.t, actor=engineer,
                body="已在测试环境复现，原因基本确认，方案评审后同步客户。"))  # fmt: skip

    def _implement(self) -> None:
        owner = self.o  # who holds it now, not when the step runs
        scenario = self.scenario
        if scenario.plan:
            self.add(1, lambda: actions.do_add_reply(
                self.t, actor=owner,
                body=f"您好，处理方案与注意事项如下：{scenario.plan}"))  # fmt: skip
        self.add(0.2, lambda: actions.do_transition(self.t, actor=owner, to=Status.IMPLEMENTING))
        lines = scenario.solution.splitlines()
        first_step = next((line for line in lines if line.startswith("1.")), lines[0])
        self.add(1, lambda: actions.do_record_step(
            self.t, actor=owner, action=f"按方案实施：{first_step}", result="已完成",
            is_public=True))  # fmt: skip

    def _resolve(self) -> None:
        owner = self.o  # who holds it now, not when the step runs
        scenario = self.scenario
        if scenario.root_cause:
            self.add(0.3, lambda: actions.do_update_fields(
                self.t, actor=owner, changes={"root_cause": scenario.root_cause}))  # fmt: skip
        self.add(0.5, lambda: actions.do_transition(
            self.t, actor=owner, to=Status.RESOLVED, solution=scenario.solution,
            result=scenario.result))  # fmt: skip
        self.add(0.01, lambda: actions.do_add_reply(self.t, actor=owner, body=scenario.verify))

    def _reopen_and_fix(self) -> None:
        owner = self.o  # who holds it now, not when the step runs
        scenario = self.scenario
        self.add(2, self._customer_reopens)
        self.add(0.3, lambda: actions.do_transition(self.t, actor=owner, to=Status.DIAGNOSING))
        self.add(1, lambda: actions.do_record_step(
            self.t, actor=owner, action="复查复发原因",
            result="上次处理遗漏了一台节点，已补充处理"))  # fmt: skip
        self.add(0.5, lambda: actions.do_transition(
            self.t, actor=owner, to=Status.RESOLVED,
            solution=scenario.solution + "\n（复发后补充：已对全部节点执行上述步骤。）",
            result=scenario.result))  # fmt: skip
        self.add(0.01, lambda: actions.do_add_reply(self.t, actor=owner, body=scenario.verify))

    def _customer_reopens(self) -> None:
        if self.customer_user is not None:
            actions.do_reopen(self.t, actor=self.customer_user, reason=self.scenario.reopen)
        else:
            actions.do_log_call(
                self.t, actor=self.o, direction=CallDirection.INBOUND,
                summary=f"{self.plan.contact.name}来电：{self.scenario.reopen}",
                phone_number=self.plan.contact.phone, duration_seconds=self.rng.randint(60, 400),
            )  # fmt: skip
            actions.do_reopen(self.t, actor=self.o, reason=f"客户来电反馈：{self.scenario.reopen}")

    def _finish(self) -> None:
        """The steps after the fix, timed from when it actually happened (as the worker would)."""
        plan = self.plan
        if plan.reopened_at is not None:
            with _clock(plan.reopened_at):
                self._customer_reopens()
        if plan.closed_at is None:
            return
        latest = self.now
        if plan.archived_at is not None:
            latest -= settings.AUTO_ARCHIVE_DAYS * DAY + 10 * MINUTE
        closed_at = _next_office_time(plan.closed_at, self.rng, latest=latest)
        if plan.closing == "no_response":
            resolved_at = Ticket.objects.values_list("resolved_at", flat=True).get(pk=self.t.pk)
            assert resolved_at is not None
            closed_at = resolved_at + settings.AUTO_CLOSE_DAYS * DAY + self._job_delay()
        with _clock(closed_at):
            self._close()
        if plan.archived_at is not None:
            archived_at = closed_at + settings.AUTO_ARCHIVE_DAYS * DAY + self._job_delay()
            with _clock(archived_at):
                actions.do_transition(
                    self.t, actor=None, to=Status.ARCHIVED, actor_label=system_label()
                )

    def _job_delay(self) -> dt.timedelta:
        # The sweeps run every few minutes, not at the exact second.
        return self.rng.uniform(0.5, 5) * MINUTE

    def _close(self) -> None:
        if self.plan.closing == "no_response":
            actions.do_transition(
                self.t, actor=None, to=Status.CLOSED, close_reason=CloseReason.NO_RESPONSE,
                actor_label=system_label(),
            )  # fmt: skip
        elif self.customer_user is not None and self.rng.random() < 0.8:
            actions.do_confirm_resolution(
                self.t, actor=self.customer_user, comment=self.scenario.confirm
            )
        else:
            actions.do_log_call(
                self.t, actor=self.o, direction=CallDirection.OUTBOUND,
                summary=f"回访{self.plan.contact.name}：{self.scenario.confirm}",
                phone_number=self.plan.contact.phone, duration_seconds=self.rng.randint(60, 300),
            )  # fmt: skip
            actions.do_confirm_resolution(self.t, actor=self.o, comment=self.scenario.confirm)


# --- files customers send ------------------------------------------------------------------


def _png(width: int = 160, height: int = 90) -> bytes:
    """A small real PNG (a grey screenshot placeholder with a red error bar)."""
    rows = b""
    for y in range(height):
        colour = b"\xd9\x3a\x3a" if 30 <= y < 42 else b"\xee\xee\xee"
        rows += b"\x00" + colour * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def _demo_file(name: str) -> SimpleUploadedFile:
    if name.endswith(".png"):
        return SimpleUploadedFile(name, _png(), content_type="image/png")
    if name.endswith(".csv"):
        # Saved by Excel in GBK, which is the point of the garbled-import case.
        text = (
            "供应商编码,供应商名称,联系人\nS0001,华东精密配件厂,王建国\nS0002,宁波恒力五金,李红\n"
        )
        return SimpleUploadedFile(name, text.encode("gbk"), content_type="text/csv")
    if name.endswith(".json"):
        body = '{"orderNo": "SO20261015-0031", "lines": 312, "customer": "C-0087"}\n'
        return SimpleUploadedFile(name, body.encode(), content_type="application/json")
    log = (
        "2026-10-15 08:58:02,113 WARN  [auth] token rejected: TOKEN_EXPIRED iat=1760490000\n"
        "2026-10-15 08:58:02,114 ERROR [sync] task 88412 failed: material code not found\n"
    )
    return SimpleUploadedFile(name, log.encode(), content_type="text/plain")


# --- entry point ---------------------------------------------------------------------------


def load_demo_data(
    *,
    tickets: int = 300,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fills an empty desk with demo data; returns the number of tickets made (0 if skipped).

    Runs in one transaction: a failure leaves the database as it was, and a second run
    (tickets exist) does nothing.
    """
    if Ticket.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    # Events are announced here, not queued for the worker, so every demo ticket shows its
    # SLA clocks from the first page served; one burst of work, so SLA policies and
    # calendars are read once, not per replayed event.
    with replaying_history(), lookups_shared(), announced_in_process(), transaction.atomic():
        desk = _build_desk()
        plans = _plan(desk, tickets, rng, now)
        for done, plan in enumerate(plans, start=1):
            _Story(plan=plan, desk=desk, rng=rng, now=now).play()
            if progress is not None and (done % 50 == 0 or done == len(plans)):
                progress(done, len(plans))
        knowledge_demo.load_demo(now=now)
        routing_demo.load_demo()
        announce_written()
        _demo_mailbox(desk)
    return len(plans)


def _demo_mailbox(desk: Desk) -> None:
    """The support address the demo's SMTP ingress takes mail for (``supportdesk demo``)."""
    Mailbox.objects.get_or_create(
        address=DEMO_MAILBOX,
        defaults={
            "name": "技术支持邮箱",
            "team": desk.teams[TeamKind.L1],
            "default_priority": desk.priorities["P2"],
            "is_default": True,
        },
    )
