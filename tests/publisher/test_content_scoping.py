"""Township scoping and roles, route by route.

A user of township B asking for township A's item gets 404 on every route (ids leak
nothing), cadres are sent to their check-in page, anonymous visitors to the login page.
"""

from __future__ import annotations

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import POLICY, counts, form_of, item_state

# Fixtures shared by the content tests (pytest finds them as module attributes).
login, make_item, office = support.login, support.make_item, support.office

# (method, url) with {id} for township A's pending policy and {job} for its preview job.
ITEM_ROUTES = [
    ("GET", "/content/policy/{id}"),
    ("GET", "/content/policy/{id}/edit"),
    ("POST", "/content/policy/{id}/edit"),
    ("POST", "/content/policy/{id}/submit"),
    ("POST", "/content/policy/{id}/withdraw"),
    ("GET", "/content/policy/{id}/versions/1"),
    ("POST", "/content/policy/{id}/preview"),
    ("POST", "/content/policy/preview?item={id}"),
    ("GET", "/review/{id}"),
    ("POST", "/review/{id}/approve"),
    ("POST", "/review/{id}/reject"),
    ("GET", "/jobs/{job}"),
]
PAGES = ["/", "/content/policy", "/content/service", "/content/produce", "/content/notice",
         "/content/policy/new", "/review", "/audit", "/settings"]


@pytest.fixture
def a_item(app, make_item, login):  # noqa: ANN001, ANN201, F811
    """Township A's pending policy and a preview job of it: ``(item_id, job_id)``."""
    item_id = make_item("policy", state="pending")
    job = login("editor").post(f"/content/policy/{item_id}/preview").get_json()["job"]
    return item_id, job


def _call(staff, method: str, url: str):  # noqa: ANN001, ANN202
    if method == "GET":
        return staff.get(url)
    return staff.post(url, {**form_of("policy", title="改掉", save="1"), "reason": "x"})


@pytest.mark.parametrize(("method", "url"), ITEM_ROUTES)
def test_other_township_gets_404_for_every_item_route(app, login, a_item, method, url):
    item_id, job = a_item
    before = (counts(app), item_state(app, item_id))
    response = _call(login("admin_b"), method, url.format(id=item_id, job=job))
    assert response.status_code == 404
    assert (counts(app), item_state(app, item_id)) == before


def test_same_township_and_county_admin_reach_every_item_route(app, login, a_item):
    item_id, job = a_item
    for who in ("admin", "county"):
        staff = login(who)
        for method, url in ITEM_ROUTES:
            response = _call(staff, method, url.format(id=item_id, job=job))
            assert response.status_code in (200, 202, 302, 303, 400), (who, url)


def test_unknown_ids_and_wrong_kinds_are_404(app, login, a_item):
    item_id, job = a_item
    admin = login("admin")
    for method, url in ITEM_ROUTES:
        assert _call(admin, method, url.format(id=99999, job=99999)).status_code == 404, url
        if "/content/policy/" in url and "?" not in url:
            for other in ("/content/service/", "/content/alert/"):
                wrong = url.replace("/content/policy/", other).format(id=item_id, job=job)
                assert _call(admin, method, wrong).status_code == 404, wrong


def test_lists_dashboard_queue_and_audit_hide_other_townships(app, login, make_item, office):
    make_item("policy", {**POLICY, "title": "乙镇的政策"}, state="pending",
              township_id=office.b)
    for url in ("/content/policy", "/review", "/audit", "/"):
        assert "乙镇的政策" not in login("admin").text(url), url
        assert "乙镇的政策" in login("admin_b").text(url), url
        assert "乙镇的政策" in login("county").text(url), url


def test_cadres_are_sent_to_their_checkin_page_and_cannot_post(app, login, a_item):
    item_id, job = a_item
    cadre = login("cadre")
    for url in [*PAGES, "/content/policy/{id}", "/review/{id}", "/content/policy/{id}/versions/1"]:
        response = cadre.get(url.format(id=item_id))
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/checkin"), url
    before = counts(app)
    posts = [u for m, u in ITEM_ROUTES if m == "POST"] + ["/content/policy/new", "/settings"]
    for url in posts:
        assert _call(cadre, "POST", url.format(id=item_id, job=job)).status_code == 403, url
    assert counts(app) == before


def test_anonymous_visitors_go_to_login(client, office):
    for url in [*PAGES, "/content/policy/1", "/review/1", "/jobs/1"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_unknown_content_kind_is_404(login):
    admin = login("admin")
    for url in ("/content/alert", "/content/whatever", "/content/alert/new"):
        assert admin.get(url).status_code == 404
