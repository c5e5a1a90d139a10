#!/usr/bin/env python3
"""The operator's alternative: probe each commons of a fleet one after another with the gen3 SDK.

usage: .venv/bin/python tests/bench/sequential_sdk.py FLEET_JSON [--sample 50] [--total 1000]

For each commons, sequentially and without auth: the revproxy status (requests), the gen3 SDK's
Gen3Index(endpoint).is_healthy() / get_version() / get_stats() and Gen3Metadata(endpoint).is_healthy()
/ get_version(), and plain requests.get for every other status and version path of the app's catalog
(src-tauri/crates/csoc-monitor/src/catalog.rs), plus the DRS service-info and /canary the app
also reads: the same information as one app sweep. Times the first --sample commons and extrapolates
linearly to --total.
"""
import argparse
import json
import time

import requests
from gen3.index import Gen3Index
from gen3.metadata import Gen3Metadata

# (status path, version path) of src/monitor/catalog.rs, except indexd and metadata (done by the SDK).
OTHER_PATHS = [
    ("/_status", None),  # revproxy
    ("/user/_status", "/user/_version"),  # fence
    ("/api/_status", "/api/_version"),  # sheepdog
    ("/peregrine/_status", "/peregrine/_version"),
    ("/guppy/_status", "/guppy/_version"),
    ("/wts/_status", "/wts/_version"),
    ("/manifests/_status", "/manifests/_version"),
    ("/audit/_status", "/audit/_version"),
    ("/requestor/_status", "/requestor/_version"),
    ("/lw-workspace/_status", "/lw-workspace/_version"),  # hatchery
    ("/job/_status", "/job/_version"),  # sower
]
EXTRA = ["/ga4gh/drs/v1/service-info", "/canary"]


def probe(base: str) -> dict:
    out = {"requests": 0, "healthy": 0, "services": 0}

    def get(path):
        out["requests"] += 1
        try:
            return requests.get(base + path, timeout=10)
        except requests.RequestException:
            return None

    for status, version in OTHER_PATHS:
        r = get(status)
        out["services"] += 1
        if r is not None and r.ok:
            out["healthy"] += 1
            if version:
                get(version)
    index = Gen3Index(base)
    out["services"] += 1
    out["requests"] += 1
    if index.is_healthy():
        out["healthy"] += 1
        out["requests"] += 2
        index.get_version()
        index.get_stats()
    mds = Gen3Metadata(base)
    out["services"] += 1
    out["requests"] += 1
    if mds.is_healthy():
        out["healthy"] += 1
        out["requests"] += 1
        mds.get_version()
    for path in EXTRA:
        get(path)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("fleet")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--total", type=int, default=1000)
    args = ap.parse_args()
    fleet = json.load(open(args.fleet))[: args.sample]
    n_req = n_healthy = n_services = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for c in fleet:
        r = probe(c["base_url"])
        n_req += r["requests"]
        n_healthy += r["healthy"]
        n_services += r["services"]
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    per = wall / len(fleet)
    print(f"commons probed: {len(fleet)}  requests: {n_req} ({n_req / len(fleet):.0f} per commons)  "
          f"healthy services: {n_healthy}/{n_services}")
    print(f"wall: {wall:.2f} s  ({per * 1000:.0f} ms per commons, {wall / n_req * 1000:.1f} ms per request)")
    print(f"python CPU: {cpu:.2f} s ({cpu / n_req * 1e6:.0f} us per request)")
    print(f"extrapolated to {args.total} commons: {per * args.total:.0f} s ({per * args.total / 60:.1f} min)")


if __name__ == "__main__":
    main()
