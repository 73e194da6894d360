#!/usr/bin/env python3
"""Writes a deterministic Rules policy with N rules (default 100) for bench_eval:
a mix of comparisons, `in`, regex matches, macros and CMDB look-ups over incidents."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
rnd = random.Random(7)
services = ["payments-api", "auth-service", "checkout-web", "search", "orders-api", "cart-service",
            "catalog-api", "data-pipeline", "fraud-scoring", "notifications", "inventory-service"]
teams = ["payments-team", "identity-team", "web-team", "search-team", "orders-team", "data-team", "sre-team"]
words = ["timeout", "5xx", "latency", "disk", "memory", "certificate", "dns", "replication", "deadlock",
         "queue", "login", "payment", "declined", "outage", "slow", "crash", "oom", "leak", "tls", "cpu"]
kinds = ["cmp", "in", "regex", "cmdb", "macro", "mixed"]
rules = []
for i in range(n):
    k = kinds[i % len(kinds)]
    if k == "cmp":
        when = f"incident.affected_users > {rnd.choice([10, 100, 500, 1000, 5000, 10000])} && incident.impact == '{rnd.choice(['high', 'medium', 'low'])}'"
    elif k == "in":
        when = f"incident.service in {json.dumps(rnd.sample(services, 3))} && incident.environment == 'production'"
    elif k == "regex":
        when = f"incident.title.matches(r'(?i)\\b({'|'.join(rnd.sample(words, 3))})\\b')"
    elif k == "cmdb":
        when = f"cmdb.tier(incident.ci) == {rnd.choice([1, 2, 3])} && cmdb.owner(incident.ci) == '{rnd.choice(teams)}'"
    elif k == "macro":
        when = f"incident.labels.team == '{rnd.choice(teams)}' || size(incident.labels) > {rnd.choice([2, 3, 4])}"
    else:
        when = (f"incident.description.contains('{rnd.choice(words)}') && incident.affected_users >= {rnd.choice([1, 50, 200])}"
                f" && !(incident.labels.source in ['slack', 'email'])")
    rules.append({"name": f"r{i:03d}-{k}", "when": when, "set": {"team": json.dumps(rnd.choice(teams)), "score": str(i)}})
policy = {"apiVersion": "verdict/v1", "kind": "Rules",
          "metadata": {"name": f"bench-{n}-rules", "version": "1"},
          "spec": {"input": "incident", "mode": "all", "rules": rules}}
json.dump(policy, sys.stdout, indent=1)
sys.stdout.write("\n")
