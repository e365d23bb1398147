"""Encrypted model attributes that read and write like plain ones.

``number = encrypted("number_enc", digest="number_digest")`` on a model stores Fernet
ciphertext in ``number_enc`` and, with ``digest``, a keyed hash in ``number_digest``.
Python code reads and sets ``row.number`` in plain text; in a query,
``Model.number == value`` compares the digests, so a look-up never decrypts every row and
no SQL ever sees the plain value. Without a digest the attribute cannot be compared in SQL
(a clear error instead of a comparison of ciphertexts that never matches).

Plain values are decrypted once per row, when the row is loaded (``decrypt_on_load``), and
kept on the instance beside the ciphertext they came from: a row read after its session
or app context ended still shows its values, and a changed ciphertext is decrypted again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.hybrid import Comparator, hybrid_property

from publisher.vault import cipher


class NotComparable(TypeError):
    pass


class _DigestComparator(Comparator):
    def __init__(self, enc: Any, digest: Any, purpose: str, name: str) -> None:
        super().__init__(enc)  # ordering falls back to the ciphertext (meaningless, harmless)
        self.digest, self.purpose, self.name = digest, purpose, name

    def _check(self) -> None:
        if self.digest is None:
            raise NotComparable(f"{self.name} is encrypted without a digest: compare in Python")

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        self._check()
        if other is None:
            return self.digest.is_(None)
        return self.digest == cipher.digest_text(str(other), self.purpose)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        self._check()
        if other is None:
            return self.digest.is_not(None)
        return self.digest != cipher.digest_text(str(other), self.purpose)

    def in_(self, values: Any) -> Any:
        self._check()
        return self.digest.in_([cipher.digest_text(str(v), self.purpose) for v in values])


def encrypted(enc: str, *, digest: str | None = None, purpose: str = "",
              nullable: bool = False) -> hybrid_property:
    """A plain-text attribute over the ciphertext column ``enc`` (and digest column).

    ``nullable``: None is stored as NULL in both columns (e.g. a gateway reference not yet
    known); otherwise None reads and writes as ''.
    """

    def fget(self: Any) -> str | None:
        token = getattr(self, enc)
        if token is None:
            return None if nullable else ""
        known = _plain(self).get(enc)
        if known is not None and known[0] == token:
            return known[1]
        value = cipher.decrypt(token)
        _plain(self)[enc] = (token, value)
        return value

    def fset(self: Any, value: str | None) -> None:
        if value is None and nullable:
            setattr(self, enc, None)
            if digest:
                setattr(self, digest, None)
            return
        value = value or ""
        token = cipher.encrypt(value)
        setattr(self, enc, token)
        _plain(self)[enc] = (token, value)
        if digest:
            setattr(self, digest, cipher.digest_text(value, purpose))

    def comparator(cls: Any) -> _DigestComparator:
        return _DigestComparator(getattr(cls, enc), getattr(cls, digest) if digest else None,
                                 purpose, f"{cls.__name__}.{enc.removesuffix('_enc')}")

    fget.__name__ = fset.__name__ = enc.removesuffix("_enc")
    prop = hybrid_property(fget, fset, custom_comparator=comparator)
    prop.vault_column = enc  # type: ignore[attr-defined]
    return prop


_PLAIN = "_vault_plain"


def _plain(obj: Any) -> dict[str, tuple[str, str]]:
    return obj.__dict__.setdefault(_PLAIN, {})


def encrypted_fields(cls: type) -> dict[str, str]:
    """{attribute: ciphertext column} of every encrypted attribute of ``cls``."""
    return {name: value.vault_column for name, value in vars(cls).items()
            if isinstance(value, hybrid_property) and hasattr(value, "vault_column")}


def decrypt_on_load(cls: type) -> type:
    """Class decorator: decrypt ``cls``'s encrypted attributes as its rows are loaded."""
    fields = encrypted_fields(cls)

    def warm(target: Any, attrs: Any = None) -> None:
        for name, enc in fields.items():
            if enc in target.__dict__ and (attrs is None or enc in attrs):
                getattr(target, name)

    event.listen(cls, "load", lambda target, _context: warm(target))
    event.listen(cls, "refresh", lambda target, _context, attrs: warm(target, attrs))
    return cls
