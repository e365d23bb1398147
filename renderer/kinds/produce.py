"""特色农产品: a villager's produce for sale, aired as a card with a QR code to call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from renderer.declare import (
    DATE,
    LONG,
    LONG_TEXT,
    PHONE,
    PHOTO,
    PRICE,
    TEXT,
    Column,
    Field,
    KindDeclaration,
)


@dataclass(frozen=True)
class ProduceItem:
    product: str
    village: str = ""
    seller: str = ""
    price: str = ""
    unit: str = ""
    quantity: str = ""
    photo: str = ""
    phone: str = ""
    available_until: date | None = None
    description: str = ""
    type: str = "produce"


UNITS = ("斤", "公斤", "个", "只", "箱", "袋", "把", "筐")

DECLARATION = KindDeclaration(
    name="produce",
    label="特色农产品",
    order=30,
    item=ProduceItem,
    template="produce",
    collection="produce",
    title_field="product",
    category_field="village",
    summary=("%(price)s 元/%(unit)s", "seller", "quantity"),
    fields=(
        Field(
            "product",
            "产品名称",
            TEXT,
            20,
            True,
            required_message="请填写产品名称。",
            help="例如：高山土豆",
            column=Column("产品名称", ("产品", "品名"), "最多 20 个字", "高山土豆"),
        ),
        Field(
            "village",
            "所在村",
            TEXT,
            20,
            suggestions="villages",
            required_message="请填写所在村。",
            column=Column("村（社区）", ("村", "村名"), "本乡镇的村（社区）名称", "张家村"),
        ),
        Field(
            "seller",
            "卖家",
            TEXT,
            20,
            required_message="请填写卖家姓名。",
            help="农户姓名或合作社名称。",
            column=Column("销售人", ("联系人", "卖家"), "最多 20 个字", "李大姐"),
        ),
        Field(
            "phone",
            "联系电话",
            PHONE,
            30,
            required_message="请填写联系电话。",
            help="一个手机号或座机号，电视上会生成扫码拨打的二维码。",
            column=Column("联系电话", ("电话", "手机"), "手机或座机", "13812345678"),
        ),
        # The pattern bounds it: 7 digits, 2 decimals.
        Field(
            "price",
            "价格（元）",
            PRICE,
            required_message="请填写价格。",
            column=Column("价格", ("单价",), "例如：2.5", "2.5"),
        ),
        Field(
            "unit",
            "单位",
            TEXT,
            6,
            suggestions=UNITS,
            required_message="请填写单位。",
            help="例如：斤、公斤、只",
            column=Column("单位", ("计价单位",), "例如：元/斤", "元/斤"),
        ),
        Field(
            "quantity",
            "供应数量",
            TEXT,
            20,
            help="例如：约 3000 斤",
            column=Column("数量", ("供应量",), "例如：约 5000 斤", "约5000斤"),
        ),
        Field(
            "available_until",
            "供应截止日期",
            DATE,
            column=Column(
                "供应截止日期", ("截止日期", "有效期至"), "格式 2026-12-31", "2026-12-31"
            ),
        ),
        Field(
            "description",
            "产品介绍",
            LONG,
            LONG_TEXT,
            column=Column("说明", ("备注",), "产品介绍", "海拔 1500 米种植，沙地土豆"),
        ),
        Field("photo", "产品照片", PHOTO),
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "特色农产品": "Local produce",
        "所在村": "Village",
        "产品名称": "Product",
        "例如：高山土豆": "e.g. Highland potatoes",
        "请填写产品名称。": "Please enter the product.",
        "请填写所在村。": "Please enter the village.",
        "卖家": "Seller",
        "农户姓名或合作社名称。": "Farmer's or cooperative's name.",
        "请填写卖家姓名。": "Please enter the seller's name.",
        "联系电话": "Contact phone",
        "一个手机号或座机号，电视上会生成扫码拨打的二维码。": (
            "One mobile or landline number; the channel shows it as a QR code to call."
        ),
        "请填写联系电话。": "Please enter a contact phone number.",
        "价格（元）": "Price (yuan)",
        "请填写价格。": "Please enter the price.",
        "单位": "Unit",
        "例如：斤、公斤、只": "e.g. jin, kg, each",
        "请填写单位。": "Please enter the unit.",
        "供应数量": "Quantity available",
        "例如：约 3000 斤": "e.g. about 3000 jin",
        "供应截止日期": "Available until",
        "产品介绍": "Description",
        "产品照片": "Photo",
        "%(price)s 元/%(unit)s": "%(price)s yuan/%(unit)s",
    },
)
