"""A webhook receiver on loopback: records what a notification block posts, and shows it as a page."""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    receiver.received.append(json.loads(body))
                except ValueError:
                    receiver.received.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802
                items = "".join(
                    f"<article><h2>{html.escape(str(m.get('subjek', '')))}</h2>"
                    f"<pre style='white-space:pre-wrap'>{html.escape(str(m.get('pesan', m)))}</pre></article>" for m in receiver.received)
                page = (f"<!doctype html><meta charset='utf-8'><title>Pengingat diterima</title>"
                        f"<body style='font-family:sans-serif;max-width:60em;margin:2em auto'>"
                        f"<h1>Pengingat diterima ({len(receiver.received)})</h1>{items}</body>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
