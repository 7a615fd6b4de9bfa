"""Fuzz every connector's parsers and error mappers with generated platform answers.

For each connector and target (listing pages, error answers, single items, reply/hide answers;
see tests/fuzz/targets.py) Hypothesis generates `--examples` payloads, shaped after the contract
fixtures and then broken, and serves them over loopback to the real connector code. Prints the
payloads tried, comments read, items kept as unreadable, ChannelErrors (the expected answer to a
broken page or an error status) and unhandled exceptions, which must be 0.

Run:  .venv/bin/python -m benchmarks.fuzz_parsers [--examples 10000] [--seed 2026] [--kinds x,youtube]
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.fuzz.runner import counting
from tests.fuzz.targets import KINDS, targets
from tests.scripted_server import ScriptedServer

COMMAND = ".venv/bin/python -m benchmarks.fuzz_parsers"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10_000, help="payloads per connector and target")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--targets", default="listing,errors,items,single")
    args = parser.parse_args()
    kinds, names = args.kinds.split(","), args.targets.split(",")

    print(f"{'connector':<10} {'target':<8} {'payloads':>9} {'comments':>9} {'unreadable':>10} "
          f"{'ChannelError':>12} {'unhandled':>9} {'seconds':>8}")
    totals: dict[str, list[int]] = {}
    unhandled_total, started = 0, time.perf_counter()
    with ScriptedServer() as server:
        for target in targets(kinds, names):
            began = time.perf_counter()
            tally = counting(target, server, args.examples, args.seed)
            unhandled = sum(tally.unhandled.values())
            unhandled_total += unhandled
            sums = totals.setdefault(target.kind, [0, 0])
            sums[0] += tally.payloads
            sums[1] += unhandled
            print(f"{target.kind:<10} {target.name:<8} {tally.payloads:>9} {tally.comments:>9} {tally.unreadable:>10} "
                  f"{tally.channel_errors:>12} {unhandled:>9} {time.perf_counter() - began:>8.1f}", flush=True)
            for (name, place), count in tally.unhandled.most_common():
                print(f"    {count:>6} x {name} at {place}: {tally.examples[(name, place)]}")
            if server.script_errors:
                print(f"    the test script itself failed {len(server.script_errors)} times: {server.script_errors[0]!r}")
    print()
    for kind, (payloads, unhandled) in totals.items():
        print(f"{kind:<10} {payloads:>7} payloads, {unhandled} unhandled exceptions")
    print(f"unhandled exceptions in all: {unhandled_total} (must be 0); {time.perf_counter() - started:.0f} s")
    print(f"command: {COMMAND} --examples {args.examples} --seed {args.seed}"
          + (f" --kinds {args.kinds}" if kinds != list(KINDS) else "")
          + (f" --targets {args.targets}" if names != ["listing", "errors", "items", "single"] else ""))
    return 1 if unhandled_total else 0


if __name__ == "__main__":
    sys.exit(main())
