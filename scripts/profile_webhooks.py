"""CPU per webhook, in-process: the bare Flask app of bench_load.sh against the real line.

    .venv/bin/python scripts/profile_webhooks.py [requests] [--profile]

Sends signed requests straight to each app's WSGI callable (the whole middleware stack, no
server, no sockets): the bare app's fixed menu, the line's POST /voice and the line's whole
call (bench_walk.py's requests in turn). Prints CPU microseconds per request and the ratio;
`--profile` adds cProfile's 30 most expensive functions for the line's whole call. Where
gunicorn and wrk blur the figures (scripts/bench_load.sh), this shows the app's own share.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bare_app import app as bare_app
from bench_walk import PARAMS, walk_requests
from twilio.request_validator import RequestValidator

from ivr import create_app
from ivr.services import services

TOKEN = "bench-token"
HOST = "127.0.0.1:8000"
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def environ(path: str, form: dict[str, str]) -> Callable[[], dict]:
    """A signed form post as gunicorn hands it to the app (a fresh environ each call)."""
    body = urlencode(form).encode()
    signature = RequestValidator(TOKEN).compute_signature(f"http://{HOST}{path}", form)
    route, _, query = path.partition("?")
    fixed = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "RAW_URI": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_TWILIO_SIGNATURE": signature,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    return lambda: {**fixed, "wsgi.input": io.BytesIO(body)}


def cpu_per_request(app: WSGIApp, requests: list[tuple[str, dict[str, str]]], n: int) -> float:
    """CPU microseconds per request, sending `requests` in turn `n` times after a warm-up."""
    environs = [environ(path, {**PARAMS, **extra}) for path, extra in requests]

    def send(count: int) -> None:
        for i in range(count):
            b"".join(app(environs[i % len(environs)](), lambda *_args: None))

    send(200)
    started = time.process_time()
    send(n)
    return (time.process_time() - started) / n * 1e6


def main() -> None:
    """Measure the three, print them, profile the line's whole call if asked."""
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "3000"))
    os.environ.setdefault("TRUSTED_PROXIES", "1")  # bench_walk's app: the Host header decides
    walk = walk_requests()
    with tempfile.TemporaryDirectory() as folder:
        line = create_app(
            {
                "TWILIO_AUTH_TOKEN": TOKEN,
                "SECRET_KEY": "bench-secret-0123456789",
                "DATABASE_URL": f"sqlite:///{folder}/line.sqlite3",
                "CACHE_DIR": folder,
                "AUDIO_DIR": f"{folder}/store",
                "LOG_LEVEL": "WARNING",
                "TRUSTED_PROXIES": 1,
            }
        )
        services(line).db.upgrade()
        bare = cpu_per_request(bare_app.wsgi_app, [("/voice", {})], n)
        voice = cpu_per_request(line.wsgi_app, [("/voice", {})], n)
        whole = cpu_per_request(line.wsgi_app, walk, n)
        print(f"CPU per request, {n} requests each, in-process (no server):")
        print(f"  bare Flask app        {bare:7.0f} us")
        print(f"  KOM line, POST /voice {voice:7.0f} us  ({voice / bare:.2f} x bare)")
        print(f"  KOM line, whole call  {whole:7.0f} us  ({whole / bare:.2f} x bare)")
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.runcall(cpu_per_request, line.wsgi_app, walk, n)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        services(line).close()


if __name__ == "__main__":
    main()
