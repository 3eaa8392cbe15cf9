"""gunicorn settings for the KOM line; gunicorn reads this file from the working directory.

    gunicorn 'ivr:create_app()'              # in the repository root: these settings apply
    gunicorn -c /path/to/gunicorn.conf.py 'ivr:create_app()'   # from anywhere else

Why these values: a caller hears silence while a webhook runs and Twilio gives up after 15 s,
so no slow or hostile client may occupy every worker. Threaded workers (gthread) give each
process many request slots, so a few connections trickling a body slowly leave the rest free
to answer calls; the webhooks refuse large or odd bodies before reading them (see
ivr/request_limits.py). In service, put a proxy in front that buffers whole requests before
passing them on (README, "Behind a proxy"), so a slow sender never reaches gunicorn at all.

Every value can be changed with an environment variable or on the command line (`-w 4`,
`--threads 32`); the command line wins.
"""

from __future__ import annotations

import multiprocessing
import os


def _number(name: str, default: int) -> int:
    """A whole number from the environment, or `default`."""
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


# Processes: two per core by default (WEB_CONCURRENCY overrides, as on most platforms).
workers = _number("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count())
# Threads per process: webhooks are short, mostly waiting on the network and small reads, so
# many threads are cheap; a handful of stalled clients cannot take every slot.
worker_class = "gthread"
threads = _number("GUNICORN_THREADS", 16)
# A worker silent this long is restarted (a webhook must answer well within Twilio's 15 s).
timeout = _number("GUNICORN_TIMEOUT", 30)
# On restart or deploy, requests in flight get this long to finish.
graceful_timeout = _number("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Idle kept-alive connections are closed after this many seconds.
keepalive = 5
# Twilio's request line is a short path and query; its headers are about 15 short ones. A
# staff browser sends about 20, with a session cookie of under 1 KB.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
# Never load the app before forking: each worker opens its own database connections.
preload_app = False
