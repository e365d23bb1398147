"""The password policy: one check that every door uses (admin form, own change, CLI).

Length over composition rules (NIST SP 800-63B): at least ``MIN_PASSWORD`` characters, not
the username, not a password everyone tries first.
"""

from __future__ import annotations

from flask_babel import gettext as _

from publisher.services.errors import FieldError

MIN_PASSWORD = 8
MAX_PASSWORD = 128  # hashing a megabyte "password" on every try would be a cheap DoS
# The passwords guessed first, the demo's included. Compared lower-case, digits and
# letters only, so "Password-1" counts as "password1".
COMMON_PASSWORDS = frozenset({
    "demo1234", "password", "password1", "password12", "password123", "passw0rd",
    "12345678", "123456789", "1234567890", "0123456789", "87654321", "11111111", "88888888",
    "66666666", "00000000", "12341234", "11223344", "123123123", "qwertyuiop", "qwerty123",
    "qwertyui", "1q2w3e4r", "1qaz2wsx", "abc12345", "abcd1234", "abcdefgh", "asdfghjk",
    "iloveyou", "sunshine", "welcome1", "admin123", "admin1234", "administrator", "letmein1",
    "changeme", "woaini1314", "5201314520", "a1234567", "aa123456", "qq123456", "zxcvbnm1",
    "villagecast", "secret123", "test1234", "guest123", "root1234", "huawei123",
})


def _folded(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def check_password(password: str, username: str = "", field: str = "password") -> None:
    """Raise :class:`FieldError` (Chinese, naming ``field``) when ``password`` is too weak."""
    if len(password) < MIN_PASSWORD:
        raise FieldError(field, _("密码至少 %(n)d 位。", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise FieldError(field, _("密码不能超过 %(n)d 位。", n=MAX_PASSWORD))
    folded = _folded(password)
    if username and _folded(username) and _folded(username) in folded:
        raise FieldError(field, _("密码不能包含用户名。"))
    if folded in COMMON_PASSWORDS or len(set(password)) < 3:
        raise FieldError(field, _("这个密码太常见，很容易被猜到，请换一个。"))
