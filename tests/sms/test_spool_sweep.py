"""Every modem's spool is swept of files whose result is recorded (their names carry
phone numbers); files still in flight, and files we did not write, stay."""

from __future__ import annotations

from publisher.sms.gammu_files import outbox_name

from .conftest import T0


def _file(spool, sub: str, name: str) -> None:  # noqa: ANN001
    (spool / sub).mkdir(parents=True, exist_ok=True)
    (spool / sub / name).write_bytes("\ufeff内容".encode("utf-16-le"))


def test_sweep_covers_every_modem(app, tmp_path):
    from publisher.extensions import db
    from publisher.sms import spool as sweeper
    from publisher.sms import store
    from publisher.sms.routes import get_routes

    app.config.update(SMS_MODEMS=["dummy", "dummy"], SMS_SPOOL_DIR=tmp_path / "sms")
    spools = [tmp_path / "sms", tmp_path / "sms2"]
    with app.app_context():
        rows = [store.queue_sms(f"1380000000{n}", "你好", now=T0) for n in range(4)]
        rows[0].status, rows[1].status = "sent", "failed"
        rows[2].status, rows[3].status = "queued", "sending"
        db.session.commit()
        ids = [r.id for r in rows]
        routes = get_routes()
        assert [r.name for r in routes] == ["gammu", "gammu2"]
        names = [outbox_name(f"1380000000{n}", f"m{i}", T0, "A") for n, i in enumerate(ids)]
        _file(spools[0], "sent", names[0])
        _file(spools[1], "error", names[1])
        _file(spools[1], "sent", names[2])  # still queued: its result is read from here
        _file(spools[0], "sent", names[3])  # being handed over: kept against a resend
        _file(spools[0], "processed", "IN20261123_073000_00_+8613800000009_00.txt")
        _file(spools[1], "processed", "IN20261123_073000_00_+8613800000008_00.txt.a1b2c3")
        _file(spools[1], "sent", "OUTA20261123_073000_00_13800000007_other.txt")  # not ours
        assert sweeper.sweep(routes) == 4
        left = sorted(p.name for s in spools for p in s.rglob("*") if p.is_file())
        assert left == sorted([names[2], names[3],
                               "OUTA20261123_073000_00_13800000007_other.txt"])
        assert sweeper.sweep(routes) == 0
        db.session.remove()
