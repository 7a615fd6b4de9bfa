"""The transport every connector shares: one call that always has a timeout, transport
failures as Unavailable, HTTP errors mapped by the platform's own `error_for`, and JSON
bodies read without letting a broken body escape as a bare ValueError.

Messages name `where` (method and route), never a URL: some platforms carry the token in it.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import requests

from .base import ChannelError, Unavailable


def send(http: requests.Session, method: str, url: str, *, timeout: float, where: str,
         error_for: Callable[[requests.Response], ChannelError], **kwargs) -> requests.Response:
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise Unavailable(f"tidak ada jawaban dalam {timeout:g} detik ({where})") from None
    except requests.ConnectionError as exc:
        raise Unavailable(f"tidak dapat terhubung ({where}): {type(exc).__name__}") from None
    except requests.RequestException as exc:
        raise Unavailable(f"permintaan gagal ({where}): {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise error_for(response)
    return response


_NOT_JSON = object()


def parsed_json(response: requests.Response, default=None):
    """The parsed body, or `default` when it is not JSON: broken, or nested so deep that
    parsing it would exhaust the stack (a RecursionError is no JSON we could read)."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        return default


def json_body(response: requests.Response, expect: type | None = None):
    """The parsed body; Unavailable when it is not JSON (or not of the `expect`ed type)."""
    body = parsed_json(response, _NOT_JSON)
    if body is _NOT_JSON:
        raise Unavailable(f"jawaban bukan JSON (HTTP {response.status_code}): {response.text[:120]!r}")
    if expect is not None and not isinstance(body, expect):
        raise Unavailable(f"jawaban JSON bukan {expect.__name__} (HTTP {response.status_code}): {str(body)[:120]}")
    return body


MAX_WAIT_SECONDS = 2 * 24 * 3600  # no platform asks for longer (YouTube's quota day is the longest); more is garbage


def bounded_wait(seconds) -> float | None:
    """A wait a platform asked for, as seconds a scheduler can use: never negative, at most
    MAX_WAIT_SECONDS, None when it is no number at all."""
    if isinstance(seconds, int):
        seconds = min(seconds, MAX_WAIT_SECONDS)  # an int too large for a float is simply "long"
    try:
        seconds = float(seconds)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if math.isnan(seconds) else min(max(seconds, 0.0), float(MAX_WAIT_SECONDS))


def retry_after_seconds(value: str | None) -> float | None:
    """An HTTP Retry-After header, delay-seconds or an HTTP-date; None when it is neither."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is true too, and float("²") fails
        return bounded_wait(int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return bounded_wait((moment - datetime.now(timezone.utc)).total_seconds())


def on_our_host(link: str, base: str) -> tuple[str, str]:
    """A paging link the platform sent, pointed at the configured host: credentials go nowhere
    else. Returns the URL without query, and the query. A link that is not a URL is the
    platform's error, not ours."""
    try:
        ours, theirs = urlsplit(base), urlsplit(link)
    except ValueError as error:
        raise Unavailable(f"tautan halaman berikutnya tidak sah: {link[:200]!r} ({error})") from error
    return urlunsplit((ours.scheme, ours.netloc, theirs.path, "", "")), theirs.query
