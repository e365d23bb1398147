"""The M3U channel list."""

from __future__ import annotations

import re

from playlists.m3u import build_m3u, stream_url
from playlists.xmltv import ChannelInfo

BASE = "https://tv.example.cn/"
EPG = "https://tv.example.cn/epg.xml"


def test_channel_list_names_guide_and_streams():
    channels = [
        ChannelInfo(
            "jianshan", "监山乡村频道", "https://tv.example.cn/logo/jianshan.png", "乾元县"
        ),
        ChannelInfo("lijiagou", "李家沟村"),
    ]
    assert build_m3u(channels, BASE, EPG) == (
        '#EXTM3U url-tvg="https://tv.example.cn/epg.xml" x-tvg-url="https://tv.example.cn/epg.xml"\n'
        '#EXTINF:-1 tvg-id="jianshan.villagecast" tvg-name="监山乡村频道" '
        'tvg-logo="https://tv.example.cn/logo/jianshan.png" group-title="乾元县",监山乡村频道\n'
        "https://tv.example.cn/live/jianshan/index.m3u8\n"
        '#EXTINF:-1 tvg-id="lijiagou.villagecast" tvg-name="李家沟村",李家沟村\n'
        "https://tv.example.cn/live/lijiagou/index.m3u8\n"
    )


def test_user_names_cannot_break_out_of_attributes_or_lines():
    hostile = ChannelInfo(
        "jian shan/../x",
        'Evil" tvg-id="other\n#EXTINF:-1,Injected\r\nhttp://evil',
        icon_url='https://x.cn/a b".png',
        group='县"\n',
    )
    text = build_m3u([hostile], BASE, 'https://x.cn/epg.xml" evil="1')
    lines = text.splitlines()
    assert len(lines) == 3  # header, EXTINF, URL: no injected entries
    assert (
        lines[0] == '#EXTM3U url-tvg="https://x.cn/epg.xml%22%20evil=%221" '
        'x-tvg-url="https://x.cn/epg.xml%22%20evil=%221"'
    )
    extinf = lines[1]
    attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', extinf.split(",", 1)[0]))
    assert attrs == {
        "tvg-id": "jian-shan-x.villagecast",
        "tvg-name": "Evil＂ tvg-id=＂other #EXTINF:-1，Injected http://evil",
        "tvg-logo": "https://x.cn/a%20b%22.png",
        "group-title": "县＂",
    }
    assert extinf.count('"') == 8 and extinf.count(",") == 1
    assert extinf.endswith(",Evil＂ tvg-id=＂other #EXTINF:-1，Injected http://evil")
    assert lines[2] == "https://tv.example.cn/live/jian%20shan%2F..%2Fx/index.m3u8"


def test_stream_url_percent_encodes_the_slug():
    assert stream_url("http://10.0.0.5:8080", "监山") == (
        "http://10.0.0.5:8080/live/%E7%9B%91%E5%B1%B1/index.m3u8"
    )


def test_empty_list_is_just_the_header():
    assert build_m3u([], BASE, EPG).splitlines() == [
        '#EXTM3U url-tvg="https://tv.example.cn/epg.xml" x-tvg-url="https://tv.example.cn/epg.xml"'
    ]
