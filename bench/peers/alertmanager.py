#!/usr/bin/env python3
"""scripts/bench.sh peers, alert intake: the same alerts posted to Alertmanager's
/api/v2/alerts (Debian's prometheus-alertmanager, started here on 127.0.0.1 on a free port
and stopped after) and pushed through `verdict alerts` (one process, the NDJSON file).
Alertmanager gets the alerts in batches of BATCH per POST over one keep-alive connection;
its CPU time and peak RSS come from /proc, verdict's from wait4. Loopback only; every wait
is bounded.

    alertmanager.py VERDICT POLICY ALERTS.ndjson [BATCH]
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

verdict, policy, alerts_path = sys.argv[1:4]
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 500
binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
if not binary:
    sys.exit("prometheus-alertmanager is not installed (scripts/setup.sh installs it)")
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def proc_hwm_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


events = [json.loads(l) for l in open(alerts_path) if l.strip()]
bodies = []
for k in range(0, len(events), batch):
    items = []
    for e in events[k:k + batch]:
        a = {"labels": e["labels"], "annotations": e.get("annotations", {})}
        if e.get("status") == "resolved":
            a["startsAt"] = e["at"]
            a["endsAt"] = e["at"]
        else:
            a["startsAt"] = e["at"]
        items.append(a)
    bodies.append(json.dumps(items).encode())

work = tempfile.mkdtemp(prefix="verdict-am-")
cfg = os.path.join(work, "alertmanager.yml")
with open(cfg, "w") as f:
    f.write("route:\n  receiver: blackhole\n  group_by: [alertname, service]\nreceivers:\n  - name: blackhole\n")
port = free_port()
am = subprocess.Popen([binary, f"--config.file={cfg}", f"--storage.path={work}/data",
                       f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
try:
    deadline = time.monotonic() + 60
    while True:
        if am.poll() is not None:
            sys.exit("alertmanager exited: " + am.stderr.read().decode(errors="replace")[-2000:])
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/-/ready")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("alertmanager did not become ready within 60 s")
        time.sleep(0.1)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    am_version = (version.stdout or version.stderr).split("\n")[0]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    cpu0 = proc_cpu(am.pid)
    t0 = time.monotonic()
    for body in bodies:
        conn.request("POST", "/api/v2/alerts", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"alertmanager answered {r.status}")
    am_wall = time.monotonic() - t0
    am_cpu = proc_cpu(am.pid) - cpu0
    am_rss = proc_hwm_kb(am.pid)
    conn.request("GET", "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true")
    r = conn.getresponse()
    am_alerts = len(json.loads(r.read()))
finally:
    am.terminate()
    try:
        am.wait(timeout=30)
    except subprocess.TimeoutExpired:
        am.kill()
    shutil.rmtree(work, ignore_errors=True)

t0 = time.monotonic()
p = subprocess.Popen([verdict, "alerts", "-q", "-p", policy, alerts_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
v_wall = time.monotonic() - t0
v_cpu = ru.ru_utime + ru.ru_stime
n = len(events)
print(f"\n## Alert intake: {n:,} alerts ({len(set(json.dumps(e['labels'], sort_keys=True) for e in events)):,} label sets),"
      f" Alertmanager's /api/v2/alerts in POSTs of {batch} against `verdict alerts` (one process)\n")
print("| intake | wall s | alerts/s | CPU s | alerts per CPU s | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|")
print(f"| {am_version} on 127.0.0.1 (server CPU only; {am_alerts:,} alerts held after) | {am_wall:.3f} | {n / am_wall:,.0f} |"
      f" {am_cpu:.2f} | {n / am_cpu if am_cpu else float('inf'):,.0f} | {am_rss / 1024:,.0f} |")
print(f"| verdict alerts (whole process: start, policy, decisions written) | {v_wall:.3f} | {n / v_wall:,.0f} | {v_cpu:.2f} |"
      f" {n / v_cpu:,.0f} | {ru.ru_maxrss / 1024:,.0f} |")
if am_cpu > 0:
    x = (n / v_cpu) / (n / am_cpu)
    print(f"\nverdict alerts / Alertmanager, alerts per CPU second: {x:.1f}x (target >= 30x: {'met' if x >= 30 else 'missed'})")
