"""The video item's form: made from the video kind's declaration (renderer.kinds.video).

The upload itself is :class:`publisher.admin.upload_fields.VideoFields`; trim points and
caption are the declaration's fields.
"""

from __future__ import annotations

from publisher.admin.forms import form_class

VideoForm = form_class("video")
