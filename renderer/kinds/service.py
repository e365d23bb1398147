"""办事指南: how to get something done at the township, step by step."""

from __future__ import annotations

from dataclasses import dataclass

from renderer.declare import (
    ANNOUNCEMENT,
    ENQUIRY_PHONE,
    LINES,
    LIST_TEXT,
    TEXT,
    TITLE_MAX,
    Field,
    KindDeclaration,
)


@dataclass(frozen=True)
class ServiceItem:
    title: str
    steps: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    location: str = ""
    office_hours: str = ""
    time_limit: str = ""
    fee: str = ""
    contact: str = ""
    type: str = "service"


DECLARATION = KindDeclaration(
    name="service",
    label="办事指南",
    order=20,
    item=ServiceItem,
    template="service",
    collection="services",
    category_field="location",
    summary=("time_limit", "fee"),
    fields=(
        Field(
            "title",
            "事项名称",
            TEXT,
            TITLE_MAX,
            True,
            required_message="请填写事项名称。",
            help="例如：城乡居民基本医疗保险参保登记",
        ),
        ENQUIRY_PHONE,
        Field("location", "办理地点", TEXT, 40, help="例如：乡便民服务中心 2 号窗口"),
        Field("office_hours", "办公时间", TEXT, 40, help="例如：工作日 8:30-12:00，14:30-17:30"),
        Field("time_limit", "办理时限", TEXT, 40, help="例如：即来即办 / 5 个工作日"),
        Field("fee", "收费标准", TEXT, 40, help="不收费请填“免费”。"),
        Field(
            "steps",
            "办理步骤",
            LINES,
            LIST_TEXT,
            required_message="请至少填写一个办理步骤。",
            help="每行写一步，播出时自动编号，不用自己写序号。",
            placeholder="例如：\n携带户口簿和身份证到村便民服务站\n医保专干核对信息并录入",
        ),
        Field(
            "documents",
            "所需材料",
            LINES,
            LIST_TEXT,
            help="每行写一项材料。",
            placeholder="例如：\n身份证\n户口簿",
        ),
        ANNOUNCEMENT,
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "办事指南": "Service guides",
        "办理地点": "Where",
        "事项名称": "Service name",
        "例如：城乡居民基本医疗保险参保登记": (
            "e.g. Enrolment in the residents' basic medical insurance"
        ),
        "请填写事项名称。": "Please enter the service name.",
        "咨询电话": "Enquiry phone",
        "可写单位和电话，例如：乡农业服务中心 0991-1234567": (
            "Office and number, e.g. Township Agricultural Service Centre 0991-1234567"
        ),
        "例如：乡便民服务中心 2 号窗口": "e.g. Township service centre, window 2",
        "办公时间": "Office hours",
        "例如：工作日 8:30-12:00，14:30-17:30": "e.g. Weekdays 8:30-12:00, 14:30-17:30",
        "办理时限": "Time limit",
        "例如：即来即办 / 5 个工作日": "e.g. While you wait / 5 working days",
        "收费标准": "Fee",
        "不收费请填“免费”。": "Enter “免费” (free) if there is no fee.",
        "办理步骤": "Steps",
        "每行写一步，播出时自动编号，不用自己写序号。": (
            "One step per line. Steps are numbered on air; no need to type numbers."
        ),
        "例如：\n携带户口簿和身份证到村便民服务站\n医保专干核对信息并录入": (
            "e.g.\nBring the household register and ID card to the village service "
            "station\nThe insurance clerk checks and records the details"
        ),
        "请至少填写一个办理步骤。": "Please enter at least one step.",
        "所需材料": "Documents required",
        "每行写一项材料。": "One document per line.",
        "例如：\n身份证\n户口簿": "e.g.\nID card\nHousehold register",
        "录音": "Recording",
    },
)
