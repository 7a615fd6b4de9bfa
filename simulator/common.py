"""The scaffold every platform simulator stands on: fault injection, request counting, a JSON
state file, one handler with the `/__sim/` control route, a loopback HTTP server in a thread,
the seed runner (content in simulator/seeds/), and the Indonesian date shown on public pages.
Platform modules add only their routes, their JSON and their quirks.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from tanggap import dates

# The same mode names on every simulator; "rate_limit" is the platform's own throttling signal.
COMMON_FAULT_MODES = ("rate_limit", "http500", "timeout", "garbage", "post_then_500")


def tanggal(moment: datetime, zone=dates.WIB) -> str:
    """As the platforms' Indonesian web pages print a time."""
    return dates.tanggal(moment, time_separator=".", word_before_time="pukul ", zone=zone)


SEEDS_DIR = Path(__file__).parent / "seeds"
_AGE_PART = re.compile(r"(\d+)([dhms])")
_AGE_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def age(text: str) -> timedelta:
    """"2d 3h" (days, hours, minutes, seconds) as a timedelta."""
    if not re.fullmatch(r"(\s*\d+[dhms])+\s*", text):
        raise ValueError(f"an age is like '2d 3h 5m', got {text!r}")
    return timedelta(**{_AGE_UNITS[unit]: int(n) for n, unit in _AGE_PART.findall(text)})


def load_seed(kind: str) -> dict:
    """simulator/seeds/<kind>.toml: a platform's seed content, kept as data."""
    return tomllib.loads((SEEDS_DIR / f"{kind}.toml").read_text(encoding="utf-8"))


def run_seed(site: "SiteBase", kind: str, now: datetime | None = None, account: str | None = None) -> "SiteBase":
    """Run a seed script: each step calls `site.<call>(**arguments)`; an argument {ago = "2d"} is
    that long before `now`, {ref = "name"} the result of the step stored `as` that name."""
    now = now or datetime.now(timezone.utc)
    results: dict[str, Any] = {"account": account}

    def value(argument: Any) -> Any:
        if isinstance(argument, dict) and "ago" in argument:
            return now - age(argument["ago"])
        if isinstance(argument, dict) and "ref" in argument:
            return results[argument["ref"]]
        return argument

    for step in load_seed(kind)["step"]:
        arguments = {name: value(v) for name, v in step.items() if name not in ("call", "as")}
        result = getattr(site, step["call"])(**arguments)
        if "as" in step:
            results[step["as"]] = result
    return site


@dataclass
class _Fault:
    mode: str
    remaining: int
    methods: tuple[str, ...]


class Faults:
    """Faults armed by tests: each applies to the next `times` matching API requests."""

    def __init__(self, modes: tuple[str, ...] = COMMON_FAULT_MODES, post_only: tuple[str, ...] = ("post_then_500",)):
        self.modes, self.post_only = modes, post_only
        self._armed: list[_Fault] = []
        self._lock = threading.Lock()

    def add(self, mode: str, times: int = 1, methods=("GET", "POST", "PUT", "DELETE")) -> None:
        if mode not in self.modes:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {self.modes}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._armed.append(_Fault(mode, times, tuple(m.upper() for m in methods)))

    def take(self, method: str) -> str | None:
        with self._lock:
            for fault in self._armed:
                if method not in fault.methods or (fault.mode in self.post_only and method != "POST"):
                    continue
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._armed.remove(fault)
                return fault.mode
            return None

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()


