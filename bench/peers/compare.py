#!/usr/bin/env python3
"""scripts/bench.sh peers: the same 10 triage rules (bench/gen_rules.py) over the same
generated incidents in verdict (native CLI and in process, Wasm through the JS package in
one batch and one call per incident) and in its peers (@marcbachmann/cel-js, json-logic-js,
cel-js, @cedar-policy/cedar-wasm, hand-written JavaScript), with simdjson parse-only as the
ceiling. Every contestant runs as its own process; their repetitions are interleaved (run 1
of each, then run 2 of each, ...), so a busy moment of the machine hits all of them. Checks
that every contestant decided the same team for every incident, then prints one Markdown
table: the first (cold) run beside the median of the others, throughput, CPU time, peak
memory and ratios.

    compare.py VERDICT PEER_NATIVE RULES.json CMDB.json INCIDENTS.ndjson [REPEATS]
"""
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
verdict, peer_native, rules, cmdb, incidents = sys.argv[1:6]
repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 3
NOW = "2026-03-02T10:00:00Z"
worker_js = os.path.join(here, "worker.mjs")

# (label, input form, command of a worker); None: the CLI, one process per run.
contestants = [
    ("simdjson parse_many, parse only (the ceiling)", "text", [peer_native, "simdjson", "-", "-", incidents]),
    ("verdict native, CLI (`verdict eval`, a process per run)", "text", None),
    ("verdict native, in process (Engine::evaluate, streamed)", "text", [peer_native, "verdict", rules, cmdb, incidents]),
    ("verdict Wasm in Node, batch (one call)", "text", ["node", worker_js, "verdict-batch", rules, cmdb, incidents]),
    ("verdict Wasm in Node, one call per incident", "text", ["node", worker_js, "verdict-call", rules, cmdb, incidents]),
]
for peer, label in [("cel", "@marcbachmann/cel-js"), ("jsonlogic", "json-logic-js"), ("celjs", "cel-js"),
                    ("cedar", "@cedar-policy/cedar-wasm"), ("js", "hand-written JavaScript")]:
    contestants.append((label, "text (JSON.parse each)", ["node", worker_js, f"{peer}-text", rules, cmdb, incidents]))
    contestants.append((label, "objects (parsed before)", ["node", worker_js, f"{peer}-objects", rules, cmdb, incidents]))
only = os.environ.get("VERDICT_BENCH_PEERS")  # e.g. "simdjson,cel": a subset, by substring of the label
if only:
    contestants = [c for c in contestants if any(w in c[0] or w in " ".join(c[2] or ["verdict CLI"]) for w in only.split(","))]


