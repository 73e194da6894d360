#!/usr/bin/env python3
"""A fleet of `verdict serve --cluster` replicas on NATS JetStream (docs/scale.md), on loopback.

  cluster_test.py VERDICT SRC WORK

Starts a three-node `nats-server -js` cluster (routes on 127.0.0.1, a store folder each under
WORK), three replicas and a webhook receiver on 127.0.0.1 that counts Alertmanager webhook v4
notifications by group. Then:
  1. a silence set on one replica holds on every replica; groups of alerts sent to every replica
     are each notified exactly once, the silenced one never;
  2. after kill -9 of one replica and one NATS node: the same, and a new silence still spreads;
  3. with --cluster-share-alerts, each alert sent to one replica only is held by both and
     notified once, also across a kill -9 and restart of one of them;
  4. a replica whose NATS is unreachable is degraded in /readyz and /metrics, notifies alone,
     and once NATS answers writes what it sent, so another replica does not send it again.
Every wait is on a condition, bounded; everything started is stopped. Exit 77 (ctest's
SKIP_RETURN_CODE) when nats-server is not installed.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
VERDICT, SRC, WORK = sys.argv[1:4]
NATS = shutil.which("nats-server") or ("/usr/sbin/nats-server" if os.path.exists("/usr/sbin/nats-server") else None)
if not NATS:
    print("nats-server is not installed (Debian: nats-server): skipped")
    sys.exit(77)
sys.argv = [sys.argv[0], VERDICT, SRC, WORK, "cluster"]
import serve_test as st  # noqa: E402  (Server, Receiver, check, free_port, metric)

DEADLINE = 30
procs = []
LIVE = []  # every replica started, for the logs of a failure


def wait_for(pred, timeout=DEADLINE, every=0.05):
    """Polls `pred` until it is true or `timeout` passes (each poll is a cheap local request)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(every)
    return pred()


