"""Renderer benchmark: a realistic corpus at 1080p, cold and then warm cache.

Run: ``.venv/bin/python bench/render_bench.py [--items 240] [--profile 1080p]``.
Prints pages per second on one core (this process renders serially) for a cold cache,
then re-renders the unchanged corpus against the warm cache and prints the speed-up,
both measured in this same run. Targets: >= 20 pages/s per core, warm >= 50x faster.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from renderer.render import render_item  # noqa: E402
from renderer.theme import default_branding  # noqa: E402

VILLAGES = ["三岔村", "柳沟村", "石门村", "红星村", "东风村", "新庄村", "河湾村", "马家庄"]
SURNAMES = "王李张刘陈杨赵黄周吴马郭何罗"
GIVEN = ["建国", "秀英", "福", "晓燕", "刚", "海军", "桂兰", "志强", "春梅", "德胜"]
POSTS = ["乡党委书记", "乡长", "副乡长", "宣传委员", "武装部长", "党政办主任", "包村干部"]
STATUSES = ["在村走访", "乡机关值班", "外出开会", "出差", "请假", "未报告"]
PRODUCTS = ["高山土豆", "土鸡蛋", "核桃", "花椒", "蜂蜜", "小米", "苹果", "腊肉", "木耳"]
SENTENCES = [
    "补贴资金通过“一卡通”直接发放到农户账户，任何单位和个人不得截留、挪用。",
    "请于2026年12月31日前到村委会（带身份证、户口本）办理，咨询电话0991-1234567。",
    "对虚报冒领的，一经查实，追回补贴资金并依法处理。",
    "今年每亩补贴标准为120元，种植面积以村委会核实的3.5亩为准。",
    "符合条件的脱贫户、监测户优先享受，比例不低于50%。",
    "各村要组织人员逐户排查，发现隐患立即整改，确保群众生命财产安全。",
    "外出务工人员可由家属代为办理，需提供委托书和双方身份证复印件。",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _text(rng: random.Random, low: int, high: int) -> str:
    paras = []
    for _ in range(rng.randint(low, high)):
        paras.append("".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3))))
    return "\n".join(paras)


def corpus(n: int, seed: int = 7) -> list[dict]:
    """``n`` varied items of every type, deterministic for a given seed."""
    rng = random.Random(seed)
    items: list[dict] = []
    for i in range(n):
        kind = i % 8
        if kind == 0:
            items.append(
                {
                    "type": "policy",
                    "id": f"policy:{i}",
                    "version": 1,
                    "title": f"2026年第{i}批种粮农民一次性补贴发放通知",
                    "category": "种粮补贴",
                    "eligibility": _text(rng, 1, 2),
                    "amount": f"每亩{rng.randint(50, 300)}元",
                    "how_to_apply": _text(rng, 1, 2),
                    "deadline": "2026-12-31",
                    "source_document": "乾农发〔2026〕12号",
                    "contact": "0991-1234567",
                    "body": _text(rng, 1, 6),
                }
            )
        elif kind == 1:
            items.append(
                {
                    "type": "service",
                    "title": f"办理事项{i}：农村低保申请",
                    "steps": [rng.choice(SENTENCES)[:24] for _ in range(rng.randint(3, 7))],
                    "documents": ["户口本、身份证复印件", "家庭收入情况说明"],
                    "location": "乡便民服务中心2号窗口",
                    "office_hours": "工作日 8:30-18:00",
                    "time_limit": "30个工作日",
                    "fee": "免费",
                    "contact": "0991-7654321",
                }
            )
        elif kind == 2:
            items.append(
                {
                    "type": "produce",
                    "product": rng.choice(PRODUCTS),
                    "village": rng.choice(VILLAGES),
                    "seller": _name(rng),
                    "price": f"{rng.randint(1, 80)}.{rng.randint(0, 9)}",
                    "unit": "斤",
                    "quantity": f"约{rng.randint(1, 90) * 100}斤",
                    "photo": None,
                    "phone": f"138{rng.randint(10_000_000, 99_999_999)}",
                    "available_until": "2026-12-10",
                    "description": _text(rng, 0, 1),
                }
            )
        elif kind == 3:
            items.append(
                {
                    "type": "notice",
                    "title": f"关于第{i}期村务公开的公告",
                    "body": _text(rng, 2, 8),
                    "category": rng.choice(["通知公告", "村务公开"]),
                    "issued_by": "监山乡人民政府",
                    "date": "2026-11-09",
                }
            )
        elif kind == 4:
            items.append(
                {
                    "type": "roster",
                    "title": "干部分工",
                    "rows": [
                        {
                            "name": _name(rng),
                            "post": rng.choice(POSTS),
                            "villages": "、".join(rng.sample(VILLAGES, rng.randint(1, 2))),
                            "responsibilities": rng.choice(SENTENCES)[:20],
                            "phone": f"0991-12345{rng.randint(10, 99)}",
                        }
                        for _ in range(rng.randint(4, 14))
                    ],
                }
            )
        elif kind == 5:
            items.append(
                {
                    "type": "whereabouts",
                    "date": "2026-11-22",
                    "updated_at": f"2026-11-22T{8 + i % 10:02d}:30:00+08:00",
                    "rows": [
                        {
                            "name": _name(rng),
                            "post": rng.choice(POSTS),
                            "status": rng.choice(STATUSES),
                            "village": rng.choice(VILLAGES),
                            "time_window": "9:00-17:00",
                            "activity": "走访农户、核实补贴面积",
                        }
                        for _ in range(rng.randint(5, 16))
                    ],
                }
            )
        elif kind == 6:
            items.append(
                {
                    "type": "alert",
                    "title": f"暴雪{rng.choice(['蓝色', '黄色', '红色'])}预警",
                    "body": _text(rng, 1, 2),
                    "severity": "红色预警",
                    "issued_by": "乾元县气象台",
                    "expires": "11月23日20:00",
                }
            )
        else:
            items.append({"type": "ident"})
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=240)
    parser.add_argument("--profile", default="1080p")
    args = parser.parse_args()
    items = corpus(args.items)
    branding = default_branding("今晚有大风降温，请关好门窗，注意防寒保暖。")
    today = date(2026, 11, 22)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        # Warm-up outside the timing: font loading and file hashing happen once per process.
        render_item(
            {"type": "ident"},
            profile=args.profile,
            branding=branding,
            cache_dir=cache / "warmup",
            today=today,
        )
        t0, c0 = time.perf_counter(), time.process_time()
        pages = sum(
            len(
                render_item(
                    it, profile=args.profile, branding=branding, cache_dir=cache, today=today
                )
            )
            for it in items
        )
        cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        again = sum(
            len(
                render_item(
                    it, profile=args.profile, branding=branding, cache_dir=cache, today=today
                )
            )
            for it in items
        )
        warm = time.perf_counter() - t0
    assert again == pages
    print(f"corpus: {len(items)} items, {pages} pages at {args.profile}")
    print(
        f"cold:   {cold:.2f} s wall, {cold_cpu:.2f} s CPU -> "
        f"{pages / cold_cpu:.1f} pages/s per core ({pages / cold:.1f} pages/s wall)"
    )
    print(f"warm:   {warm:.3f} s wall -> {pages / warm:.0f} pages/s")
    print(f"warm re-render speed-up: {cold / warm:.1f}x")


if __name__ == "__main__":
    main()
