"""Where the encryption keys live, and how a key file is read and written.

A key file holds one Fernet key per line, newest first (the newest encrypts, every one
decrypts: ``cryptography``'s MultiFernet), and optionally a ``digest:`` line, the key of
the look-up digests (HMAC-SHA256 of a normalised phone number). The digest key is kept
apart from the Fernet keys so rotating the Fernet keys leaves every digest valid: a
digest stored without its plain value (who acknowledged a call) survives rotation.

A file from before rotation existed holds a single Fernet key and no ``digest:`` line;
its digest key is then derived from the oldest Fernet key exactly as it always was
(:func:`legacy_digest_key`), and the first ``villagecast rotate-key`` writes that derived
key down as the ``digest:`` line.

The file is created ``0600`` in a ``0700`` directory. ``VILLAGECAST_KEY_FILE`` puts it
outside the data directory, so a copy of the data directory does not decrypt itself.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from renderer.atomic import write_atomic

DIGEST_PREFIX = "digest:"
_SPLIT = re.compile(r"[\s,]+")
HEADER = ("# villagecast encryption keys. Keep this file 0600 and out of the data directory\n"
          "# (VILLAGECAST_KEY_FILE). Fernet keys newest first; 'digest:' is the look-up key.\n")


class KeyFileError(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyRing:
    fernet_keys: tuple[str, ...]  # newest first
    digest_key: str = ""  # hex; "" = derived from the oldest Fernet key (legacy)

    def mac_key(self) -> bytes:
        """The HMAC key of every look-up digest."""
        if self.digest_key:
            return bytes.fromhex(self.digest_key)
        if not self.fernet_keys:
            raise KeyFileError("no encryption key configured")
        return legacy_digest_key(self.fernet_keys[-1])

    def text(self) -> str:
        """The key file's content (the digest key written down)."""
        digest = self.digest_key or self.mac_key().hex()
        return HEADER + f"{DIGEST_PREFIX}{digest}\n" + "".join(f"{k}\n" for k in self.fernet_keys)


def legacy_digest_key(fernet_key: str) -> bytes:
    """The digest key as it was derived before it had a line of its own."""
    return hashlib.sha256(b"villagecast-phone-index:" + fernet_key.encode()).digest()


def split_keys(text: str) -> tuple[str, ...]:
    """Fernet keys from a setting: separated by commas or whitespace, newest first."""
    return tuple(k for k in _SPLIT.split(text or "") if k)


def parse(text: str) -> KeyRing:
    fernet, digest = [], ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(DIGEST_PREFIX):
            digest = line[len(DIGEST_PREFIX):].strip()
        else:
            fernet.extend(split_keys(line))
    return KeyRing(tuple(fernet), digest)


def read(path: Path) -> KeyRing:
    return parse(Path(path).read_text())


def write(path: Path, ring: KeyRing) -> Path:
    """Write ``ring`` to ``path`` atomically, 0600, its directory created 0700."""
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    return write_atomic(path, ring.text().encode(), mode=0o600)


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def new_digest_key() -> str:
    return os.urandom(32).hex()


def load_or_create(path: Path) -> KeyRing:
    """The key file's ring; a new file (one fresh key, a fresh digest key) if none exists.

    An existing file readable by others is narrowed to 0600 (a key file from an older
    version may have been created with the default mode)."""
    path = Path(path)
    if not path.exists():
        write(path, KeyRing((new_fernet_key(),), new_digest_key()))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    ring = read(path)
    if not ring.fernet_keys:
        raise KeyFileError(f"{path} holds no encryption key")
    return ring


def move_out(legacy: Path, path: Path) -> bool:
    """Move a key file from the data directory (``legacy``) to ``path`` when ``path`` is
    configured but not there yet: a new key there would leave every row undecryptable.
    Returns whether it moved."""
    legacy, path = Path(legacy), Path(path)
    if path.exists() or not legacy.exists() or legacy.resolve() == path.resolve():
        return False
    try:
        write(path, read(legacy))
        legacy.unlink()
    except FileNotFoundError:  # another process starting at the same moment moved it
        return False
    return True


def rotated(ring: KeyRing, *, new_digest: bool = False) -> KeyRing:
    """``ring`` with a new newest Fernet key; the digest key written down (kept unless
    ``new_digest``)."""
    digest = new_digest_key() if new_digest else (ring.digest_key or ring.mac_key().hex())
    return KeyRing((new_fernet_key(), *ring.fernet_keys), digest)