class Nats:
    def __init__(self, name, port, cport, routes, store):
        self.name, self.port = name, port
        self.log = os.path.join(WORK, name + ".log")
        args = [NATS, "-js", "-sd", store, "-a", "127.0.0.1", "-p", str(port), "-n", name]
        if cport:
            args += ["--cluster_name", "verdict-test", "--cluster", f"nats://127.0.0.1:{cport}", "--routes",
                     ",".join(f"nats://127.0.0.1:{r}" for r in routes), "--no_advertise=true"]
        self.proc = subprocess.Popen(args + ["-l", self.log], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(self.proc)
        ok = wait_for(lambda: os.path.exists(self.log) and "Server is ready" in open(self.log).read())
        if not ok:
            raise SystemExit(f"{name} did not start: " + (open(self.log).read() if os.path.exists(self.log) else ""))

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def get_json(s, path):
    return json.loads(s.request("GET", path)[2])


def readyz(s):
    return get_json(s, "/readyz")


def silence_ids(s):
    return {x["id"]: x["status"]["state"] for x in get_json(s, "/api/v2/silences")}


def silence_ends(s):
    return {x["id"]: x["endsAt"] for x in get_json(s, "/api/v2/silences")}


def alert(name, **labels):
    return {"labels": {"alertname": name, **labels}, "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def decision(s, a):
    st_, _, body = s.request("POST", "/v1/alerts", json.dumps([a]))
    return json.loads(body.split("\n")[0]).get("decision") if st_ == 200 else f"HTTP {st_}"


def post_silence(s, name):
    now = time.time()
    body = {"matchers": [{"name": "alertname", "value": name, "isRegex": False, "isEqual": True}],
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)),
            "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)), "createdBy": "test", "comment": name}
    code, _, text = s.request("POST", "/api/v2/silences", json.dumps(body))
    st.check(code == 200, f"silence {name} accepted ({code} {text[:200]})")
    return json.loads(text)["silenceID"]


def groups_of(rx):
    """Payloads received, by alertname of the group."""
    out = {}
    for _, p in rx.got:
        out.setdefault(p["groupLabels"].get("alertname"), []).append(p)
    return out


def pending(s):
    return st.metric(s.request("GET", "/metrics")[2], "verdict_notifications_pending")


def settle(rx, replicas, want):
    """Waits until the receiver has every group in `want` and no replica has a delivery pending."""
    def done():
        with rx.cond:
            g = groups_of(rx)
        return all(w in g for w in want) and all(pending(r) == 0 for r in replicas)
    return wait_for(done)


def exactly_once(rx, names, what):
    with rx.cond:
        g = groups_of(rx)
    counts = {n: len(g.get(n, [])) for n in names}
    if not st.check(all(c == 1 for c in counts.values()), f"{what}: every group notified exactly once ({counts})"):
        for r in LIVE:  # what the replicas said about notifications and the cluster
            print(r.base, "\n".join(l for l in r.lines if "notification" in l or "cluster" in l or "restored" in l))


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    t0 = time.monotonic()
    pol = os.path.join(WORK, "fleet.json")
    with open(pol, "w") as f:
        json.dump({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "fleet"},
                   "spec": {"route": {"receiver": "pager", "group_by": ["alertname"], "group_wait": "1s",
                                      "group_interval": "1s", "repeat_interval": "1h"}, "send_resolved": True}}, f)
    rx = st.Receiver({})
    recv = os.path.join(WORK, "receivers.json")
    with open(recv, "w") as f:
        json.dump({"receivers": [{"name": "pager", "webhook_configs": [{"url": rx.base + "/pager"}]}]}, f)

    ports = [st.free_port() for _ in range(3)]
    cports = [st.free_port() for _ in range(3)]
    nats = [Nats(f"n{i}", ports[i], cports[i], cports, os.path.join(WORK, f"store{i}")) for i in range(3)]
    urls = ",".join(f"nats://127.0.0.1:{p}" for p in ports)

    # A lease long enough for this slow shared machine (a claim is taken over only after it);
    # the replica left without NATS gets a short one, to notify alone soon.
    def replica(i, cluster_urls, lease="10000", extra=()):
        r = st.Server("--bundle", pol, "--receivers", rx.base and recv, "--state", os.path.join(WORK, f"state{i}"),
                         "--cluster", cluster_urls, "--cluster-name", f"r{i}", "--cluster-replicas", "3" if "," in cluster_urls else "1",
                         "--cluster-claim-lease-ms", lease, "--notify-backoff-ms", "100", *extra)
        LIVE.append(r)
        return r

    reps = []
    try:
        reps = [replica(i, urls) for i in range(3)]
        ok = wait_for(lambda: all(readyz(r).get("cluster") == "connected" for r in reps))
        st.check(ok, f"three replicas share the JetStream cluster ({[readyz(r) for r in reps]})")
        m = reps[0].request("GET", "/metrics")[2]
        st.check(st.metric(m, "verdict_cluster_connected") == 1, "/metrics says connected")

        # 1. A silence set on one replica applies on every replica, within a second or so.
        sid = post_silence(reps[0], "Quiet")
        t = time.monotonic()
        ok = wait_for(lambda: all(silence_ids(r).get(sid) == "active" for r in reps))
        spread = time.monotonic() - t
        st.check(ok and spread < 2.0, f"the silence is active on every replica after {spread:.2f} s")
        names = [f"G{i}" for i in range(8)]
        batch = [alert(n, severity="page") for n in names] + [alert("Quiet")]
        for r in reps:  # like Prometheus: every alert to every replica
            code, _, _ = r.request("POST", "/api/v2/alerts", json.dumps(batch))
            st.check(code == 200, f"alerts taken by {r.base}")
        st.check(settle(rx, reps, names), "every group was notified and nothing is pending")
        exactly_once(rx, names, "three replicas")
        st.check("Quiet" not in groups_of(rx), "the silenced group is notified by no replica")
        st.check(all(decision(r, alert("Quiet")) == "silenced" for r in reps), "every replica decides the alert silenced")
        won = [st.metric(r.request("GET", "/metrics")[2], 'verdict_cluster_claims_total{result="won"}') for r in reps]
        st.check(sum(won) == len(names), f"claims won across the fleet: {won}, one per notification")

        # 2. kill -9 one replica and one NATS node: the others go on, exactly once.
        reps[2].stop(signal.SIGKILL)
        nats[2].kill()
        alive = reps[:2]
        ok = wait_for(lambda: all(readyz(r).get("cluster") == "connected" for r in alive))
        st.check(ok, "the surviving replicas stay connected to the surviving NATS nodes")
        sid2 = post_silence(alive[1], "Hush")
        ok = wait_for(lambda: all(silence_ids(r).get(sid2) == "active" for r in alive))
        if not st.check(ok, "a silence set after the kills spreads to the other replica"):
            for r in alive:
                print("\n".join(l for l in r.lines if "cluster" in l))
        code, _, _ = alive[0].request("DELETE", f"/api/v2/silence/{sid}")
        # Expired: its end moved from an hour ahead to now (the state says "expired" once the
        # stream's clock passes it, and it leaves the list once the stream drops it).
        soon = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 600))
        ok = wait_for(lambda: all(silence_ends(r).get(sid, "0")[:19] < soon for r in alive))
        st.check(code == 200 and ok, f"a silence expired on one replica is expired on the other ({[silence_ends(r) for r in alive]})")
        names2 = [f"H{i}" for i in range(8)]
        batch = [alert(n, severity="page") for n in names2] + [alert("Hush")]
        for r in alive:
            code, _, _ = r.request("POST", "/api/v2/alerts", json.dumps(batch))
            st.check(code == 200, f"alerts taken by {r.base}")
        st.check(settle(rx, alive, names2), "every group was notified after the kills")
        exactly_once(rx, names + names2, "after killing a replica and a NATS node")
        st.check("Hush" not in groups_of(rx), "the silence set after the kills is honoured")
        st.check(all(decision(r, alert("Hush")) == "silenced" for r in alive), "by both replicas")
        st.check(all(decision(r, alert("Quiet")) != "silenced" for r in alive), "and the expired one by neither")

        # 3. --cluster-share-alerts: each alert sent to one replica only reaches both (a stream);
        # a replica killed and restarted resumes the stream where it stopped.
        share = ("--cluster-share-alerts", "--cluster-prefix", "shared")
        sh = [replica(i, urls, extra=share) for i in (5, 6)]
        reps += sh
        st.check(wait_for(lambda: all(readyz(r).get("cluster") == "connected" for r in sh)), "two replicas sharing alerts")
        names3 = [f"K{i}" for i in range(6)]
        for i, n in enumerate(names3):  # a load balancer: each alert to one replica
            code, _, _ = sh[i % 2].request("POST", "/api/v2/alerts", json.dumps([alert(n, severity="page")]))
            st.check(code == 200, f"{n} taken by replica {i % 2}")
        listed = lambda r: {a["labels"]["alertname"] for a in get_json(r, "/api/v2/alerts")}
        st.check(wait_for(lambda: all(set(names3) <= listed(r) for r in sh)), "both replicas hold every alert")
        st.check(settle(rx, sh, names3), "every group was notified")
        exactly_once(rx, names + names2 + names3, "alerts sent to one replica each")
        sh[1].stop(signal.SIGKILL)
        names4 = ["L0", "L1"]
        code, _, _ = sh[0].request("POST", "/api/v2/alerts", json.dumps([alert(n, severity="page") for n in names4]))
        st.check(code == 200 and settle(rx, [sh[0]], names4), "alerts taken while the other replica is down are notified")
        sh[1] = replica(6, urls, extra=share)
        reps.append(sh[1])
        st.check(wait_for(lambda: set(names4) <= listed(sh[1])), "the restarted replica resumes the stream: it holds them too")
        st.check(settle(rx, sh, names4), "nothing is pending")
        exactly_once(rx, names3 + names4, "after the restart")

        # 4. NATS unreachable: alone, degraded; then reconciled.
        lone_port = st.free_port()
        lone_url = f"nats://127.0.0.1:{lone_port}"
        lone = replica(3, lone_url, lease="3000")
        reps.append(lone)
        st.check(readyz(lone).get("status") == "degraded", f"without NATS /readyz says degraded ({readyz(lone)})")
        st.check(lone.request("GET", "/readyz")[0] == 200, "and still answers 200: it serves alone")
        st.check(st.metric(lone.request("GET", "/metrics")[2], "verdict_cluster_connected") == 0, "/metrics says 0")
        code, _, _ = lone.request("POST", "/api/v2/alerts", json.dumps([alert("Alone", severity="page")]))
        st.check(code == 200 and settle(rx, [lone], ["Alone"]), "the degraded replica notifies alone")
        single = Nats("n3", lone_port, None, [], os.path.join(WORK, "store3"))
        ok = wait_for(lambda: readyz(lone).get("status") == "ready" and readyz(lone).get("unsent_notifications") == 0)
        st.check(ok, f"NATS back: ready, and what it sent alone is written ({readyz(lone)})")
        other = replica(4, lone_url, lease="3000")
        reps.append(other)
        st.check(wait_for(lambda: readyz(other).get("cluster") == "connected"), "a second replica joins that NATS")
        code, _, _ = other.request("POST", "/api/v2/alerts", json.dumps([alert("Alone", severity="page")]))
        st.check(code == 200 and settle(rx, [other], ["Alone"]), "the same alert reaches the second replica")
        m = wait_for(lambda: (lambda t: t if st.metric(t, 'verdict_notifications_sent_elsewhere_total{receiver="pager"}') >= 1 else None)(
            other.request("GET", "/metrics")[2]))
        st.check(m is not None, "the second replica finds it sent by the first and drops it")
        exactly_once(rx, ["Alone"], "after the reconnect")
        single.stop()
    finally:
        for r in reps:
            r.stop()
        for n in nats:
            n.stop()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        rx.stop()
    print(f"cluster test took {time.monotonic() - t0:.1f} s")


main()
print(f"{len(st.failures)} failure(s)")
sys.exit(1 if st.failures else 0)
