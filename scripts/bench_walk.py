"""Writes the wrk script of scripts/bench_load.sh: signed requests as Twilio sends them.

    python scripts/bench_walk.py BASE_URL TOKEN voice|walk > requests.lua

`voice`: the signed POST /voice that starts every call. `walk`: every request of a whole call
(answer, choose English, the topic menu, press 0, the transfer's end and whisper), found by
walking a call through the app in-process, each signed for BASE_URL; wrk sends them in turn.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twilio.request_validator import RequestValidator

PARAMS = {
    "CallSid": "CA00000000000000000000000000000000",
    "AccountSid": "AC00000000000000000000000000000000",
    "From": "+4799999999",
    "To": "+4721000000",
    "CallStatus": "in-progress",
}


def walk_requests() -> list[tuple[str, dict[str, str]]]:
    """(path, form) of every request of one call: answered, English, topic 1, 0, transfer."""
    from ivr import create_app
    from ivr.services import services
    from tests.conftest import SECRET_KEY, TOKEN, Call

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TWILIO_AUTH_TOKEN": TOKEN,
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": f"sqlite:///{folder}/walk.sqlite3",
                "CACHE_DIR": folder,
                "LOG_LEVEL": "ERROR",
            }
        )
        services(app).db.upgrade()
        seen: list[tuple[str, dict[str, str]]] = []

        class Recording(Call):
            def post(self, url, extra=None):
                full = urlsplit(urljoin("http://line/voice", url))
                seen.append((full.path + (f"?{full.query}" if full.query else ""), extra or {}))
                return super().post(url, extra)

        Recording(app.test_client(), services(app).catalog).start().press("1").press("1").press("0")
        services(app).close()
    return seen


def lua(base: str, token: str, requests: list[tuple[str, dict[str, str]]]) -> str:
    """A wrk script sending the signed requests in turn."""
    validator, entries = RequestValidator(token), []
    for path, extra in requests:
        form = {**PARAMS, **extra}
        body = urlencode(form)
        signature = validator.compute_signature(base + path, form)
        entries.append(
            "{" + f"path={json.dumps(path)}, body={json.dumps(body)}, "
            f"sig={json.dumps(signature)}" + "}"
        )
    return f"""local requests = {{{", ".join(entries)}}}
local n = 0
request = function()
  n = n % #requests + 1
  local r = requests[n]
  return wrk.format("POST", r.path, {{["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r.sig}}, r.body)
end
"""


def main() -> None:
    """Print the wrk script for the requested scenario."""
    base, token, scenario = sys.argv[1:4]
    chosen = [("/voice", {})] if scenario == "voice" else walk_requests()
    print(lua(base, token, chosen))


if __name__ == "__main__":
    main()
