#!/usr/bin/env python3
"""Writes a deterministic TriageRouting policy with about N routes (default 1000) for
bench_eval: 50 team routes under the root, each with children matching services,
titles and labels with Alertmanager-style matchers (=, =~, !~) and a few `when`
expressions, so that many regexes test the same fields."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rnd = random.Random(11)
services = ["payments-api", "auth-service", "checkout-web", "search", "orders-api", "cart-service",
            "catalog-api", "data-pipeline", "fraud-scoring", "notifications", "inventory-service",
            "shipping-api", "pricing-service", "user-profile", "refunds-service", "tax-service"]
words = ["timeout", "5xx", "latency", "disk", "memory", "certificate", "dns", "replication", "deadlock",
         "queue", "login", "payment", "declined", "outage", "slow", "crash", "oom", "leak", "tls", "cpu"]
groups = 50
per = max(1, (n - groups) // groups)
routes = []
for g in range(groups):
    svc = rnd.sample(services, 2)
    children = []
    for c in range(per):
        kind = c % 4
        if kind == 0:
            child = {"name": f"g{g:02d}-c{c:02d}", "matchers": [f'title=~"(?i).*({"|".join(rnd.sample(words, 2))}).*"']}
        elif kind == 1:
            child = {"name": f"g{g:02d}-c{c:02d}", "matchers": [f'environment="{rnd.choice(["production", "staging"])}"',
                                                               f'impact=~"{rnd.choice(["high", "high|medium", "low"])}"']}
        elif kind == 2:
            child = {"name": f"g{g:02d}-c{c:02d}", "matchers": [f'ci=~"{rnd.choice(services)}.*"', 'team!~"sre.*"']}
        else:
            child = {"name": f"g{g:02d}-c{c:02d}", "when": f"incident.affected_users > {rnd.choice([100, 1000, 5000])}"}
        child["team"] = f"team-{g:02d}-{c % 5}"
        children.append(child)
    routes.append({"name": f"g{g:02d}", "matchers": [f'service=~"{svc[0]}|{svc[1]}"'], "team": f"team-{g:02d}",
                   "escalation": f"esc-{g:02d}", "notify": "page", "routes": children})
policy = {"apiVersion": "verdict/v1", "kind": "TriageRouting",
          "metadata": {"name": f"bench-{groups * (per + 1)}-routes", "version": "1"},
          "spec": {"route": {"name": "root", "routes": routes}}}
json.dump(policy, sys.stdout, indent=1)
sys.stdout.write("\n")
