#!/usr/bin/env python3
"""What a CI job pays for `verdict change`: the whole process (start, read the policy, the CMDB
and the change, decide, print, exit) for one change against a generated CMDB.

    python3 bench/bench_change_cli.py VERDICT CMDB.json [RUNS]

Prints a Markdown table: wall time p50/p90/max over RUNS processes and their peak RSS.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

verdict, cmdb = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
items = json.load(open(cmdb))["items"]
# The database with the most direct dependents: the widest blast radius a change is likely to have.
count = {}
for it in items:
    for d in it.get("depends_on", []):
        count[d] = count.get(d, 0) + 1
target = max((i for i in items if i["class"] == "database"), key=lambda i: count.get(i["id"], 0))["id"]
change = {"kind": "change", "id": "CHG-BENCH", "title": "bench", "type": "normal", "targets": [target],
          "environment": "production", "start": "2025-03-18T10:00:00Z", "end": "2025-03-18T11:00:00Z",
          "rollback_plan": "revert", "test_evidence": "ci", "canary": True}
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump(change, f)
    change_path = f.name
cmd = [verdict, "change", "-p", os.path.join(root, "policies/change/default.json"), "--cmdb", cmdb,
       "--now", "2025-03-17T12:00:00Z", "--format", "json", change_path]
times = []
blast = None
for _ in range(runs):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    times.append((time.perf_counter() - t0) * 1000)
    if out.returncode not in (0, 1, 2):
        sys.exit(f"verdict change failed ({out.returncode}): {out.stderr}")
    blast = json.loads(out.stdout)["decision"]["blast_radius"]["count"]
os.unlink(change_path)
times.sort()
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
pct = lambda q: times[min(len(times) - 1, int(q * len(times)))]
size = os.path.getsize(cmdb) / 1e6
print(f"one change on {target} ({blast} dependent items) against a {len(items):,}-item CMDB ({size:.1f} MB), {runs} processes\n")
print("| verdict change process | p50 ms | p90 ms | max ms | peak RSS MiB |")
print("|---|---:|---:|---:|---:|")
print(f"| start, load policy + CMDB, decide, print | {pct(0.5):.1f} | {pct(0.9):.1f} | {times[-1]:.1f} | {rss:.1f} |")
