#!/usr/bin/env python3
"""Sample memory of a process tree every INTERVAL seconds for DURATION seconds.

usage: sample_memory.py PID CACHE_FILE OUT_CSV [INTERVAL_S=60] [DURATION_S=3600]

Columns: minute, elapsed_s, app_rss_kb, app_pss_kb, total_pss_kb (app + all descendants,
e.g. WebKitWebProcess / WebKitNetworkProcess), n_procs, cache_bytes (cache file + -wal + -shm),
app_uss_kb and total_uss_kb (Private_Clean + Private_Dirty: memory no other process shares; PSS moves
when other processes on the machine map the same libraries, e.g. another WebKit app).
All from /proc/<pid>/smaps_rollup. Stops early if the app exits.
"""
import os
import sys
import time


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            ppid = int(s[s.rfind(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return kids


def descendants(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def rollup(pid, *fields):
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.split(":")[0] in fields:
                    total += int(line.split()[1])
    except OSError:
        return 0
    return total


def cache_bytes(path):
    total = 0
    for suffix in ("", "-wal", "-shm"):
        try:
            total += os.path.getsize(path + suffix)
        except OSError:
            pass
    return total


def main():
    pid = int(sys.argv[1])
    cache = sys.argv[2]
    out = sys.argv[3]
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    duration = float(sys.argv[5]) if len(sys.argv) > 5 else 3600.0
    t0 = time.monotonic()
    with open(out, "w") as f:
        f.write("minute,elapsed_s,app_rss_kb,app_pss_kb,total_pss_kb,n_procs,cache_bytes,app_uss_kb,total_uss_kb\n")
        f.flush()
        i = 0
        while True:
            target = t0 + i * interval
            now = time.monotonic()
            if target > now:
                time.sleep(target - now)
            if not os.path.exists(f"/proc/{pid}"):
                print("app exited", file=sys.stderr)
                break
            procs = descendants(pid)
            total = sum(rollup(p, "Pss") for p in procs)
            row = [i * interval / 60.0, round(time.monotonic() - t0, 1), rollup(pid, "Rss"),
                   rollup(pid, "Pss"), total, len(procs), cache_bytes(cache),
                   rollup(pid, "Private_Clean", "Private_Dirty"),
                   sum(rollup(p, "Private_Clean", "Private_Dirty") for p in procs)]
            f.write(",".join(str(x) for x in row) + "\n")
            f.flush()
            i += 1
            if i * interval > duration:
                break


if __name__ == "__main__":
    main()
