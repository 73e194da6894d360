#!/usr/bin/env python3
"""Bytes per decision for every kind (issue 13, item 3): each shipped policy over generated
inputs through the CLI's JSON output, without and with --explain, and which members of a
decision take the bytes. Prints one Markdown table.

    bench_bytes.py VERDICT [COUNT]
"""
import json
import os
import subprocess
import sys
import tempfile

verdict = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
gen = os.path.join(root, "samples/gen/generate.py")
tmp = tempfile.mkdtemp(prefix="verdict-bytes-")
NOW = "2026-03-02T10:00:00Z"


def generate(what, *args):
    out = os.path.join(tmp, what + ".ndjson")
    subprocess.run([sys.executable, gen, what, *args, "--seed", "1", "--out", out], check=True)
    return out


incidents = generate("incidents", "--count", str(count))
changes = generate("changes", "--count", str(count))
alerts = generate("alerts", "--count", str(count))
slo = lambda p: os.path.join(root, "samples/slo", p)  # noqa: E731
cmdb = os.path.join(root, "samples/cmdb.json")
policy = lambda p: os.path.join(root, "policies", p)  # noqa: E731

kinds = [
    ("Rules", ["eval", "-p", policy("rules/incident-basics.json"), "-d", cmdb], [incidents], "incident", NOW),
    ("TriageRouting", ["triage", "-p", policy("triage/default.json"), "-d", cmdb], [incidents], "incident", NOW),
    ("ChangeRisk", ["change", "-p", policy("change/default.json"), "--cmdb", cmdb], [changes], "change", NOW),
    ("ErrorBudget", ["budget", "-p", policy("budget/default.json")],
     [slo(f) for f in ("northwind-slos.json", "checkout-web.openslo.yaml", "orders-api.sloth.yaml", "sli-5m.ndjson",
                                          "orders-api.prometheus.ndjson")], "SLO (the samples of docs/budget.md)",
     "2025-03-14T10:00:00Z"),
    ("AlertDedup", ["alerts", "-p", policy("alerts/default.json")], [alerts], "output line (alert decisions, notifications)", NOW),
]


def run(args, explain):
    cmd = [verdict, *args, "--now", now, "--format", "json", *(["--explain"] if explain else []), *inputs]
    p = subprocess.run(cmd, capture_output=True)
    if p.returncode not in (0, 1, 2):
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.decode()[:2000]}")
    return p.stdout


print(f"{count:,} generated documents of each kind (ErrorBudget: one decision over the SLOs of docs/budget.md's example);"
      " `verdict <command> --format json`\n")
print("| kind | per | bytes per decision | with --explain | largest members of the default decision (bytes each) |")
print("|---|---|---:|---:|---|")
for kind, args, inputs, per, now in kinds:
    plain = run(args, False)
    lines = [l for l in plain.split(b"\n") if l.strip()]
    if kind == "ErrorBudget":
        units = len(json.loads(lines[0]).get("slos", [])) or 1
    else:
        units = len(lines)
    explained = run(args, True) if kind != "AlertDedup" else None
    # Which members take the bytes: the decision object's (or the line's) members, averaged.
    sizes = {}
    for l in lines:
        d = json.loads(l)
        body = d["decision"] if isinstance(d.get("decision"), dict) else d
        for k, v in (body.items() if isinstance(body, dict) else []):
            sizes[k] = sizes.get(k, 0) + len(json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode())
        for k in ("bundle", "policy"):
            if k in d and body is not d:
                sizes["(envelope) " + k] = sizes.get("(envelope) " + k, 0) + len(json.dumps(d[k], separators=(",", ":")).encode())
    top = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    members = ", ".join(f"{k} {v / units:,.0f}" for k, v in top)
    with_explain = f"{len(explained) / units:,.0f}" if explained is not None else "- (alerts: explain only in `verdict test --coverage`)"
    print(f"| {kind} | {per} | {len(plain) / units:,.0f} | {with_explain} | {members} |")
