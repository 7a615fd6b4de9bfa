"""The recorded platform answers under tests/contracts/<platform>/: a body file (.json or .html)
and a sidecar <name>.meta.json with the call it answers, its status and headers, where it comes
from ("documented" or "UNCONFIRMED", with the reference) and what the connector must make of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CONTRACTS = Path(__file__).parent
PLATFORMS = ("wordpress", "facebook", "instagram", "youtube", "x")


@dataclass(frozen=True)
class Fixture:
    platform: str
    name: str
    call: str
    status: int
    headers: dict
    source: str
    reference: str
    expect: dict
    body_file: Path
    simulator_omits: dict  # key -> why the simulator may leave it out (the connector must not need it)

    @property
    def id(self) -> str:
        return f"{self.platform}/{self.name}"

    def body(self):
        """The parsed JSON body (None for an HTML page)."""
        return json.loads(self.body_file.read_text(encoding="utf-8")) if self.body_file.suffix == ".json" else None


def load(platform: str, name: str) -> Fixture:
    meta = json.loads((CONTRACTS / platform / f"{name}.meta.json").read_text(encoding="utf-8"))
    body_file = next(p for p in (CONTRACTS / platform).glob(f"{name}.*") if not p.name.endswith(".meta.json"))
    return Fixture(platform, name, meta["call"], meta["status"], meta["headers"], meta["source"], meta["reference"],
                   meta["expect"], body_file, meta.get("simulator_omits", {}))


def all_fixtures(platform: str | None = None) -> list[Fixture]:
    names = [(p, meta.name.removesuffix(".meta.json")) for p in (PLATFORMS if platform is None else (platform,))
             for meta in sorted((CONTRACTS / p).glob("*.meta.json"))]
    return [load(p, name) for p, name in names]
