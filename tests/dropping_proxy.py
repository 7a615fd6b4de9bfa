"""A loopback HTTP proxy that can lose an answer: the request reaches the site, the reply never
reaches the client. What a timeout after a POST looks like from our side, made repeatable."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


class _Handler(BaseHTTPRequestHandler):
    server: "_ProxyServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def log_message(self, format, *args) -> None:  # quiet
        pass

    def _forward(self) -> None:
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body or None,
                             headers={**headers, "Host": f"{proxy.upstream_host}:{proxy.upstream_port}"})
            answer = upstream.getresponse()
            payload = answer.read()  # the site has finished: what it did, it did
        finally:
            upstream.close()
        self.close_connection = True
        if proxy.take_drop(self.command):
            return  # the connection closes without a byte of the answer
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True


class DroppingProxy:
    """`DroppingProxy(upstream_url).start()`; `drop_next("POST")` loses the next POST's answer."""

    def __init__(self, upstream_url: str) -> None:
        upstream = urlsplit(upstream_url)
        self.upstream_host, self.upstream_port = upstream.hostname, upstream.port or 80
        self._drops: list[str] = []
        self.dropped = 0
        self._lock = threading.Lock()
        self._server = _ProxyServer(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def drop_next(self, method: str = "POST") -> None:
        with self._lock:
            self._drops.append(method.upper())

    def take_drop(self, method: str) -> bool:
        with self._lock:
            if method in self._drops:
                self._drops.remove(method)
                self.dropped += 1
                return True
            return False

    def start(self) -> "DroppingProxy":
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
