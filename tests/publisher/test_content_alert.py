"""Public alerts are created through the content service like every other item: validated by
the kind's declaration, approved in one call, audited, and nothing stored when refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _alert(**over):  # noqa: ANN003, ANN202
    return {"title": "暴雨红色预警", "body": "请村民远离河道。", "severity": "红色预警",
            "issued_by": "监山乡政府", "expires": "11月23日 18:00", **over}


def test_issue_alert_makes_an_approved_version_queued_for_rendering(app, township, make_user):
    from publisher.extensions import db
    from publisher.models import AuditEvent, ContentItem, Township, User
    from publisher.services import content

    boss = make_user("boss", "reviewer", township)
    with app.app_context():
        item = content.issue_alert(
            db.session.get(User, boss), db.session.get(Township, township),
            _alert(title="  暴雨红色预警\u200b "), now=NOW, valid_until=NOW + timedelta(hours=6),
            is_exercise=True, how="值班人员")
        item = db.session.get(ContentItem, item.id)
        version = item.latest
        assert (item.kind, item.is_exercise, item.created_at) == ("alert", True, NOW)
        assert (version.state, version.render_state, version.number) == ("approved", "queued", 1)
        assert (version.reviewed_at, version.reviewed_by_id, version.author_id) == (
            NOW, boss, boss)
        # Cleaned as every door cleans: the invisible character and the spaces are gone.
        assert version.title == version.data["title"] == "暴雨红色预警"
        assert version.data["type"] == "alert"
        assert version.review_note == "紧急通知直接发布（值班人员）"
        entry = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.target_id == str(item.id), AuditEvent.action == "alert")).one()
        assert entry.summary == "【演练】暴雨红色预警（值班人员）"


@pytest.mark.parametrize(("data", "field"), [
    (_alert(title=""), "title"),
    (_alert(body="长" * 1001), "body"),
    (_alert(issued_by=["监山乡"]), "issued_by"),
])
def test_an_alert_the_declaration_refuses_is_not_stored(app, township, data, field):
    from publisher.extensions import db
    from publisher.models import ContentItem, Township
    from publisher.services import content
    from publisher.services.errors import FieldError

    with app.app_context():
        with pytest.raises(FieldError) as caught:
            content.issue_alert(None, db.session.get(Township, township), data, now=NOW,
                                valid_until=NOW + timedelta(hours=1), how="CAP")
        db.session.rollback()
        assert caught.value.field == field
        assert db.session.scalar(db.select(db.func.count()).select_from(ContentItem)) == 0


def test_an_alert_of_another_township_is_refused(app, township, make_user):
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content
    from publisher.services.errors import NotAllowed

    with app.app_context():
        other = Township(name="别乡", county="乾元县")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    stranger = make_user("stranger", "reviewer", other_id)
    with app.app_context(), pytest.raises(NotAllowed):
        content.issue_alert(db.session.get(User, stranger), db.session.get(Township, township),
                            _alert(), now=NOW, valid_until=NOW + timedelta(hours=1), how="x")
