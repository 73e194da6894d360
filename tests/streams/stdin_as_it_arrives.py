#!/usr/bin/env python3
"""Standard input is processed as it arrives (cli/input.h): each decision is on stdout
before the next line is written, while stdin stays open. No timing assertions: each step
waits (up to a generous deadline) for a condition, and a missing decision fails the test
only when the deadline passes with stdin still open.

Also: the decisions read from a pipe are byte-identical to those read from the same
NDJSON as a file; a pretty-printed document on a pipe is read whole; a broken line is
reported at its line of the stream.

usage: stdin_as_it_arrives.py VERDICT SOURCE_DIR
"""
import os
import select
import subprocess
import sys
import time

VERDICT, SRC = sys.argv[1], sys.argv[2]
DEADLINE = 60.0  # seconds per step on a slow, shared machine
NOW = "2025-03-14T10:05:00Z"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Proc:
    def __init__(self, args):
        self.args = args
        self.p = subprocess.Popen([VERDICT] + args, cwd=SRC, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.out = b""

    def send(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()

    def wait_for_lines(self, n, what):
        """Waits until stdout holds n complete lines; stdin stays open meanwhile."""
        end = time.monotonic() + DEADLINE
        fd = self.p.stdout.fileno()
        while self.out.count(b"\n") < n:
            left = end - time.monotonic()
            if left <= 0:
                self.p.kill()
                fail(f"{' '.join(self.args)}: no {what} within {DEADLINE}s while stdin was open; stdout so far:\n"
                     + self.out.decode(errors="replace"))
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    fail(f"{' '.join(self.args)}: stdout closed before {what}; exit {self.p.wait()}; stderr:\n"
                         + self.p.stderr.read().decode(errors="replace"))
                self.out += chunk
        if self.p.poll() is not None:
            fail(f"{' '.join(self.args)}: exited early")
        return self.out.decode().splitlines()

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.p.kill()
            fail(f"{' '.join(self.args)}: did not end after stdin closed")
        self.out += self.p.stdout.read()
        return self.p.returncode, self.out.decode(), self.p.stderr.read().decode()


def run_file(args, path):
    with open(os.path.join(SRC, path), "rb") as f:
        r = subprocess.run([VERDICT] + args, cwd=SRC, stdin=f, capture_output=True, timeout=DEADLINE)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def run_pipe(args, data):
    r = subprocess.run([VERDICT] + args, cwd=SRC, input=data, capture_output=True, timeout=DEADLINE)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


alert = '{"labels":{"alertname":"DiskFull","instance":"db-1"},"at":"2025-03-14T10:00:00Z"}'
repeat = '{"labels":{"alertname":"DiskFull","instance":"db-1"},"at":"2025-03-14T10:00:30Z"}'

# 1. verdict alerts: the decision on each alert is out before the next alert is written.
p = Proc(["alerts", "-q", "-p", "policies/alerts/default.json"])
p.send(alert)
lines = p.wait_for_lines(1, "decision on the first alert")
if '"decision":"new"' not in lines[0] or '"line":1' not in lines[0]:
    fail("the first decision is not new at line 1: " + lines[0])
p.send("")  # a blank line counts as a line of the stream
p.send(repeat)
# Its time is past the group's group_wait: the group's notification comes first, then the decision.
lines = p.wait_for_lines(3, "notification and decision on the second alert")
if '"type":"notification"' not in lines[1] or '"decision":"duplicate"' not in lines[2] or '"line":3' not in lines[2]:
    fail("the repeat is not a duplicate at line 3 of the stream:\n" + "\n".join(lines))
p.send('{"labels": ')
lines = p.wait_for_lines(4, "error on the broken line")
if '"type":"error"' not in lines[3] or '"line":4' not in lines[3]:
    fail("the broken line is not reported at line 4: " + lines[3])
rc, out, err = p.close()
if rc != 3:
    fail(f"verdict alerts with a broken line exits {rc}, not 3: {err}")

# 2. verdict triage (and eval): each decision is out before the next incident arrives.
incidents = open(os.path.join(SRC, "samples/incidents.ndjson")).read().splitlines()
triage = ["triage", "-p", "policies/triage/default.json", "-d", "samples/cmdb.json", "--now", NOW, "--format", "json"]
p = Proc(triage)
for i, inc in enumerate(incidents[:3]):
    p.send(inc)
    lines = p.wait_for_lines(i + 1, f"decision on incident {i + 1}")
    if f'"line":{i + 1},' not in lines[i]:
        fail(f"decision {i + 1} is not at line {i + 1}: {lines[i][:200]}")
rc, out, err = p.close()
if rc not in (0, 1, 2):
    fail(f"verdict triage exits {rc}: {err}")

evalp = ["eval", "-p", "policies/rules/incident-basics.json", "-d", "samples/cmdb.json", "--now", NOW]
p = Proc(evalp)
p.send(incidents[0])
lines = p.wait_for_lines(1, "text decision on the first incident")
if not lines[0].startswith("stdin line 1") and "line 1" not in lines[0]:
    fail("the text decision does not name line 1: " + lines[0])
p.close()

# 3. A pipe gives the same bytes as a file: line numbers and offsets count from the start
#    of the stream, whatever blocks the pipe delivered.
for args, path in [(triage, "samples/incidents.ndjson"),
                   (["alerts", "-q", "-p", "policies/alerts/default.json", "--now", "2025-01-01T00:00:00Z"],
                    "samples/alerts.ndjson"),
                   (["eval", "-p", "policies/rules/incident-basics.json", "--now", NOW, "--format", "json"],
                    "samples/malformed/broken-line.ndjson")]:
    data = open(os.path.join(SRC, path), "rb").read()
    want = run_file(args, path)
    got = run_pipe(args, data)
    if got[:2] != want[:2]:
        fail(f"{' '.join(args)} on {path}: a pipe gives other output than the file\nfile:\n{want[1][:2000]}\npipe:\n{got[1][:2000]}")
    # Line by line, each line its own block.
    p = Proc(args)
    for line in data.decode().splitlines():
        p.send(line)
    rc, out, err = p.close()
    if (rc, out) != want[:2]:
        fail(f"{' '.join(args)} on {path}: line-by-line pipe differs from the file")

# 4. A pretty-printed document on a pipe is one document, read whole (no "line").
pretty = '{\n  "kind": "incident",\n  "id": "INC-1",\n  "title": "Database down",\n  "service": "payments-api"\n}\n'
rc, out, err = run_pipe(triage, pretty.encode())
if rc not in (0, 1, 2) or '"line"' in out or '"ok":true' not in out:
    fail(f"a pretty-printed incident on a pipe is not one decision: rc {rc}\n{out}\n{err}")

print("ok: decisions are written as stdin arrives; pipes and files agree")
