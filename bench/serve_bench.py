#!/usr/bin/env python3
"""scripts/bench.sh serve: `verdict serve` over HTTP on 127.0.0.1 (free ports, every process
started here is stopped here, every wait bounded).

  serve_bench.py VERDICT [SECONDS] [REPEATS]

1. Triage decisions/s at full load: wrk, keep-alive, one ServiceNow incident per POST.
2. Latency at 50% and 90% of that maximum: bench/serve_rate.cc (a fixed-rate C++ client, one
   thread per keep-alive connection; wrk has no fixed rate), p50/p99 measured from when each
   request was due.
3. Alert intake: the same alerts POSTed to verdict's and Debian's Alertmanager's
   /api/v2/alerts, batches over one keep-alive connection, a fresh server of each per
   repetition, interleaved (verdict, Alertmanager, verdict, ...): the cold (first) run and the
   median of the others.
4. Memory: RSS at rest and the peak under load, from /proc.
"""
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

VERDICT = sys.argv[1]
RATE_CLIENT = os.path.join(os.path.dirname(os.path.abspath(VERDICT)), "bench", "serve_rate")  # bench/serve_rate.cc
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
REPEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = tempfile.mkdtemp(prefix="verdict-serve-bench-")
NOW = "2025-03-14T10:00:00Z"


