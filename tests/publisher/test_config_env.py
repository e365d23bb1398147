"""Settings come from the environment, with a ``.env`` file in the working directory filling in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def clean_env(monkeypatch, tmp_path):  # noqa: ANN001, ANN201
    for key in ("VILLAGECAST_DATA", "CHANNEL_TIMEZONE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for key in ("VILLAGECAST_DATA",):  # load_dotenv wrote straight into os.environ
        os.environ.pop(key, None)


def test_dotenv_in_the_working_directory_is_honoured(clean_env: Path):
    from publisher import create_app

    (clean_env / ".env").write_text(f"VILLAGECAST_DATA={clean_env / 'from-dotenv'}\n", "utf-8")
    app = create_app({"SECRET_KEY": "x"})
    assert Path(app.config["DATA_DIR"]) == clean_env / "from-dotenv"


def test_the_environment_wins_over_dotenv(clean_env: Path, monkeypatch):  # noqa: ANN001
    from publisher import create_app

    (clean_env / ".env").write_text(f"VILLAGECAST_DATA={clean_env / 'from-dotenv'}\n", "utf-8")
    monkeypatch.setenv("VILLAGECAST_DATA", str(clean_env / "from-env"))
    app = create_app({"SECRET_KEY": "x"})
    assert Path(app.config["DATA_DIR"]) == clean_env / "from-env"
