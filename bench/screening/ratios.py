#!/usr/bin/env python3
"""Prints latency ratios between our engine and the peers measured in the same run.

Usage: ratios.py OURS_JSON_LINE_FILE PEERS_JSON
OURS: the last line printed by `screening_bench --sdn2021` (a JSON object).
PEERS: the --json output of shared/tools/screening_peer_bench.py.
"""
import json
import sys


def main() -> int:
    ours = json.loads(open(sys.argv[1], encoding="utf-8").read().strip().splitlines()[-1])
    peers = json.load(open(sys.argv[2], encoding="utf-8"))
    print(f"ours (OFAC SDN 2021, dev queries): p50 {ours['p50_ms']:.3f} ms, p99 {ours['p99_ms']:.3f} ms "
          f"(on-CPU p50 {ours.get('cpu_p50_ms', 0):.3f}, p99 {ours.get('cpu_p99_ms', 0):.3f})")
    for name, res in peers.get("search", {}).items():
        lat = res["latency_ms"]
        p50, p99 = lat["median"], lat["p99"]
        print(f"{name:15s} median {p50:8.2f} ms  p99 {p99:8.2f} ms  -> ours is {p50 / max(ours['p50_ms'], 1e-9):6.1f}x faster at p50, "
              f"{p99 / max(ours['p99_ms'], 1e-9):6.1f}x at p99")
    return 0


if __name__ == "__main__":
    sys.exit(main())
