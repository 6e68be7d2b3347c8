#!/usr/bin/env python
"""Search benchmark (issue 5): latency, indexing rate and relevance at scale.

Usage (from the project root, after ``bench/seed.py`` filled the database with tickets)::

    python bench/search_bench.py --database-url URL [--articles 10000] [--repeat 5]
        [--incremental 2000] [--skip-rebuild] [--out FILE.json]

Steps, each timed:

1. Adds the labelled set of the tests (``search/tests/relevance_data.py``: 20-odd articles
   and tickets, 60+ queries with their relevant results) through the product's actions, once.
2. Tops the articles up to ``--articles`` with generated ones (``bulk_create``: seeding) built
   from the demo knowledge base's articles, so the labelled articles compete with thousands of
   similar ones.
3. Rebuilds the whole index with ``search.documents.rebuild()`` (what ``supportdesk reindex``
   runs): documents per second.
4. Incremental indexing, the live path after a burst of ``--incremental`` new tickets: each
   change marks its ticket, one worker job drains them all (see ``incremental``): tickets per
   second.
5. Every labelled query ``--repeat`` times through ``search.service.search`` as an agent
   (the search page's call, limit 30): median and 95th percentile over all samples, and
   recall@5 and MRR of the first run against the labels.

Single process, in-process calls (no HTTP): the search's own cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from seed import setup_django  # noqa: E402

LABEL_SOURCE = "bench-labelled"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def agent_and_customer() -> tuple[Any, Any]:
    from supportdesk.accounts.models import User

    agent = User.objects.filter(username="bench.l1a").first()
    customer = User.objects.filter(username="cust001").first()
    if agent is None or customer is None:
        raise SystemExit("seed the database with bench/seed.py first")
    return agent, customer


def add_labelled_set(
    agent: Any, customer: Any
) -> tuple[dict[tuple[str, int], str], dict[str, str]]:
    """The tests' labelled articles and tickets, created once through the actions."""
    from supportdesk.accounts.models import Team
    from supportdesk.knowledge.actions import do_create_article
    from supportdesk.knowledge.models import Article
    from supportdesk.search.choices import DocKind
    from supportdesk.search.tests.relevance_data import ARTICLES, TICKETS
    from supportdesk.tickets.actions import NewTicket, do_assign, do_create_ticket, do_transition
    from supportdesk.tickets.choices import ResolutionResult, Status
    from supportdesk.tickets.models import Ticket

    keys: dict[tuple[str, int], str] = {}
    numbers: dict[str, str] = {}
    existing = {a.title: a for a in Article.objects.filter(problem_type=LABEL_SOURCE)}
    for name, values in ARTICLES.items():
        article = existing.get(str(values["title"]))
        if article is None:
            article = do_create_article(
                {**values, "problem_type": LABEL_SOURCE}, actor=agent, note=LABEL_SOURCE
            )
        keys[(DocKind.ARTICLE, article.pk)] = f"A:{name}"
    team = Team.objects.filter(members=agent).first()
    tickets = {t.subject: t for t in Ticket.objects.filter(source=LABEL_SOURCE)}
    for name, ticket_values in TICKETS.items():
        fields = dict(ticket_values)
        solution = str(fields.pop("solution", ""))
        ticket = tickets.get(str(fields["subject"]))
        if ticket is None:
            ticket = do_create_ticket(
                NewTicket(
                    subject=str(fields["subject"]),
                    description=str(fields["description"]),
                    organization=customer.organization,
                    source=LABEL_SOURCE,
                ),
                actor=customer,
            )
            if solution:
                do_assign(ticket, actor=agent, team=team, assignee=agent)
                do_transition(ticket, actor=agent, to=Status.DIAGNOSING)
                do_transition(
                    ticket, actor=agent, to=Status.RESOLVED, solution=solution,
                    result=ResolutionResult.SOLVED,
                )  # fmt: skip
        keys[(DocKind.TICKET, ticket.pk)] = f"T:{name}"
        numbers[f"T:{name}"] = ticket.number
    return keys, numbers


