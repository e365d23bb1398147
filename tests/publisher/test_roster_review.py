"""Changes to cadres reach the 干部分工 slide only once reviewed, like any other content (#15);
a township may choose direct publishing instead."""

from __future__ import annotations

import re

from tests.publisher import test_people_support as support
from tests.publisher.test_import import csv_bytes, token_of, upload
from tests.publisher.test_people_cadres import FORM
from tests.publisher.test_people_support import post, text_of

org = support.org  # a fixture: pytest finds it as a module attribute


def aired(app, township_id: int) -> list[str] | None:  # noqa: ANN001
    """The names on the roster the channel's plan takes (None: no roster slide)."""
    from publisher.extensions import db
    from publisher.jobs.derived import roster_item
    from publisher.models import Township

    with app.app_context():
        roster = roster_item(db.session.get(Township, township_id))
        return None if roster is None else [row["name"] for row in roster["rows"]]


def waiting(app, township_id: int):  # noqa: ANN001, ANN201
    from publisher.extensions import db
    from publisher.services import roster_review

    with app.app_context():
        release = roster_review.pending(township_id)
        if release is not None:
            db.session.expunge(release)
        return release


def test_a_new_cadre_airs_only_after_review(app, org):
    editor = support.client_for(app, "editor_a")
    assert post(editor, "/cadres/new", {**FORM, "village_ids": [str(org.zhang)]}
                ).status_code == 303
    assert aired(app, org.a) is None  # nothing approved yet: no roster slide at all
    release = waiting(app, org.a)
    assert [r["name"] for r in release.data["rows"]] == ["张明", "李芳", "王刚"]
    assert "要等审核通过后才更新" in text_of(editor.get("/cadres"))

    reviewer = support.client_for(app, "reviewer_a")
    queue = text_of(reviewer.get("/review"))
    assert f'href="/review/roster/{release.id}"' in queue
    page = text_of(reviewer.get(f"/review/roster/{release.id}"))
    assert "王刚" in page and "新增" in page and "<ins>武装部长</ins>" in page
    done = post(reviewer, f"/review/roster/{release.id}/approve", {"note": ""})
    assert done.status_code == 303
    assert aired(app, org.a) == ["张明", "李芳", "王刚"]
    assert waiting(app, org.a) is None


def test_an_edit_shows_what_changed_and_the_old_roster_airs_until_approved(app, org):
    editor = support.client_for(app, "editor_a")
    reviewer = support.client_for(app, "reviewer_a")
    post(editor, "/cadres/new", {**FORM, "village_ids": [str(org.zhang)]})
    post(reviewer, f"/review/roster/{waiting(app, org.a).id}/approve", {"note": ""})
    form = text_of(editor.get(f"/cadres/{org.cadre2}/edit"))
    assert "李芳" in form
    post(editor, f"/cadres/{org.cadre2}/edit",
         {"name": "李芳", "post": "党委委员、副乡长", "phone": "13900001111", "sort_order": "20",
          "active": "1"})
    release = waiting(app, org.a)
    page = text_of(reviewer.get(f"/review/roster/{release.id}"))
    row = re.search(r"<tr><td class=\"nowrap\"><strong>李芳</strong>.*?</tr>", page, re.S).group(0)
    assert "修改" in row and "<del>副乡长</del>" in row and "<ins>党委委员、副乡长</ins>" in row
    assert "王刚" not in row
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        from publisher.jobs.derived import roster_item

        posts = {r["name"]: r["post"] for r in roster_item(db.session.get(Township, org.a))["rows"]}
    assert posts["李芳"] == "副乡长"  # still the approved one
    refused = post(reviewer, f"/review/roster/{release.id}/reject", {"reason": " "})
    assert refused.status_code == 400
    post(reviewer, f"/review/roster/{release.id}/reject", {"reason": "职务请写全称"})
    with app.app_context():
        posts = {r["name"]: r["post"] for r in roster_item(db.session.get(Township, org.a))["rows"]}
    assert posts["李芳"] == "副乡长" and waiting(app, org.a) is None


def test_whoever_made_the_change_may_not_approve_it(app, org):
    from publisher.extensions import db
    from publisher.models import User
    from publisher.services import cadres, roster_review
    from publisher.services.errors import NotAllowed

    with app.app_context():
        admin = db.session.get(User, org.admin)  # an admin edits and reviews
        cadres.save_cadre(admin, org.a, {"name": "王刚", "post": "武装部长", "phone": "",
                                         "office_phone": "", "responsibilities": "",
                                         "sort_order": 30, "active": True, "user_id": None,
                                         "village_ids": []})
        release = roster_review.pending(org.a)
        try:
            roster_review.approve(admin, release)
        except NotAllowed as exc:
            assert "不允许审核自己提交的内容" in str(exc)
        else:
            raise AssertionError("approved own change")


def test_a_township_may_publish_roster_changes_directly(app, org):
    admin = support.client_for(app, "admin_a")
    settings = text_of(admin.get("/settings"))
    assert "干部分工变更需审核后播出" in settings
    post(admin, "/settings", {"checkin_deadline_hour": "9", "duty_phone": ""})  # box unticked
    editor = support.client_for(app, "editor_a")
    post(editor, "/cadres/new", {**FORM, "village_ids": [str(org.zhang)]})
    assert aired(app, org.a) == ["张明", "李芳", "王刚"] and waiting(app, org.a) is None


def test_an_import_proposes_one_change_for_all_its_rows(app, org):
    from publisher.extensions import db
    from publisher.models import RosterRelease

    editor = support.client_for(app, "editor_a")
    rows = [["姓名", "职务"], ["王刚", "武装部长"], ["赵敏", "党政办主任"], ["孙七", "文书"]]
    preview = upload(editor, "cadres", csv_bytes(rows), "c.csv")
    post(editor, "/imports/cadres/commit", {"token": token_of(preview)})
    with app.app_context():
        releases = db.session.query(RosterRelease).filter_by(township_id=org.a).all()
        assert len(releases) == 1 and releases[0].state == "pending"
        assert [r["name"] for r in releases[0].data["rows"]][-3:] == ["王刚", "赵敏", "孙七"]


def test_changing_back_leaves_nothing_to_review(app, org):
    editor = support.client_for(app, "editor_a")
    reviewer = support.client_for(app, "reviewer_a")
    post(editor, "/cadres/new", {**FORM, "village_ids": [str(org.zhang)]})
    post(reviewer, f"/review/roster/{waiting(app, org.a).id}/approve", {"note": ""})
    edit = {"name": "李芳", "phone": "13900001111", "sort_order": "20", "active": "1"}
    post(editor, f"/cadres/{org.cadre2}/edit", {**edit, "post": "乡长"})
    assert waiting(app, org.a) is not None
    post(editor, f"/cadres/{org.cadre2}/edit", {**edit, "post": "副乡长"})
    assert waiting(app, org.a) is None
