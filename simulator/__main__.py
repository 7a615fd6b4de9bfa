"""Run the channel simulators: `python -m simulator --port 8401 [--host 127.0.0.1]`."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from simulator.seed import OFFICIAL_APP_PASSWORD, OFFICIAL_USERNAME, seed_wordpress
from simulator.wordpress import WordPressSimulator, WordPressSite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Seeded channel simulators on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8401, help="WordPress simulator port (0 picks a free one)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--state", type=Path, help="keep the sites' content in this JSON file across restarts")
    args = parser.parse_args(argv)

    site = WordPressSite()
    if args.state is None or not site.load(args.state):
        seed_wordpress(site)
        site.save()
    wordpress = WordPressSimulator(site, host=args.host, port=args.port, quiet=args.quiet).start()
    print(f"WordPress simulator: halaman publik {wordpress.base_url}/", flush=True)
    print(f"  REST API: {wordpress.api_base}  (juga {wordpress.base_url}/?rest_route=/wp/v2/...)", flush=True)
    print(f"  akun resmi: {OFFICIAL_USERNAME} / application password '{OFFICIAL_APP_PASSWORD}'", flush=True)
    print(f"  gangguan uji: POST {wordpress.base_url}/__sim/fault  {{\"mode\": \"http500\", \"times\": 1}}",
          flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        wordpress.stop()


if __name__ == "__main__":
    main()
