"""Commands of the ``villagecast`` CLI beyond Flask's own (``run``, ``db`` …)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select


def register(cli: click.Group) -> None:
    from flask_migrate.cli import db as migrations

    from publisher.auth.cli import init
    from publisher.db_copy import copy_command
    from publisher.security.key_rotation import rotate_key

    migrations.add_command(copy_command)  # villagecast db copy --to URL, beside db upgrade
    cli.add_command(init)
    cli.add_command(rotate_key)
    cli.add_command(create_user)
    cli.add_command(seed)
    cli.add_command(render)
    cli.add_command(clock)
    cli.add_command(playout)
    cli.add_command(worker)
    cli.add_command(supervise)
    cli.add_command(watchdog)


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", default=None, help="Display name (defaults to username).")
@click.option(
    "--role",
    type=click.Choice(["admin", "editor", "reviewer", "cadre"]),
    default="editor",
    show_default=True,
)
@click.option("--township", default=None, help="Township name; omit for a county administrator.")
@click.password_option(prompt="Password")
@with_appcontext
def create_user(username: str, display_name: str | None, role: str, township: str | None,
                password: str) -> None:
    """Create a staff account (passwords are stored hashed)."""
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services.errors import FieldError
    from publisher.services.passwords import check_password

    try:
        check_password(password, username)
    except FieldError as exc:
        raise click.UsageError(str(exc)) from None
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.UsageError(f"user {username!r} already exists")
    township_id = None
    if township:
        found = db.session.scalar(select(Township).where(Township.name == township))
        if found is None:
            raise click.UsageError(f"no township named {township!r}")
        township_id = found.id
    elif role != "admin":
        raise click.UsageError("only a county administrator may have no township")
    user = User(username=username, display_name=display_name or username, role=role,
                township_id=township_id)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {username}")


@click.command()
@with_appcontext
def seed() -> None:
    """Create the demo township (idempotent: running it twice duplicates nothing)."""
    from publisher.seed import seed_demo

    for line in seed_demo():
        click.echo(line)


@click.command()
@click.argument("item_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--profile", default="1080p", show_default=True)
def render(item_json: Path, out_dir: Path, profile: str) -> None:
    """Render one content item (API JSON shape) to PNG pages."""
    from publisher import clock
    from renderer.cli import render_cli
    from renderer.items import ItemError

    try:
        pages = render_cli(item_json, out_dir, profile,
                           today=clock.today(current_app.config["CHANNEL_TIMEZONE"]))
    except (ItemError, ValueError, json.JSONDecodeError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for page in pages:
        click.echo(f"{page.path}\t{page.duration_s:.2f}s")


@click.command()
@with_appcontext
def clock() -> None:
    """Run the scheduler process (render jobs, plans, escalations). Exactly one per site."""
    from publisher.jobs.clock import run_clock

    run_clock()


@click.command()
@click.option("--channel", "slugs", multiple=True, help="Channel slug (default: every enabled).")
@with_appcontext
def playout(slugs: tuple[str, ...]) -> None:
    """Run the channel feeds (HLS and UDP) for the enabled channels."""
    from publisher.jobs.playout import run_playout

    run_playout(list(slugs))


@click.command()
@with_appcontext
def worker() -> None:
    """Render previews and content claimed through leases (with VILLAGECAST_CONTENT_WORKERS=1);
    run as many as wanted, on any machine sharing the database and data directory."""
    from publisher.jobs.worker import run_worker

    run_worker()


@click.command()
@click.option("--procfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default="Procfile", show_default=True, help="The list of processes to run.")
@click.option("--log-files", is_flag=True,
              help="Log each process to DATA/logs (production) instead of this terminal.")
@click.option("--print-config", is_flag=True, help="Print the configuration and exit.")
def supervise(procfile: Path, log_files: bool, print_config: bool) -> None:
    """Run every Procfile process under supervisord; a process that dies is restarted."""
    import os
    import shutil

    from publisher.config import load_config
    from publisher.supervision.config import CONFIG_NAME, parse_procfile, render_config

    data_dir = Path(load_config()["DATA_DIR"])
    bin_dir = Path(sys.executable).parent
    processes = parse_procfile(procfile.read_text("utf-8"))
    watched = [p.name for p in processes if p.name in WATCHED_PROCESSES]
    text = render_config(
        processes,
        root=procfile.resolve().parent,
        data_dir=data_dir,
        console_logs=not log_files,
        watchdog_command=" ".join(
            [str(bin_dir / "villagecast"), "watchdog", *(f"--watch {n}" for n in watched)]
        ),
    )
    if print_config:
        click.echo(text, nl=False)
        return
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    config_path = data_dir / CONFIG_NAME
    config_path.write_text(text, "utf-8")
    # Children find gunicorn and villagecast in this environment's bin, however we were run.
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ["VILLAGECAST_DATA"] = str(data_dir)
    supervisord = shutil.which("supervisord") or str(bin_dir / "supervisord")
    os.execv(supervisord, [supervisord, "--nodaemon", "--configuration", str(config_path)])


# Processes that write a heartbeat, so the watchdog can tell a hang from a pause.
WATCHED_PROCESSES = ("clock", "playout")


@click.command()
@click.option("--watch", "watched", multiple=True, help="A process name to watch for hangs.")
@click.option("--stale-after", type=float, envvar="VILLAGECAST_WATCHDOG_STALE_S",
              default=30.0, show_default=True,
              help="Seconds without a heartbeat after which a running process counts as hung.")
def watchdog(watched: tuple[str, ...], stale_after: float) -> None:
    """supervisord's event listener (started by `villagecast supervise`, not by hand)."""
    import logging
    import os

    from supervisor import childutils

    from publisher.config import load_config
    from publisher.supervision.watchdog import run_listener

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    status_dir = Path(load_config()["STATUS_DIR"])
    run_listener(status_dir, list(watched), childutils.getRPCInterface(os.environ),
                 stale_s=stale_after)