MODULES = (
    "采购订单", "销售出库", "总账凭证", "库存盘点", "工资核算", "固定资产", "应收对账", "应付付款",
    "生产工单", "质检报告", "客户档案", "供应商", "费用报销", "合同管理", "预算控制", "物流跟踪",
    "会员积分", "门店收银", "电子发票", "审批流程", "排班考勤", "设备巡检", "项目成本", "仓位调拨",
)  # fmt: skip
ACTIONS = ("保存", "审核", "反审核", "提交", "查询", "批量修改", "复制", "作废", "关账", "引入")
SYMPTOMS = (
    "提示字段校验不通过", "金额四舍五入与明细合计差一分", "状态没有更新", "附件上传后看不到",
    "流程停在某个节点不动", "日期显示成 1970 年", "重复生成两张单据", "数量单位换算错误",
    "权限列表加载不全", "汇率取数不对", "序号不连续", "默认值被清空",
)  # fmt: skip
PRODUCTS = ("云枢 ERP", "智采 SRM", "报表中心", "移动审批 App", "数据集成平台", "HT-520")


def top_up_articles(target: int, owner: Any) -> int:
    """Generated articles up to ``target`` in all: module × action × symptom × product, each a
    distinct (if formulaic) problem in the guides' structure, competing with the labelled
    articles on shared words (保存, 提示, 权限, 打印...)."""
    from supportdesk.knowledge.models import Article

    have = Article.objects.count()
    batch: list[Article] = []
    made = 0
    for i in range(have, target):
        module = MODULES[i % len(MODULES)]
        action = ACTIONS[(i // len(MODULES)) % len(ACTIONS)]
        symptom = SYMPTOMS[(i // (len(MODULES) * len(ACTIONS))) % len(SYMPTOMS)]
        product = PRODUCTS[i % len(PRODUCTS)]
        version = f"{1 + i % 6}.{i % 10}.{i % 7}"
        title = f"{module}{action}时{symptom}"
        body = (
            f"## 问题描述\n\n在 {product} {version} 中{action}{module}时{symptom}。\n\n"
            f"## 原因分析\n\n{module}的{action}逻辑在该版本存在已知问题，或相关参数配置不当。\n\n"
            f"## 解决步骤\n\n1. 检查{module}相关参数\n2. 升级到最新补丁\n"
            f"3. 重新{action}并核对结果\n\n案例编号 KB-{i:06d}。"
        )
        batch.append(
            Article(
                title=title,
                body=body,
                problem_type=f"{module}问题",
                category=["configuration", "feature", "environment", "data"][i % 4],
                applicable_versions=version,
                keywords=f"{module} {action} {product}",
                is_public=i % 3 != 0,
                owner=owner,
            )
        )
        if len(batch) == 1000:
            Article.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    Article.objects.bulk_create(batch)
    return made + len(batch)


def analyze_db() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def incremental(n: int) -> dict[str, Any]:
    """The live path on the ``n`` newest tickets, as after a burst of new tickets: each change
    marks its ticket pending (``request_ticket_index``, the receiver's call, with the queue
    in its real store), then the one queued job drains them (``index_pending_tickets``, run
    as the worker runs it). Twice: with the segmentation cache as it is after the rebuild,
    and without the cache (every Chinese run segmented again: text that never repeats).
    Also the former path, one ``index_ticket`` per ticket, on a tenth of them."""
    from huey.contrib.djhuey import HUEY

    from supportdesk.search import analysis, tasks
    from supportdesk.search.documents import index_ticket
    from supportdesk.search.models import PendingTicket
    from supportdesk.tickets.models import Ticket

    ids = list(Ticket.objects.order_by("-id").values_list("id", flat=True)[:n])
    out: dict[str, Any] = {}
    cached = analysis._cjk_run_tokens
    HUEY.immediate = False
    try:
        for label, segment in (("cache", cached), ("no_cache", cached.__wrapped__)):
            analysis._cjk_run_tokens = segment  # type: ignore[assignment]
            HUEY.flush()
            t0 = time.perf_counter()
            for pk in ids:
                tasks.request_ticket_index(pk)
            marked = time.perf_counter() - t0
            jobs = HUEY.pending_count()
            t0 = time.perf_counter()
            while (task := HUEY.dequeue()) is not None:
                HUEY.execute(task)
            drained = time.perf_counter() - t0
            assert not PendingTicket.objects.exists()
            out[label] = {
                "tickets": len(ids),
                "queued_jobs": jobs,
                "mark_ms_per_ticket": round(marked / len(ids) * 1000, 2),
                "drain_s": round(drained, 2),
                "per_s": round(len(ids) / drained, 1),
            }
    finally:
        analysis._cjk_run_tokens = cached  # type: ignore[assignment]
        HUEY.flush()
        HUEY.immediate = True
    single = ids[: max(1, n // 10)]
    t0 = time.perf_counter()
    for pk in single:
        index_ticket(pk)
    out["one_job_per_ticket"] = {
        "tickets": len(single), "per_s": round(len(single) / (time.perf_counter() - t0), 1)
    }  # fmt: skip
    out["load"] = os.getloadavg()
    return out


def run_queries(
    agent: Any, keys: dict[tuple[str, int], str], numbers: dict[str, str], repeat: int
) -> dict[str, Any]:
    from supportdesk.search.service import search
    from supportdesk.search.tests.relevance_data import QUERIES

    samples: list[float] = []
    cpu: list[float] = []  # this process's CPU: SQLite's whole cost, PostgreSQL's client side
    per_query: list[dict[str, Any]] = []
    recalls: list[float] = []
    reciprocal: list[float] = []
    for raw, relevant in QUERIES:
        query = raw
        for key, number in numbers.items():
            query = query.replace("{" + key + "}", number)
        times = []
        found: list[str | None] = []
        for r in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            hits = search(query, user=agent, limit=30)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            if r == 0:
                found = [keys.get((h.kind, h.object_id)) for h in hits]
        samples += times
        top5 = found[:5]
        recalls.append(len(set(relevant) & set(top5)) / len(relevant))
        rank = next((i + 1 for i, key in enumerate(found) if key in relevant), None)
        reciprocal.append(1 / rank if rank else 0.0)
        per_query.append(
            {"query": raw, "median_ms": round(statistics.median(times), 1), "rank": rank}
        )
    return {
        "queries": len(QUERIES),
        "samples": len(samples),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(p95(samples), 1),
        "max_ms": round(max(samples), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(p95(cpu), 1),
        "recall@5": round(sum(recalls) / len(recalls), 3),
        "mrr": round(sum(reciprocal) / len(reciprocal), 3),
        "slowest": sorted(per_query, key=lambda q: -q["median_ms"])[:8],
        "misses": [q for q in per_query if q["rank"] != 1],
    }


# Queries beside the labelled set, as people type them against the seeded corpus: its
# search terms (``corpus.SEARCH_TERMS``, matching a twelfth to a half of all tickets), other
# template phrases, traditional characters, an identifier, a miss, one character.
REALISTIC = (
    "token失效", "导出", "export", "闪退", "重启服务器", "无法导出月度报表", "密码重置邮件收不到",
    "页面加载很慢", "发票抬头需要修改", "App crashes on startup", "password reset email",
    "invoice address", "登錄系統時提示token失效", "匯出報表", "INV-4239", "A123456", "打印机",
    "数据库连接超时", "慢", "token expired",
)  # fmt: skip


def run_realistic(agent: Any, customer: Any, repeat: int) -> dict[str, Any]:
    from supportdesk.search.service import search

    out: dict[str, Any] = {}
    for label, user in (("agent", agent), ("customer", customer)):
        samples: list[float] = []
        cpu: list[float] = []
        per_query = []
        for query in REALISTIC:
            times = []
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                hits = search(query, user=user, limit=30)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            samples += times
            per_query.append(
                {"query": query, "median_ms": round(statistics.median(times), 1), "hits": len(hits)}
            )
        out[label] = {
            "queries": len(REALISTIC),
            "samples": len(samples),
            "median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(p95(samples), 1),
            "max_ms": round(max(samples), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(p95(cpu), 1),
            "slowest": sorted(per_query, key=lambda q: -q["median_ms"])[:6],
        }
    return out


def index_missing_articles() -> int:
    """Articles the top-up added with ``bulk_create`` (no action ran, so no indexing job),
    written straight into the active generation: what the rebuild would do for them."""
    from supportdesk.knowledge.choices import ArticleStatus
    from supportdesk.knowledge.models import Article
    from supportdesk.search.backends import _state, document_values
    from supportdesk.search.choices import DocKind
    from supportdesk.search.documents import article_fields
    from supportdesk.search.models import SearchDocument

    generation = _state().active
    have = set(
        SearchDocument.objects.filter(generation=generation, kind=DocKind.ARTICLE).values_list(
            "object_id", flat=True
        )
    )
    docs = [
        SearchDocument(
            generation=generation, kind=DocKind.ARTICLE, object_id=a.pk,
            **document_values(article_fields(a)),
        )
        for a in Article.objects.exclude(status=ArticleStatus.RETIRED).iterator()
        if a.pk not in have
    ]  # fmt: skip
    SearchDocument.objects.bulk_create(docs, batch_size=500, ignore_conflicts=True)
    return len(docs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--incremental", type=int, default=2000)
    ap.add_argument("--skip-rebuild", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    # Changes made here (the labelled set) are indexed inline, as the tests do.
    os.environ["HUEY_IMMEDIATE"] = "1"
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from supportdesk.search.documents import rebuild
    from supportdesk.search.models import SearchDocument
    from supportdesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        # An interrupted seed (seed.py tops up) leaves the id sequences behind its rows.
        from django.core.management.color import no_style

        from supportdesk.tickets.models import TicketEvent

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, TicketEvent]):
                cur.execute(sql)
    result: dict[str, Any] = {"db": connection.vendor}
    agent, customer = agent_and_customer()
    t0 = time.perf_counter()
    keys, numbers = add_labelled_set(agent, customer)
    result["labelled_set_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    result["articles_added"] = top_up_articles(args.articles, agent)
    result["articles_s"] = round(time.perf_counter() - t0, 1)
    result["tickets"] = Ticket.objects.count()
    from supportdesk.knowledge.models import Article

    result["articles"] = Article.objects.count()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if not args.skip_rebuild:
        t0 = time.perf_counter()
        docs = rebuild()
        elapsed = time.perf_counter() - t0
        result["rebuild"] = {"documents": docs, "seconds": round(elapsed, 1),
                             "docs_per_s": round(docs / elapsed, 1)}  # fmt: skip
        print(json.dumps(result["rebuild"]), flush=True)
    else:
        result["articles_indexed"] = index_missing_articles()
    t0 = time.perf_counter()
    analyze_db()
    result["analyze_s"] = round(time.perf_counter() - t0, 1)
    result["indexed_documents"] = SearchDocument.objects.count()
    if args.incremental:
        result["incremental"] = incremental(args.incremental)
        print(json.dumps(result["incremental"]), flush=True)
    result["load_before_queries"] = os.getloadavg()
    from supportdesk.search.service import search

    search("预热 warm-up", user=agent)  # loads jieba's dictionary and OpenCC once
    result["search"] = run_queries(agent, keys, numbers, args.repeat)
    result["realistic"] = run_realistic(agent, customer, args.repeat)
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
