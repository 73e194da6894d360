#!/usr/bin/env python3
"""Generates the AlertDedup benchmark: an alert stream and a policy.

  gen_alerts.py stream --count 1000000 --fingerprints 10000 --seed 1 --out alerts.ndjson
  gen_alerts.py policy --rules 50 --silences 100 > policy.json
  gen_alerts.py state --fingerprints 100000 --out state.ndjson

`state` (bench/bench_alert_state.cc): each of `fingerprints` label sets fires once (every
event a new alert), then each fires once more in the same order (every event a repeat),
1,000 events per simulated second; the first half and the second half are timed apart.

The stream: NDJSON of plain alerts with an `at` time, 1,000 events per simulated second,
`count` events over `fingerprints` distinct label sets (alertname, service, cluster,
severity, instance, team); about 1 event in 12 resolves its alert, the rest fire (so
most events are duplicates, as in a real storm). The policy: a route tree by severity
and team, `rules` inhibition rules (critical over warning of the same alert family, by
service), `silences` silences on instances and services, a per-service rate limit and
flap detection. Deterministic for a seed.
"""
import argparse
import json
import random
import sys

ALERTNAMES = [f"Alert{i:02d}" for i in range(50)]
SERVICES = [f"svc-{i:03d}" for i in range(200)]
CLUSTERS = ["prod-eu-west-1", "prod-us-east-1", "staging-eu-west-1"]
SEVERITIES = ["critical", "warning", "warning", "info"]
TEAMS = ["payments", "identity", "platform", "storefront", "data"]
START = 1741939200  # 2025-03-14T08:00:00Z


def rfc3339(ms):
    s, ms = divmod(ms, 1000)
    import time
    t = time.gmtime(START + s)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + (f".{ms:03d}Z" if ms else "Z")


def stream(args):
    rnd = random.Random(args.seed)
    label_sets = []
    for i in range(args.fingerprints):
        label_sets.append({
            "alertname": ALERTNAMES[i % len(ALERTNAMES)],
            "service": SERVICES[rnd.randrange(len(SERVICES))],
            "cluster": CLUSTERS[rnd.randrange(len(CLUSTERS))],
            "severity": SEVERITIES[rnd.randrange(len(SEVERITIES))],
            "instance": f"host-{i:05d}:9100",
            "team": TEAMS[i % len(TEAMS)],
        })
    out = open(args.out, "w") if args.out else sys.stdout
    for n in range(args.count):
        labels = label_sets[rnd.randrange(len(label_sets))]
        status = "resolved" if rnd.randrange(12) == 0 else "firing"
        ev = {"labels": labels, "status": status, "at": rfc3339(n)}
        out.write(json.dumps(ev, separators=(",", ":")) + "\n")
    if out is not sys.stdout:
        out.close()


def state(args):
    rnd = random.Random(args.seed)
    label_sets = []
    for i in range(args.fingerprints):
        label_sets.append({
            "alertname": ALERTNAMES[i % len(ALERTNAMES)],
            "service": SERVICES[rnd.randrange(len(SERVICES))],
            "cluster": CLUSTERS[rnd.randrange(len(CLUSTERS))],
            "severity": SEVERITIES[rnd.randrange(len(SEVERITIES))],
            "instance": f"host-{i:06d}:9100",
            "team": TEAMS[i % len(TEAMS)],
        })
    out = open(args.out, "w") if args.out else sys.stdout
    n = 0
    for _ in range(2):
        for labels in label_sets:
            ev = {"labels": labels, "status": "firing", "at": rfc3339(n)}
            out.write(json.dumps(ev, separators=(",", ":")) + "\n")
            n += 1
    if out is not sys.stdout:
        out.close()


def policy(args):
    rnd = random.Random(args.seed)
    rules = []
    for i in range(args.rules):
        rules.append({
            "name": f"family-{i:02d}",
            "source_matchers": [f'alertname="{ALERTNAMES[i]}"', 'severity="critical"'],
            "target_matchers": [f'alertname=~"{ALERTNAMES[(i + 1) % len(ALERTNAMES)]}|{ALERTNAMES[(i + 2) % len(ALERTNAMES)]}"',
                                'severity="warning"'],
            "equal": ["service", "cluster"],
        })
    silences = []
    for i in range(args.silences):
        if i % 2 == 0:
            m = [f'instance="host-{rnd.randrange(args.fingerprints):05d}:9100"']
        else:
            m = [f'service="{SERVICES[rnd.randrange(len(SERVICES))]}"', 'severity="info"']
        start = rnd.randrange(0, 600)
        silences.append({"id": f"s-{i:03d}", "matchers": m, "startsAt": rfc3339(start * 1000),
                         "endsAt": rfc3339((start + rnd.randrange(60, 600)) * 1000)})
    doc = {
        "apiVersion": "verdict/v1", "kind": "AlertDedup",
        "metadata": {"name": "bench-alerts"},
        "spec": {
            "dedup": {"reopen_window": "5m"},
            "route": {
                "receiver": "default", "group_by": ["alertname", "cluster"],
                "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h",
                "routes": [
                    {"matchers": ['severity="critical"'], "receiver": "pager",
                     "routes": [{"matchers": [f'team="{t}"'], "receiver": f"{t}-pager"} for t in TEAMS]},
                    {"matchers": ['severity="warning"'], "receiver": "tickets", "group_by": ["alertname", "service"]},
                ],
            },
            "inhibit_rules": rules,
            "silences": silences,
            "rate_limits": [{"name": "per-service", "by": ["service"], "max": 50, "per": "1m"}],
            "flap": {"changes": 6, "within": "10m"},
        },
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["stream", "policy", "state"])
    ap.add_argument("--count", type=int, default=1000000)
    ap.add_argument("--fingerprints", type=int, default=10000)
    ap.add_argument("--rules", type=int, default=50)
    ap.add_argument("--silences", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    args = ap.parse_args()
    {"stream": stream, "policy": policy, "state": state}[args.what](args)


if __name__ == "__main__":
    main()
