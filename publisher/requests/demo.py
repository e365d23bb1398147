"""The ledger's part of the demo township: a month of residents' requests in every status, so
the ledger, the overdue alarm and the statistics slide have something to show. Fictional
residents with no phone numbers: the demo texts nobody. Idempotent: skipped once the
township has any request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from sqlalchemy import select

from playlists import timezones
from publisher.extensions import db
from publisher.models import Cadre, Township
from publisher.models.requests import RequestStatus, ResidentRequest
from publisher.requests import intake, rules, workflow

S = RequestStatus
# days ago, category, village index, resident, text, how far it got
DEMO = (
    (12, "基础设施", 1, "张大爷", "村口到小学的路有三处大坑，雨天积水，孩子上学不便。",
     S.FOLLOWED_UP),
    (10, "政策咨询", 0, "李桂花", "想问耕地地力保护补贴今年什么时候发，标准多少。", S.RESOLVED),
    (9, "环境卫生", 2, "王建国", "河边垃圾堆放点半个月没人清运，气味很大。", S.IN_PROGRESS),
    (8, "政策咨询", 3, "赵春梅", "母亲八十岁了，高龄补贴怎么申请，要带什么材料。", S.ACCEPTED),
    (6, "社会保障", 4, "刘德福", "低保年审后这两个月没有到账。", S.IN_PROGRESS),
    (4, "矛盾纠纷", 1, "陈秀英", "与邻居因宅基地界线有争议，请村里调解。", S.IN_PROGRESS),
    (2, "农业生产", 2, "孙国强", "玉米出现大面积叶斑，想请农技员来看看。", S.RESOLVED),
    (1, "医疗卫生", 5, "周玉兰", "社区卫生室周末没有医生值班。", S.ACCEPTED),
)


def seed_requests(township: Township, now: datetime) -> Iterator[str]:
    """Register the demo requests and move each as far as ``DEMO`` says; yields a line."""
    if db.session.scalar(select(ResidentRequest.id).where(
            ResidentRequest.township_id == township.id).limit(1)) is not None:
        yield "群众诉求：已有，未改动"
        return
    villages = [v.name for v in township.villages]
    cadres = list(db.session.scalars(select(Cadre).where(
        Cadre.township_id == township.id, Cadre.active).order_by(Cadre.sort_order, Cadre.id)))
    zone = township.timezone
    for n, (days, category, village, name, text, goal) in enumerate(DEMO):
        day = rules.local_day(now - timedelta(days=days), zone)
        # Typed in the day it came, at noon (as a back-dated entry is dated): the history
        # then reads in order, 受理 before 交办.
        entered = min(datetime.combine(day, time(12), tzinfo=timezones.zone(zone)), now)
        row = intake.intake(township, {
            "category": category, "village": villages[village % len(villages)] if villages else "",
            "resident_name": name, "text": text, "received_on": str(day)},
            source="admin", now=entered)
        if goal == S.ACCEPTED or not cadres:
            continue
        # Each step after the request was received, never in the future.
        assigned, resolved, visited = (min(row.received_at + timedelta(hours=h), now)
                                       for h in (3, 48, 96))
        workflow.assign(row, cadres[n % len(cadres)], user=None, now=assigned)
        if goal in (S.RESOLVED, S.FOLLOWED_UP):
            workflow.step(row, S.RESOLVED, user=None, now=resolved,
                          note="已现场核实并办理，结果已当面告知群众。")
        if goal == S.FOLLOWED_UP:
            workflow.step(row, S.FOLLOWED_UP, user=None, now=visited,
                          satisfaction="满意", note="电话回访")
    db.session.commit()
    yield f"群众诉求：新增 {len(DEMO)} 条演示诉求（演示群众无手机号，不发短信）"
