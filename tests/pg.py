"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary
directory, a Unix socket in it and no TCP port, stopped and deleted at the end.

``initdb`` refuses to run as root, and CI runs as root: then the cluster belongs to the
``postgres`` system user that Debian's package creates (``nobody`` if there is none), and
root, which may open any socket, connects as the database superuser ``postgres`` with
trust authentication. A normal user runs the cluster as itself.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file; the server listens on no TCP port
# Speed over durability: the cluster dies with the test run, so a crash loses nothing.
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # the suite's apps each keep a pool (5 + 10 overflow) and the race tests use threads
    "max_connections": "300",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}


class PostgresError(RuntimeError):
    """A server binary failed; carries the tail of what it printed."""


def server_bin_dir() -> Path:
    """The newest installed PostgreSQL server's ``bin`` directory (Debian's layout), or the
    directory of an ``initdb`` on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresError("PostgreSQL server not installed (scripts/install-system-deps installs it)")


def _server_user() -> pwd.struct_passwd | None:
    """Whom the server runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError("running as root and neither a postgres nor a nobody user exists")


class PostgresCluster:
    """One cluster in its own directory. ``start()``, then ``url()``/``create_database()``;
    ``stop()`` kills the server and removes the directory."""

    def __init__(self, base: Path | None = None) -> None:
        # A short path: a Unix socket's path must fit in 107 bytes.
        self.base = Path(base or tempfile.mkdtemp(prefix="vcpg-"))
        self.data = self.base / "data"
        self.bin = server_bin_dir()
        self._user = _server_user()

    @property
    def socket_dir(self) -> Path:
        return self.base

    def _run(self, *args: str, timeout: float = 60) -> str:
        kwargs = {}
        if self._user is not None:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        proc = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True,
                              text=True, timeout=timeout, cwd=self.base, **kwargs)
        if proc.returncode != 0:
            raise PostgresError(f"{args[0]} failed ({proc.returncode}): "
                                f"{(proc.stdout + proc.stderr)[-2000:]}")
        return proc.stdout

    def start(self) -> PostgresCluster:
        if self._user is not None:
            os.chown(self.base, self._user.pw_uid, self._user.pw_gid)
        self._run("initdb", "--pgdata", str(self.data), "--username", SUPERUSER,
                  "--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8",
                  "--no-sync")
        options = " ".join(f"-c {key}={value}" for key, value in SETTINGS.items())
        self._run("pg_ctl", "--pgdata", str(self.data), "--wait", "--silent",
                  "--log", str(self.base / "server.log"),
                  "--options", f"-k {self.socket_dir} -p {PORT} {options}", "start")
        return self

    def stop(self) -> None:
        """Stop at once (nothing in it is worth a clean shutdown) and delete the directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "--pgdata", str(self.data), "--wait", "--silent",
                          "--mode", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for ``database`` over the socket."""
        return (f"postgresql+psycopg://{SUPERUSER}@/{database}"
                f"?host={self.socket_dir}&port={PORT}")

    def dsn(self, database: str = "postgres") -> str:
        """A libpq connection string, for psycopg itself."""
        return f"host={self.socket_dir} port={PORT} user={SUPERUSER} dbname={database}"

    def execute(self, statement: sql.Composable | str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create ``name`` (empty, or a copy of ``template``) and return its URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        self.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing whatever connections are still open to it."""
        self.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))

    # What must match the template for a used database to be emptied and used again: a
    # test that migrated down and not up again, or changed a table, has its database dropped.
    _SHAPE = sql.SQL(
        "SELECT md5(coalesce((SELECT string_agg(table_name || '.' || column_name || ':' "
        "|| data_type || ':' || is_nullable, ',' ORDER BY table_name, column_name) "
        "FROM information_schema.columns WHERE table_schema = 'public'), '') "
        "|| coalesce((SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
        "WHERE schemaname = 'public'), '') "
        "|| coalesce((SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger "
        "WHERE NOT tgisinternal), '') "
        "|| coalesce((SELECT string_agg(version_num, ',') FROM alembic_version), ''))")

    def shape(self, database: str) -> str:
        """A digest of ``database``'s schema and migration revision."""
        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            return conn.execute(self._SHAPE).fetchone()[0]

    def empty_database(self, name: str, shape: str) -> bool:
        """Close every connection to ``name`` and delete every row (the migrations' own
        bookkeeping kept), restarting the id sequences: as good as a fresh copy of the
        template whose :meth:`shape` is ``shape``, at a tenth of the cost. False (and
        ``name`` untouched or half emptied) when the schema is not the template's any more.
        """
        try:
            with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                if conn.execute(self._SHAPE).fetchone()[0] != shape:
                    return False
                tables = [row[0] for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'")]
                with conn.transaction():
                    conn.execute("SET LOCAL lock_timeout = '10s'")
                    # Skips the foreign keys' and the append-only logs' triggers.
                    conn.execute("SET LOCAL session_replication_role = replica")
                    for table in tables:
                        conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                    conn.execute("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                 "WHERE c.relkind = 'S' "
                                 "AND c.relnamespace = 'public'::regnamespace")
            return True
        except psycopg.Error:
            return False

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
