"""The main navigation: each role sees the pages it may use, and every link resolves."""

from __future__ import annotations

import re

import pytest

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import text_of

world = support.world  # fixture: pytest finds it as a module attribute

ORG_AND_IMPORT = {"/org/", "/imports/"}


def _links(html: str, nav_class: str) -> list[str]:
    match = re.search(rf'<nav class="{nav_class}">(.*?)</nav>', html, re.S)
    assert match, f"no {nav_class} on the page"
    return re.findall(r'href="([^"]+)"', match.group(1))


@pytest.mark.parametrize(("username", "home", "shown", "hidden"), [
    ("county", "/", {"/org/", "/imports/", "/settings"}, set()),
    ("admin_a", "/", {"/org/", "/imports/", "/settings"}, set()),
    ("editor_a", "/", {"/imports/"}, {"/org/", "/settings"}),
    ("reviewer_a", "/", set(), {"/org/", "/imports/", "/settings"}),
    ("cadre_a", "/checkin", {"/checkin"}, ORG_AND_IMPORT),
])
def test_each_role_sees_the_pages_it_may_use_and_every_link_resolves(world, username, home,
                                                                      shown, hidden):
    app, _ids = world
    client = support.client_for(app, username)
    links = _links(text_of(client.get(home)), "mainnav")
    assert shown <= set(links) and not hidden & set(links), links
    for href in links:
        response = client.get(href, follow_redirects=True)
        assert response.status_code == 200, (username, href, response.status_code)


@pytest.mark.parametrize(("username", "tabs"), [
    ("county", ["/org/townships", "/org/villages", "/org/channels", "/org/users"]),
    ("admin_a", ["/org/villages", "/org/channels", "/org/users"]),
])
def test_the_organisation_tabs_resolve_for_administrators(world, username, tabs):
    app, _ids = world
    client = support.client_for(app, username)
    landing = client.get("/org/", follow_redirects=True)
    assert landing.status_code == 200
    assert _links(text_of(landing), "subnav") == tabs
    for href in tabs:
        page = client.get(href)
        assert page.status_code == 200, (username, href)
        assert 'aria-current="page"' in page.get_data(as_text=True)
        assert re.search(r'<a href="/org/" class="active"', text_of(page)), href
