#!/usr/bin/env python3
"""Times commands in interleaved rounds: each round runs every command once (after its PREPARE), in an order
that rotates from round to round, so that the load of a shared machine drifting during the bench weighs on all
of them alike (hyperfine runs all of one command's runs before the next command's). Writes hyperfine's JSON
shape ({"results": [{"command", "median", "mean", "min", "max", "times"}]}) for bench/lib.sh's print_ratios.

Usage: bench/interleave.py OUT.json RUNS WARMUP PREPARE NAME COMMAND [NAME COMMAND ...]
Every command runs through `sh -c`; a failing command stops the bench.
"""
import json
import statistics
import subprocess
import sys
import time


def main():
    out, runs, warmup, prepare = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    pairs = list(zip(sys.argv[5::2], sys.argv[6::2]))
    times = {name: [] for name, _ in pairs}
    for round_number in range(warmup + runs):
        shift = round_number % len(pairs)
        for name, command in pairs[shift:] + pairs[:shift]:
            subprocess.run(["sh", "-c", prepare], check=True)
            start = time.perf_counter()
            subprocess.run(["sh", "-c", command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if round_number >= warmup:
                times[name].append(time.perf_counter() - start)
    results = [{"command": name, "median": statistics.median(t), "mean": statistics.mean(t), "min": min(t),
                "max": max(t), "times": t} for name, t in times.items()]
    json.dump({"results": results}, open(out, "w"))


if __name__ == "__main__":
    main()
