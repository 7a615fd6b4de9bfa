"""A loopback HTTP server that answers every request from a script: the test decides, per
request, the status, headers and exact bytes. The contract fixtures and the parser fuzzing use
it to put recorded or generated platform answers on the wire for the real connectors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes = field(repr=False, default=b"")


Script = Callable[[Request], Answer]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(self.command, url.path, dict(parse_qsl(url.query, keep_blank_values=True)),
                          self.rfile.read(length) if length else b"")
        self.server.requests.append(request)
        try:
            answer = self.server.script(request)
        except Exception as exc:  # noqa: BLE001 - a broken script is reported to the test, not hidden
            self.server.script_errors.append(exc)
            answer = Answer(599, f"script failed: {exc!r}".encode(), content_type="text/plain")
        body = b"" if answer.status in (204, 304) else answer.body  # these never carry one
        head = [f"HTTP/1.1 {answer.status} X", f"Content-Type: {answer.content_type}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in answer.headers]
        # One write for head and body (two small writes meet delayed ACK); headers as Latin-1,
        # which is what HTTP carries, so any byte 0x00-0xFF a platform might send can be sent.
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: Script = lambda request: Answer(404)
        self.requests: list[Request] = []
        self.script_errors: list[Exception] = []

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up early (a timeout, a refused body) is not the server's news."""


class ScriptedServer:
    """`with ScriptedServer() as server: server.play(script); ...` on a free loopback port."""

    def __init__(self) -> None:
        self._server = _Server()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"scripted-{port}")

    def play(self, script: Script) -> None:
        """Answer the next requests with `script`; forgets the requests seen so far."""
        self._server.script = script
        self._server.requests.clear()
        self._server.script_errors.clear()

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    @property
    def script_errors(self) -> list[Exception]:
        return self._server.script_errors

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
