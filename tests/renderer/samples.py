# ruff: noqa: E501  (sample Chinese prose reads better unwrapped)
"""Realistic sample items of every type, shared by the renderer tests."""

from __future__ import annotations

POLICY = {
    "type": "policy",
    "id": "policy:3",
    "version": 2,
    "title": "2026年耕地地力保护补贴发放通知",
    "category": "种粮补贴",
    "eligibility": "拥有耕地承包权并实际种植粮食作物的农户。撂荒地、已改变用途的耕地不享受补贴。",
    "amount": "每亩120元",
    "how_to_apply": "由村委会统一核实面积，农户携带身份证、户口本和一卡通到村委会签字确认，无需另行申请。",
    "deadline": "2026-12-31",
    "source_document": "《关于做好2026年耕地地力保护补贴工作的通知》（乾农发〔2026〕12号）",
    "contact": "0991-1234567",
    "body": "补贴资金通过“一卡通”直接发放到农户账户，任何单位和个人不得截留、挪用。\n对虚报冒领的，一经查实，追回补贴资金并依法处理。",
}
SERVICE = {
    "type": "service",
    "title": "办理农村低保申请",
    "steps": [
        "本人或家属向村委会提出书面申请",
        "村民代表会议民主评议并张榜公示7天",
        "乡民政办入户调查、审核",
        "县民政局审批，发放低保金",
    ],
    "documents": ["户口本、身份证复印件", "家庭收入情况说明", "残疾证或病历（如有）"],
    "location": "监山乡便民服务中心2号窗口",
    "office_hours": "工作日 8:30-12:00，14:30-18:00",
    "time_limit": "30个工作日",
    "fee": "免费",
    "contact": "0991-7654321",
}
PRODUCE = {
    "type": "produce",
    "product": "高山土豆",
    "village": "三岔村",
    "seller": "王大姐",
    "price": "1.8",
    "unit": "斤",
    "quantity": "约5000斤",
    "photo": None,
    "phone": "13800138000",
    "available_until": "2026-12-10",
    "description": "海拔1800米种植，沙地土豆，口感绵软，不打农药。可送货到乡里。",
}
NOTICE = {
    "type": "notice",
    "title": "关于开展冬季防火安全检查的通知",
    "body": "各村（社区）：\n入冬以来，天干物燥，火灾隐患增多。为切实做好冬季防火工作，乡政府决定于11月25日至12月5日在全乡范围内开展防火安全检查。\n请各村组织人员对农户用火用电、柴草堆放等情况逐户排查，发现隐患立即整改。\n请广大群众注意用火安全，外出时关闭电源，不在室内存放易燃物品。",
    "category": "通知公告",
    "issued_by": "监山乡人民政府",
    "date": "2026-11-20",
}
ROSTER = {
    "type": "roster",
    "title": "干部分工",
    "rows": [
        {
            "name": "李建国",
            "post": "乡党委书记",
            "villages": "全乡",
            "responsibilities": "主持乡党委全面工作",
            "phone": "0991-1234501",
        },
        {
            "name": "张秀英",
            "post": "乡长",
            "villages": "三岔村、柳沟村",
            "responsibilities": "主持政府全面工作，分管财政、农业农村",
            "phone": "0991-1234502",
        },
        {
            "name": "马福",
            "post": "副乡长",
            "villages": "石门村",
            "responsibilities": "分管民政、社会保障、应急管理",
            "phone": "13912345678",
        },
        {
            "name": "阿依古丽",
            "post": "宣传委员",
            "villages": "红星村",
            "responsibilities": "宣传、文化、信息发布",
            "phone": "13812345679",
        },
        {
            "name": "赵刚",
            "post": "武装部长",
            "villages": "东风村、新庄村",
            "responsibilities": "武装、安全生产、防汛抗旱",
            "phone": "13712345670",
        },
        {
            "name": "王晓燕",
            "post": "党政办主任",
            "villages": "河湾村",
            "responsibilities": "办公室日常事务、档案、督查",
            "phone": "0991-1234506",
        },
    ],
}
WHERE = {
    "type": "whereabouts",
    "date": "2026-11-22",
    "updated_at": "2026-11-22T09:30:00+08:00",
    "rows": [
        {
            "name": "李建国",
            "post": "乡党委书记",
            "status": "乡机关值班",
            "village": "乡政府",
            "time_window": "8:30-18:00",
            "activity": "接待来访群众",
        },
        {
            "name": "张秀英",
            "post": "乡长",
            "status": "外出开会",
            "village": "县城",
            "time_window": "9:00-12:00",
            "activity": "参加全县农业工作会议",
        },
        {
            "name": "马福",
            "post": "副乡长",
            "status": "在村走访",
            "village": "石门村",
            "time_window": "9:00-17:00",
            "activity": "走访低保户、空巢老人",
        },
        {
            "name": "阿依古丽",
            "post": "宣传委员",
            "status": "请假",
            "village": "",
            "time_window": "",
            "activity": "",
        },
        {
            "name": "赵刚",
            "post": "武装部长",
            "status": "未报告",
            "village": "",
            "time_window": "",
            "activity": "",
        },
    ],
}
ALERT = {
    "type": "alert",
    "title": "暴雪红色预警",
    "body": "预计今天夜间到明天白天，我乡将出现大到暴雪，局部积雪深度超过20厘米。请群众减少外出，加固大棚和畜圈，储备好饮用水和取暖物资。",
    "severity": "红色预警",
    "issued_by": "乾元县气象台",
    "expires": "11月23日20:00",
}
IDENT = {"type": "ident"}
ALL = {
    "policy": POLICY,
    "service": SERVICE,
    "produce": PRODUCE,
    "notice": NOTICE,
    "roster": ROSTER,
    "whereabouts": WHERE,
    "alert": ALERT,
    "ident": IDENT,
}
