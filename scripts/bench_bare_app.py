"""The baseline of scripts/bench_load.sh: a bare Flask app answering a fixed menu.

Every POST gets the same small TwiML menu, with no signature check, no database and no
content: the fastest a Flask app can answer a webhook under the same gunicorn settings.
"""

from __future__ import annotations

from flask import Flask, Response

MENU = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/step?node=menu'
    '&amp;lang=en" timeout="6" numDigits="1"><Say language="en-GB">For information, press '
    "1. To talk to KOM, press 0.</Say></Gather><Redirect>/voice/step?node=menu&amp;lang=en"
    "</Redirect></Response>"
)

app = Flask(__name__)


@app.post("/voice", defaults={"rest": ""})
@app.post("/voice/<path:rest>")
def menu(rest: str) -> Response:
    """The fixed menu, whatever the path."""
    return Response(MENU, mimetype="text/xml")
