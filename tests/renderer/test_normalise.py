"""Narration text normalisation: written Chinese into what an announcer reads aloud."""

import pytest

from renderer.normalise import integer, normalise


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (0, "零"), (10, "十"), (15, "十五"), (20, "二十"), (101, "一百零一"), (110, "一百一十"),
        (1005, "一千零五"), (1200, "一千二百"), (2000, "两千"), (10001, "一万零一"),
        (20000, "两万"), (100100, "十万零一百"), (1_000_000, "一百万"), (200_000_000, "两亿"),
    ],
)  # fmt: skip
def test_integers_by_place_value(n: int, spoken: str) -> None:
    assert integer(n) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        # numbers
        ("共1,200户", "共一千二百户"),
        ("圆周率3.14", "圆周率三点一四"),
        ("3-5天", "三到五天"),
        # dates: the year digit by digit
        ("2026年3月5日", "二零二六年三月五日"),
        ("截止2026-03-05", "截止二零二六年三月五日"),
        ("乾农发〔2026〕12号", "乾农发〔二零二六〕十二号"),
        # clock times
        ("上午8:30集合", "上午八点三十分集合"),
        ("08:00-12:00", "八点到十二点"),
        ("9:05", "九点零五分"),
        # phone numbers digit by digit
        ("电话：0991-12345678", "电话：零九九一，一二三四五六七八"),
        ("手机13812345678", "手机一三八一二三四五六七八"),
        ("拨打110", "拨打一一零"),
        ("热线12345", "热线一二三四五"),
        # money
        ("¥1,200.50", "一千二百元五角"),
        ("补贴1200元", "补贴一千二百元"),
        ("每亩120元", "每亩一百二十元"),
        ("2元", "两元"),
        ("2.05元", "两元零五分"),
        ("￥0.50", "五角"),
        # units
        ("2亩", "两亩"),
        ("50公斤", "五十公斤"),
        ("面积120㎡", "面积一百二十平方米"),
        ("120m²", "一百二十平方米"),
        ("用电15kWh", "用电十五千瓦时"),
        ("5kg", "五公斤"),
        ("增长15%", "增长百分之十五"),
        ("3.5%", "百分之三点五"),
        ("气温28℃", "气温二十八摄氏度"),
        # a table summary
        ("今天有9位干部在村走访，2位请假", "今天有九位干部在村走访，两位请假"),
    ],
)
def test_normalise(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


def test_one_as_yao_in_phone_numbers_only() -> None:
    assert normalise("拨打110", yao=True) == "拨打幺幺零"
    assert normalise("电话13812345678，11户", yao=True) == "电话幺三八幺二三四五六七八，十一户"


def test_text_without_numbers_is_unchanged() -> None:
    assert normalise("村委会通知：请村民注意防汛。") == "村委会通知：请村民注意防汛。"
