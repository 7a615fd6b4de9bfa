"""Serve the five platform simulators on loopback: `python -m simulator [--state-dir DIR]`."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from simulator.platforms import PLATFORMS, start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--only", help="comma-separated kinds, e.g. wordpress,x (default: all five)")
    parser.add_argument("--state-dir", type=Path, help="keep each platform's content in DIR/<kind>.json")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--spam-wave", type=int, default=0, metavar="N",
                        help="on a fresh seed, add N spam comments to each platform (the demo's spam wave)")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else {p.kind for p in PLATFORMS}
    if args.state_dir:
        args.state_dir.mkdir(parents=True, exist_ok=True)

    running = []
    for platform in PLATFORMS:
        if platform.kind in wanted:
            state = args.state_dir / f"{platform.kind}.json" if args.state_dir else None
            running.append(start(platform, state_file=state, quiet=args.quiet, spam_wave=args.spam_wave))
            print(f"{platform.kind:<10} halaman publik {running[-1].base_url}/", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for simulator in running:
            simulator.stop()


if __name__ == "__main__":
    main()