def cli_run(out_path):
    """One `verdict eval` process: wall seconds, CPU seconds and peak RSS (KiB) from wait4."""
    with open(out_path, "wb") as out:
        t0 = time.monotonic()
        p = subprocess.Popen([verdict, "eval", "-p", rules, "-d", cmdb, "--now", NOW, "--format", "json", incidents],
                             stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1, 2):
        sys.exit(f"verdict eval failed with exit {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def teams_digest(ndjson_path):
    teams = []
    with open(ndjson_path) as f:
        for line in f:
            if line.strip():
                teams.append((json.loads(line).get("decision") or {}).get("outputs", {}).get("team") or "")
    return hashlib.sha256("\n".join(teams).encode()).hexdigest(), len(teams)


tmp = tempfile.mkdtemp(prefix="verdict-peers-")
cli_out = os.path.join(tmp, "cli.ndjson")
workers = {}
results = {c[0] + "|" + c[1]: {"runs": [], "cpu": [], "digest": None, "rss": 0, "docs": 0} for c in contestants}
try:
    for label, form, cmd in contestants:
        if cmd is None:
            continue
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = json.loads(p.stdout.readline() or "{}")
        if not ready.get("ready"):
            sys.exit(f"{label} ({form}) did not start: {' '.join(cmd)}")
        workers[label + "|" + form] = p
    for rep in range(repeats):
        for label, form, cmd in contestants:
            key = label + "|" + form
            r = results[key]
            if cmd is None:
                wall, cpu, rss = cli_run(cli_out)
                r["runs"].append(wall)
                r["cpu"].append(cpu)
                r["rss"] = max(r["rss"], rss)
                if rep == 0:
                    r["digest"], r["docs"] = teams_digest(cli_out)
                continue
            p = workers[key]
            p.stdin.write("run\n")
            p.stdin.flush()
            m = json.loads(p.stdout.readline())
            r["runs"].append(m["seconds"])
            r["cpu"].append(m["cpu_s"])
            r["docs"] = m["docs"]
            if "digest" in m:
                r["digest"] = m["digest"]
        print(f"run {rep + 1} of {repeats} done", file=sys.stderr)
    for key, p in workers.items():
        p.stdin.write("end\n")
        p.stdin.flush()
        results[key]["rss"] = json.loads(p.stdout.readline())["max_rss_kb"]
        p.stdin.close()
        p.wait(timeout=60)
finally:
    for p in workers.values():
        if p.poll() is None:
            p.kill()

# The check: every contestant that decides gave the same teams as the CLI.
want = next((r["digest"] for k, r in results.items() if k.startswith("verdict native, CLI")), None)
agree = [k for k, r in results.items() if r["digest"] and r["digest"] == want]
differ = [k for k, r in results.items() if r["digest"] and want and r["digest"] != want]
if differ:
    print("the teams differ from verdict's for: " + ", ".join(d.replace("|", " from ") for d in differ))
    sys.exit(1)

docs = max(r["docs"] for r in results.values())
size = os.path.getsize(incidents)
print(f"input: {docs:,} incidents, {size / 1e6:.1f} MB; {repeats} interleaved runs of each; cold = the first run,"
      f" median = the median of the other runs (of all when there is one)\n")


def summary(r):
    warm = r["runs"][1:] or r["runs"]
    warm_cpu = r["cpu"][1:] or r["cpu"]
    return r["runs"][0], statistics.median(warm), statistics.median(warm_cpu)


ceiling = next((summary(r) for k, r in results.items() if k.startswith("simdjson")), None)
print("| contestant | input | cold s | median s | decisions/s | CPU s | decisions per CPU s | peak RSS MiB | x parse-only (CPU) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
per_cpu = {}
for label, form, _ in contestants:
    r = results[label + "|" + form]
    cold, med, cpu = summary(r)
    per_cpu[label + "|" + form] = docs / cpu if cpu > 0 else float("inf")
    ratio = f"{(ceiling[2] / cpu):.3f}x" if ceiling and cpu > 0 else "-"
    print(f"| {label} | {form} | {cold:.3f} | {med:.3f} | {docs / med:,.0f} | {cpu:.3f} | {docs / cpu:,.0f} | {r['rss'] / 1024:,.0f} | {ratio} |")
print(f"\nsame team for every incident: {len(agree) - 1} contestants checked against `verdict eval`"
      " (simdjson decides nothing; verdict in process is the CLI's engine)")


def ratio(a, b, target=None):
    ka = next((k for k in per_cpu if k.startswith(a[0]) and a[1] in k), None)
    kb = next((k for k in per_cpu if k.startswith(b[0]) and b[1] in k), None)
    if not ka or not kb:
        return
    x = per_cpu[ka] / per_cpu[kb]
    t = "" if target is None else f" (target >= {target}x: {'met' if x >= target else 'missed'})"
    print(f"- {ka.replace('|', ', from ')} / {kb.replace('|', ', from ')}: {x:.3f}x{t}")


print("\nratios of decisions per CPU second (one run of the script):\n")
ratio(("verdict native, CLI", "text"), ("simdjson", "text"), 0.3)
ratio(("verdict native, in process", "text"), ("simdjson", "text"), 0.5)
ratio(("verdict Wasm in Node, batch", "text"), ("@marcbachmann/cel-js", "text"), 1.2)
ratio(("verdict Wasm in Node, batch", "text"), ("@marcbachmann/cel-js", "objects"))
ratio(("verdict Wasm in Node, batch", "text"), ("@cedar-policy/cedar-wasm", "text"), 40)
ratio(("verdict Wasm in Node, batch", "text"), ("verdict native, in process", "text"), 0.5)
ratio(("verdict Wasm in Node, one call", "text"), ("@marcbachmann/cel-js", "text"))
