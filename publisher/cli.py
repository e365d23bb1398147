"""The ``villagecast`` command: the Flask CLI plus the project's own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from publisher import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """villagecast: a township's public information as a 24/7 local TV channel."""


def _register() -> None:
    from publisher.commands import register

    register(cli)


def main() -> None:
    _register()
    cli()
