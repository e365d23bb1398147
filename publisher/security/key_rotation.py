"""Key rotation: a new Fernet key, every ciphertext re-encrypted under it.

``villagecast rotate-key`` (run with the web, clock and playout processes stopped, or
restart them right after: a running process knows only the keys it started with):

1. writes the key file with a new Fernet key first and the old ones after it, so every row
   decrypts whether or not it was re-encrypted yet (a crash half-way is finished by running
   the command again);
2. re-encrypts every ``*_enc`` column of every table (found from the models' metadata, so a
   column added later is rotated too) under the new key;
3. checks that every ciphertext now opens with the new key alone, and with
   ``--retire-old`` only then writes the key file without the old keys.

Digests (the phone-number look-up index) are keyed by the separate digest key, which a
Fernet rotation keeps: they stay valid, including acknowledgement links already texted to
responders (they carry a digest prefix) and digests kept without their plain value
(``incident.acknowledged_digest``). ``--new-digest-key`` replaces the digest key too and
recomputes every digest from its decrypted value (the acknowledged-by digest through the
old→new pairs of the others); it is refused while a call is open, whose links it would
break.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Table, select, update

from publisher.sms.numbers import number_digest
from publisher.vault import cipher, keys

BATCH = 500
SMS_REF = "sms-ref"  # publisher.models.sms.REF_DIGEST


# (table, digest column, ciphertext column, digest of the plain value)
DIGESTS: list[tuple[str, str, str, Callable[[str], str]]] = [
    ("household_phone", "number_digest", "number_enc", number_digest),
    ("responder", "phone_digest", "phone_enc", number_digest),
    ("notification_attempt", "address_digest", "address_enc", number_digest),
    ("sms_message", "number_digest", "number_enc", cipher.digest_text),
    ("sms_message", "gateway_ref_digest", "gateway_ref_enc",
     lambda plain: cipher.digest_text(plain, SMS_REF)),
]
# Digests kept without their plain value: mapped through the pairs above.
MAPPED_DIGESTS = [("incident", "acknowledged_digest")]


@dataclass
class Report:
    reencrypted: dict[str, int] = field(default_factory=dict)  # "table.column" → values
    digests: int = 0
    unmapped: int = 0  # kept digests no other row explained (cleared)
    unreadable: list[str] = field(default_factory=list)  # "table.column#id" not under new key


def encrypted_columns() -> dict[Table, list[str]]:
    from publisher.extensions import db
    from publisher.models import SmsMessage  # noqa: F401 - every model registered

    found = {}
    for table in db.metadata.sorted_tables:
        columns = [c.name for c in table.columns if c.name.endswith("_enc")]
        if columns:
            found[table] = columns
    return found


def _batches(table: Table, columns: list[str]):  # noqa: ANN202
    from publisher.extensions import db

    pk = table.c.id
    last = 0
    while True:
        rows = db.session.execute(select(pk, *(table.c[c] for c in columns))
                                  .where(pk > last).order_by(pk).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def reencrypt_all(report: Report) -> None:
    """Every ciphertext under the newest key (the caller commits)."""
    from publisher.extensions import db

    for table, columns in encrypted_columns().items():
        for rows in _batches(table, columns):
            for row in rows:
                values = {}
                for name, token in zip(columns, row[1:], strict=True):
                    if token:
                        values[name] = cipher.reencrypt(token)
                        key = f"{table.name}.{name}"
                        report.reencrypted[key] = report.reencrypted.get(key, 0) + 1
                if values:
                    db.session.execute(update(table).where(table.c.id == row[0])
                                       .values(**values))


def recompute_digests(report: Report) -> None:
    """Every digest under the current digest key (the caller commits); a digest kept
    without its plain value follows the old→new pairs of the others."""
    from publisher.extensions import db

    tables = {t.name: t for t in encrypted_columns()}
    mapping: dict[str, str] = {}
    for table_name, digest_col, enc_col, make in DIGESTS:
        table = tables[table_name]
        for rows in _batches(table, [enc_col, digest_col]):
            for row_id, token, old in rows:
                if not token:
                    continue
                new = make(cipher.decrypt(token))
                if old:
                    mapping[old] = new
                db.session.execute(update(table).where(table.c.id == row_id)
                                   .values({digest_col: new}))
                report.digests += 1
    for table_name, column in MAPPED_DIGESTS:
        table = db.metadata.tables[table_name]
        rows = db.session.execute(select(table.c.id, table.c[column])
                                  .where(table.c[column] != "")).all()
        for row_id, old in rows:
            new = mapping.get(old, "")
            report.unmapped += not new
            db.session.execute(update(table).where(table.c.id == row_id)
                               .values({column: new}))
            report.digests += 1


def check_all(report: Report) -> None:
    """Record every ciphertext the newest key alone cannot open."""
    from cryptography.fernet import Fernet, InvalidToken

    newest = Fernet(cipher.ring().fernet_keys[0].encode())
    for table, columns in encrypted_columns().items():
        for rows in _batches(table, columns):
            for row in rows:
                for name, token in zip(columns, row[1:], strict=True):
                    if not token:
                        continue
                    try:
                        newest.decrypt(token.encode())
                    except InvalidToken:
                        report.unreadable.append(f"{table.name}.{name}#{row[0]}")


def _use(ring: keys.KeyRing) -> None:
    current_app.config["ENCRYPTION_KEY"] = ",".join(ring.fernet_keys)
    current_app.config["DIGEST_KEY"] = ring.digest_key


def rotate(key_file: Path, *, new_digest: bool = False, retire_old: bool = False) -> Report:
    """Rotate the keys in ``key_file`` and re-encrypt the database (see the module)."""
    from publisher.extensions import db

    old = cipher.ring()
    new = keys.rotated(old, new_digest=new_digest)
    keys.write(key_file, new)  # first: whatever happens next, every row still decrypts
    report = Report()
    try:
        _use(new)
        reencrypt_all(report)
        if new_digest:
            recompute_digests(report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _use(old)  # the key file still lists the old keys: nothing is lost
        raise
    check_all(report)
    if retire_old and not report.unreadable:
        keys.write(key_file, keys.KeyRing(new.fernet_keys[:1], new.digest_key))
        _use(keys.KeyRing(new.fernet_keys[:1], new.digest_key))
    return report


@click.command("rotate-key")
@click.option("--retire-old", is_flag=True,
              help="Drop the old keys from the key file once every value opens with the new one.")
@click.option("--new-digest-key", is_flag=True,
              help="Replace the look-up digest key too (refused while a call is open).")
@with_appcontext
def rotate_key(retire_old: bool, new_digest_key: bool) -> None:
    """Generate a new encryption key and re-encrypt all personal data under it.

    Stop (or afterwards restart) the web, clock and playout processes: a running process
    only knows the keys it started with.
    """
    from publisher.extensions import db
    from publisher.models.emergency import OPEN_STATES, Incident

    if os.environ.get("VILLAGECAST_ENCRYPTION_KEY"):
        raise click.UsageError(
            "the keys come from VILLAGECAST_ENCRYPTION_KEY: put a new key (from `python -c "
            "\"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"`)"
            " first in that list, or move the keys to VILLAGECAST_KEY_FILE")
    if new_digest_key and db.session.scalar(
            select(Incident.id).where(Incident.state.in_(OPEN_STATES)).limit(1)):
        raise click.UsageError("a call is open: its acknowledgement links carry the digest; "
                               "rotate the digest key once every call is closed")
    key_file = Path(current_app.config["KEY_FILE"])
    report = rotate(key_file, new_digest=new_digest_key, retire_old=retire_old)
    total = sum(report.reencrypted.values())
    click.echo(f"new key written to {key_file}; {total} values re-encrypted"
               + (f", {report.digests} digests recomputed" if new_digest_key else "")
               + (f" ({report.unmapped} acknowledged-by digests cleared)"
                  if report.unmapped else ""))
    if report.unreadable:
        raise click.ClickException(
            f"{len(report.unreadable)} values do not open with the new key "
            f"(e.g. {', '.join(report.unreadable[:3])}); old keys kept")
    click.echo("old keys retired" if retire_old else
               "old keys kept after the new one (--retire-old drops them)")
    click.echo("restart the web, clock and playout processes now")
