"""Is an uploaded file a video (or a recorded announcement) the channel can take?

:func:`probe_upload` reads the file with ffprobe (under a timeout, every packet counted but
nothing decoded) and either returns a small :class:`MediaInfo` or raises
:class:`MediaRejected` carrying a Chinese message for the person who uploaded it. It checks
the cheap things first (size on disk), then what the container declares, so a decompression
bomb (absurd picture size) or a frame-count bomb (absurd frame rate or frame count) is
refused before anything decodes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from renderer import ffmpeg

# Limits shown in the upload forms. A phone's 10-minute 1080p clip is ~150-200 MB; a
# township's explainer is a few minutes. Recorded announcements are speech: 5 minutes is
# long for the loudspeaker tradition, and 30 MB holds that even as uncompressed 48 kHz mono.
VIDEO_MAX_BYTES = 200 * 1024 * 1024
VIDEO_MAX_SECONDS = 10 * 60
AUDIO_MAX_BYTES = 30 * 1024 * 1024
AUDIO_MAX_SECONDS = 5 * 60

# Bomb guards, on what the file declares. 4K phone video is 3840x2160 (8.3 MP); nothing the
# channel airs needs more, and a frame that large already costs ~12 MB decoded.
MAX_SIDE = 4096
MAX_PIXELS = 4096 * 2304
MIN_SIDE = 16  # smaller is not a picture anyone filmed
# Slow-motion phone clips are stored at up to 240 fps; beyond that it is not camera footage.
MAX_FPS = 240
PROBE_TIMEOUT_S = 30  # reading packets of a 200 MB file takes well under a second

# ffprobe's format names for the containers phones and WeChat write (MP4/MOV/3GP share one
# demuxer; WebM is Matroska's), and for recorded speech (browsers' MediaRecorder writes
# WebM/Ogg Opus or MP4 AAC; phones' recorders M4A, AMR, MP3, WAV).
VIDEO_CONTAINERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"})
AUDIO_CONTAINERS = VIDEO_CONTAINERS | frozenset({"ogg", "mp3", "wav", "amr", "aac"})
VIDEO_CONTAINER_LABEL = "MP4、MOV、3GP、WebM"
AUDIO_CONTAINER_LABEL = "M4A、MP3、WAV、AMR、WebM、Ogg"

_KIND_ZH = {"video": "视频", "audio": "音频"}


class MediaRejected(ValueError):
    """The upload is not usable; ``message_zh`` says why, for the person who uploaded it."""

    def __init__(self, message_zh: str) -> None:
        self.message_zh = message_zh
        super().__init__(message_zh)


@dataclass(frozen=True)
class MediaInfo:
    """What the channel needs to know about an accepted upload.

    ``width``/``height`` are as stored; ``rotation`` is the clockwise turn (0/90/180/270) a
    player applies to show it upright, so ``display_size`` is what a viewer sees.
    ``fps`` is the average frame rate; ``variable_fps`` when frames are not evenly spaced.
    """

    container: str
    duration_s: float
    size_bytes: int
    has_video: bool
    width: int = 0
    height: int = 0
    rotation: int = 0
    fps: float = 0.0
    variable_fps: bool = False
    video_codec: str = ""
    frames: int = 0
    has_audio: bool = False
    audio_codec: str = ""
    sample_rate: int = 0
    channels: int = 0

    @property
    def display_size(self) -> tuple[int, int]:
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height


def limits_text(want: Literal["video", "audio"]) -> str:
    """The limits as the upload form states them ("MP4、MOV、3GP、WebM，不超过 200 MB、10 分钟")."""
    if want == "video":
        label, size, seconds = VIDEO_CONTAINER_LABEL, VIDEO_MAX_BYTES, VIDEO_MAX_SECONDS
    else:
        label, size, seconds = AUDIO_CONTAINER_LABEL, AUDIO_MAX_BYTES, AUDIO_MAX_SECONDS
    return f"{label}，不超过 {_mb(size)}、{_duration(seconds)}"


def probe_upload(
    path: Path, *, want: Literal["video", "audio"], max_seconds: float, max_bytes: int
) -> MediaInfo:
    """Check an uploaded file and describe it, or raise :class:`MediaRejected`."""
    kind = _KIND_ZH[want]
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected(f"上传的{kind}文件是空的。")
    if size > max_bytes:
        raise MediaRejected(f"{kind}文件太大（{_mb(size)}），上限为 {_mb(max_bytes)}。")
    try:
        result = ffmpeg.run(ffmpeg.upload_probe_cmd(path), timeout=PROBE_TIMEOUT_S)
    except ffmpeg.FFmpegError as exc:
        if exc.returncode is None and "timed out" in exc.stderr:
            raise MediaRejected(f"{kind}文件读取超时，可能已损坏，请重新导出后再上传。") from exc
        raise MediaRejected(_not_media(want)) from exc
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise MediaRejected(_not_media(want)) from exc
    return describe(data, result.stderr, size, want=want, max_seconds=max_seconds)


def describe(
    data: dict[str, Any],
    stderr: str,
    size_bytes: int,
    *,
    want: Literal["video", "audio"],
    max_seconds: float,
) -> MediaInfo:
    """Judge ffprobe's JSON (pure: :func:`probe_upload` without the file and the process)."""
    kind = _KIND_ZH[want]
    container = str(data.get("format", {}).get("format_name", ""))
    allowed = VIDEO_CONTAINERS if want == "video" else AUDIO_CONTAINERS
    if container not in allowed:
        raise MediaRejected(_not_media(want))
    streams = data.get("streams", [])
    video = _first(streams, "video")
    audio = _first(streams, "audio")
    if want == "video" and video is None:
        raise MediaRejected("文件里没有画面（只有声音或为空），请上传带画面的视频。")
    if want == "audio" and audio is None:
        raise MediaRejected("文件里没有声音，请上传录音文件。")
    if "partial file" in stderr or any(_short(s) for s in (video, audio) if s):
        raise MediaRejected(f"{kind}文件不完整或已损坏（可能没有传完），请重新导出后再上传。")

    duration = _duration_of(data, video or audio)
    if duration <= 0:
        raise MediaRejected(f"{kind}文件损坏，读不出时长。")
    if duration > max_seconds:
        too_long = f"{kind}太长（{_duration(duration)}），上限为 {_duration(max_seconds)}"
        raise MediaRejected(f"{too_long}，请剪短后再上传。")

    info: dict[str, Any] = {}
    if video is not None:
        info = _video_info(video, duration, max_seconds)
    if audio is not None:
        info |= {
            "has_audio": True,
            "audio_codec": str(audio.get("codec_name", "")),
            "sample_rate": _int(audio.get("sample_rate")),
            "channels": _int(audio.get("channels")),
        }
    return MediaInfo(
        container=container,
        duration_s=round(duration, 3),
        size_bytes=size_bytes,
        has_video=video is not None,
        **info,
    )


