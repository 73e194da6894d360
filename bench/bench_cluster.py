#!/usr/bin/env python3
"""`scripts/bench.sh cluster`: a fleet of `verdict serve` replicas on NATS JetStream, on loopback.

  bench_cluster.py VERDICT WORK [ALERTS] [GROUPS] [REBUILD]

Prints a Markdown table:
  - alert intake (alerts/s over Alertmanager's POST /api/v2/alerts, 100 alerts a request, 4
    client threads, ten groups) for 1 replica without NATS, 1 with NATS sharing alerts (--cluster-share-alerts),
    and 3 replicas on a three-node JetStream cluster, each alert sent to one replica;
  - notifications: GROUPS groups notified (group_wait 0s) by 1 replica without NATS and by 1 with
    NATS, where each notification is claimed in the key-value bucket first: the difference per
    notification is the cost of a claim (and of writing it sent);
  - rebuild: a replica that was down catches up REBUILD alerts (ten groups) from the alert stream.
Only 127.0.0.1 is used; everything started is stopped.
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
VERDICT, WORK = sys.argv[1], sys.argv[2]
ALERTS = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
GROUPS = int(sys.argv[4]) if len(sys.argv) > 4 else 200
REBUILD = int(sys.argv[5]) if len(sys.argv) > 5 else 100000
sys.argv = [sys.argv[0], VERDICT, os.path.dirname(here), WORK, "bench"]
sys.path.insert(0, os.path.join(os.path.dirname(here), "tests", "serve"))
import serve_test as st  # noqa: E402
NATS = shutil.which("nats-server") or "/usr/sbin/nats-server"
procs = []


def nats_node(name, port, cport=None, cports=()):
    log = os.path.join(WORK, name + ".log")
    args = [NATS, "-js", "-sd", os.path.join(WORK, name), "-a", "127.0.0.1", "-p", str(port), "-n", name, "-l", log]
    if cport:
        args += ["--cluster_name", "bench", "--cluster", f"nats://127.0.0.1:{cport}", "--routes",
                 ",".join(f"nats://127.0.0.1:{c}" for c in cports), "--no_advertise=true"]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    end = time.monotonic() + 30
    while time.monotonic() < end and not (os.path.exists(log) and "Server is ready" in open(log).read()):
        time.sleep(0.05)
    return p


def wait(pred, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def metric(s, name):
    return st.metric(s.request("GET", "/metrics")[2], name)


def intake(replicas, n, tag):
    """Sends n alerts, 100 a request, from 4 threads round-robin over the replicas; alerts/s."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # Ten groups: intake, not a storm of notifications (those are measured apart).
    bodies = [json.dumps([{"labels": {"alertname": f"{tag}{(i + k) % 10}", "instance": f"i{i + k}"}, "startsAt": now}
                          for k in range(100)]) for i in range(0, n, 100)]
    errors = []

    def worker(w):
        for j in range(w, len(bodies), 4):
            code, _, _ = replicas[j % len(replicas)].request("POST", "/api/v2/alerts", bodies[j])
            if code != 200:
                errors.append(code)

    t = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    secs = time.monotonic() - t
    if errors:
        raise SystemExit(f"intake errors: {errors[:5]}")
    return n / secs


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    pol = os.path.join(WORK, "bench.json")
    with open(pol, "w") as f:
        json.dump({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "bench"},
                   "spec": {"route": {"receiver": "pager", "group_by": ["alertname"], "group_wait": "0s", "group_interval": "1s",
                                      "repeat_interval": "1h"}}}, f)
    rx = st.Receiver({})
    recv = os.path.join(WORK, "receivers.json")
    with open(recv, "w") as f:
        json.dump({"receivers": [{"name": "pager", "webhook_configs": [{"url": rx.base + "/pager"}]}]}, f)
    servers = []

    def replica(name, *extra):
        s = st.Server("--bundle", pol, "--receivers", recv, "--state", os.path.join(WORK, "state-" + name), "--snapshot-every", "0", *extra)
        servers.append(s)
        return s

    rows = []
    try:
        # Intake.
        alone = replica("alone")
        r_alone = intake([alone], ALERTS, "A")
        p1 = st.free_port()
        nats_node("single", p1)
        one = replica("one", "--cluster", f"nats://127.0.0.1:{p1}", "--cluster-name", "one", "--cluster-share-alerts")
        wait(lambda: metric(one, "verdict_cluster_connected") == 1)
        r_one = intake([one], ALERTS, "B")
        ports, cports = [st.free_port() for _ in range(3)], [st.free_port() for _ in range(3)]
        for i in range(3):
            nats_node(f"n{i}", ports[i], cports[i], cports)
        urls = ",".join(f"nats://127.0.0.1:{p}" for p in ports)
        three = [replica(f"t{i}", "--cluster", urls, "--cluster-name", f"t{i}", "--cluster-replicas", "3", "--cluster-share-alerts")
                 for i in range(3)]
        wait(lambda: all(metric(s, "verdict_cluster_connected") == 1 for s in three))
        r_three = intake(three, ALERTS, "C")
        rows.append(("intake, 1 replica, no NATS", f"{r_alone:,.0f} alerts/s", ""))
        rows.append(("intake, 1 replica, NATS (alerts shared)", f"{r_one:,.0f} alerts/s", f"{100 * r_one / r_alone:.0f}% of alone"))
        rows.append(("intake, 3 replicas, 3 NATS nodes (R3)", f"{r_three:,.0f} alerts/s in all, {r_three / 3:,.0f} per replica",
                      f"{100 * r_three / 3 / r_alone:.0f}% of alone per replica"))

        # Notifications: GROUPS groups, each claimed before it is sent.
        def notify(s, tag):
            base = len(rx.got)
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            t = time.monotonic()
            s.request("POST", "/api/v2/alerts", json.dumps([{"labels": {"alertname": f"{tag}{g}"}, "startsAt": now} for g in range(GROUPS)]))
            ok = rx.wait(lambda: len(rx.got) >= base + GROUPS, timeout=300)
            return (time.monotonic() - t) if ok else float("nan")

        t_alone = notify(alone, "NA")
        t_one = notify(one, "NB")
        rows.append((f"{GROUPS} notifications, no NATS", f"{t_alone:.2f} s", f"{1000 * t_alone / GROUPS:.2f} ms each"))
        rows.append((f"{GROUPS} notifications, each claimed in NATS", f"{t_one:.2f} s",
                     f"claim + sent record: {1000 * (t_one - t_alone) / GROUPS:+.2f} ms each"))

        # Rebuild: t2 down while t0 takes REBUILD alerts; t2 restarted catches up from the stream.
        three[2].stop()
        before = metric(three[1], 'verdict_cluster_alert_bodies_total{direction="applied"}')
        intake([three[0]], REBUILD, "R")
        wait(lambda: metric(three[1], 'verdict_cluster_alert_bodies_total{direction="applied"}') >= before + REBUILD // 100, 600)
        t = time.monotonic()
        back = replica("t2", "--cluster", urls, "--cluster-name", "t2", "--cluster-replicas", "3", "--cluster-share-alerts")
        ok = wait(lambda: metric(back, 'verdict_cluster_alert_bodies_total{direction="applied"}') >= REBUILD // 100, 600)
        secs = time.monotonic() - t
        rows.append((f"catch-up of {REBUILD:,} alerts from the stream (restart included)", f"{secs:.2f} s" if ok else "did not finish",
                     f"{REBUILD / secs:,.0f} alerts/s" if ok else ""))
    finally:
        for s in servers:
            s.stop()
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        rx.stop()
    print("| what | result | note |\n|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


main()
