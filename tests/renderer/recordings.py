"""Recorded announcements as phones and browsers make them, from espeak-ng's Mandarin voice.

AMR-NB (a phone's voice memo, WeChat's voice messages) is encoded with the opencore codec
through ctypes: Debian's ffmpeg decodes AMR but has no AMR encoder.
"""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np

FF = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
ANNOUNCEMENT = ("各位村民请注意，明天上午九点在村委会召开村民大会，讨论今年的土地流转和道路修建，"
                "请每户派一名代表准时参加。")
AMR_MODE_122 = 7  # 12.2 kbit/s, the mode phones record speech in
AMR_FRAME = 160  # samples at 8 kHz


def speech_wav(out: Path, text: str = ANNOUNCEMENT, *, gain_db: float = 0.0,
               rate: int = 48_000, pad_s: float = 0.0) -> Path:  # fmt: skip
    """espeak-ng reading ``text``, at ``rate`` Hz mono, ``gain_db`` up or down and
    ``pad_s`` of silence on either side (a person taps record, then speaks)."""
    raw = out.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", "cmn", "-s", "160", "-w", str(raw), text], check=True,
                   capture_output=True, timeout=60)
    pad = f"adelay={int(pad_s * 1000)},apad=pad_dur={pad_s}," if pad_s else ""
    subprocess.run([*FF, "-i", str(raw), "-af", f"{pad}volume={gain_db}dB", "-ac", "1",
                    "-ar", str(rate), str(out)], check=True, capture_output=True, timeout=60)
    raw.unlink()
    return out


def webm_opus(out: Path, **kw: float) -> Path:
    """What Chrome's MediaRecorder writes: Opus in WebM, 48 kHz."""
    wav = speech_wav(out.with_suffix(".src.wav"), **kw)
    subprocess.run([*FF, "-i", str(wav), "-c:a", "libopus", "-b:a", "32k", str(out)],
                   check=True, capture_output=True, timeout=60)
    wav.unlink()
    return out


def amr_nb(out: Path, **kw: float) -> Path:
    """A phone voice memo: AMR-NB 12.2 kbit/s, 8 kHz, in the ``#!AMR`` file format."""
    wav = speech_wav(out.with_suffix(".src.wav"), rate=8000, **kw)
    pcm = subprocess.run([*FF, "-i", str(wav), "-f", "s16le", "-"], check=True,
                         capture_output=True, timeout=60).stdout
    wav.unlink()
    samples = np.frombuffer(pcm, dtype=np.int16)
    lib = ctypes.CDLL("libopencore-amrnb.so.0")
    lib.Encoder_Interface_init.restype = ctypes.c_void_p
    lib.Encoder_Interface_Encode.argtypes = [ctypes.c_void_p, ctypes.c_int,
                                             ctypes.POINTER(ctypes.c_short), ctypes.c_char_p,
                                             ctypes.c_int]  # fmt: skip
    lib.Encoder_Interface_exit.argtypes = [ctypes.c_void_p]
    state = lib.Encoder_Interface_init(0)
    data, frame_out = bytearray(b"#!AMR\n"), ctypes.create_string_buffer(64)
    try:
        for start in range(0, samples.size - AMR_FRAME + 1, AMR_FRAME):
            frame = np.ascontiguousarray(samples[start : start + AMR_FRAME])
            size = lib.Encoder_Interface_Encode(
                state, AMR_MODE_122, frame.ctypes.data_as(ctypes.POINTER(ctypes.c_short)),
                frame_out, 0)
            data += frame_out.raw[:size]
    finally:
        lib.Encoder_Interface_exit(state)
    out.write_bytes(bytes(data))
    return out
