"""What a reviewer must see before approving: the item's photo and every page as it will air.

The photo is served to staff who may see the item (it is an unpublished draft's until
approved). The pages come from the version's own render once approved, or from the
pre-render that submission queued (``publisher.jobs.prerender``) while it waits for review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, send_file
from sqlalchemy import select

from publisher.admin import bp
from publisher.admin.access import load_item, may_see, staff_only
from publisher.extensions import db
from publisher.models import ContentVersion, Job, JobState, Role
from publisher.services.photos import kept_photo

PRERENDER_JOB = "prerender"  # publisher.jobs.prerender.PRERENDER (admin must not import jobs)


def version_pages(version: ContentVersion) -> list[dict[str, Any]]:
    """The pages of ``version`` for its township's first channel, in order: each with the
    slide's URL, its number and its seconds on air. Empty until a render has finished."""
    renders = version.pages or {}
    if not renders:
        job = db.session.scalar(
            select(Job).where(Job.kind == PRERENDER_JOB, Job.state == JobState.DONE,
                              Job.payload["version_id"].as_integer() == version.id)
            .order_by(Job.id.desc()).limit(1))
        done = ((job.result or {}).get("renders") or {}) if job is not None else {}
        renders = {slug: entry.get("pages") or [] for slug, entry in done.items()}
    if not renders:
        return []
    pages = renders[sorted(renders)[0]]
    return [{"url": f"/render/{p['key']}.png", "page_no": p.get("page_no"),
             "page_count": p.get("page_count"), "duration_s": p.get("duration_s")}
            for p in pages if p.get("key")]


def _photo_path(stored: str) -> Path:
    """The stored photo, only if it lies inside the upload folder."""
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = Path(stored).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    return path


@bp.route("/content/produce/kept-photo/<int:township_id>/<name>")
@staff_only(Role.EDITOR)
def kept_photo_file(township_id: int, name: str):  # noqa: ANN201
    """A photo kept from a form that came back with an error, shown back in that form."""
    if not may_see(township_id):
        abort(404)
    path = kept_photo(Path(current_app.config["UPLOAD_DIR"]) / f"township-{township_id}", name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/content/<kind>/<int:item_id>/versions/<int:number>/photo")
@staff_only()
def version_photo(kind: str, item_id: int, number: int):  # noqa: ANN201
    """A version's photo, for the review, item and form pages."""
    item = load_item(kind, item_id)
    version = next((v for v in item.versions if v.number == number), None)
    stored = (version.data or {}).get("photo") if version is not None else None
    if not stored:
        abort(404)
    response = send_file(_photo_path(str(stored)), mimetype="image/jpeg", conditional=True,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
