"""The base of every HTML form: it reads posted form fields, never a JSON body."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm


class PageForm(FlaskForm):
    """A Flask-WTF form that ignores a JSON body.

    Flask-WTF reads a JSON request as the form's data, so an array or a number where a
    field expects text would crash its validators (500). The pages post forms (the browser
    and our scripts send ``FormData``); JSON is the API's. A JSON post to a page is
    therefore treated as an empty form: it fails validation and is answered 400 with the
    form's errors, changing nothing.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if request.is_json:
                return None
            return super().wrap_formdata(form, formdata)
