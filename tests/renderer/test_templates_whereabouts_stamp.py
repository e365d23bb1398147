"""The "更新于" stamp shows the wall-clock time of the zone the publisher sent."""

from __future__ import annotations

from datetime import date

import pytest

from renderer.render import plan_item
from tests.renderer.conftest import make_branding


def _page_text(updated_at: str) -> str:
    item = {"type": "whereabouts", "date": "2026-11-22", "updated_at": updated_at,
            "rows": [{"name": "张明", "post": "党委书记", "status": "在村走访"}]}
    _, pages = plan_item(item, profile="720p", branding=make_branding(), today=date(2026, 11, 22))
    return repr([page.data for page in pages])


@pytest.mark.parametrize(("sent", "shown"), [
    ("2026-11-22T07:30:00+06:00", "更新于 07:30"),  # a township on Urumqi time
    ("2026-11-22T09:30:00+08:00", "更新于 09:30"),
])
def test_stamp_keeps_the_zone_it_was_sent_in(sent: str, shown: str):
    assert shown in _page_text(sent)
