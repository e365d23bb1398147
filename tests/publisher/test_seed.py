"""The demo seed: a realistic, current, approved township, and running it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from publisher.models import (
    AuditEvent,
    Cadre,
    Channel,
    ContentItem,
    ContentVersion,
    Township,
    User,
    Village,
    Whereabouts,
)

MODELS = (Township, Village, Channel, User, Cadre, Whereabouts, ContentItem, ContentVersion,
          AuditEvent)


def _counts(db) -> dict[str, int]:  # noqa: ANN001
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seed_builds_the_demo_township_and_is_idempotent(app):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.seed import seed_demo

    with app.app_context():
        lines = list(seed_demo())
        first = _counts(db)
        again = list(seed_demo())
        assert _counts(db) == first
        assert any("已存在" in line for line in again)

        assert any("demo1234" in line for line in lines)
        assert any("修改密码" in line for line in lines)  # the print says to change it
        township = db.session.scalar(select(Township).where(Township.name == "监山乡"))
        assert township.county == "乾元县" and len(township.villages) == 6
        channel = db.session.scalar(select(Channel).where(Channel.slug == "jianshan"))
        assert (channel.name, channel.profile, channel.township_id) == (
            "监山乡村频道", "720p", township.id)
        roles = {u.username: u.role for u in db.session.scalars(select(User))}
        assert roles == {"admin": "admin", "editor": "editor", "reviewer": "reviewer",
                         "cadre1": "cadre"}
        assert db.session.scalar(select(User).where(User.username == "editor")).check_password(
            "demo1234")

        cadres = db.session.scalars(select(Cadre)).all()
        assert len(cadres) >= 8
        posts = {c.post for c in cadres}
        assert {"党委书记", "乡长", "副乡长", "武装部长", "组织委员", "宣传委员",
                "包村干部"} <= posts
        assert all(c.villages and c.phone and c.responsibilities for c in cadres)
        assert any(c.user and c.user.username == "cadre1" for c in cadres)
        reported = {w.cadre_id for w in db.session.scalars(select(Whereabouts))}
        assert len(cadres) / 2 < len(reported) < len(cadres)  # most, not all, have reported

        items = db.session.scalars(select(ContentItem)).all()
        kinds = [i.kind for i in items]
        assert kinds.count("policy") >= 4 and kinds.count("service") >= 3
        assert kinds.count("produce") >= 4 and kinds.count("notice") >= 2
        assert all(i.latest.state == "approved" and i.latest.render_state == "queued"
                   for i in items)
        assert any(i.latest.data.get("category") == "村务公开" for i in items)
        assert all(i.latest.valid_until > i.latest.valid_from for i in items)
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"create", "submit", "approve"} <= actions


def test_seeded_content_passes_the_renderers_validation(app):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.seed import seed_demo
    from renderer.item_parser import parse_item

    with app.app_context():
        list(seed_demo())
        for version in db.session.scalars(select(ContentVersion)):
            parse_item(version.data)
            for service_steps in (version.data.get("steps") or [],):
                assert all(not s[0].isdigit() for s in service_steps)
