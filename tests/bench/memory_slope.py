#!/usr/bin/env python3
"""Least-squares slope (MB/hour) of the memory CSV over minutes [FROM, TO].

usage: memory_slope.py CSV [FROM_MIN=5] [TO_MIN=60]
"""
import csv
import sys


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else float("nan")


def main():
    lo = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    hi = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    rows = [r for r in csv.DictReader(open(sys.argv[1])) if lo <= float(r["minute"]) <= hi]
    if len(rows) < 2:
        print(f"not enough samples in minutes {lo}-{hi} ({len(rows)})")
        return
    mins = [float(r["minute"]) for r in rows]
    print(f"samples: {len(rows)} (minutes {mins[0]:.0f}-{mins[-1]:.0f})")
    skip = {"minute", "elapsed_s", "n_procs"}
    for col in [c for c in rows[0] if c not in skip]:
        ys = [float(r[col]) / (1024.0 if col.endswith("_kb") else 1024.0 * 1024.0) for r in rows]
        s = slope(mins, ys) * 60.0
        print(f"{col:14s} first {ys[0]:9.1f} MB  last {ys[-1]:9.1f} MB  slope {s:+8.2f} MB/hour")


if __name__ == "__main__":
    main()
