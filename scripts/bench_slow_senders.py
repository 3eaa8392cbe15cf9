"""Do callers still get answers while strangers hold connections open? (loopback only)

Starts the app under gunicorn with 2 workers on 127.0.0.1 twice: with the repository's
gunicorn.conf.py, and with gunicorn's defaults (sync workers) as the baseline. Each time, five
connections are kept busy by strangers: two sending multi-megabyte bodies (one unsigned, one
with a signature-shaped header), two trickling a body a byte at a time (one declared, one
chunked) with a signature-shaped header, and one trickling without any signature. Meanwhile
signed `POST /voice` and `POST /voice/fallback` are timed, and compared with the same requests
on the idle server.

    .venv/bin/python scripts/bench_slow_senders.py [--rounds 10]

Prints p50 and worst latency per case and exits non-zero if, with gunicorn.conf.py, a signed
request under attack took 1 s or more. Everything stops within about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
PARAMS = {"CallSid": "CA0", "AccountSid": "AC0", "From": "+4799999999", "To": "+4721000000"}
SHAPED = "A" * 27 + "="  # looks like a signature, signs nothing
LIMIT = 1.0  # seconds a signed webhook may take while strangers hold connections


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str, timeout: float) -> float:
    """A signed POST like Twilio's; its latency in seconds (timeout: counts as `timeout`)."""
    url = f"http://127.0.0.1:{port}{path}"
    body = urlencode(PARAMS)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, PARAMS),
    }
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
    except (TimeoutError, OSError):
        return timeout
    return time.perf_counter() - started


class Stranger(threading.Thread):
    """One connection kept busy: a big body sent fast, or a small one trickled slowly.

    When the server closes the connection (a refusal), the stranger connects again.
    """

    def __init__(
        self, port: int, headers: dict, body_bytes: int, trickle: bool, stop: threading.Event
    ):
        super().__init__(daemon=True)
        self.port, self.headers, self.body_bytes, self.trickle = port, headers, body_bytes, trickle
        self.stop, self.connected = stop, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(OSError):  # refused and closed: come back
                self.once()

    def once(self) -> None:
        chunked = self.headers.get("Transfer-Encoding") == "chunked"
        head = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        if not chunked:
            head += f"Content-Length: {self.body_bytes}\r\n"
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(
                f"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n{head}\r\n".encode()
            )
            self.connected.set()
            sent = 0
            while sent < self.body_bytes and not self.stop.is_set():
                piece = b"a" if self.trickle else b"a" * 65536
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
                if self.trickle:
                    self.stop.wait(0.2)


def strangers(port: int, stop: threading.Event) -> list[Stranger]:
    """The five busy connections."""
    big = 8 * 1024 * 1024
    return [
        Stranger(port, {}, big, trickle=False, stop=stop),
        Stranger(port, {"X-Twilio-Signature": SHAPED}, big, trickle=False, stop=stop),
        Stranger(port, {"X-Twilio-Signature": SHAPED}, 4000, trickle=True, stop=stop),
        Stranger(
            port,
            {"X-Twilio-Signature": SHAPED, "Transfer-Encoding": "chunked"},
            4000,
            trickle=True,
            stop=stop,
        ),
        Stranger(port, {}, 4000, trickle=True, stop=stop),
    ]


def serve(port: int, config: str, folder: Path) -> subprocess.Popen:
    """gunicorn with 2 workers on loopback; `config` is a file, or '' for gunicorn's defaults."""
    env = {
        **os.environ,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "bench-secret-0123456789",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "LOG_LEVEL": "ERROR",
        "AUDIO_DIR": str(folder / "store"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    subprocess.run(
        [str(ROOT / ".venv/bin/ivr"), "init-db"], env=env, check=True, capture_output=True, cwd=ROOT
    )
    if not config:
        config = str(folder / "defaults.conf.py")
        Path(config).write_text("# gunicorn's defaults\n")
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "-c",
        config,
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "error",
        "ivr:create_app()",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline, answered = time.monotonic() + 60, 0
    while time.monotonic() < deadline and answered < 20:
        answered = answered + 1 if healthy(port) else 0
        if not answered:
            time.sleep(0.2)  # polling a starting server: there is nothing to wait on instead
    if answered < 20:  # twenty answers in a row: both workers have loaded the app
        server.kill()
        raise SystemExit("gunicorn did not start within 60 s")
    return server


def healthy(port: int) -> bool:
    """Whether GET /healthz answers 200 within a second."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/healthz")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def measure(config: str, rounds: int, timeout: float) -> dict[str, list[float]]:
    """Latencies of signed /voice and /voice/fallback, idle and with five busy connections."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = serve(port, config, Path(folder))
        try:
            figures = {
                f"{p} idle": [post(port, p, timeout) for _ in range(rounds)]
                for p in ("/voice", "/voice/fallback")
            }
            stop = threading.Event()
            busy = strangers(port, stop)
            for stranger in busy:
                stranger.start()
            for stranger in busy:
                stranger.connected.wait(5)
            stop.wait(0.5)  # let the big bodies and trickles reach the workers
            for path in ("/voice", "/voice/fallback"):
                figures[f"{path} under attack"] = [post(port, path, timeout) for _ in range(rounds)]
            stop.set()
        finally:
            server.terminate()
            server.wait(30)
    return figures


def report(name: str, figures: dict[str, list[float]]) -> float:
    """Print one configuration's figures; return the worst latency under attack."""
    print(f"\n{name}")
    for case, values in figures.items():
        print(
            f"  {case:28} p50 {statistics.median(values) * 1000:8.1f} ms   "
            f"worst {max(values) * 1000:8.1f} ms"
        )
    idle = statistics.median(figures["/voice idle"])
    attacked = statistics.median(figures["/voice under attack"])
    print(f"  /voice p50 under attack / idle: {attacked / idle:.1f}x")
    return max(max(v) for k, v in figures.items() if "attack" in k)


def main() -> int:
    """Both configurations, figures printed; non-zero if the shipped one is too slow."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    shipped = report(
        "gunicorn.conf.py (gthread), 2 workers",
        measure(str(ROOT / "gunicorn.conf.py"), rounds, timeout=5),
    )
    report(
        "baseline: gunicorn defaults (sync), 2 workers", measure("", max(3, rounds // 3), timeout=3)
    )
    verdict = "PASS" if shipped < LIMIT else "FAIL"
    print(
        f"\n{verdict}: worst signed webhook under attack with gunicorn.conf.py "
        f"{shipped * 1000:.0f} ms (limit {LIMIT * 1000:.0f} ms)"
    )
    return 0 if shipped < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
