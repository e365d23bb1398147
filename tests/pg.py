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

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
