"""Line breaking as the templates use it: continued sections, names in table columns."""

from __future__ import annotations

import pytest

from renderer.profiles import PROFILES
from renderer.render import plan_item
from tests.renderer import samples
from tests.renderer.conftest import TODAY, make_branding

CONTENT = "补贴资金通过“一卡通”直接发放到农户账户，任何单位和个人不得截留、挪用。" * 30
LONG_POLICY = {**samples.POLICY, "body": CONTENT}


def _body_pages(profile: str):
    ctx, specs = plan_item(LONG_POLICY, profile=profile, branding=make_branding(), today=TODAY)
    return [spec.data["doc"].body for spec in specs if spec.data["doc"].body]


@pytest.mark.parametrize("profile", ["720p", "576i-4x3"])
def test_a_policy_section_continued_on_the_next_page_repeats_its_heading(profile):
    pages = _body_pages(profile)
    continued = [page for page in pages if page[0].text == "政策内容（续）"]
    assert continued, [page[0].text for page in pages]
    for page in continued:
        assert page[0].style == "heading"
    # Every body page opens with a heading: a section's own or its repeat.
    assert all(page[0].style == "heading" for page in pages)
    drawn = "".join(line.text for page in pages for line in page if "（续）" not in line.text)
    assert CONTENT in drawn


def _name_lines(item: dict, profile: str) -> list[list[str]]:
    ctx, specs = plan_item(item, profile=profile, branding=make_branding(), today=TODAY)
    return [
        [line.text for line in row.cells[0] if line.style == "heading"]
        for spec in specs
        for row in spec.data["table"].rows
    ]


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize("kind", ["roster", "whereabouts"])
def test_a_dotted_name_breaks_only_after_its_dot(kind, profile):
    sample = samples.ROSTER if kind == "roster" else samples.WHERE
    rows = [dict(row) for row in sample["rows"]]
    rows[3]["name"] = "阿依古丽·买买提"
    names = _name_lines({**sample, "rows": rows}, profile)
    assert ["阿依古丽·", "买买提"] in names or ["阿依古丽·买买提"] in names, names
