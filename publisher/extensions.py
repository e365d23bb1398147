"""Flask extensions, created unbound here and initialised in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations portable (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# A burst (a thousand device presses, editors saving at once) queues for the write lock
# instead of failing with "database is locked"; WAL lets pages read while one request writes.
SQLITE_BUSY_TIMEOUT_MS = 20_000


def sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    """Set on every new SQLite connection (``init_sqlite`` registers it)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Deleted or rewritten rows are zeroed on disk, not left in free pages: a plain
        # value from before encryption (or a ciphertext under a retired key) does not linger.
        cursor.execute("PRAGMA secure_delete = ON")
        # Kept by the file once set; setting it writes, which a full disk refuses: the
        # database then simply stays in its old mode until there is room.
        cursor.execute("PRAGMA journal_mode = WAL")
    except Exception as exc:  # noqa: BLE001 - sqlite3.OperationalError from the driver
        if "busy_timeout" in str(exc):
            raise
    finally:
        cursor.close()


def init_sqlite(app) -> None:  # noqa: ANN001
    """WAL and a busy timeout for the app's engine, when the database is SQLite."""
    from sqlalchemy import event

    from publisher.vault.files import private_sqlite

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            private_sqlite(engine.url.database)  # 0600 before the first connection
            event.listen(engine, "connect", sqlite_pragmas)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
