"""Where one case's run spends its time: cProfile inside each run process (warm start), for
the run until it waits and the run after the approval.

Run:  .venv/bin/python -m benchmarks.profile_run [--top 25]
"""

from __future__ import annotations

import argparse
import pstats

from .cases import approvals, burst_of_new_comments
from .installation import Installation


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=25)
    top = parser.parse_args().top
    installation = Installation.start()
    profiles = installation.folder / "profiles"
    profiles.mkdir()
    installation.env["TANGGAP_PROFILE_RUNS"] = str(profiles)
    try:
        installation.start_serve()
        burst = burst_of_new_comments(installation, 1)  # a first, unmeasured case warms the caches
        approvals(installation, burst["cases"])
        for path in profiles.iterdir():
            path.unlink()
        burst = burst_of_new_comments(installation, 1)
        done = approvals(installation, burst["cases"])
        print(f"check -> waiting {burst['max']:.1f} s; resume -> published {done['max']:.1f} s")
        for number, path in enumerate(sorted(profiles.iterdir(), key=lambda p: p.stat().st_mtime), start=1):
            print(f"\n=== run process {number} ({'until it waits' if number == 1 else 'after the approval'}) ===")
            stats = pstats.Stats(str(path))
            print(f"total {stats.total_tt:.2f} s CPU+wait inside the flow run")
            stats.sort_stats("cumulative").print_stats(top)
    finally:
        installation.stop()


if __name__ == "__main__":
    main()
