"""A local fake SMS gateway on a dynamic port, speaking the request shape of core/care/notify.py (HttpSms):
records every request; answers from a script (status, body) and then {"ok": true, "id": …}."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSms:
    def __init__(self, key: str = "k-test") -> None:
        self.key = key
        self.received: list[dict] = []  # {"headers", "body"} of every request, in order
        self.delivered: list[dict] = []  # the bodies answered ok
        self.script: list[tuple[int, dict]] = []  # answers to give first
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.received.append({"headers": dict(self.headers), "body": body})
                if self.headers.get("Authorization") != f"Bearer {fake.key}":
                    status, answer = 401, {"ok": False, "error": "bad key"}
                elif fake.script:
                    status, answer = fake.script.pop(0)
                else:
                    status, answer = 200, {"ok": True, "id": f"SMS{len(fake.delivered) + 1:04d}"}
                    fake.delivered.append(body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeSms":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