def rss_kb(pid, key="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Verdict:
    def __init__(self, *args):
        self.proc = subprocess.Popen([VERDICT, "serve", "--listen", "127.0.0.1:0", *args], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.address = None
        found = threading.Event()

        def read():
            for raw in self.proc.stderr:
                try:
                    j = json.loads(raw)
                except ValueError:
                    continue
                if j.get("msg") == "listening":
                    self.address = j["address"]
                    found.set()
        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60):
            self.stop()
            sys.exit("verdict serve did not start")
        self.host, self.port = self.address.rsplit(":", 1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Alertmanager:
    def __init__(self):
        binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
        if not binary:
            sys.exit("prometheus-alertmanager is not installed (scripts/setup.sh installs it)")
        self.dir = tempfile.mkdtemp(dir=WORK)
        cfg = os.path.join(self.dir, "alertmanager.yml")
        with open(cfg, "w") as f:
            f.write("route:\n  receiver: blackhole\n  group_by: [alertname, service]\nreceivers:\n  - name: blackhole\n")
        self.port = free_port()
        self.proc = subprocess.Popen([binary, f"--config.file={cfg}", f"--storage.path={self.dir}/data",
                                      f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=",
                                      "--log.level=warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/-/ready")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > end:
                self.stop()
                sys.exit("alertmanager did not become ready")
            time.sleep(0.05)
        v = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
        self.version = (v.stdout or v.stderr).split("\n")[0].split(" (")[0]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wrk(port, body_file, seconds, connections=2):
    lua = os.path.join(WORK, "post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f'local f = io.open("{body_file}", "rb")\nwrk.body = f:read("*a")\nf:close()\n')
    r = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua,
                        f"http://127.0.0.1:{port}/v1/triage?now={NOW.replace(':', '%3A')}"],
                       capture_output=True, text=True, timeout=seconds + 60)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", r.stdout).group(1))
    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", r.stdout)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    return rps, pct(50), pct(99), int(non2xx.group(1)) if non2xx else 0


def rate(port, body_file, r, seconds, connections=2):
    out = subprocess.run([RATE_CLIENT, str(port), f"/v1/triage?now={NOW.replace(':', '%3A')}", body_file, str(r),
                          str(seconds), str(connections)], capture_output=True, text=True, timeout=3 * seconds + 60)
    return json.loads(out.stdout.strip().split("\n")[-1])


def intake(port, bodies):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.monotonic()
    for b in bodies:
        conn.request("POST", "/api/v2/alerts", b, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"/api/v2/alerts answered {r.status}")
    return time.monotonic() - t0


def main():
    incident = os.path.join(ROOT, "samples/servicenow-incident.json")
    bundle = ["--bundle", "policies/triage/default.json", "-d", "samples/cmdb.json"]
    v = Verdict(*bundle, "--threads", "2", "--keep-alive-max", "1000000", "--max-queued", "256")
    try:
        time.sleep(0.5)  # settle before reading the resting RSS (a reading, not a synchronisation)
        rest = rss_kb(v.proc.pid)
        max_rps, w50, w99, non2xx = wrk(v.port, incident, SECONDS)
        half = rate(v.port, incident, max_rps * 0.5, SECONDS)
        ninety = rate(v.port, incident, max_rps * 0.9, SECONDS)
        peak = rss_kb(v.proc.pid, "VmHWM")
    finally:
        v.stop()
    print(f"## `verdict serve`: triage over HTTP (scripts/bench.sh serve; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f})\n")
    print("`POST /v1/triage`, one ServiceNow incident per request, `policies/triage/default.json` with the sample CMDB, "
          "`--threads 2`, keep-alive over 2 connections (cpp-httplib serves a kept-alive connection on one worker: more "
          "connections than workers wait for one).\n")
    print("| load | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    print(f"| maximum (wrk, 2 connections, {SECONDS} s) | {max_rps:,.0f} | {w50:.2f} | {w99:.2f} | {non2xx} |")
    behind = []
    for name, r in (("50% of the maximum", half), ("90% of the maximum", ninety)):
        print(f"| {name} = {r['rate']:,.0f}/s (fixed rate, 2 connections) | {r['achieved']:,.0f} | {r['p50_ms']:.2f} | "
              f"{r['p99_ms']:.2f} | {r['errors']} |")
        if r["achieved"] < 0.95 * r["rate"]:
            behind.append(name)
    if behind:
        print(f"\nThe fixed-rate client did not keep the rate at {' and '.join(behind)} (achieved below 95% of it): its "
              "latencies include the client's own backlog, so they say nothing about the server; run on a quieter machine.")
    print(f"\nRSS: {rest / 1024:.1f} MiB at rest, {peak / 1024:.1f} MiB peak under load. "
          f"Target p99 < 2 ms at 50%: {'met' if half['p99_ms'] < 2 else 'missed'} ({half['p99_ms']:.2f} ms).\n")

    # Alert intake: the same alerts to both, a fresh server of each per repetition, interleaved.
    n, batch = 20000, 100
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    alerts = [{"labels": {"alertname": f"Bench{i % 50}", "service": f"svc-{i % 200}", "instance": f"host-{i}:9100",
                          "severity": ["critical", "warning", "info"][i % 3]},
               "annotations": {"summary": f"bench alert {i}"}, "startsAt": started} for i in range(n)]
    bodies = [json.dumps(alerts[k:k + batch]).encode() for k in range(0, n, batch)]
    runs = {"verdict": [], "verdict --state": [], "am": []}
    rss = {"verdict": 0, "verdict --state": 0, "am": 0}
    version = ""
    for rep in range(REPEATS):
        for name in ("verdict", "verdict --state", "am"):
            if name == "am":
                s = Alertmanager()
                version = s.version
            else:
                extra = ["--state", tempfile.mkdtemp(dir=WORK)] if name == "verdict --state" else []
                s = Verdict("--bundle", "policies/alerts/default.json", "--threads", "2", "--keep-alive-max", "1000000",
                            "--snapshot-every", "0", *extra)
            try:
                runs[name].append(intake(int(s.port), bodies))
                rss[name] = max(rss[name], rss_kb(s.proc.pid, "VmHWM"))
            finally:
                s.stop()
    print(f"## Alert intake: {n:,} alerts in POSTs of {batch} to `/api/v2/alerts`, one keep-alive connection "
          f"({REPEATS} interleaved repetitions, a fresh server each)\n")
    print("| server | cold alerts/s | median alerts/s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    label = {"verdict": "verdict serve (memory only)", "verdict --state": "verdict serve --state (journal, fsync per POST)",
             "am": version or "Alertmanager"}
    med = {}
    for name in ("verdict", "verdict --state", "am"):
        rest_runs = runs[name][1:] or runs[name]
        med[name] = n / statistics.median(rest_runs)
        print(f"| {label[name]} | {n / runs[name][0]:,.0f} | {med[name]:,.0f} | {rss[name] / 1024:.0f} |")
    x = med["verdict"] / med["am"]
    print(f"\nverdict / Alertmanager (median, memory only): {x:.1f}x (target >= 10x: {'met' if x >= 10 else 'missed'}); "
          f"with --state: {med['verdict --state'] / med['am']:.1f}x.")


try:
    main()
finally:
    shutil.rmtree(WORK, ignore_errors=True)
