"""What the layout engine knows of Chinese words: plain data, no code.

The engine has no dictionary. These short lists are all it knows: which units follow a
number (so ``38,600 元`` never breaks before its 元) and which two-character words a
wrapped title should never be cut inside.
"""

from __future__ import annotations

# Units that stay with the number before them. Longer units first: the line-breaking
# pattern takes the first that matches, so 个工作日 must come before 工作日, 个 and 日.
MEASURE_UNITS = (
    "个工作日",
    "平方公里",
    "平方千米",
    "千瓦时",
    "兆瓦时",
    "千瓦",
    "兆瓦",
    "公顷",
    "度电",
    "工作日",
    "个月",
    "平方米",
    "立方米",
    "平米",
    "厘米",
    "毫米",
    "公里",
    "千米",
    "公斤",
    "千克",
    "毫升",
    "小时",
    "分钟",
    "万元",
    "亿元",
    "元整",
    "年度",
    "人次",
    "户次",
    "瓦",
    "元",
    "万",
    "亿",
    "千",
    "百",
    "角",
    "亩",
    "斤",
    "克",
    "吨",
    "米",
    "升",
    "㎡",
    "㎥",
    "年",
    "月",
    "日",
    "号",
    "天",
    "周",
    "时",
    "点",
    "分",
    "秒",
    "岁",
    "人",
    "户",
    "次",
    "头",
    "只",
    "株",
    "棵",
    "台",
    "辆",
    "项",
    "份",
    "页",
    "件",
    "箱",
    "袋",
    "个",
    "位",
    "名",
    "张",
    "本",
    "条",
    "间",
    "套",
    "批",
    "倍",
    "成",
    "折",
    "级",
    "层",
    "楼",
    "室",
    "期",
    "组",
    "度",
)

# Latin units that stay with the number before them, also across a space (12.5 kWh).
LATIN_UNITS = (
    "kWh", "MWh", "kW", "MW", "W", "kV", "V", "kg", "km", "cm", "mm", "mL", "ml", "m²",
    "m³", "m2", "m3", "L", "t", "g", "m", "h",
)  # fmt: skip

# Two-character words common in township notices; a title broken inside one reads worst.
_WORD_RUN = (
    "补贴政策通知公告工作农村农民农户村民村务服务中心保护安全申请办理审批发放资金财务"
    "收支公开干部去向群众生产粮食耕地地力防汛防火预警医疗保险养老低保救助社区合作专业"
    "土地承包住房建设规划登记参保缴费教育职业技能培训检查整改开展做好关于情况管理应急"
    "卫生健康计划补助农机购置应用一次实际年度"
)
COMMON_WORDS = frozenset(_WORD_RUN[i : i + 2] for i in range(0, len(_WORD_RUN), 2))
