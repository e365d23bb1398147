"""Moving a deployment to another database: ``villagecast db copy --to URL``.

Copies every table of the current database (``DATABASE_URL``, SQLite by default) into an
empty one, usually PostgreSQL:

1. the target is migrated to the source's revision if it has no tables yet; a target at
   another revision, or with any row in it, is refused and left as it was;
2. tables are copied parents first (the foreign keys' order). A key that closes a cycle
   (``content_item.live_version_id`` ↔ ``content_version``) is written empty with its row
   and filled in once every table is there;
3. values go through the tables' column types unchanged: ciphertexts (``*_enc``) and
   digests arrive byte for byte, so the same key file decrypts them;
4. PostgreSQL's id sequences are moved past the highest copied id, so new rows do not
   collide with copied ones;
5. row counts are compared table by table.

Everything is written in one transaction: a copy that fails (a value the target refuses,
the connection lost) leaves the target with no rows. Stop the web, clock and playout
processes first, so the source does not change under the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import (
    Connection,
    Engine,
    ForeignKeyConstraint,
    Table,
    bindparam,
    create_engine,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.schema import sort_tables_and_constraints

from publisher.config import database_url

BATCH = 1000  # rows per INSERT: bounded memory on a large SMS or audit table


class CopyError(RuntimeError):
    """The copy cannot start or did not finish; the target holds no copied rows."""


@dataclass
class CopyReport:
    revision: str
    migrated_target: bool = False
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _revision(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _copy_order(tables: list[Table]) -> tuple[list[Table], list[ForeignKeyConstraint]]:
    """Tables parents first, and the foreign keys that close a cycle (filled in last)."""
    order, deferred = [], []
    for table, constraints in sort_tables_and_constraints(tables):
        if table is None:
            deferred.extend(constraints)
        else:
            order.append(table)
    return order, deferred


def _batches(conn: Connection, table: Table) -> Iterator[list[dict]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for chunk in result.mappings().partitions(BATCH):
        yield [dict(row) for row in chunk]


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move each serial id's sequence past the highest id copied (PostgreSQL)."""
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": quote(table.name), "c": column.name})
            if sequence:
                conn.execute(text(f"SELECT setval(:s, coalesce(max({quote(column.name)}), 0) + 1,"
                                  f" false) FROM {quote(table.name)}"), {"s": sequence})


def _target_state(conn: Connection, tables: list[Table]) -> tuple[str | None, list[str]]:
    """(revision, names of tables that hold rows) of the target."""
    present = set(inspect(conn).get_table_names())
    busy = [t.name for t in tables
            if t.name in present and conn.scalar(select(func.count()).select_from(t)) > 0]
    return _revision(conn), busy


def _migrate(target_url: str, revision: str) -> None:
    """Run the migrations on the target, up to ``revision``, from a second app on it."""
    from flask_migrate import upgrade

    from publisher import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": target_url,
                      "DATA_DIR": current_app.config["DATA_DIR"],
                      "SECRET_KEY": current_app.config["SECRET_KEY"]})
    with app.app_context():
        from publisher.extensions import db

        upgrade(revision=revision)
        db.engine.dispose()


def copy_database(source: Engine, target_url: str,
                  progress: Callable[[str, int], None] = lambda table, rows: None
                  ) -> CopyReport:
    """Copy every table of ``source`` into the empty database at ``target_url``."""
    from publisher.extensions import db

    tables, deferred = _copy_order(list(db.metadata.sorted_tables))
    target = _engine(target_url)
    try:
        if target.url == source.url:
            raise CopyError("the target is the database in use; name another one")
        with source.connect() as src:
            revision = _revision(src)
            if revision is None:
                raise CopyError("the current database has no migrations applied "
                                "(run `villagecast db upgrade` first)")
            report = CopyReport(revision)
            with target.connect() as conn:
                current, busy = _target_state(conn, tables)
            if busy:
                raise CopyError(f"the target database is not empty: {', '.join(busy[:5])}"
                                f"{' …' if len(busy) > 5 else ''} hold rows; "
                                "copy only into an empty database")
            if current is None:
                _migrate(target_url, revision)
                report.migrated_target = True
            elif current != revision:
                raise CopyError(f"the target database is at migration {current}, the current "
                                f"one at {revision}: migrate both to the same revision first")
            with target.begin() as dst:
                _copy_rows(src, dst, tables, deferred, report, progress)
                if dst.dialect.name == "postgresql":
                    _reset_sequences(dst, tables)
                _check_counts(src, dst, tables)
        return report
    except DBAPIError as exc:
        raise CopyError(f"the database refused the copy: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise CopyError(f"the copy failed: {exc}") from exc
    finally:
        target.dispose()


def _engine(url: str) -> Engine:
    try:
        return create_engine(database_url(url))
    except (ArgumentError, NoSuchModuleError) as exc:
        raise CopyError(f"not a database URL: {exc}") from None


def _copy_rows(src: Connection, dst: Connection, tables: list[Table],
               deferred: list[ForeignKeyConstraint], report: CopyReport,
               progress: Callable[[str, int], None]) -> None:
    later = {}  # table -> the cycle-closing columns filled in after every table is copied
    for fk in deferred:
        later.setdefault(fk.parent.name, set()).update(c.name for c in fk.columns)
    fill: dict[str, list[dict]] = {}
    for table in tables:
        held = later.get(table.name, set())
        key = [c.name for c in table.primary_key.columns]
        count = 0
        for rows in _batches(src, table):
            if held:
                fill.setdefault(table.name, []).extend(
                    {**{f"pk_{k}": row[k] for k in key}, **{f"v_{c}": row[c] for c in held}}
                    for row in rows if any(row[c] is not None for c in held))
                rows = [{**row, **dict.fromkeys(held)} for row in rows]
            dst.execute(table.insert(), rows)
            count += len(rows)
        report.rows[table.name] = count
        progress(table.name, count)
    for name, rows in fill.items():
        if not rows:
            continue
        table = next(t for t in tables if t.name == name)
        keys = [c == bindparam(f"pk_{c.name}") for c in table.primary_key.columns]
        dst.execute(update(table).where(*keys).values(
            {c: bindparam(f"v_{c}") for c in later[name]}), rows)


def _check_counts(src: Connection, dst: Connection, tables: list[Table]) -> None:
    for table in tables:
        count = select(func.count()).select_from(table)
        had, has = src.scalar(count), dst.scalar(count)
        if had != has:
            raise CopyError(f"table {table.name}: {had} rows in the source, {has} copied")


@click.command("copy")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The empty database to copy into, e.g. postgresql://user:password@host/db")
@with_appcontext
def copy_command(target_url: str) -> None:
    """Copy every table of the current database into an empty one (e.g. PostgreSQL).

    Stop the web, clock and playout processes first. Afterwards set DATABASE_URL to the
    new database and start them again; the key file stays as it is.
    """
    from sqlalchemy.engine import make_url

    from publisher.extensions import db

    shown = make_url(database_url(target_url)).render_as_string(hide_password=True) \
        if "://" in target_url else target_url
    click.echo(f"copying {db.engine.url.render_as_string(hide_password=True)} → {shown}")
    try:
        report = copy_database(db.engine, target_url,
                               lambda table, rows: click.echo(f"  {table}: {rows}"))
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    if report.migrated_target:
        click.echo(f"the target had no tables: migrated it to {report.revision} first")
    click.echo(f"copied {report.total} rows in {len(report.rows)} tables; "
               f"set DATABASE_URL={shown} and restart")
