#!/usr/bin/env python3
"""check_samples.py: read every sample with `verdict read` and check what the engine saw.

  python3 samples/gen/check_samples.py [--verdict build/verdict] [--strict]

Good samples must read with 0 failed and every document of the expected kind;
envelopes (a CMDB export, a webhook payload, a ServiceNow result list) are also
unwrapped and their items read as NDJSON, the way an adapter will see them.
Malformed samples must fail with the expected error code. Documents whose kind
the engine does not detect today are listed as GAP (an error with --strict).

Exit status: 0 when everything matches, 1 otherwise.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.dirname(HERE)
ROOT = os.path.dirname(SAMPLES)

# file -> (expected kind of each document, or of each item when `items` names the envelope's list)
GOOD = [
    ("incidents.ndjson", "incident", None),
    ("servicenow-incident.json", "incident", None),
    ("servicenow-incidents.json", "incident", "result"),
    ("jira-issues.ndjson", "incident", None),
    ("alerts.ndjson", "alert", None),
    ("alertmanager-webhook.json", "alert", "alerts"),
    ("pagerduty-events.ndjson", "alert", None),
    ("changes.ndjson", "change", None),
    ("servicenow-change.json", "change", None),
    ("pipeline-change.json", "change", None),
    ("cmdb.json", "ci", "items"),
    ("cmdb-servicenow.json", "ci", "records"),
    ("cmdb-backstage.ndjson", "ci", None),
    ("sli.ndjson", "sli", None),
]

# What the engine does not detect today (see samples/README.md, "Known gaps").
KNOWN_GAPS = {
    ("pagerduty-events.ndjson", "unknown"): "PagerDuty Events v2 events are not detected as alerts",
    ("pipeline-change.json", "unknown"): "a CI pipeline change (deploy_window, changed_services) is not detected as a change",
    ("cmdb-servicenow.json", "unknown"): "cmdb_rel_ci relationship records have no kind (they are edges, not CIs)",
}
ENVELOPE_GAP = "the envelope itself reads as unknown; its items are checked one by one"

MALFORMED = {
    "empty.json": "empty_input",
    "truncated.json": "invalid_json",
    "invalid-utf8.json": "invalid_utf8",
    "nul-byte.json": "control_character",
    "duplicate-keys.json": "duplicate_key",
    "top-level-scalar.json": "wrong_type",
    "number-out-of-range.json": "number_out_of_range",
    "trailing-content.json": "trailing_content",
    "broken-line.ndjson": "invalid_json",
    "deep-nesting.json": "too_deep",
}


def run(verdict, path=None, data=None, fmt=None):
    cmd = [verdict, "read", "--format", "json"]
    if fmt:
        cmd += ["--input", fmt]
    cmd.append(path if path else "-")
    p = subprocess.run(cmd, input=data, capture_output=True)
    out = p.stdout.decode("utf-8", "replace").strip()
    return json.loads(out) if out else {"ok": False, "read": 0, "failed": 0, "documents": [], "errors": []}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verdict", default=os.path.join(ROOT, "build", "verdict"))
    ap.add_argument("--strict", action="store_true", help="treat known gaps as failures")
    args = ap.parse_args()
    problems = 0
    gaps = 0
    for name, kind, items in GOOD:
        path = os.path.join(SAMPLES, name)
        r = run(args.verdict, path)
        line = "%-28s read %d, failed %d" % (name, r["read"], r["failed"])
        if r["failed"] or not r["read"]:
            print("FAIL " + line)
            problems += 1
            continue
        docs = r["documents"]
        if items:
            with open(path, "rb") as f:
                envelope = json.load(f)
            data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in envelope[items]).encode("utf-8")
            r = run(args.verdict, data=data, fmt="ndjson")
            docs = r["documents"]
            line += "; %d %s read from .%s[]" % (r["read"], "item" if r["read"] == 1 else "items", items)
        kinds = {}
        for d in docs:
            kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
        line += "; kinds " + ", ".join("%s %d" % kv for kv in sorted(kinds.items()))
        wrong = {k: n for k, n in kinds.items() if k != kind}
        if not wrong:
            print("ok   " + line)
            continue
        known = all((name, k) in KNOWN_GAPS for k in wrong)
        if known:
            gaps += 1
            print("GAP  " + line + "  (" + "; ".join(KNOWN_GAPS[(name, k)] for k in wrong) + ")")
            if args.strict:
                problems += 1
        else:
            print("FAIL " + line + "  (expected every document to be %s)" % kind)
            problems += 1
    for name, code in sorted(MALFORMED.items()):
        r = run(args.verdict, os.path.join(SAMPLES, "malformed", name))
        got = [e["code"] for e in r["errors"]]
        msg = r["errors"][0]["message"] if r["errors"] else ""
        where = ""
        if r["errors"]:
            e = r["errors"][0]
            where = "%s:%s " % (e.get("line", "?"), e.get("column", "?"))
        if r["failed"] and code in got:
            print("ok   malformed/%-22s %s %s%s" % (name, code, where, msg))
        else:
            print("FAIL malformed/%-22s expected %s, got %s" % (name, code, got or "no error"))
            problems += 1
    print("%d problem(s), %d known gap(s)" % (problems, gaps))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
