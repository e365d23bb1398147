"""Mandarin speech synthesis, pluggable, cached by what is said and by whom.

The embedded voice is Debian's espeak-ng (``espeak-ng -v cmn``): always there, intelligible,
robotic. A county with a better voice plugs it in without code changes, by either setting:

``VILLAGECAST_NARRATION_COMMAND``
    A command template, split like a shell line (no shell runs it). ``{text_file}`` is a
    UTF-8 file holding the text, ``{text}`` the text itself, ``{out}`` the WAV (or any audio
    ffmpeg reads) to write. E.g. ``piper --model zh_CN.onnx --output_file {out} < …`` needs
    a wrapper script; ``my-tts --in {text_file} --wav {out}`` does not.

``VILLAGECAST_NARRATION_ENTRY_POINT``
    ``package.module:function``, called as ``function(text: str, out: pathlib.Path)`` and
    expected to write the audio file at ``out``.

``VILLAGECAST_NARRATION_VOICE_ID`` names the voice's version in the cache key: change it
when the engine's sound changes, so every page is read again by the new voice.

Synthesis runs in the clock process at render time, once per text and voice: the result
lives at ``cache_dir/speech/<key[:2]>/<key>.wav`` (written atomically) and is never made
again. :class:`SpeechError` carries what the engine said when it failed.
"""

from __future__ import annotations

import hashlib
import importlib
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from renderer.atomic import put_in_place, temp_beside

# A little slower than espeak's default 175 words/min: about 3 syllables a second, the
# pace elderly viewers read at.
ESPEAK_COMMAND = "espeak-ng -v cmn -s 160 -a 120 -w {out} -f {text_file}"
SYNTH_TIMEOUT_S = 120
MAX_CHARS = 2000  # far beyond any page; a runaway text is cut, not read for an hour


class SpeechError(RuntimeError):
    """The speech engine failed or wrote nothing."""


@dataclass(frozen=True)
class Voice:
    """Which engine reads the narration: a command template or a Python entry point."""

    command: str = ESPEAK_COMMAND
    entry_point: str = ""
    voice_id: str = ""

    @property
    def identity(self) -> str:
        """What the cache key knows of the voice."""
        return f"{self.entry_point or self.command}|{self.voice_id}"

    @classmethod
    def from_settings(cls, command: str = "", entry_point: str = "", voice_id: str = "") -> Voice:
        """A voice from the settings (empty values: the embedded espeak-ng)."""
        return cls(command or ESPEAK_COMMAND, entry_point, voice_id)


def speech_key(text: str, voice: Voice) -> str:
    return hashlib.sha256(f"{voice.identity}\n{text}".encode()).hexdigest()


def speech_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "speech" / key[:2] / f"{key}.wav"


def command_for(voice: Voice, text_file: Path, text: str, out: Path) -> list[str]:
    """The engine's command line for one text (pure)."""
    return [
        part.format(text_file=str(text_file), text=text, out=str(out))
        for part in shlex.split(voice.command)
    ]


def _load_entry_point(spec: str) -> Callable[[str, Path], object]:
    module, _, name = spec.partition(":")
    if not module or not name:
        raise SpeechError(f"entry point must be module:function, got {spec!r}")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SpeechError(f"cannot load speech entry point {spec}: {exc}") from exc


def _run(voice: Voice, text: str, out: Path) -> None:
    if voice.entry_point:
        try:
            _load_entry_point(voice.entry_point)(text, out)
        except SpeechError:
            raise
        except Exception as exc:  # noqa: BLE001 - a plugged-in engine may raise anything
            raise SpeechError(f"{voice.entry_point}: {exc}") from exc
        return
    text_file = temp_beside(out, ".txt")
    try:
        text_file.write_text(text, encoding="utf-8")
        cmd = command_for(voice, text_file, text, out)
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=SYNTH_TIMEOUT_S, check=False,
                                  stdin=subprocess.DEVNULL)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"{cmd[0]}: {exc}") from exc
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace")[-500:]
            raise SpeechError(f"{cmd[0]} exited {done.returncode}: {tail}")
    finally:
        text_file.unlink(missing_ok=True)


def synthesise(text: str, voice: Voice, cache_dir: Path) -> Path:
    """The cached speech for ``text`` (already normalised), synthesising it on a miss."""
    text = text.strip()[:MAX_CHARS]
    out = speech_path(cache_dir, speech_key(text, voice))
    if out.is_file() and out.stat().st_size > 44:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    work = temp_beside(out, ".wav")
    try:
        _run(voice, text, work)
        try:
            data = work.read_bytes()
        except OSError as exc:
            raise SpeechError(f"the speech engine wrote no audio: {exc}") from exc
        if len(data) <= 44:  # a WAV header and nothing more
            raise SpeechError("the speech engine wrote an empty file")
        put_in_place(work, out)
    finally:
        work.unlink(missing_ok=True)
    return out
