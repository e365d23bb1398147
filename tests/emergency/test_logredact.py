"""Device and ack-link tokens do not reach the access log in plain form."""

from datetime import timedelta
from types import SimpleNamespace

from publisher.emergency.logredact import RedactingLogger, redact


def test_tokens_in_emergency_paths_are_cut_to_four_characters():
    line = ('"POST /emergency/trigger/Ab_9xYzSecretSecret123 HTTP/1.1" 201 '
            '"http://h/emergency/ack/eyJpIjoxSecret.abc"')
    assert redact(line) == ('"POST /emergency/trigger/Ab_9… HTTP/1.1" 201 '
                            '"http://h/emergency/ack/eyJp…"')
    assert redact("GET /emergency/phone/ HTTP/1.1") == "GET /emergency/phone/ HTTP/1.1"


def test_the_gunicorn_access_log_line_is_redacted():
    from gunicorn.config import Config

    logger = RedactingLogger(Config())
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/emergency/trigger/Ab_9xYzSecretSecret123",
               "PATH_INFO": "/emergency/trigger/Ab_9xYzSecretSecret123", "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7",
               "HTTP_REFERER": "http://h/emergency/ack/eyJpIjoxSecret.abc"}
    request = SimpleNamespace(headers=[], method="POST", path=environ["PATH_INFO"],
                              query="", version=(1, 1), uri=environ["RAW_URI"])
    response = SimpleNamespace(status="201 CREATED", sent=10, headers=[], response_length=10)
    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.01))
    assert "Secret" not in " ".join(str(v) for v in atoms.values())
    assert "/emergency/trigger/Ab_9…" in atoms["r"]
