"""The public guide routes: the channel list's logos resolve to real images."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from PIL import Image


def _logo_url(client) -> str:  # noqa: ANN001
    body = client.get("/channels.m3u").get_data(as_text=True)
    url = body.split('tvg-logo="', 1)[1].split('"', 1)[0]
    return urlsplit(url).path  # the public base URL is the configured one


def test_default_logo_is_served_when_none_uploaded(client, township):  # noqa: ANN001
    response = client.get(_logo_url(client))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).format == "PNG"


def test_uploaded_logo_is_served_from_the_upload_dir(app, client, township):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Channel

    logos = app.config["UPLOAD_DIR"] / "logos"
    logos.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 32), "#C00000").save(logos / "mine.png")
    with app.app_context():
        db.session.scalars(db.select(Channel)).one().logo_path = "logos/mine.png"
        db.session.commit()
    image = Image.open(io.BytesIO(client.get(_logo_url(client)).data))
    assert image.size == (64, 32)


def test_logo_path_cannot_escape_the_upload_dir(app, client, township, tmp_path):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Channel

    Image.new("RGB", (10, 10)).save(tmp_path / "outside.png")
    with app.app_context():
        db.session.scalars(db.select(Channel)).one().logo_path = "../../outside.png"
        db.session.commit()
    image = Image.open(io.BytesIO(client.get(_logo_url(client)).data))
    assert image.size != (10, 10)  # fell back to the default logo


def test_unknown_channel_logo_is_404(client, township):  # noqa: ANN001
    assert client.get("/channel/nowhere/logo.png").status_code == 404
