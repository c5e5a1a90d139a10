#!/usr/bin/env python3
"""Build a gen3-csoc inventory export file from a gen3-sim fleet.json.

usage: make_inventory.py FLEET_JSON OUT_JSON
"""
import json
import sys


def main() -> None:
    fleet = json.load(open(sys.argv[1]))
    commons = []
    for i, c in enumerate(fleet):
        commons.append({
            "id": f"bench-{i:04d}",
            "name": c["name"],
            "base_url": c["base_url"],
            "environment": "dev",
            "relation": "we_run_it",
            "owner": "",
            "contact": "",
            "tags": [],
            "notes": "",
            "expected_release": "2025.09",
            "deployment": {"kind": "unknown"},
            "meshes": [],
            "created_at": 0,
            "updated_at": 0,
        })
    doc = {"format": "gen3-csoc-inventory", "version": 1, "exported_at": 0, "commons": commons}
    with open(sys.argv[2], "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
