"""Text normalisation for narration: written Chinese into what a Mandarin announcer says.

A speech engine reads "1,200" as digits or English and "㎡" not at all. Before synthesis a
page's text is rewritten the way a Chinese announcer reads it aloud:

- numbers by place value: 1,200 → 一千二百, 10 → 十, 1005 → 一千零五, 3.14 → 三点一四;
  a lone 2 before a measure word is 两 (两亩, 两位), and 2,000 is 两千;
- dates: 2026年3月5日 and 2026-03-05 → 二零二六年三月五日 (the year digit by digit, also
  in a document number: 乾农发〔2026〕12号 → 乾农发〔二零二六〕十二号);
- clock times: 8:30 → 八点三十分, 08:00-12:00 → 八点到十二点;
- phone numbers digit by digit: 0991-12345678 → 零九九一，一二三四五六七八 (1 as 幺 when
  ``yao`` is set, as a telephone operator says it);
- money: ¥1,200.50 → 一千二百元五角, 1200元 → 一千二百元;
- units: 亩 and 公斤 stay, ㎡/m² → 平方米, kWh → 千瓦时, kg → 公斤, 15% → 百分之十五,
  ℃ → 摄氏度.

Pure functions, no engine in sight: the rules are unit-tested on their own.
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_SMALL = ((1000, "千"), (100, "百"), (10, "十"))
_BIG = ((10**8, "亿"), (10**4, "万"))

# Measure words and units after which a lone 2 is read 两 (两亩 not 二亩).
MEASURES = "个位名户人亩元块斤公吨米天年月周次件项条本张台辆头只岁小份家座间层所栋"
UNITS = (
    ("kWh", "千瓦时"), ("KWH", "千瓦时"), ("kwh", "千瓦时"), ("度电", "度电"),
    ("kW", "千瓦"), ("KW", "千瓦"), ("kg", "公斤"), ("KG", "公斤"), ("km", "公里"),
    ("㎡", "平方米"), ("m²", "平方米"), ("m2", "平方米"), ("㎥", "立方米"), ("m³", "立方米"),
    ("cm", "厘米"), ("mm", "毫米"), ("℃", "摄氏度"), ("°C", "摄氏度"), ("ml", "毫升"),
    ("L", "升"), ("t", "吨"), ("g", "克"), ("m", "米"),
)  # fmt: skip
_UNIT_WORDS = {written: spoken for written, spoken in UNITS}
_UNIT_RE = "|".join(re.escape(u) for u, _ in UNITS)


def digits(text: str, *, yao: bool = False) -> str:
    """Each digit on its own: 110 → 一一零 (幺幺零 with ``yao``)."""
    table = DIGITS.replace("一", "幺") if yao else DIGITS
    return "".join(table[int(c)] if c.isdigit() else "" for c in text)


def _below_10000(n: int, leading: bool) -> str:
    out, zero = "", False
    for value, name in _SMALL:
        q, n = divmod(n, value)
        if q:
            if zero:
                out += "零"
            zero = False
            # 十五 not 一十五 at the very start; 两千 for a leading 2,000.
            if value == 10 and q == 1 and leading and not out:
                out += name
            elif q == 2 and value == 1000 and leading and not out:
                out += "两" + name
            else:
                out += DIGITS[q] + name
        elif out:
            zero = True
    if n:
        out += ("零" if zero or (out and out[-1] == "千") else "") + DIGITS[n]
    return out


def integer(n: int) -> str:
    """An integer read by place value: 1200 → 一千二百, 20000 → 两万, 1005 → 一千零五."""
    if n == 0:
        return "零"
    if n < 0:
        return "负" + integer(-n)
    out = ""
    for value, name in _BIG:
        q, n = divmod(n, value)
        if q:
            head = integer(q) if q >= 10**4 else _below_10000(q, not out)
            if q == 2 and not out:
                head = "两"
            out += head + name
            if n and n < value // 10:
                out += "零"
    if n:
        out += _below_10000(n, not out)
    return out


def number(text: str) -> str:
    """A written number (thousands separators, a decimal part) read aloud: 3.14 → 三点一四."""
    text = text.replace(",", "").replace("，", "")
    whole, _, frac = text.partition(".")
    spoken = integer(int(whole)) if whole else "零"
    return spoken + ("点" + digits(frac) if frac else "")


def _count(text: str) -> str:
    """A number before a measure word: a lone 2 is 两."""
    return "两" if text.replace(",", "") == "2" else number(text)


def _money(whole: str, frac: str) -> str:
    yuan = integer(int(whole.replace(",", "") or 0))
    if whole.replace(",", "") == "2":
        yuan = "两"
    frac = (frac + "00")[:2]
    out = yuan + "元" if int(whole.replace(",", "") or 0) or frac == "00" else ""
    if frac[0] != "0":
        out += DIGITS[int(frac[0])] + "角"
    if frac[1] != "0":
        out += ("零" if frac[0] == "0" and out else "") + DIGITS[int(frac[1])] + "分"
    return out


def _clock(h: str, m: str) -> str:
    minutes = int(m)
    spoken = integer(int(h)) + "点"
    if minutes:
        spoken += ("零" if minutes < 10 else "") + integer(minutes) + "分"
    return spoken


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Landlines with an area code, mobiles and any run of 7+ digits (a count that long is
# written with commas or 万), and whatever number follows a word that announces a phone number.
_PHONE = re.compile(
    r"(?<![\d.,])(?:0\d{2,3}[-－ ]\d{7,8}|\d{7,}(?![\d.,]|\s*[%％元" + MEASURES + r"]))"
    r"|(?<=电话|热线|手机|拨打|号码)([:：]?\s*)(\d[\d－ -]*\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?=年)|(?<=[〔\[【(（])(\d{4})(?=[〕\]】)）])")
_MONEY_PREFIX = re.compile(r"[¥￥]\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")
_MONEY_SUFFIX = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?元")
_PERCENT = re.compile(rf"({_NUM})\s*[%％]")
_TIME_RANGE = re.compile(
    r"(?<!\d)(\d{1,2})[:：](\d{2})\s*[-－~～—至到]+\s*(\d{1,2})[:：](\d{2})(?!\d)"
)
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:：](\d{2})(?!\d)")
_RANGE = re.compile(rf"(?<![\d.])({_NUM})\s*[-－~～]\s*(?=\d)")
_UNIT = re.compile(rf"({_NUM})\s*({_UNIT_RE})(?![A-Za-z])")
_MEASURE = re.compile(rf"(?<![\d.])(2)(?=[{MEASURES}])")
_PLAIN = re.compile(_NUM)


def _phone(match: re.Match[str], yao: bool) -> str:
    text = match.group(2) or match.group(0)
    lead = match.group(1) or ""
    parts = re.split(r"[-－ ]", text)
    return lead + "，".join(digits(p, yao=yao) for p in parts if p)


def normalise(text: str, *, yao: bool = False) -> str:
    """``text`` as an announcer reads it (see the module docstring for the rules)."""
    text = _ISO_DATE.sub(
        lambda m: f"{digits(m[1])}年{integer(int(m[2]))}月{integer(int(m[3]))}日", text
    )
    text = _YEAR.sub(lambda m: digits(m[1] or m[2]), text)
    text = _MONEY_PREFIX.sub(lambda m: _money(m[1], m[2] or ""), text)
    text = _MONEY_SUFFIX.sub(lambda m: _money(m[1], m[2] or ""), text)
    text = _TIME_RANGE.sub(lambda m: f"{_clock(m[1], m[2])}到{_clock(m[3], m[4])}", text)
    text = _TIME.sub(lambda m: _clock(m[1], m[2]), text)
    text = _PHONE.sub(lambda m: _phone(m, yao), text)
    text = _PERCENT.sub(lambda m: "百分之" + number(m[1]), text)
    text = _RANGE.sub(lambda m: number(m[1]) + "到", text)
    text = _UNIT.sub(lambda m: _count(m[1]) + _UNIT_WORDS[m[2]], text)
    text = _MEASURE.sub("两", text)
    return _PLAIN.sub(lambda m: number(m[0]), text)
