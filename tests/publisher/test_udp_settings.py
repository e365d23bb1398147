"""The channel's UDP output settings: the form, their checks, and what playout is told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_org import CHANNEL
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes


def saved(app, slug: str):  # noqa: ANN001, ANN201
    from publisher.extensions import db
    from publisher.jobs.playout import udp_settings
    from publisher.models import Channel

    with app.app_context():
        channel = db.session.scalar(select(Channel).where(Channel.slug == slug))
        return None if channel is None else udp_settings(channel)


def test_a_new_channel_sends_at_2_mbit_s_named_after_itself_and_its_township(world):
    app = world[0]
    client = support.client_for(app, "admin_a")
    form = {**CHANNEL, "profile": "720p", "slug": "udp-new"}
    assert post(client, "/org/channels/new", form).status_code == 303
    settings = saved(app, "udp-new")
    assert settings.url == CHANNEL["udp_url"] and settings.muxrate_bps == 2_000_000
    assert settings.service_name == "监山二台" and settings.provider_name == "监山乡"


def test_rate_provider_and_pause_are_the_channel_s_own(world):
    app = world[0]
    client = support.client_for(app, "admin_a")
    form = {**CHANNEL, "udp_muxrate_kbps": "3500", "udp_provider": "乾元县广电", "slug": "udp-own"}
    assert post(client, "/org/channels/new", form).status_code == 303
    settings = saved(app, "udp-own")
    assert (settings.muxrate_bps, settings.provider_name) == (3_500_000, "乾元县广电")
    page = text_of(client.get("/org/channels"))
    assert "监山二台" in page
    from publisher.extensions import db
    from publisher.models import Channel

    with app.app_context():
        channel_id = db.session.scalar(select(Channel.id).where(Channel.slug == "udp-own"))
    edit = client.get(f"/org/channels/{channel_id}/edit").get_data(as_text=True)
    assert 'value="3500"' in edit and "乾元县广电" in edit
    paused = {**form, "udp_paused": "1"}
    assert post(client, f"/org/channels/{channel_id}/edit", paused).status_code == 303
    assert saved(app, "udp-own").url == ""  # off, the address kept
    assert post(client, f"/org/channels/{channel_id}/edit", form).status_code == 303
    assert saved(app, "udp-own").url == CHANNEL["udp_url"]


def test_1080p_gets_a_rate_that_holds_it():
    from playlists.cbr import min_muxrate_bps
    from publisher.services.org.places import channel_muxrate_bps
    from renderer.encode import PROFILES

    enc = PROFILES["1080p"]
    assert channel_muxrate_bps("1080p", 0) >= min_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)
    assert channel_muxrate_bps("576i-4x3", 0) == 2_000_000


@pytest.mark.parametrize(("profile", "rate", "message"), [
    ("720p", "800", "800 kbit/s 装不下“720p”输出规格的画面和声音，至少需要"),
    ("1080p", "2000", "至少需要"),
    ("720p", "50000", "之间"),
    ("720p", "fast", "整数"),
])
def test_a_rate_that_cannot_hold_the_profile_is_refused_in_chinese(world, profile, rate, message):
    app = world[0]
    client = support.client_for(app, "admin_a")
    form = {**CHANNEL, "profile": profile, "udp_muxrate_kbps": rate, "slug": "udp-refused"}
    response = post(client, "/org/channels/new", form)
    assert response.status_code == 400 and message in text_of(response)
    assert saved(app, "udp-refused") is None


def test_datagrams_other_than_seven_packets_are_refused(world):
    app = world[0]
    client = support.client_for(app, "admin_a")
    form = {**CHANNEL, "udp_url": "udp://239.1.1.2:1234?pkt_size=188", "slug": "udp-188"}
    response = post(client, "/org/channels/new", form)
    assert response.status_code == 400 and "1316" in text_of(response)


def test_running_relays_follow_the_settings_and_go_off_for_a_disabled_channel():
    from playlists.udp import UdpSettings
    from publisher.jobs.playout import follow_udp_settings

    class Relay:
        def __init__(self) -> None:
            self.settings: UdpSettings | None = None

        def configure(self, settings: UdpSettings) -> None:
            self.settings = settings

    a, b = Relay(), Relay()
    new = UdpSettings("udp://239.1.1.9:1234", 3_000_000, "台", "乡")
    follow_udp_settings({"a": a, "b": b}, [(1, "a", new)])  # type: ignore[dict-item]
    assert a.settings == new and b.settings == UdpSettings()


def test_a_channel_with_an_unknown_profile_gets_no_udp_rather_than_stopping_playout():
    from publisher.jobs.playout import udp_settings
    from publisher.models import Channel

    channel = Channel(slug="x", name="x", profile="4k", udp_url="udp://239.1.1.1:1234",
                      udp_paused=False, udp_muxrate_kbps=0)
    assert udp_settings(channel).url == ""