def _video_info(video: dict[str, Any], duration: float, max_seconds: float) -> dict[str, Any]:
    width, height = _int(video.get("width")), _int(video.get("height"))
    if width < MIN_SIDE or height < MIN_SIDE:
        raise MediaRejected("视频画面尺寸读不出来，文件可能已损坏。")
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise MediaRejected(
            f"视频画面尺寸异常（{width}×{height}），最大支持 {MAX_SIDE} 像素边长（4K）。"
        )
    avg = _rate(video.get("avg_frame_rate"))
    nominal = _rate(video.get("r_frame_rate"))
    frames = _int(video.get("nb_read_packets")) or _int(video.get("nb_frames"))
    fps = avg or nominal or (frames / duration if duration else 0.0)
    if fps <= 0:
        raise MediaRejected("视频帧率读不出来，文件可能已损坏。")
    if fps > MAX_FPS or frames > MAX_FPS * max_seconds:
        raise MediaRejected(f"视频帧率或帧数异常（{fps:.0f} 帧/秒，{frames} 帧），无法播出。")
    return {
        "width": width,
        "height": height,
        "rotation": _rotation(video),
        "fps": round(fps, 3),
        # Phones write a nominal rate (r_frame_rate) and the true average; they differ when
        # frames are unevenly spaced, which the transcode must turn into constant 25 fps.
        "variable_fps": bool(avg and nominal and abs(avg - nominal) > 0.01 * nominal),
        "video_codec": str(video.get("codec_name", "")),
        "frames": frames,
    }


def _rotation(video: dict[str, Any]) -> int:
    """The clockwise turn a player applies: the display matrix, else the old ``rotate`` tag."""
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            # ffprobe prints the display matrix's counter-clockwise angle.
            return round(-float(side["rotation"])) % 360
    return round(float(video.get("tags", {}).get("rotate", 0) or 0)) % 360


def _first(streams: list[dict[str, Any]], codec_type: str) -> dict[str, Any] | None:
    for s in streams:
        if s.get("codec_type") == codec_type and not s.get("disposition", {}).get("attached_pic"):
            return s
    return None


def _short(stream: dict[str, Any]) -> bool:
    """Fewer packets read than the header declares: the file was cut off."""
    declared, read = _int(stream.get("nb_frames")), _int(stream.get("nb_read_packets"))
    return declared > 0 and read < declared * 0.98


def _duration_of(data: dict[str, Any], stream: dict[str, Any] | None) -> float:
    for value in (data.get("format", {}).get("duration"), (stream or {}).get("duration")):
        try:
            if value is not None and float(value) > 0:
                return float(value)
        except ValueError:
            continue
    return 0.0


def _rate(value: Any) -> float:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(rate)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _not_media(want: Literal["video", "audio"]) -> str:
    if want == "video":
        return f"这个文件不是可播放的视频，请上传 {VIDEO_CONTAINER_LABEL} 格式的视频。"
    return f"这个文件不是可播放的录音，请上传 {AUDIO_CONTAINER_LABEL} 格式的音频。"


def _mb(size: float) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} 分钟" if rest == 0 else f"{minutes} 分 {rest} 秒"
