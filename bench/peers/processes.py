#!/usr/bin/env python3
"""scripts/bench.sh peers, the one-shot processes: verdict's CI commands against the tools an
SRE would otherwise run for the same answer, each a whole process per run (start, read, decide,
print, exit), interleaved (run 1 of each, then run 2 of each, ...):

- `verdict budget` on one SLO of 30 days of 1-minute data against Debian's
  `promtool test rules` evaluating the SRE Workbook's page-alert burn rates (5m, 30m, 1h, 6h) as
  recording rules every minute over the same series, as Prometheus would;
- `verdict change` on a 10,000-item CMDB against Debian's `amtool config routes test` on a
  routing tree with one route per item of the same CMDB (the item's owner as receiver).

Inputs are generated here, deterministically. Checks that the answers agree: promtool's test
expects the burn rates and the budget consumed that this script computes from the series,
and verdict's status must give the same; amtool's receiver for the changed item must be the
owner that verdict's blast radius names. Prints one Markdown table (cold = the first run,
median = of the others) and the ratios against the targets of issue 13.

    processes.py VERDICT CMDB-10000.json [REPEATS]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

verdict, cmdb = sys.argv[1], sys.argv[2]
repeats = max(2, int(sys.argv[3]) if len(sys.argv) > 3 else 3)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for tool in ("promtool", "amtool"):
    if not shutil.which(tool):
        sys.exit(f"{tool} is missing: scripts/setup.sh --all installs Debian's prometheus and prometheus-alertmanager")
tmp = tempfile.mkdtemp(prefix="verdict-processes-")

# ---- one SLO, 30 days of 1-minute data ------------------------------------------------------
# Per minute: 1,000 requests; 1 error a minute (burn rate 1 at a 99.9% objective), except the
# last 6 hours, 10 errors a minute (burn rate 10).
MINUTES, FAST = 43200, 360
total = [1000] * MINUTES
bad = [1] * (MINUTES - FAST) + [10] * FAST
OBJECTIVE = 99.9
budget = 1 - OBJECTIVE / 100


def burn(minutes):
    return sum(bad[-minutes:]) / sum(total[-minutes:]) / budget


# Recorded every minute by promtool (the SRE Workbook's page alerts: 1h/5m and 6h/30m), as
# Prometheus would; 1d and 3d (across both rates) are queried once, at the end.
RECORDED, QUERIED = ["5m", "30m", "1h", "6h"], ["1d", "3d"]
MINUTES_OF = {"5m": 5, "30m": 30, "1h": 60, "6h": 360, "1d": 1440, "3d": 4320}
expected = {w: burn(MINUTES_OF[w]) for w in RECORDED + QUERIED}
expected_consumed = sum(bad) / sum(total) / budget
START, NOW = "2026-02-01T00:01:00Z", "2026-03-03T00:00:00Z"  # the first interval ends at START; 43,200 of them end at NOW
series = os.path.join(tmp, "slo.ndjson")
with open(series, "w") as f:
    f.write(json.dumps({"kind": "slo", "name": "checkout-availability", "service": "checkout", "objective": OBJECTIVE,
                        "window": "30d"}) + "\n")
    f.write(json.dumps({"slo": "checkout-availability", "start": START, "step": "1m", "total": total, "bad": bad},
                       separators=(",", ":")) + "\n")

# The same series as Prometheus counters (value at minute 0 is 0), burn rates as recording rules.
rules = os.path.join(tmp, "rules.yml")


def burn_expr(w):
    return f"(sum(increase(errors_total[{w}])) / sum(increase(requests_total[{w}]))) / {budget!r}"


with open(rules, "w") as f:
    f.write("groups:\n- name: slo\n  interval: 1m\n  rules:\n")
    for w in RECORDED:
        f.write(f"  - record: slo:burn_rate:{w}\n    expr: {burn_expr(w)}\n")
test = os.path.join(tmp, "test.yml")
fast_from = MINUTES - FAST
with open(test, "w") as f:
    f.write(f"rule_files: [{rules}]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n")
    f.write(f"  - series: requests_total\n    values: '0+1000x{MINUTES}'\n")
    f.write(f"  - series: errors_total\n    values: '0+1x{fast_from} {fast_from + 10}+10x{FAST - 1}'\n")
    f.write("  promql_expr_test:\n")
    for w, v in expected.items():
        expr = f"slo:burn_rate:{w}" if w in RECORDED else burn_expr(w)
        f.write(f"  - expr: round(({expr}) * 1000000)\n    eval_time: {MINUTES}m\n    exp_samples:\n")
        f.write(f"    - labels: '{{}}'\n      value: {round(v * 1e6)}\n")

# ---- a change on a 10,000-item CMDB, and the same CMDB as an Alertmanager routing tree -------
items = json.load(open(cmdb))["items"]
dependents = {}
for it in items:
    for d in it.get("depends_on", []):
        dependents[d] = dependents.get(d, 0) + 1
target = max((i for i in items if i["class"] == "database"), key=lambda i: dependents.get(i["id"], 0))
change = os.path.join(tmp, "change.json")
with open(change, "w") as f:
    json.dump({"kind": "change", "id": "CHG-BENCH", "title": "bench", "type": "normal", "targets": [target["id"]],
               "environment": "production", "start": "2025-03-18T10:00:00Z", "end": "2025-03-18T11:00:00Z",
               "rollback_plan": "revert", "test_evidence": "ci", "canary": True}, f)
am = os.path.join(tmp, "alertmanager.yml")
with open(am, "w") as f:
    owners = sorted({i["owner"] for i in items})
    f.write("route:\n  receiver: default\n  routes:\n")
    for i in items:
        f.write(f"  - receiver: {i['owner']}\n    matchers: ['ci=\"{i['id']}\"']\n")
    f.write("receivers:\n- name: default\n" + "".join(f"- name: {o}\n" for o in owners))

contestants = [
    ("verdict budget", [verdict, "budget", "-p", os.path.join(root, "policies/budget/default.json"), "--now", NOW,
                        "--format", "json", series]),
    ("promtool test rules", ["promtool", "test", "rules", test]),
    ("verdict change", [verdict, "change", "-p", os.path.join(root, "policies/change/default.json"), "--cmdb", cmdb,
                        "--now", "2025-03-17T12:00:00Z", "--format", "json", change]),
    ("amtool config routes test", ["amtool", "config", "routes", "test", f"--config.file={am}", f"ci={target['id']}"]),
]


def run(cmd):
    """One process: wall seconds, CPU seconds, peak RSS (KiB), exit code, stdout, stderr."""
    out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
    with open(out, "wb") as o, open(err, "wb") as e:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=o, stderr=e)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status), open(out).read(), open(err).read()


results = {label: {"wall": [], "cpu": [], "rss": 0, "out": None} for label, _ in contestants}
for rep in range(repeats):
    for label, cmd in contestants:
        wall, cpu, rss, code, out, err = run(cmd)
        ok = code in (0, 1, 2) if label.startswith("verdict") else code == 0
        if not ok:
            sys.exit(f"{label} failed with exit {code}:\n{out}\n{err}")
        r = results[label]
        r["wall"].append(wall)
        r["cpu"].append(cpu)
        r["rss"] = max(r["rss"], rss)
        r["out"] = out
    print(f"run {rep + 1} of {repeats} done", file=sys.stderr)

# The checks: the same answers.
status = json.loads(results["verdict budget"]["out"])
slo = status["slos"][0] if "slos" in status else status
got = {w: slo["burn_rates"][w] for w in expected}
problems = [f"verdict's burn rate over {w} is {got[w]}, the series' is {v}" for w, v in expected.items() if abs(got[w] - v) > 1e-9 * max(1, v)]
if abs(slo["budget_consumed"] - expected_consumed) > 1e-9:
    problems.append(f"verdict's budget consumed is {slo['budget_consumed']}, the series' is {expected_consumed}")
owner = json.loads(results["verdict change"]["out"])["decision"]["blast_radius"]["targets"][0]["owner"]
receiver = results["amtool config routes test"]["out"].strip()
if owner != target["owner"] or receiver != target["owner"]:
    problems.append(f"the owner of {target['id']} is {target['owner']}: verdict says {owner}, amtool routes to {receiver}")
if problems:
    sys.exit("the answers differ:\n- " + "\n- ".join(problems))

print(f"one SLO, {MINUTES:,} one-minute intervals ({os.path.getsize(series) / 1e3:.0f} kB as a native series); "
      f"a change on {target['id']} against a {len(items):,}-item CMDB ({os.path.getsize(cmdb) / 1e6:.1f} MB), "
      f"its routing tree {os.path.getsize(am) / 1e6:.1f} MB; {repeats} interleaved runs of each process\n")
print("| process | cold s | median s | CPU s (median) | peak RSS MiB |")
print("|---|---:|---:|---:|---:|")
med = {}
for label, _ in contestants:
    r = results[label]
    warm, warm_cpu = r["wall"][1:], r["cpu"][1:]
    med[label] = (statistics.median(warm), statistics.median(warm_cpu))
    print(f"| {label} | {r['wall'][0]:.3f} | {med[label][0]:.3f} | {med[label][1]:.3f} | {r['rss'] / 1024:.0f} |")
print(f"\nsame answers: burn rates over {', '.join(f'{w} {v:g}' for w, v in expected.items())} (promtool's test expects"
      f" them, rounded to 1e-6; verdict's status gives them); budget consumed {expected_consumed:.4f} (verdict only: promtool"
      f" refuses a 30d range of 1-minute samples, 'query processing would load too many samples'); {target['id']}'s owner"
      f" {target['owner']} (verdict's blast radius, amtool's receiver)\n")


def ratio(a, b, target_x, what):
    x_wall = med[b][0] / med[a][0]
    x_cpu = med[b][1] / med[a][1] if med[a][1] > 0 else float("inf")
    verdict_ = "met" if x_wall >= target_x else "missed"
    print(f"- {a} is {x_wall:,.1f}x faster than {b} (wall, median; CPU {x_cpu:,.1f}x); target >= {target_x:g}x ({what}): {verdict_}")


ratio("verdict budget", "promtool test rules", 1000, "1000x promtool")
ratio("verdict change", "amtool config routes test", 1, "no slower than amtool")
shutil.rmtree(tmp, ignore_errors=True)
