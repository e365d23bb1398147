"""The demo township: 监山乡, 乾元县 (seed 000), its cadres, today's whereabouts and content.

Idempotent: everything is looked up by its natural key first, so running it twice
duplicates nothing. Content goes through the review services (create → submit →
approve by the reviewer) so versions and the audit log are as real use makes them; the
clock process renders it afterwards. Dates are relative to today, so the demo is current.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from playlists.timezones import zone
from publisher.extensions import db
from publisher.models import (
    Cadre,
    Channel,
    ContentItem,
    ContentVersion,
    Role,
    Township,
    User,
    VersionState,
    Village,
    Whereabouts,
    utcnow,
)
from publisher.services import content, roster_review

DEMO_PASSWORD = "demo1234"  # printed, with the advice to change it: this is a demo
TOWNSHIP, COUNTY = "监山乡", "乾元县"
VILLAGES = (("监山村", "村"), ("柳树湾村", "村"), ("石门村", "村"), ("黄土坪村", "村"),
            ("杨家沟村", "村"), ("新街社区", "社区"))
USERS = (  # username, display name, role
    ("admin", "刘芳（党政办）", Role.ADMIN),
    ("editor", "王晓燕（宣传委员）", Role.EDITOR),
    ("reviewer", "陈志强（副乡长）", Role.REVIEWER),
    ("cadre1", "张明", Role.CADRE),
)
# name, post, villages, responsibilities, mobile, office phone, linked user
CADRES = (
    ("杨建华", "党委书记", ("监山村",), "主持党委全面工作，分管党建、纪检", "13909172101",
     "0917-6281101", None),
    ("周国平", "乡长", ("柳树湾村",), "主持政府全面工作，分管财政、审计", "13909172102",
     "0917-6281102", None),
    ("陈志强", "副乡长", ("石门村", "黄土坪村"), "分管农业农村、惠农补贴、防汛抗旱",
     "13909172103", "0917-6281103", "reviewer"),
    ("马宏伟", "武装部长", ("杨家沟村",), "负责民兵整组、征兵、应急救援", "13909172104",
     "0917-6281104", None),
    ("李秀兰", "组织委员", ("新街社区",), "负责基层党建、干部管理、人才工作", "13909172105",
     "0917-6281105", None),
    ("王晓燕", "宣传委员", ("监山村",), "负责宣传思想、精神文明、乡村信息频道", "13909172106",
     "0917-6281106", "editor"),
    ("张明", "包村干部", ("柳树湾村",), "驻柳树湾村，负责民政、社会救助、养老服务",
     "13909172107", "0917-6281107", "cadre1"),
    ("刘强", "包村干部", ("石门村",), "驻石门村，负责农产品销售、合作社发展", "13909172108",
     "0917-6281108", None),
    ("赵丽", "包村干部", ("黄土坪村",), "驻黄土坪村，负责卫生健康、医保参保", "13909172109",
     "0917-6281109", None),
)
# Today's reports: cadre → (status, village or None, place, start, end, activity).
# 马宏伟 and 赵丽 have not reported, so the dashboard has someone to flag.
WHEREABOUTS = {
    "杨建华": ("乡机关值班", None, "乡政府", "08:30", "18:00", "主持召开党委会，研究防汛工作"),
    "周国平": ("外出开会", None, "县政府", "09:00", "12:00", "参加全县乡村振兴工作推进会"),
    "陈志强": ("在村走访", "石门村", "", "08:30", "17:30", "核实耕地地力保护补贴面积"),
    "李秀兰": ("在村走访", "新街社区", "", "09:00", "17:00", "指导社区党支部换届准备"),
    "王晓燕": ("乡机关值班", None, "乡便民服务中心", "08:30", "17:30", "更新乡村频道惠农政策"),
    "张明": ("在村走访", "柳树湾村", "", "08:00", "17:30", "走访空巢老人，核对低保对象"),
    "刘强": ("在村走访", "石门村", "", "08:30", "18:00", "联系客商收购核桃，登记农户产量"),
}


def _policies(today: date) -> list[dict[str, Any]]:
    year = today.year
    return [
        {"title": f"{year}年耕地地力保护补贴", "category": "种粮补贴",
         "eligibility": "拥有耕地承包权的种地农民（含村集体）；"
                        "已改变用途或长年抛荒的耕地不予补贴。",
         "amount": "每亩 105.6 元",
         "how_to_apply": "由村组统计面积，农户核对签字；村内公示 7 天无异议后，"
                         "补贴资金通过惠农“一卡通”直接发放到户。",
         "deadline": (today + timedelta(days=40)).isoformat(),
         "source_document": "乾元县农业农村局《关于做好耕地地力保护补贴工作的通知》",
         "contact": "乡农业综合服务站 0917-6281123",
         "body": "补贴面积以二轮承包面积为基础，结合实际种植情况核定。请农户认真核对本户面积，"
                 "有疑问的及时向包村干部反映。严禁虚报冒领，一经查实将追回资金。"},
        {"title": "农机购置与应用补贴", "category": "农机补贴",
         "eligibility": "从事农业生产的个人和农业生产经营组织。",
         "amount": "按机具定额补贴，一般不超过售价 30%",
         "how_to_apply": "先购机、后申请：购机后 30 天内，持身份证、购机发票和一卡通到乡农机站"
                         "提出申请，县农业农村局核验机具后兑付补贴。",
         "deadline": (today + timedelta(days=75)).isoformat(),
         "source_document": "《农业机械购置与应用补贴实施方案》",
         "contact": "乡农机站 0917-6281126",
         "body": "补贴机具须在省级补贴目录内，常用的有微耕机、玉米收获机、烘干机等。"
                 "购机前可到农机站查询目录和补贴额。"},
        {"title": f"{year + 1}年度城乡居民基本医疗保险缴费", "category": "医疗保障",
         "eligibility": "未参加职工医保的城乡居民；"
                        "特困人员、低保对象、脱贫人口按规定享受资助参保。",
         "amount": "个人缴费每人每年 400 元",
         "how_to_apply": "可用手机微信、支付宝搜索“医保缴费”自行缴纳，"
                         "也可到村便民服务站由医保专干代缴。",
         "deadline": (today + timedelta(days=60)).isoformat(),
         "source_document": "乾元县医疗保障局缴费通知",
         "contact": "乡医保经办 0917-6281125",
         "body": "集中缴费期内缴费，次年 1 月 1 日起享受待遇；错过集中缴费期的，设有待遇等待期。"
                 "请外出务工人员家属代为缴纳。"},
        {"title": "雨露计划职业教育补助", "category": "教育帮扶",
         "eligibility": "脱贫家庭（含监测对象家庭）子女，就读中职、高职、技工院校的全日制学生。",
         "amount": "每生每学期 1500 元",
         "how_to_apply": "每学期开学后，携学生证、学籍证明和家长一卡通到村委会登记，"
                         "乡镇审核后报县乡村振兴局，补助直接打到一卡通。",
         "deadline": (today + timedelta(days=30)).isoformat(),
         "source_document": "雨露计划职业教育补助实施办法",
         "contact": "乡乡村振兴办 0917-6281128",
         "body": "每个学期都要申请一次。毕业生、休学、退学的学生不能再申请。"},
    ]


def _services() -> list[dict[str, Any]]:
    return [
        {"title": "城乡居民基本医疗保险参保登记",
         "steps": ["携带户口簿和身份证到村便民服务站或乡便民服务中心",
                   "医保专干核对信息并录入参保登记", "按年度标准缴纳个人保费",
                   "缴费后按规定时间开始享受医保待遇"],
         "documents": ["身份证", "户口簿", "新生儿出生医学证明（新生儿参保）"],
         "location": "乡便民服务中心 2 号窗口", "office_hours": "工作日 8:30-12:00 14:30-18:00",
         "time_limit": "即来即办", "fee": "免费（保费另缴）", "contact": "0917-6281125"},
        {"title": "农村最低生活保障申请",
         "steps": ["户主向村委会提出书面申请", "村民代表评议，结果在村务公开栏公示 7 天",
                   "乡政府入户调查，核对家庭经济状况", "县民政局审批，审批通过的次月发放"],
         "documents": ["低保申请书", "户口簿和全家身份证", "家庭收入情况说明",
                       "残疾证或病历（如有）"],
         "location": "乡民政办（便民服务中心 1 号窗口）",
         "office_hours": "工作日 8:30-12:00 14:30-18:00",
         "time_limit": "30 个工作日", "fee": "免费", "contact": "0917-6281127"},
        {"title": "农村宅基地建房审批",
         "steps": ["向村集体经济组织提出建房申请", "村民小组会议讨论并公示",
                   "乡自然资源所、农业综合服务站联合审查", "乡政府审批，发放乡村建设规划许可证",
                   "开工前现场定位放线", "竣工后申请验收"],
         "documents": ["农村宅基地和建房申请表", "户口簿、身份证", "宅基地使用承诺书",
                       "建房设计图或选用通用图"],
         "location": "乡便民服务中心 3 号窗口", "office_hours": "工作日 8:30-12:00 14:30-18:00",
         "time_limit": "20 个工作日", "fee": "免费", "contact": "0917-6281129"},
    ]


def _produce(today: date) -> list[dict[str, Any]]:
    until = (today + timedelta(days=30)).isoformat()
    return [
        {"product": "高山土豆", "village": "黄土坪村", "seller": "王德福", "price": "1.2",
         "unit": "斤", "quantity": "约 20000 斤", "photo": None, "phone": "13891701234",
         "available_until": until, "description": "海拔一千二百米沙土地种植，个大皮薄，"
                                                  "耐储存。可上门收购，量大优惠。"},
        {"product": "土蜂蜜", "village": "杨家沟村", "seller": "杨家沟养蜂专业合作社",
         "price": "60", "unit": "斤", "quantity": "约 800 斤", "photo": None,
         "phone": "13891705678", "available_until": until,
         "description": "中华蜂百花蜜，一年只取一次，浓稠结晶属正常现象。"},
        {"product": "薄皮核桃", "village": "石门村", "seller": "刘长顺", "price": "15",
         "unit": "斤", "quantity": "约 3000 斤", "photo": None, "phone": "13891702468",
         "available_until": (today + timedelta(days=45)).isoformat(),
         "description": "今年新核桃，手捏即开，出仁率高。"},
        {"product": "散养土鸡", "village": "柳树湾村", "seller": "张桂芳", "price": "80",
         "unit": "只", "quantity": "约 200 只", "photo": None, "phone": "13891703579",
         "available_until": until, "description": "山坡林下散养一年以上，吃玉米和青草长大。"},
        {"product": "干香菇", "village": "监山村", "seller": "监山村食用菌合作社",
         "price": "45", "unit": "斤", "quantity": "约 1500 斤", "photo": None,
         "phone": "0917-6281188", "available_until": (today + timedelta(days=60)).isoformat(),
         "description": "椴木栽培，肉厚味香，合作社统一分级包装。"},
    ]


def _notices(today: date) -> list[dict[str, Any]]:
    disclosure = today.replace(day=9) if today.day >= 9 else (
        today.replace(day=1) - timedelta(days=1)).replace(day=9)
    return [
        {"title": "关于做好汛期安全防范工作的通知", "category": "通知公告",
         "issued_by": "监山乡人民政府", "date": today.isoformat(),
         "body": "近期降雨较多，请各村加强地质灾害隐患点巡查，提醒群众不要在河道、山脚下停留。"
                 "遇险情请立即拨打乡值班电话 0917-6281110，或联系包村干部。"},
        {"title": f"监山村{disclosure.month}月村务公开", "category": "村务公开",
         "issued_by": "监山村村民委员会", "date": disclosure.isoformat(),
         "body": "每月 9 日为村务公开日。本月公开事项：一、村集体收入 12.6 万元（光伏发电收益"
                 " 8.2 万元、集体林地承包费 4.4 万元）；二、支出 9.3 万元（村道维修 5.1 万元、"
                 "公益岗位补贴 2.4 万元、办公经费 1.8 万元）；"
                 "三、本月新增低保 2 户、临时救助 3 户。"
                 "对公开内容有疑问的，可向村务监督委员会反映。"},
        {"title": "冬季征兵报名开始", "category": "通知公告", "issued_by": "监山乡人民武装部",
         "date": today.isoformat(),
         "body": "年满 18 至 22 周岁的男青年（大学生可放宽至 24 周岁）可报名应征。"
                 "报名请到乡武装部或登录全国征兵网。咨询电话 0917-6281104。"},
    ]


def _get_or_add(model: type, defaults: dict[str, Any] | None = None,
                **key: Any) -> tuple[Any, bool]:
    found = db.session.scalar(select(model).filter_by(**key))
    if found is not None:
        return found, False
    obj = model(**key, **(defaults or {}))
    db.session.add(obj)
    db.session.flush()
    return obj, True


def _seed_org() -> Iterator[str]:
    township, new = _get_or_add(Township, {"county": COUNTY, "duty_phone": "0917-6281110",
                                           "checkin_deadline_hour": 9}, name=TOWNSHIP)
    yield f"{'创建' if new else '已有'}乡镇：{COUNTY}{TOWNSHIP}"
    for name, kind in VILLAGES:
        _get_or_add(Village, {"kind": kind}, township_id=township.id, name=name)
    _get_or_add(Channel, {"township_id": township.id, "name": "监山乡村频道",
                          "profile": "720p"}, slug="jianshan")
    yield f"村（社区）{len(VILLAGES)} 个，频道 jianshan（监山乡村频道）"
    for username, display, role in USERS:
        user, new = _get_or_add(User, {"display_name": display, "role": role,
                                       "township_id": township.id, "password_hash": ""},
                                username=username)
        if new:
            user.set_password(DEMO_PASSWORD)
        # The login page warns while any keeps it (a database seeded before the flag, too).
        user.demo_password = new or user.check_password(DEMO_PASSWORD)
        yield f"账号 {username} · {display}：{'已创建' if new else '已存在，未改动'}"
    db.session.commit()


def _seed_cadres(township: Township, today: date) -> Iterator[str]:
    villages = {v.name: v for v in township.villages}
    cadres = {}
    for order, (name, post, covered, duties, phone, office, login) in enumerate(CADRES):
        user = db.session.scalar(select(User).where(User.username == login)) if login else None
        cadre, _new = _get_or_add(
            Cadre, {"post": post, "responsibilities": duties, "phone": phone,
                    "office_phone": office, "sort_order": (order + 1) * 10,
                    "user_id": user.id if user else None},
            township_id=township.id, name=name)
        if not cadre.villages:
            cadre.villages = [villages[v] for v in covered]
        cadres[name] = cadre
    # The demo's roster as if a reviewer had already approved it, so the slide airs at once.
    release = roster_review.propose(township.id, None)
    if release is not None and release.state == VersionState.PENDING:
        reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
        roster_review.publish_directly(release, reviewer, "演示数据：干部分工已审核")
    yield f"干部 {len(CADRES)} 名"
    tz = zone(township.timezone)
    reported = 0
    for name, (status, village, place, start, end, activity) in WHEREABOUTS.items():
        cadre = cadres[name]
        if db.session.scalar(select(Whereabouts).where(Whereabouts.cadre_id == cadre.id,
                                                      Whereabouts.day == today)):
            continue
        at = datetime.combine(today, time(7, 40 + reported), tzinfo=tz)
        db.session.add(Whereabouts(
            cadre_id=cadre.id, day=today, status=status,
            village_id=villages[village].id if village else None, place=place,
            start_time=time.fromisoformat(start), end_time=time.fromisoformat(end),
            activity=activity, source="sms" if reported % 2 else "web",
            reported_at=min(at, utcnow())))
        reported += 1
    db.session.commit()
    yield f"今日去向：新增 {reported} 条（{len(CADRES) - len(WHEREABOUTS)} 名干部未报告）"


def _exists(township: Township, kind: str, title: str) -> bool:
    return db.session.scalar(
        select(ContentVersion.id).join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentItem.township_id == township.id, ContentItem.kind == kind,
               ContentVersion.title == title).limit(1)) is not None


def _seed_content(township: Township, today: date) -> Iterator[str]:
    editor = db.session.scalar(select(User).where(User.username == "editor"))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    now = utcnow()
    tz = zone(township.timezone)
    plan = ([("policy", d, 60) for d in _policies(today)]
            + [("service", d, 365) for d in _services()]
            + [("produce", d, 30) for d in _produce(today)]
            + [("notice", d, 20) for d in _notices(today)])
    made = 0
    for kind, data, days in plan:
        title = content.title_of(kind, data)
        if _exists(township, kind, title):
            continue
        # Policies and produce stop airing after their deadline; the rest after ``days``.
        last_day = data.get("deadline") or data.get("available_until")
        until = (datetime.combine(date.fromisoformat(last_day) + timedelta(days=1), time(0),
                                  tzinfo=tz) if last_day else now + timedelta(days=days))
        item = content.create_item(editor, township, kind, data,
                                   valid_from=now - timedelta(hours=1), valid_until=until)
        content.submit(editor, item)
        content.approve(reviewer, item, "演示数据")
        made += 1
    yield f"内容：新增并审核通过 {made} 条（共 {len(plan)} 条演示内容，由 clock 进程渲染后播出）"


def seed_demo() -> Iterator[str]:
    """Create (or complete) the demo township; yields lines to print."""
    yield from _seed_org()
    township = db.session.scalar(select(Township).where(Township.name == TOWNSHIP))
    today = utcnow().astimezone(zone(township.timezone)).date()
    yield from _seed_cadres(township, today)
    yield from _seed_content(township, today)
    from publisher.emergency.demo import seed_emergency  # the emergency side of the demo

    yield from seed_emergency(township)
    from publisher.requests.demo import seed_requests  # the residents' requests ledger

    yield from seed_requests(township, utcnow())
    yield ""
    yield f"演示账号：admin / editor / reviewer / cadre1，密码均为 {DEMO_PASSWORD}"
    yield "这是演示密码，人人皆知：正式使用前请立即修改密码，或删除这些账号！"
    yield "Demo accounts use the password above: change it before any real use."
