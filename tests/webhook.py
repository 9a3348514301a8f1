"""A local webhook for tests: an http.server on 127.0.0.1 that records every POST (no internet)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    answered: int


@dataclass
class RecordingWebhook:
    """Answers 200, or the next status queued in `fail_next` (e.g. [503] fails the next request once)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """Bodies answered 2xx, in arrival order."""
        with self.lock:
            return [r.body for r in self.received if 200 <= r.answered < 300]


@contextmanager
def recording_webhook() -> Iterator[RecordingWebhook]:
    hook = RecordingWebhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with hook.lock:
                status = hook.fail_next.pop(0) if hook.fail_next else 200
                hook.received.append(Received(self.path, dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/billing?token=secret"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