class SiteBase:
    """State shared by every simulated platform: a lock, faults, request counts, a state file."""

    # What a fault armed without `methods` applies to.
    default_fault_methods: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE")

    def __init__(self, fault_modes: tuple[str, ...] = COMMON_FAULT_MODES,
                 post_only_faults: tuple[str, ...] | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = Faults(fault_modes) if post_only_faults is None else Faults(fault_modes, post_only_faults)
        self.timeout_seconds = 5.0
        self.state_file: Path | None = None
        self.base_url = "http://127.0.0.1"  # set when the server starts
        self._requests: dict[str, int] = {}

    # Tests arm faults through the site, like `site.fault("rate_limit")`.
    def fault(self, mode: str, times: int = 1, methods=None) -> None:
        self.faults.add(mode, times, self.default_fault_methods if methods is None else methods)

    def clear_faults(self) -> None:
        self.faults.clear()

    def count_request(self, method: str) -> None:
        with self.lock:
            self._requests[method] = self._requests.get(method, 0) + 1

    def request_count(self, method: str) -> int:
        with self.lock:
            return self._requests.get(method, 0)

    def snapshot(self) -> list:
        """What `GET /__sim/comments` shows: every stored comment (dates become ISO strings)."""
        return self.comments  # type: ignore[attr-defined]

    # Persistence: subclasses turn their state into JSON and back.
    def to_state(self) -> dict:
        raise NotImplementedError

    def from_state(self, state: dict) -> None:
        raise NotImplementedError

    def save(self) -> None:
        if self.state_file is None:
            return
        with self.lock:
            temporary = self.state_file.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.to_state(), ensure_ascii=False, indent=1, default=str),
                                 encoding="utf-8")
            temporary.replace(self.state_file)

    def load(self, path: Path) -> bool:
        """Restore a saved state; False when there is none yet. Later changes are saved there."""
        self.state_file = path
        if not path.exists():
            return False
        with self.lock:
            self.from_state(json.loads(path.read_text(encoding="utf-8")))
        return True


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class JsonHandler(BaseHTTPRequestHandler):
    """Request helpers for a simulator's handler; `self.server.site` is the SiteBase.

    `/__sim/...` is the control route, the same on every platform; everything else goes to the
    platform's `handle_request`.
    """

    server: "LoopbackServer"
    protocol_version = "HTTP/1.1"

    # Every method goes to one place; each simulator routes by method and path there.
    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        if self.path.startswith("/__sim/"):
            self._control(urlsplit(self.path).path, self.read_body())
        else:
            self.handle_request()

    def handle_request(self) -> None:
        raise NotImplementedError

    def _control(self, path: str, body: bytes) -> None:
        """`POST /__sim/fault` {"mode", "times", "methods", "timeout_seconds"} arms a fault,
        `DELETE /__sim/fault` clears them, `GET /__sim/comments` lists the stored comments."""
        site = self.server.site
        try:
            if path == "/__sim/fault" and self.command == "POST":
                args = self.body_params(body)
                if "timeout_seconds" in args:
                    site.timeout_seconds = float(args["timeout_seconds"])
                methods = args.get("methods")
                site.fault(str(args["mode"]), times=int(args.get("times", 1)),
                           methods=None if methods is None else tuple(methods))
                return self.send_json(200, {"ok": True})
            if path == "/__sim/fault" and self.command == "DELETE":
                site.clear_faults()
                return self.send_json(200, {"ok": True})
            if path == "/__sim/comments" and self.command == "GET":
                body = json.dumps(site.snapshot(), ensure_ascii=False, default=_iso).encode("utf-8")
                return self.send(200, body, "application/json; charset=UTF-8")
        except (KeyError, TypeError, ValueError) as error:
            return self.send_json(400, {"ok": False, "error": str(error)})
        self.send_json(404, {"ok": False, "error": "unknown control route"})

    def version_string(self) -> str:
        return f"{self.server_version} {self.sys_version}".strip()

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def split_url(self) -> tuple[str, dict[str, str]]:
        url = urlsplit(self.path)
        return url.path, dict(parse_qsl(url.query, keep_blank_values=True))

    def body_params(self, body: bytes) -> dict:
        """JSON or form-encoded body as a dict (empty when there is none)."""
        if not body:
            return {}
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            try:
                value = json.loads(body)
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

    def send(self, status: int, body: bytes, content_type: str, headers: list[tuple[str, str]] = ()) -> None:
        """Headers and body in one write: two small writes on a keep-alive connection meet the
        client's delayed ACK (Nagle) and cost ~40 ms per request."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def send_json(self, status: int, payload: Any, headers: list[tuple[str, str]] = (), *, garbage: bool = False):
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if garbage:  # what a broken proxy or a PHP notice does to a JSON answer
            body = b"<html><body>502 upstream hiccup</body></html>" + body[: len(body) // 2]
        self.send(status, body, "application/json; charset=UTF-8", headers)

    def send_html(self, status: int, page: str) -> None:
        self.send(status, page.encode("utf-8"), "text/html; charset=UTF-8")

    def wait_for_timeout_fault(self) -> None:
        """Stall like a hung upstream, but let the server stop promptly."""
        self.server.stopping.wait(self.server.site.timeout_seconds)


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[JsonHandler], site: SiteBase, quiet: bool):
        super().__init__(address, handler)
        self.site, self.quiet = site, quiet
        self.stopping = threading.Event()


class SimulatorBase:
    """Serves one site on 127.0.0.1 in a daemon thread: `Simulator(site).start()`, `.stop()`."""

    handler: type[JsonHandler]

    def __init__(self, site: SiteBase, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        self.site = site
        self._server = LoopbackServer((host, port), self.handler, site, quiet)
        host_name, real_port = self._server.server_address[:2]
        self.base_url = f"http://{host_name}:{real_port}"
        site.base_url = self.base_url
        self._thread: threading.Thread | None = None

    def start(self) -> "SimulatorBase":
        # A short poll so stop() returns in ~50 ms instead of half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"{type(self).__name__}-{self.base_url}")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        if self._thread is not None:  # shutdown() waits for serve_forever, which never ran otherwise
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "SimulatorBase":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


Route = tuple[str, str, Callable[..., Any]]  # (method, regex over the path, handler)
