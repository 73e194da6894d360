#!/usr/bin/env python3
"""Writes the TriageRouting twin of a Rules policy (bench/gen_rules.py) for bench_eval: one
route per rule, its `when` the rule's, `continue: true` so that every route is tried for
every incident (as mode "all" evaluates every rule), and the rule's team as the route's.
The two policies then decide on the same conditions, and the table compares the kinds.
    gen_triage_rules.py RULES.json > TRIAGE.json"""
import json
import sys

rules = json.load(open(sys.argv[1]))
routes = []
for r in rules["spec"]["rules"]:
    route = {"name": r["name"], "when": r["when"], "continue": True}
    team = r.get("set", {}).get("team")
    if team:
        route["team"] = json.loads(team)  # the rule sets a string literal
    routes.append(route)
policy = {"apiVersion": "verdict/v1", "kind": "TriageRouting",
          "metadata": {"name": rules["metadata"]["name"].replace("rules", "routes"), "version": "1"},
          "spec": {"route": {"name": "root", "routes": routes}}}
json.dump(policy, sys.stdout, indent=1)
sys.stdout.write("\n")
