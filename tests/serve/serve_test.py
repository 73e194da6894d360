#!/usr/bin/env python3
"""`verdict serve` through a real HTTP client (urllib), on 127.0.0.1 and a free port.

  serve_test.py VERDICT SRC WORK MODE     MODE: api | alerts | amtool | journal | prometheus

Each mode starts its own servers (port 0: the server picks a free one and logs it), waits
for conditions (the "listening" log line, a response), never for fixed times, and stops what
it started. Only loopback is ever contacted.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

VERDICT, SRC, WORK, MODE = sys.argv[1:5]
NOW = "2025-03-14T10:00:00Z"
DEADLINE = 60  # seconds any one wait may take on a slow, shared machine
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what, flush=True)
    return cond


class Server:
    def __init__(self, *args):
        self.args = [VERDICT, "serve", "--listen", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(self.args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=SRC)
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_log(lambda j: j.get("msg") == "listening")
        if line is None:
            self.proc.kill()
            raise SystemExit("the server did not start: " + "\n".join(self.lines))
        self.base = "http://" + line["address"]

    def _read(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def logs(self):
        out = []
        with self.cond:
            for l in self.lines:
                try:
                    out.append(json.loads(l))
                except ValueError:
                    out.append({"unparsed": l})
        return out

    def wait_log(self, pred, timeout=DEADLINE):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for l in self.lines:
                    try:
                        j = json.loads(l)
                    except ValueError:
                        continue
                    if pred(j):
                        return j
                left = end - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.proc.stderr.readable()):
                    return None
                self.cond.wait(min(left, 1.0))

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def request(self, method, path, body=None, ctype="application/json", headers=None):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=DEADLINE) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def read(path):
    with open(os.path.join(SRC, path), encoding="utf-8") as f:
        return f.read()


def cli(*args):
    return subprocess.run([VERDICT, *args], cwd=SRC, capture_output=True, text=True, timeout=DEADLINE)


BUNDLE = ["--bundle", "policies/triage/default.json", "--bundle", "policies/change/default.json", "--bundle", "policies/budget/default.json",
          "--bundle", "policies/rules", "--bundle", "policies/alerts/default.json",
          "-d", "samples/cmdb.json", "-d", "samples/change/schedule.ndjson", "-d", "samples/change/windows.json",
          "-d", "samples/change/budget-status.json"]


def first_error(body):
    j = json.loads(body)
    return j["errors"][0]


def mode_api():
    s = Server(*BUNDLE, "--threads", "2", "--max-body", "200000")
    try:
        st, ct, body = s.request("GET", "/healthz")
        check(st == 200 and json.loads(body)["status"] == "ok", "GET /healthz is 200 ok")
        st, ct, body = s.request("GET", "/readyz")
        check(st == 200, "GET /readyz is 200 while serving")

        st, ct, body = s.request("GET", "/v1/policies")
        pol = json.loads(body)
        names = {p["name"]: p["kind"] for p in pol["policies"]}
        check(st == 200 and names.get("default-triage") == "TriageRouting" and names.get("default-change-risk") == "ChangeRisk",
              "GET /v1/policies lists names and kinds")
        check(pol["bundle"].startswith("sha256:") and len(pol["bundle"]) == 71, "GET /v1/policies gives the bundle digest")
        check(pol["alerts_policy"] == "default-alerts", "the only AlertDedup policy serves the alert endpoints")

        # A triage decision over HTTP is the CLI's decision, byte for byte (one evaluation path).
        incident = read("samples/servicenow-incident.json")
        st, ct, body = s.request("POST", "/v1/triage?now=" + NOW, incident)
        check(st == 200 and ct.startswith("application/json"), "POST /v1/triage is 200 application/json")
        d = json.loads(body)
        check(d.get("ok") is True and d["policy"]["kind"] == "TriageRouting" and d.get("bundle") == pol["bundle"],
              "the triage decision names its kind and the served bundle")
        ref = cli("triage", "-p", "policies/triage/default.json", "-p", "policies/change/default.json",
                  "-p", "policies/budget/default.json", "-p", "policies/rules/incident-basics.json",
                  "-p", "policies/alerts/default.json", "-d", "samples/cmdb.json", "-d", "samples/change/schedule.ndjson",
                  "-d", "samples/change/windows.json", "-d", "samples/change/budget-status.json",
                  "--now", NOW, "--format", "json", "samples/servicenow-incident.json")
        check(ref.stdout.strip() == body.strip(), "POST /v1/triage equals verdict triage --format json on the same bundle")

        # curl --data sends a form content type: the body is still the document, never parameters.
        st, ct, body2 = s.request("POST", "/v1/triage?now=2025-03-14T10%3A00%3A00Z", incident, "application/x-www-form-urlencoded")
        check(st == 200 and body2 == body, f"a JSON body sent as a form (curl --data) is decided the same, %3A decoded ({st} {body2[:200]})")

        st, ct, body = s.request("POST", "/v1/triage?explain=true&now=" + NOW, incident)
        check(st == 200 and '"explain"' in body, "?explain=true adds the trace")
        st, ct, body2 = s.request("POST", "/v1/triage?explain=false&now=" + NOW, incident)
        check(st == 200 and '"explain"' not in body2, "?explain=false leaves it out")

        nd = read("samples/incidents.ndjson")
        st, ct, body = s.request("POST", "/v1/triage?now=" + NOW, nd, "application/x-ndjson")
        lines = [l for l in body.split("\n") if l]
        want = len([l for l in nd.split("\n") if l.strip()])
        check(st == 200 and ct.startswith("application/x-ndjson") and len(lines) == want,
              f"NDJSON in, one decision per line out ({len(lines)} of {want})")
        check(all(json.loads(l)["policy"]["kind"] == "TriageRouting" for l in lines), "every NDJSON line is a triage decision")

        # Without ?now the server clock decides: the decision's now is today's.
        st, ct, body = s.request("POST", "/v1/triage", incident)
        check(st == 200 and json.loads(body).get("now", "")[:4] == time.strftime("%Y", time.gmtime()),
              "without ?now the server clock is the decision's now")

        chg = read("samples/ci/changes/denied.json")
        st, ct, body = s.request("POST", "/v1/change?now=2025-03-17T12:00:00Z", chg)
        d = json.loads(body)
        check(st == 200 and d["policy"]["kind"] == "ChangeRisk" and "deny" in body, "POST /v1/change decides (denied.json is denied)")

        slo = read("samples/sli.ndjson")
        st, ct, body = s.request("POST", "/v1/budget?now=2025-03-17T12:00:00Z", slo, "application/x-ndjson")
        check(st in (200,) and json.loads(body.split("\n")[0])["policy"]["kind"] == "ErrorBudget", "POST /v1/budget decides")

        st, ct, body = s.request("POST", "/v1/eval/incident-basics?now=" + NOW, incident)
        check(st == 200 and json.loads(body)["policy"]["name"] == "incident-basics", "POST /v1/eval/{policy} evaluates that policy")

        # Errors: JSON with code, message and position, and the right status.
        st, ct, body = s.request("POST", "/v1/triage?now=" + NOW, '{"number": "INC1",\n "short_description": ')
        e = first_error(body)
        check(st == 400 and ct.startswith("application/json") and e["code"] == "invalid_json" and e.get("line") == 2,
              f"broken JSON is 400 invalid_json at line 2 ({st} {body[:160]})")
        st, ct, body = s.request("POST", "/v1/eval/incident-basics?policy=default-triage", incident)
        check(st == 400 and "path names the policy" in body, "/v1/eval/{policy} with ?policy= too is 400, not a silent choice")
        st, ct, body = s.request("POST", "/v1/eval/no-such-policy", incident)
        check(st == 404 and first_error(body)["code"] == "not_found", "an unknown policy is 404 not_found")
        st, ct, body = s.request("POST", "/v1/triage?policy=default-change-risk&now=" + NOW, incident)
        check(st == 422 and first_error(body)["code"] == "wrong_kind", "a policy of another kind is 422 wrong_kind")
        st, ct, body = s.request("POST", "/v1/change?policy=default-triage", chg)
        check(st == 422 and "ChangeRisk" in body, "POST /v1/change with a TriageRouting policy is 422")
        big = '{"number":"INC1","short_description":"' + "x" * 300000 + '"}'
        st, ct, body = s.request("POST", "/v1/triage", big)
        check(st == 413 and first_error(body)["code"] == "too_large" and "--max-body" in body, "a body over --max-body is 413 too_large")
        st, ct, body = s.request("POST", "/v1/lint", read("policies/triage/default.json"), "application/x-www-form-urlencoded")
        check(st == 413 and "application/json" in first_error(body)["message"],
              "a form-encoded body over httplib's 8 KiB form limit is 413 and says to send JSON")
        st, ct, body = s.request("POST", "/v1/triage?explian=true", incident)
        check(st == 400 and "explian" in body, "an unknown query parameter is 400, not ignored")
        st, ct, body = s.request("POST", "/v1/triage?now=yesterday", incident)
        check(st == 400 and first_error(body)["code"] == "invalid_argument", "a bad ?now is 400 invalid_argument")
        st, ct, body = s.request("POST", "/v1/triage?explain=maybe", incident)
        check(st == 400, "?explain=maybe is 400")
        st, ct, body = s.request("GET", "/v1/nothing-here")
        check(st == 404 and first_error(body)["code"] == "not_found", "an unknown path is 404 JSON")
        st, ct, body = s.request("POST", "/v1/budget", slo, "application/x-ndjson")
        check(st == 200, "one ErrorBudget policy in the bundle: /v1/budget needs no ?policy")

        # Lint: a clean policy is 200, a broken one 400 with the error's line and column.
        st, ct, body = s.request("POST", "/v1/lint", read("policies/triage/default.json"))
        check(st == 200 and json.loads(body)["ok"] is True, "POST /v1/lint of a good policy is 200 ok")
        bad = '{"apiVersion": "verdict/v1", "kind": "Rules",\n "metadata": {"name": "x"},\n "spec": {"rules": [{"name": "r", "when": "incident.priority ==="}]}}'
        st, ct, body = s.request("POST", "/v1/lint?source=bad.json", bad)
        j = json.loads(body)
        check(st == 400 and j["ok"] is False and j["errors"][0].get("line") == 3 and j["errors"][0].get("source") == "bad.json",
              f"POST /v1/lint of a broken policy is 400 with source and line ({body[:200]})")

        # Metrics: requests by route and status, decisions by kind, the latency histogram.
        st, ct, body = s.request("GET", "/metrics")
        check(st == 200 and ct.startswith("text/plain"), "GET /metrics is text/plain")
        check('verdict_http_requests_total{route="/v1/triage",status="200"} ' in body, "metrics count requests by route and status")
        check('verdict_http_requests_total{route="/v1/eval/{policy}",status="404"} 1' in body, "metrics count the 404")
        check('verdict_http_requests_total{route="too_large",status="413"} 2' in body, "metrics count the 413s")
        tri = [l for l in body.split("\n") if l.startswith('verdict_decisions_total{kind="TriageRouting"}')]
        check(tri and int(tri[0].split()[-1]) == 5 + want, f"decisions by kind: 5 single + {want} NDJSON triage decisions ({tri})")
        check('verdict_http_request_duration_seconds_bucket{route="/v1/triage",le="+Inf"}' in body, "latency histogram")
        check('verdict_bundle_info{digest="' + pol["bundle"] + '"} 1' in body, "bundle digest in the metrics")

        # Concurrent clients: every answer is right (an engine per worker).
        results = []

        def worker():
            for _ in range(10):
                results.append(s.request("POST", "/v1/triage?now=" + NOW, incident))

        ts = [threading.Thread(target=worker) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        ref_body = s.request("POST", "/v1/triage?now=" + NOW, incident)[2]
        check(len(results) == 40 and all(r[0] == 200 and r[2] == ref_body for r in results),
              "40 concurrent requests on 2 workers give the same decision")
        check(any(l.get("msg") == "request" and l.get("status") == 413 for l in s.logs()), "a refused request is logged as JSON")

        # Keep-alive without the 40 ms Nagle/delayed-ACK stall (headers and body are two writes):
        # the median of 30 requests on one connection is far below 40 ms when TCP_NODELAY is set.
        import http.client
        conn = http.client.HTTPConnection(s.base[len("http://"):], timeout=DEADLINE)
        times = []
        for _ in range(30):
            t0 = time.monotonic()
            conn.request("POST", "/v1/triage?now=" + NOW, incident, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            times.append(time.monotonic() - t0)
        conn.close()
        med = sorted(times)[len(times) // 2]
        check(med < 0.030, f"keep-alive requests answer without a 40 ms stall (median {med * 1000:.1f} ms)")
    finally:
        rc = s.stop(signal.SIGTERM)
    check(rc == 0, f"SIGTERM stops the server with exit 0 ({rc})")
    logs = s.logs()
    check(any(l.get("msg") == "shutting down" and l.get("signal") == "SIGTERM" for l in logs), "the shutdown is logged")
    check(logs and logs[-1].get("msg") == "stopped", "the last log line says stopped")
    check(all("unparsed" not in l for l in logs), "every log line is JSON")

    # Start-up errors: a broken bundle refuses to start (exit 3), a bad listen address is a usage error.
    os.makedirs(WORK, exist_ok=True)
    badp = os.path.join(WORK, "bad.json")
    with open(badp, "w") as f:
        f.write('{"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "x"}, "spec": {"rules": [{"name": "r", "when": "nope("}]}}')
    r = subprocess.run([VERDICT, "serve", "--bundle", badp, "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=DEADLINE)
    check(r.returncode == 3 and "bundle error" in r.stderr, "a broken bundle is refused at start (exit 3)")
    r = subprocess.run([VERDICT, "serve", "--bundle", "policies/triage", "--listen", "nowhere"], cwd=SRC,
                       capture_output=True, text=True, timeout=DEADLINE)
    check(r.returncode == 4, "a bad --listen is a usage error (exit 4)")

    # SIGINT stops it too.
    s2 = Server("--bundle", "policies/triage/default.json")
    check(s2.stop(signal.SIGINT) == 0, "SIGINT stops the server with exit 0")


def prom_alert(name, **labels):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"labels": {"alertname": name, **labels}, "annotations": {"summary": name + " fired"},
            "startsAt": now, "generatorURL": "http://127.0.0.1/graph"}


def mode_alerts():
    s = Server(*BUNDLE)
    try:
        batch = [prom_alert("DiskFull", severity="warning", cluster="c1", service="billing"),
                 prom_alert("NodeDown", severity="critical", cluster="c1", node="n1")]
        st, ct, body = s.request("POST", "/api/v2/alerts", json.dumps(batch))
        check(st == 200 and body == "", f"POST /api/v2/alerts takes Prometheus's array: an empty 200 as Alertmanager answers ({st} {body[:200]})")
        st, ct, body = s.request("GET", "/api/v2/alerts")
        got = json.loads(body)
        check(st == 200 and sorted(a["labels"]["alertname"] for a in got) == ["DiskFull", "NodeDown"],
              "GET /api/v2/alerts lists the firing alerts")
        check(all(a["status"]["state"] == "active" and len(a["fingerprint"]) == 16 for a in got), "gettable alerts have state and fingerprint")
        # /v1/alerts answers the stream's decisions, one NDJSON line each.
        st, ct, body = s.request("POST", "/v1/alerts", json.dumps(batch[:1] + [prom_alert("Fresh", severity="warning", cluster="c2")]))
        lines = [json.loads(l) for l in body.split("\n") if l]
        check(st == 200 and ct.startswith("application/x-ndjson") and [l.get("decision") for l in lines if l.get("type") == "alert"] == ["duplicate", "new"],
              f"POST /v1/alerts answers a decision per alert: the same alert again is a duplicate ({body[:300]})")
        st, ct, body = s.request("GET", "/metrics")
        check('verdict_alert_events_total{decision="new"} 3' in body and 'verdict_alert_events_total{decision="duplicate"} 1' in body,
              "metrics count alert decisions")
        # The Alertmanager webhook v4 body on /v1/alerts (the sample's times moved to now: the
        # stream's clock is the server's, and time does not go back).
        hook = json.loads(read("samples/alertmanager-webhook.json"))
        for a in hook["alerts"]:
            a["startsAt"] = batch[0]["startsAt"]
        st, ct, body = s.request("POST", "/v1/alerts", json.dumps(hook))
        lines = [json.loads(l) for l in body.split("\n") if l]
        check(st == 200 and len([l for l in lines if l.get("type") == "alert"]) == len(hook["alerts"]),
              f"POST /v1/alerts takes a webhook v4 body: a decision per alert ({st} {body[:300]})")
        # A bad alert in a batch: the good one is taken, the answer is 400 with the error.
        mixed = json.dumps([prom_alert("Good", severity="warning"), {"labels": {}, "startsAt": batch[0]["startsAt"]}])
        st, ct, body = s.request("POST", "/api/v2/alerts", mixed)
        check(st == 400 and first_error(body)["code"] == "wrong_type", f"a batch with an alert without labels is 400 ({body[:200]})")
        names = [a["labels"]["alertname"] for a in json.loads(s.request("GET", "/api/v2/alerts")[2])]
        check("Good" in names, "and its good alert is taken")
        st, ct, body = s.request("POST", "/api/v2/alerts", "[{")
        check(st == 400 and first_error(body)["code"] == "invalid_json", "broken JSON on /api/v2/alerts is 400 invalid_json")
        st, ct, body = s.request("POST", "/v1/alerts?now=bad", "[]")
        check(st == 400, "a bad ?now on /v1/alerts is 400")
        # Silences through the API as amtool speaks it.
        now = time.time()
        sil = {"matchers": [{"name": "alertname", "value": "Disk.*", "isRegex": True, "isEqual": True}],
               "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 5)),
               "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)), "createdBy": "test", "comment": "maint"}
        st, ct, body = s.request("POST", "/api/v2/silences", json.dumps(sil))
        sid = json.loads(body).get("silenceID", "") if st == 200 else ""
        check(st == 200 and len(sid) == 36, f"POST /api/v2/silences answers a silenceID ({st} {body})")
        st, ct, body = s.request("GET", "/api/v2/silences")
        got = json.loads(body)
        check(st == 200 and len(got) == 1 and got[0]["id"] == sid and got[0]["status"]["state"] == "active"
              and got[0]["matchers"] == sil["matchers"] and got[0]["comment"] == "maint",
              f"GET /api/v2/silences gives it back with its matchers ({body})")
        st, ct, body = s.request("POST", "/v1/alerts", json.dumps([prom_alert("DiskSlow", severity="warning")]))
        check(json.loads(body.split("\n")[0]).get("silenced_by") == sid, "a new matching alert is silenced by it")
        st, ct, body = s.request("POST", "/api/v2/silences", json.dumps({"matchers": [], "startsAt": sil["startsAt"], "endsAt": sil["endsAt"]}))
        check(st == 400, "a silence without matchers is 400")
        bad = dict(sil, endsAt=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3600)))
        st, ct, body = s.request("POST", "/api/v2/silences", json.dumps(bad))
        check(st == 400 and first_error(body)["code"] == "invalid_argument", f"a silence ending before it starts is 400 ({body[:200]})")
        st, ct, body = s.request("DELETE", "/api/v2/silence/" + sid)
        check(st == 200, "DELETE /api/v2/silence/{id} expires it")
        st, ct, body = s.request("DELETE", "/api/v2/silence/no-such-id")
        check(st == 404, f"expiring an unknown silence is 404 ({st} {body})")
    finally:
        check(s.stop() == 0, "the alert server stops cleanly")


def mode_amtool():
    amtool = shutil.which("amtool")
    if not amtool:
        print("amtool is not installed (Debian: prometheus-alertmanager)")
        sys.exit(1)
    s = Server(*BUNDLE)
    try:
        url = "--alertmanager.url=" + s.base
        r = subprocess.run([amtool, url, "silence", "add", "alertname=Watchdog2", "service=~bill.*", "--comment=upgrade",
                            "--author=ops", "--duration=2h"], capture_output=True, text=True, timeout=DEADLINE)
        sid = r.stdout.strip()
        check(r.returncode == 0 and len(sid) == 36, f"amtool silence add prints the new id ({r.returncode} {r.stdout} {r.stderr})")
        r = subprocess.run([amtool, url, "silence", "query", "-o", "json"], capture_output=True, text=True, timeout=DEADLINE)
        got = json.loads(r.stdout or "[]") if r.returncode == 0 else []
        check(r.returncode == 0 and len(got) == 1 and got[0]["id"] == sid and got[0]["createdBy"] == "ops",
              f"amtool silence query finds it ({r.returncode} {r.stdout[:300]} {r.stderr})")
        ms = sorted((m["name"], m["value"], m["isRegex"]) for m in got[0]["matchers"]) if got else []
        check(ms == [("alertname", "Watchdog2", False), ("service", "bill.*", True)], f"with its matchers ({ms})")
        r = subprocess.run([amtool, url, "silence", "query", "-q"], capture_output=True, text=True, timeout=DEADLINE)
        check(r.returncode == 0 and r.stdout.strip() == sid, "amtool silence query -q prints the id")
        r = subprocess.run([amtool, url, "silence", "expire", sid], capture_output=True, text=True, timeout=DEADLINE)
        check(r.returncode == 0, f"amtool silence expire succeeds ({r.stderr})")
        r = subprocess.run([amtool, url, "silence", "query", "-q"], capture_output=True, text=True, timeout=DEADLINE)
        check(r.returncode == 0 and r.stdout.strip() == "", f"after expire no active silence ({r.stdout})")
        r = subprocess.run([amtool, url, "silence", "expire", sid], capture_output=True, text=True, timeout=DEADLINE)
        check(r.returncode != 0, "expiring it again fails")
        r = subprocess.run([amtool, url, "alert", "add", "alertname=FromAmtool", "severity=warning"],
                           capture_output=True, text=True, timeout=DEADLINE)
        check(r.returncode == 0, f"amtool alert add posts to /api/v2/alerts ({r.stderr})")
        r = subprocess.run([amtool, url, "alert", "query", "-o", "json"], capture_output=True, text=True, timeout=DEADLINE)
        got = json.loads(r.stdout or "[]") if r.returncode == 0 else []
        check(any(a["labels"].get("alertname") == "FromAmtool" for a in got), f"amtool alert query lists it ({r.stdout[:300]} {r.stderr})")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_journal():
    state = os.path.join(WORK, "state")
    shutil.rmtree(state, ignore_errors=True)
    s = Server(*BUNDLE, "--state", state)
    acked = []
    sids = []
    try:
        for i in range(20):
            st, _, _ = s.request("POST", "/api/v2/alerts", json.dumps([prom_alert(f"A{i}", severity="warning", cluster="c")]))
            if st == 200:
                acked.append(f"A{i}")
            if i % 5 == 0:
                now = time.time()
                sil = {"matchers": [{"name": "alertname", "value": f"S{i}", "isRegex": False}],
                       "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 5)),
                       "endsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)), "createdBy": "t", "comment": ""}
                st, _, body = s.request("POST", "/api/v2/silences", json.dumps(sil))
                if st == 200:
                    sids.append(json.loads(body)["silenceID"])
    finally:
        s.stop(signal.SIGKILL)  # kill -9: no snapshot, only the journal
    check(len(acked) == 20 and len(sids) == 4, "20 alerts and 4 silences acknowledged")
    check(not os.path.exists(os.path.join(state, "snapshot.json")), "kill -9 left no snapshot: the journal alone must restore")
    s = Server(*BUNDLE, "--state", state)
    try:
        names = sorted(a["labels"]["alertname"] for a in json.loads(s.request("GET", "/api/v2/alerts")[2]))
        check(names == sorted(acked), f"after kill -9 every acknowledged alert is back ({len(names)})")
        got = sorted(x["id"] for x in json.loads(s.request("GET", "/api/v2/silences")[2]))
        check(got == sorted(sids), "and every acknowledged silence")
        restored = s.wait_log(lambda j: j.get("msg") == "alert state restored")
        check(restored and restored["replayed"] == 24, f"24 journal records replayed ({restored})")
        st, _, body = s.request("POST", "/v1/alerts", json.dumps([prom_alert("A3", severity="warning", cluster="c")]))
        check(json.loads(body.split("\n")[0]).get("decision") == "duplicate", "a replayed alert is known: its repeat is a duplicate")
    finally:
        check(s.stop() == 0, "SIGTERM after replay exits 0")
    check(os.path.exists(os.path.join(state, "snapshot.json")) and os.path.getsize(os.path.join(state, "journal")) == 0,
          "a clean stop writes a snapshot and empties the journal")

    # A torn tail: half a record after the snapshot's journal. It is cut and logged; the rest is kept.
    s = Server(*BUNDLE, "--state", state)
    try:
        s.request("POST", "/api/v2/alerts", json.dumps([prom_alert("AfterSnap", severity="warning", cluster="c")]))
    finally:
        s.stop(signal.SIGKILL)
    jpath = os.path.join(state, "journal")
    good = os.path.getsize(jpath)
    with open(jpath, "ab") as f:
        f.write(b"R 999 2025-01-01T00:00:00Z 500 00000000000000\n{\"labels\":")
    s = Server(*BUNDLE, "--state", state)
    try:
        cut = s.wait_log(lambda j: j.get("msg") == "journal tail cut")
        check(cut is not None and cut["kept_bytes"] == good and cut["cut_bytes"] > 0, f"a torn tail is cut and logged ({cut})")
        names = [a["labels"]["alertname"] for a in json.loads(s.request("GET", "/api/v2/alerts")[2])]
        check("AfterSnap" in names and "A0" in names, "snapshot and journal before the tear both restored")
    finally:
        check(s.stop() == 0, "the server stops cleanly")
    check(os.path.getsize(jpath) == 0, "and the journal is empty after the snapshot")

    # A bounded kill -9 loop: each round acknowledges alerts, is killed, and restarts with all of them.
    shutil.rmtree(state, ignore_errors=True)
    acked, sent = [], []
    for rnd in range(3):
        s = Server(*BUNDLE, "--state", state, "--snapshot-every", "7")
        try:
            names = {a["labels"]["alertname"] for a in json.loads(s.request("GET", "/api/v2/alerts")[2])}
            # Every acknowledged alert is back; one journaled but killed before its answer may be too.
            check(set(acked) <= names <= set(sent), f"round {rnd}: all {len(acked)} acknowledged alerts present after kill -9")
            stop = threading.Event()

            def pump(r=rnd):
                i = 0
                while not stop.is_set() and i < 200:
                    sent.append(f"K{r}_{i}")
                    try:
                        st, _, _ = s.request("POST", "/api/v2/alerts", json.dumps([prom_alert(f"K{r}_{i}", severity="warning")]))
                    except Exception:
                        return
                    if st == 200:
                        acked.append(f"K{r}_{i}")
                    i += 1

            t = threading.Thread(target=pump)
            t.start()
            # Kill once some alerts are in, while the pump is still sending.
            end = time.monotonic() + DEADLINE
            while len([a for a in acked if a.startswith(f"K{rnd}_")]) < 10 and time.monotonic() < end and t.is_alive():
                time.sleep(0.01)
        finally:
            s.stop(signal.SIGKILL)
            stop.set()
            t.join(timeout=DEADLINE)
    s = Server(*BUNDLE, "--state", state)
    try:
        names = {a["labels"]["alertname"] for a in json.loads(s.request("GET", "/api/v2/alerts")[2])}
        check(set(acked) <= names <= set(sent), f"after 3 kill -9 rounds all {len(acked)} acknowledged alerts are present")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_prometheus():
    prom = shutil.which("prometheus")
    if not prom:
        print("prometheus is not installed (Debian: prometheus)")
        sys.exit(1)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    s = Server(*BUNDLE)
    p = None
    try:
        with open(os.path.join(WORK, "rules.yml"), "w") as f:
            f.write("groups:\n- name: verdict-test\n  interval: 1s\n  rules:\n"
                    "  - alert: VerdictTestAlwaysFiring\n    expr: vector(1)\n    labels: {severity: warning, service: billing}\n"
                    "    annotations: {summary: fires at once}\n")
        host_port = s.base[len("http://"):]
        with open(os.path.join(WORK, "prometheus.yml"), "w") as f:
            f.write("global: {evaluation_interval: 1s, scrape_interval: 15s}\n"
                    "rule_files: [rules.yml]\n"
                    "alerting:\n  alertmanagers:\n  - api_version: v2\n    static_configs:\n"
                    f"    - targets: ['{host_port}']\n")
        p = subprocess.Popen([prom, "--config.file=" + os.path.join(WORK, "prometheus.yml"),
                              "--storage.tsdb.path=" + os.path.join(WORK, "data"), "--web.listen-address=127.0.0.1:0",
                              # The first evaluation comes before the Alertmanager list is discovered; a resend
                              # delay of 1s (default 1m) sends it again as soon as verdict is known.
                              "--rules.alert.resend-delay=1s"],
                             cwd=WORK, stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "prometheus.log"), "w"))
        found = None
        end = time.monotonic() + 90
        while time.monotonic() < end and p.poll() is None:
            got = json.loads(s.request("GET", "/api/v2/alerts")[2])
            found = next((a for a in got if a["labels"].get("alertname") == "VerdictTestAlwaysFiring"), None)
            if found:
                break
            time.sleep(0.2)  # polling for the condition, bounded by the deadline
        check(found is not None and found["labels"].get("service") == "billing",
              "a real Prometheus delivers its firing alert to verdict's /api/v2/alerts")
        m = s.request("GET", "/metrics")[2]
        check('verdict_http_requests_total{route="/api/v2/alerts",status="200"}' in m, "the intake was answered 200")
    finally:
        if p is not None:
            p.terminate()
            try:
                p.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        check(s.stop() == 0, "the server stops cleanly")


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mode_alertmanager():
    am = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    amtool = shutil.which("amtool")
    if not am or not amtool:
        print("Alertmanager is not installed (Debian: prometheus-alertmanager)")
        sys.exit(1)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    s = Server(*BUNDLE)
    p = None
    try:
        # Alertmanager's webhook_configs pointing at verdict's /v1/alerts, with no group wait.
        with open(os.path.join(WORK, "alertmanager.yml"), "w") as f:
            f.write("route:\n  receiver: verdict\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\n"
                    "receivers:\n- name: verdict\n  webhook_configs:\n"
                    f"  - url: '{s.base}/v1/alerts'\n    send_resolved: true\n")
        port = free_port()  # Alertmanager does not log the port it got for :0
        p = subprocess.Popen([am, "--config.file=" + os.path.join(WORK, "alertmanager.yml"),
                              "--storage.path=" + os.path.join(WORK, "data"), f"--web.listen-address=127.0.0.1:{port}",
                              "--cluster.listen-address="],
                             cwd=WORK, stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "alertmanager.log"), "w"))
        url = f"--alertmanager.url=http://127.0.0.1:{port}"
        added = False
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and p.poll() is None and not added:
            r = subprocess.run([amtool, url, "alert", "add", "alertname=ViaAlertmanager", "severity=warning", "service=billing"],
                               capture_output=True, text=True, timeout=DEADLINE)
            added = r.returncode == 0
            if not added:
                time.sleep(0.2)  # Alertmanager still starting: poll, bounded by the deadline
        check(added, "amtool added an alert to the real Alertmanager")
        found = None
        while time.monotonic() < end + DEADLINE and p.poll() is None:
            got = json.loads(s.request("GET", "/api/v2/alerts")[2])
            found = next((a for a in got if a["labels"].get("alertname") == "ViaAlertmanager"), None)
            if found:
                break
            time.sleep(0.2)
        check(found is not None and found["labels"].get("service") == "billing",
              "a real Alertmanager delivers it to verdict through its webhook (v4) receiver")
        m = s.request("GET", "/metrics")[2]
        check('verdict_http_requests_total{route="/v1/alerts",status="200"}' in m, "the webhook was answered 200")
    finally:
        if p is not None:
            p.terminate()
            try:
                p.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        check(s.stop() == 0, "the server stops cleanly")


class Receiver:
    """A webhook receiver on 127.0.0.1: records every payload by path; `fail` says how many
    requests to a path are answered 500 first (None: always)."""

    def __init__(self, fail):
        import http.server
        self.got, self.cond, self.fail, self.calls = [], threading.Condition(), dict(fail), {}
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.cond:
                    n = outer.calls.get(self.path, 0)
                    outer.calls[self.path] = n + 1
                    f = outer.fail.get(self.path, 0)
                    ok = f is not None and n >= f
                    if ok:
                        outer.got.append((self.path, json.loads(body)))
                    outer.cond.notify_all()
                self.send_response(200 if ok else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.base = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def wait(self, pred, timeout=DEADLINE):
        end = time.monotonic() + timeout
        with self.cond:
            while not pred():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    def payloads(self, path):
        with self.cond:
            return [p for (q, p) in self.got if q == path]

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def metric(text, name):
    for l in text.split("\n"):
        if l.startswith(name + " "):
            return float(l.split()[-1])
    return 0.0


def mode_notify():
    """Group timers on the server clock, webhook v4 delivery with retries, no resend and no
    inhibited alert notified after a kill -9 and restart (Alertmanager #4064)."""
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    state = os.path.join(WORK, "state")
    pol = os.path.join(WORK, "notify.json")
    with open(pol, "w") as f:
        json.dump({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "notify-test"},
                   "spec": {"route": {"receiver": "tickets", "group_by": ["alertname"], "group_wait": "3s", "group_interval": "2s",
                                      "repeat_interval": "1h",
                                      "routes": [{"matchers": ["severity=\"critical\""], "receiver": "pager", "group_wait": "1s"},
                                                 {"matchers": ["severity=\"info\""], "receiver": "broken", "group_wait": "1s"}]},
                            "inhibit_rules": [{"name": "crit", "source_matchers": ["severity=\"critical\""],
                                               "target_matchers": ["severity=\"warning\""], "equal": ["alertname"]}],
                            "send_resolved": True}}, f)
    rx = Receiver({"/pager": 1, "/broken": None})
    recv = os.path.join(WORK, "receivers.json")
    with open(recv, "w") as f:
        json.dump({"receivers": [{"name": n, "webhook_configs": [{"url": rx.base + "/" + n}]} for n in ("pager", "tickets", "broken")]}, f)
    args = ["--bundle", pol, "--state", state, "--receivers", recv, "--notify-backoff-ms", "100", "--notify-attempts", "3",
            "--external-url", "http://verdict.example:8181"]
    ref = json.loads(read("tests/serve/alertmanager-webhook-v4.json"))  # what Debian's Alertmanager 0.25 sent
    s = Server(*args)
    try:
        batch = [prom_alert("Disk", severity="critical"), prom_alert("Disk", severity="warning"), prom_alert("Info", severity="info"),
                 {"labels": ref["alerts"][0]["labels"], "startsAt": prom_alert("x")["startsAt"]}]
        st, _, body = s.request("POST", "/api/v2/alerts", json.dumps(batch))
        check(st == 200, f"four alerts taken ({st} {body[:200]})")
        check(rx.wait(lambda: len([p for q, p in rx.got if q == "/pager"]) >= 1),
              "the critical group notifies its receiver on the server clock (group_wait 1s), after one failed attempt")
        check(rx.calls.get("/pager") == 2, f"the pager webhook was tried twice: 500, then 200 ({rx.calls})")
        p = rx.payloads("/pager")[0]
        check(list(p) == list(ref), f"the payload has Alertmanager's webhook v4 keys in its order ({list(p)})")
        check(list(p["alerts"][0]) == list(ref["alerts"][0]), f"and each alert Alertmanager's keys ({list(p['alerts'][0])})")
        check(p["version"] == "4" and p["receiver"] == "pager" and p["status"] == "firing" and p["groupLabels"] == {"alertname": "Disk"}
              and p["commonLabels"] == {"alertname": "Disk", "severity": "critical"} and p["groupKey"].endswith(':{alertname="Disk"}')
              and p["externalURL"] == "http://verdict.example:8181" and p["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z",
              f"version, receiver, status, group and common labels, groupKey, externalURL ({p})")
        check(rx.wait(lambda: len(rx.payloads("/tickets")) >= 1), "the warning route notifies after its group_wait (3s)")
        t = rx.payloads("/tickets")
        check(len(t) == 1 and t[0]["groupKey"] == ref["groupKey"] and t[0]["groupLabels"] == ref["groupLabels"]
              and t[0]["alerts"][0]["fingerprint"] == ref["alerts"][0]["fingerprint"] and t[0]["commonLabels"] == ref["commonLabels"],
              f"the same alert as Alertmanager's gets its groupKey, groupLabels and fingerprint ({t})")
        check(not any(a["labels"] == batch[1]["labels"] for x in t for a in x["alerts"]), "the inhibited warning is not notified")
        check(rx.wait(lambda: rx.calls.get("/broken", 0) >= 3), "a failing receiver is tried --notify-attempts times")
        m = ""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:  # each is counted after the receiver's answer: poll for them, bounded
            m = s.request("GET", "/metrics")[2]
            if (metric(m, 'verdict_notifications_failed_total{receiver="broken"}') == 1
                    and metric(m, 'verdict_notifications_sent_total{receiver="tickets"}') == 1):
                break
            time.sleep(0.05)
        check(metric(m, 'verdict_notifications_sent_total{receiver="pager"}') == 1
              and metric(m, 'verdict_notifications_retried_total{receiver="pager"}') == 1
              and metric(m, 'verdict_notifications_failed_total{receiver="broken"}') == 1
              and metric(m, 'verdict_notifications_retried_total{receiver="broken"}') == 2
              and metric(m, 'verdict_notifications_sent_total{receiver="tickets"}') == 1,
              "metrics count sent, retried and failed by receiver")
    finally:
        s.stop(signal.SIGKILL)
    # After kill -9: the journal replays the notifications, and those delivered are not sent again.
    s = Server(*args)
    try:
        restored = s.wait_log(lambda j: j.get("msg") == "alert state restored")
        check(restored and restored.get("notifications_pending") == 0, f"nothing pending after the replay ({restored})")
        # Prometheus re-sends the warning first (Alertmanager #4064: after a restart it notified
        # it, its inhibitor not yet known again); then a new warning whose notification comes after.
        st, _, body = s.request("POST", "/v1/alerts", json.dumps([{"labels": batch[1]["labels"], "startsAt": batch[1]["startsAt"]}]))
        check(st == 200 and json.loads(body.split("\n")[0]).get("decision") == "inhibited",
              f"after the restart the warning is still inhibited ({body[:300]})")
        st, _, _ = s.request("POST", "/api/v2/alerts", json.dumps([prom_alert("Later", severity="warning")]))
        check(rx.wait(lambda: any(a["labels"]["alertname"] == "Later" for x in rx.payloads("/tickets") for a in x["alerts"])),
              "a new alert after the restart is notified")
        check(len(rx.payloads("/pager")) == 1 and rx.calls.get("/pager") == 2, f"the pager notification is not sent again ({rx.calls})")
        check(not any(a["labels"] == batch[1]["labels"] for x in rx.payloads("/tickets") for a in x["alerts"]),
              "the inhibited warning is never notified")
        check(rx.calls.get("/broken") == 3, "the given-up notification is not retried after the restart")
    finally:
        check(s.stop() == 0, "the server stops cleanly")
        rx.stop()


def mode_intake():
    """PagerDuty Events v2 (POST /v2/enqueue) and Grafana's webhook (POST /v1/grafana) into the stream."""
    s = Server(*BUNDLE)
    try:
        ev = json.loads(read("samples/pagerduty-events.ndjson").split("\n")[0])
        ev["payload"]["timestamp"] = prom_alert("x")["startsAt"]  # the stream's clock is the server's
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps(ev))
        check(st == 202 and json.loads(body) == {"status": "success", "message": "Event processed", "dedup_key": ev["dedup_key"]},
              f"a trigger is 202 with PagerDuty's answer and its dedup_key ({st} {body})")
        got = json.loads(s.request("GET", "/api/v2/alerts")[2])
        pd = [a for a in got if a["labels"].get("alertname") == ev["payload"]["class"]]
        check(len(pd) == 1 and pd[0]["labels"].get("component") == "payments-api", f"it is a firing alert of the stream ({pd})")
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps({"routing_key": ev["routing_key"], "event_action": "resolve",
                                                                    "dedup_key": ev["dedup_key"]}))
        check(st == 202 and json.loads(body)["dedup_key"] == ev["dedup_key"], "a resolve with the dedup_key is 202")
        got = json.loads(s.request("GET", "/api/v2/alerts")[2])
        check(not any(a["labels"].get("alertname") == ev["payload"]["class"] for a in got), "and the alert no longer fires")
        t = {"routing_key": "k", "event_action": "trigger", "payload": {"summary": "s", "source": "h", "severity": "warning"}}
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps(t))
        j = json.loads(body)
        check(st == 202 and len(j["dedup_key"]) == 32, f"a trigger without dedup_key gets one made ({body})")
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps({"routing_key": "k", "event_action": "acknowledge", "dedup_key": j["dedup_key"]}))
        check(st == 202, "acknowledge is 202")
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps({"event_action": "trigger", "payload": {"summary": "s", "source": "h", "severity": "bad"}}))
        j = json.loads(body)
        check(st == 400 and j["status"] == "invalid event" and j["message"] == "Event object is invalid"
              and any("routing_key" in e for e in j["errors"]) and any("severity" in e for e in j["errors"]),
              f"a bad event is 400 in PagerDuty's error shape, every problem named ({body})")
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps({"routing_key": "k", "event_action": "resolve"}))
        check(st == 400 and "dedup_key" in body, "resolve without dedup_key is 400")
        st, ct, body = s.request("POST", "/v2/enqueue", "{")
        check(st == 400 and json.loads(body)["status"] == "invalid event", "broken JSON is 400 invalid event")
        st, ct, body = s.request("POST", "/v2/enqueue", json.dumps(dict(t, payload=dict(t["payload"], component=7))))
        check(st == 400 and "payload.component" in body, f"the stream's mapping errors come back in PagerDuty's shape ({body})")

        g = json.loads(read("samples/envelopes/grafana-webhook.json"))
        for a in g["alerts"]:
            a["startsAt"] = prom_alert("x")["startsAt"]
        st, ct, body = s.request("POST", "/v1/grafana", json.dumps(g))
        check(st == 200 and body == "", f"Grafana's webhook is taken: 200 ({st} {body[:200]})")
        got = json.loads(s.request("GET", "/api/v2/alerts")[2])
        check(any(a["labels"].get("alertname") == "High memory usage" for a in got), "its alerts fire in the stream")
        st, ct, body = s.request("POST", "/v1/grafana", json.dumps({"alerts": [{"labels": {}}], "version": "1"}))
        check(st == 400, f"a Grafana alert without labels is 400 ({body[:200]})")
    finally:
        check(s.stop() == 0, "the server stops cleanly")

    # A request's ?now= far in the past: the timer's push at the server clock is beyond the
    # policy's time.max_gap and fails. It must be retried once a second and logged once, not spin.
    s = Server("--bundle", "policies/alerts/default.json")
    try:
        s.request("POST", "/v1/alerts?now=2025-03-14T10:00:00Z",
                  json.dumps([{"labels": {"alertname": "Old", "severity": "critical"}, "startsAt": "2025-03-14T10:00:00Z"}]))
        check(s.wait_log(lambda j: j.get("msg", "").startswith("timer push failed")) is not None, "a failing timer push is logged")
        t0 = time.monotonic()
        n0 = len(s.logs())
        while time.monotonic() - t0 < 2.0:  # an observation window: the failing timer must stay quiet in it
            s.request("GET", "/healthz")
        fails = [l for l in s.logs() if l.get("msg", "").startswith("timer push failed")]
        check(len(fails) == 1 and len(s.logs()) - n0 < 5, f"and retried quietly: logged once, no spin ({len(fails)} lines)")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_saturate():
    """Slow clients are cut after --read-timeout-ms, a flood beyond --max-queued is answered 503
    with Retry-After, and normal requests are served within their bound meanwhile."""
    import socket
    s = Server("--bundle", "policies/triage/default.json", "--threads", "2", "--max-queued", "4", "--read-timeout-ms", "1500",
               "--keep-alive-ms", "1000")
    host, port = s.base[len("http://"):].split(":")
    incident = read("samples/servicenow-incident.json")

    def slow():  # slowloris: a request line and half a header, then silence
        c = socket.create_connection((host, int(port)), timeout=DEADLINE)
        c.sendall(b"POST /v1/triage HTTP/1.1\r\nHost: x\r\nContent-Ty")
        return c

    def closed_within(c, bound):
        c.settimeout(bound)
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except OSError:
            return True
        finally:
            c.close()

    try:
        held = [slow() for _ in range(2)]  # every worker holds a slow client
        t0 = time.monotonic()
        st, _, body = s.request("POST", "/v1/triage?now=" + NOW, incident)
        took = time.monotonic() - t0
        check(st == 200 and took < 1.5 + 5, f"with every worker held by a slow client a request is served within the read timeout ({st} {took:.2f} s)")
        check(all(closed_within(c, 1.5 + 5) for c in held), "the slow clients are cut by the read timeout")

        # A flood while both workers are held: four connections wait (the slow ones among them if no
        # worker took them yet: the queue is 4 so that a slow machine still has room for the one
        # normal request above), the rest are refused at once.
        held = [slow() for _ in range(2)]
        results = []

        def one():
            import http.client
            conn = http.client.HTTPConnection(host, int(port), timeout=DEADLINE)
            try:
                t = time.monotonic()
                conn.request("POST", "/v1/triage?now=" + NOW, incident, {"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                results.append((r.status, r.getheader("Retry-After"), time.monotonic() - t))
            except Exception as e:  # a refused connection must still get an answer: count it
                results.append((0, str(e), 0))
            finally:
                conn.close()

        ts = [threading.Thread(target=one) for _ in range(12)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=DEADLINE)
        refused = [r for r in results if r[0] == 503]
        check(len(results) == 12 and all(r[0] in (200, 503) for r in results), f"every flood request is answered ({results})")
        # "At once": answered without waiting in the queue (bounded loosely for a loaded CI machine).
        check(len(refused) >= 1 and all(r[1] == "1" for r in refused) and all(r[2] < 3.0 for r in refused),
              f"beyond --max-queued requests are refused with 503 and Retry-After at once ({len(refused)} refused, "
              f"slowest {max([r[2] for r in refused], default=0):.2f} s)")
        for c in held:
            c.close()
        st, _, _ = s.request("POST", "/v1/triage?now=" + NOW, incident)
        check(st == 200, "after the flood requests are served")
        m = s.request("GET", "/metrics")[2]
        check(metric(m, "verdict_connections_refused_total") == len(refused), "refusals are counted")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_reload():
    """Bundle reload under load: a changed file is swapped in, a broken one refused with its
    errors in /v1/policies while the old bundle keeps serving, SIGHUP reloads."""
    shutil.rmtree(WORK, ignore_errors=True)
    bdir = os.path.join(WORK, "bundle")
    os.makedirs(bdir)
    src = read("policies/rules/incident-basics.json")
    pfile = os.path.join(bdir, "basics.json")

    def write(path, text):  # whole files only: write aside, then rename
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    write(pfile, src)
    incident = read("samples/servicenow-incident.json")

    def policies(srv):
        return json.loads(srv.request("GET", "/v1/policies")[2])

    def until(pred):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if pred():
                return True
            time.sleep(0.05)  # polling the condition, bounded
        return False

    s = Server("--bundle", bdir, "--threads", "2", "--watch-ms", "100")
    statuses, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            statuses.append(s.request("POST", "/v1/eval/incident-basics?now=" + NOW, incident)[0])

    ts = [threading.Thread(target=load) for _ in range(2)]
    try:
        for t in ts:
            t.start()
        first = policies(s)["bundle"]
        write(pfile, src.replace('"version": "1.0.0"', '"version": "1.0.1"', 1))
        check(until(lambda: policies(s)["bundle"] != first), "a changed policy file is reloaded")
        check(policies(s)["policies"][0]["version"] == "1.0.1", "the new version serves")
        second = policies(s)["bundle"]
        write(os.path.join(bdir, "broken.json"), '{"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "b"},\n "spec": {"rules": [{"name": "r", "when": "nope("}]}}')
        check(until(lambda: "reload_errors" in policies(s)), "a broken file is refused")
        p = policies(s)
        check(p["bundle"] == second and any("broken.json" in e for e in p["reload_errors"]["errors"]),
              f"its errors are in /v1/policies and the old bundle keeps serving ({p.get('reload_errors')})")
        check(s.wait_log(lambda j: j.get("msg", "").startswith("bundle reload refused")) is not None, "and in the log")
        os.remove(os.path.join(bdir, "broken.json"))
        check(until(lambda: "reload_errors" not in policies(s)), "fixing it reloads")
        n = len(statuses)
        check(until(lambda: len(statuses) > n + 10), "requests go on after the reloads")
        stop.set()
        for t in ts:
            t.join(timeout=DEADLINE)
        check(len(statuses) > 20 and all(x == 200 for x in statuses),
              f"every request during the reloads is answered 200 ({len(statuses)} requests, {sorted(set(statuses))})")
        m = s.request("GET", "/metrics")[2]
        check(metric(m, 'verdict_bundle_reloads_total{result="ok"}') >= 2 and metric(m, 'verdict_bundle_reloads_total{result="error"}') >= 1,
              "reloads are counted")
    finally:
        stop.set()
        check(s.stop() == 0, "the server stops cleanly")
    # SIGHUP, with the file watch off.
    s = Server("--bundle", bdir, "--watch-ms", "0")
    try:
        first = policies(s)["bundle"]
        write(pfile, src.replace('"version": "1.0.0"', '"version": "2.0.0"', 1))
        s.proc.send_signal(signal.SIGHUP)
        check(until(lambda: policies(s)["bundle"] != first), "SIGHUP reloads the bundle")
        check(s.proc.poll() is None, "and the server keeps running")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_auth():
    """Bearer tokens from a file; health and metrics open by default, configurable."""
    os.makedirs(WORK, exist_ok=True)
    tf = os.path.join(WORK, "tokens")
    with open(tf, "w") as f:
        f.write("# ops\nfirst-token\n\n  s3cret-token  \n")
    incident = read("samples/servicenow-incident.json")
    s = Server("--bundle", "policies/triage/default.json", "--auth-token-file", tf)
    try:
        st, _, body = s.request("POST", "/v1/triage?now=" + NOW, incident)
        check(st == 401 and first_error(body)["message"].startswith("this endpoint needs"), f"no token is 401 ({st} {body[:200]})")
        req = urllib.request.Request(s.base + "/v1/policies")
        try:
            urllib.request.urlopen(req, timeout=DEADLINE)
            www = None
        except urllib.error.HTTPError as e:
            www = e.headers.get("WWW-Authenticate")
        check(www is not None and www.startswith("Bearer"), f"with WWW-Authenticate: Bearer ({www})")
        st, _, _ = s.request("POST", "/v1/triage?now=" + NOW, incident, headers={"Authorization": "Bearer s3cret-tokeX"})
        check(st == 401, "a wrong token is 401")
        st, _, _ = s.request("POST", "/v1/triage?now=" + NOW, incident, headers={"Authorization": "Bearer s3cret-token"})
        check(st == 200, "a token of the file is 200 (spaces around it trimmed)")
        st, _, _ = s.request("GET", "/v1/policies", headers={"Authorization": "Bearer first-token"})
        check(st == 200, "any token of the file is taken")
        check(s.request("GET", "/healthz")[0] == 200 and s.request("GET", "/metrics")[0] == 200, "health and metrics are open by default")
        check('verdict_http_requests_total{route="unauthorized",status="401"} 3' in s.request("GET", "/metrics")[2], "401s are counted")
    finally:
        check(s.stop() == 0, "the server stops cleanly")
    s = Server("--bundle", "policies/triage/default.json", "--auth-token-file", tf, "--auth-open", "/readyz")
    try:
        check(s.request("GET", "/healthz")[0] == 401 and s.request("GET", "/readyz")[0] == 200, "--auth-open names the open paths")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_tls():
    """--tls-cert/--tls-key: HTTPS with a self-signed certificate made by openssl; plain HTTP to that port fails."""
    import socket
    import ssl
    os.makedirs(WORK, exist_ok=True)
    cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ed25519", "-keyout", key, "-out", cert, "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=DEADLINE)
    r = cli("serve", "--bundle", "policies/triage/default.json", "--listen", "127.0.0.1:0", "--tls-cert", cert)
    check(r.returncode != 0 and "--tls-key" in r.stderr, "--tls-cert without --tls-key is refused")
    s = Server("--bundle", "policies/triage/default.json", "--tls-cert", cert, "--tls-key", key)
    try:
        host, port = s.base[len("http://"):].rsplit(":", 1)
        ctx = ssl.create_default_context(cafile=cert)
        req = urllib.request.Request("https://127.0.0.1:" + port + "/v1/triage?now=" + NOW,
                                     data=read("samples/servicenow-incident.json").encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=DEADLINE, context=ctx) as resp:
            body = json.loads(resp.read().decode())
            check(resp.status == 200 and "decision" in json.dumps(body), "a decision over HTTPS, the certificate verified as CA")
        try:
            urllib.request.urlopen(s.base + "/healthz", timeout=DEADLINE)
            check(False, "plain HTTP to the TLS port fails")
        except (urllib.error.URLError, ConnectionError, http_client_errors()) as e:
            check(True, f"plain HTTP to the TLS port fails ({type(e).__name__})")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def http_client_errors():
    import http.client
    return http.client.HTTPException


def refused_start(*args, timeout=30):
    """Runs `verdict serve ARGS` that must refuse to start: (exit code, its log lines)."""
    try:
        r = subprocess.run([VERDICT, "serve", "--listen", "127.0.0.1:0", *args], cwd=SRC, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, []
    logs = []
    for l in r.stderr.splitlines():
        try:
            logs.append(json.loads(l))
        except ValueError:
            logs.append({"unparsed": l})
    return r.returncode, logs


def mode_signed():
    """Signed bundles: keygen (secret 0600), sign, serve --verify-key; a tampered, unsigned or
    wrongly signed bundle is refused at start (exit 3) and at reload (the old one keeps serving)."""
    import stat
    shutil.rmtree(WORK, ignore_errors=True)
    bdir = os.path.join(WORK, "bundle")
    os.makedirs(bdir)
    src = read("policies/rules/incident-basics.json")
    pfile = os.path.join(bdir, "basics.json")
    with open(pfile, "w") as f:
        f.write(src)
    key, other = os.path.join(WORK, "ops"), os.path.join(WORK, "other")
    r = cli("bundle", "keygen", key)
    check(r.returncode == 0 and os.path.exists(key + ".pub") and os.path.exists(key + ".key"), f"keygen writes NAME.pub and NAME.key ({r.stderr})")
    check(stat.S_IMODE(os.stat(key + ".key").st_mode) == 0o600, "the secret key file is mode 0600")
    r = cli("bundle", "keygen", key)
    check(r.returncode == 3 and "exists" in r.stderr, "keygen overwrites nothing")
    check(cli("bundle", "keygen", other).returncode == 0, "a second key pair")
    data = ["-d", "samples/cmdb.json"]
    r = cli("bundle", "sign", bdir, "--key", key + ".key", *data)
    check(r.returncode == 0 and os.path.exists(os.path.join(bdir, ".signature")), f"sign writes BUNDLE/.signature ({r.stdout}{r.stderr})")
    check(cli("bundle", "verify", bdir, "--key", key + ".pub", *data).returncode == 0, "verify: a good signature")
    check(cli("bundle", "verify", bdir, "--key", key + ".pub").returncode == 3, "verify: the data are part of what is signed")
    os.chmod(other + ".key", 0o644)
    r = cli("bundle", "sign", bdir, "--key", other + ".key", *data)
    check(r.returncode == 3 and "chmod 600" in r.stderr, f"a secret key others can read is refused ({r.stderr.strip()})")
    os.chmod(other + ".key", 0o600)

    incident = read("samples/servicenow-incident.json")
    s = Server("--bundle", bdir, *data, "--verify-key", key + ".pub", "--watch-ms", "0")
    try:
        st, _, body = s.request("POST", "/v1/eval/incident-basics?now=" + NOW, incident)
        check(st == 200, "a signed bundle serves")
        p = json.loads(s.request("GET", "/v1/policies")[2])
        first = p["bundle"]
        check(p.get("signed_by") == open(key + ".pub").read().split("key id ")[1].split()[0], "/v1/policies names the key")
        # Tampered: the policy changes, the signature stays. SIGHUP: refused, the old bundle serves.
        with open(pfile, "w") as f:
            f.write(src.replace('"version": "1.0.0"', '"version": "6.6.6"', 1))
        s.proc.send_signal(signal.SIGHUP)
        line = s.wait_log(lambda j: j.get("msg", "").startswith("bundle reload refused"))
        check(line is not None and "changed since it was signed" in json.dumps(line), f"a tampered bundle is refused at reload ({line})")
        p = json.loads(s.request("GET", "/v1/policies")[2])
        check(p["bundle"] == first and any("signature" in e for e in p.get("reload_errors", {}).get("errors", [])),
              f"the error is in /v1/policies and the old bundle keeps serving ({p.get('reload_errors')})")
        check(s.request("POST", "/v1/eval/incident-basics?now=" + NOW, incident)[0] == 200, "and decides")
        # Re-signed: the next reload takes it.
        check(cli("bundle", "sign", bdir, "--key", key + ".key", *data).returncode == 0, "re-signed")
        s.proc.send_signal(signal.SIGHUP)
        check(s.wait_log(lambda j: j.get("msg") == "bundle reloaded") is not None, "the re-signed bundle is reloaded")
        p = json.loads(s.request("GET", "/v1/policies")[2])
        check(p["bundle"] != first and "reload_errors" not in p and p["policies"][0]["version"] == "6.6.6", "and serves")
        # Signed with another key: refused at reload.
        check(cli("bundle", "sign", bdir, "--key", other + ".key", *data).returncode == 0, "signed with the other key")
        s.proc.send_signal(signal.SIGHUP)
        line = s.wait_log(lambda j: j.get("msg", "").startswith("bundle reload refused") and "not by the configured key" in json.dumps(j))
        check(line is not None, "a bundle signed with another key is refused at reload")
    finally:
        check(s.stop() == 0, "the server stops cleanly")

    rc, logs = refused_start("--bundle", bdir, *data, "--verify-key", key + ".pub")
    check(rc == 3 and any("not by the configured key" in json.dumps(l) for l in logs), f"wrong key: refused at start, exit 3 ({rc})")
    # A forged signature: the key id edited to the configured key's, the bytes another key's.
    sig = json.load(open(os.path.join(bdir, ".signature")))
    sig["key_id"] = p["signed_by"]
    with open(os.path.join(bdir, ".signature"), "w") as f:
        json.dump(sig, f)
    rc, logs = refused_start("--bundle", bdir, *data, "--verify-key", key + ".pub")
    check(rc == 3 and any("does not verify" in json.dumps(l) for l in logs), f"a forged signature: refused at start ({rc})")
    check(cli("bundle", "sign", bdir, "--key", key + ".key", *data).returncode == 0, "signed again")
    with open(pfile, "w") as f:
        f.write(src)
    rc, logs = refused_start("--bundle", bdir, *data, "--verify-key", key + ".pub")
    check(rc == 3 and any("changed since it was signed" in json.dumps(l) for l in logs), f"tampered: refused at start ({rc})")
    os.remove(os.path.join(bdir, ".signature"))
    rc, logs = refused_start("--bundle", bdir, *data, "--verify-key", key + ".pub")
    check(rc == 3 and any("not signed" in json.dumps(l) for l in logs), f"unsigned: refused at start when a key is set ({rc})")
    s = Server("--bundle", bdir, *data)
    try:
        check(s.request("POST", "/v1/eval/incident-basics?now=" + NOW, incident)[0] == 200, "without --verify-key an unsigned bundle serves")
    finally:
        check(s.stop() == 0, "the server stops cleanly")
    rc, logs = refused_start("--bundle", pfile, "--verify-key", key + ".pub")
    check(rc == 4 and any("one folder" in json.dumps(l) for l in logs), "--verify-key needs the bundle as one folder (exit 4)")


def mode_decisionlog():
    """--decision-log: a record per decision with its fields, rotation at the size, nothing lost
    across rotations or at SIGTERM (the records are counted)."""
    import hashlib
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    log = os.path.join(WORK, "decisions.ndjson")
    nd = read("samples/incidents.ndjson")
    nd_lines = [l for l in nd.split("\n") if l.strip()]
    incident = read("samples/servicenow-incident.json")
    s = Server("--bundle", "policies/triage/default.json", "-d", "samples/cmdb.json", "--threads", "2",
               "--decision-log", log, "--decision-log-max-bytes", "20000", "--decision-log-keep", "50")
    decided = [0]
    lock = threading.Lock()

    def send(n):
        for _ in range(n):
            st, _, body = s.request("POST", "/v1/triage?now=" + NOW, nd, "application/x-ndjson")
            st2, _, _ = s.request("POST", "/v1/triage?now=" + NOW, incident)
            with lock:
                decided[0] += (len([l for l in body.split("\n") if l]) if st == 200 else 0) + (1 if st2 == 200 else 0)

    try:
        ts = [threading.Thread(target=send, args=(6,)) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=DEADLINE)
        bundle = json.loads(s.request("GET", "/v1/policies")[2])["bundle"]
    finally:
        check(s.stop() == 0, "SIGTERM right after the last answer: the server stops cleanly")
    files = [log] + sorted([os.path.join(WORK, f) for f in os.listdir(WORK) if f.startswith("decisions.ndjson.")],
                           key=lambda p: int(p.rsplit(".", 1)[1]))
    sizes = [os.path.getsize(f) for f in files]
    check(len(files) >= 4 and all(0 < z <= 20000 for z in sizes), f"rotated at the size: {len(files)} files, each <= 20000 bytes ({sizes})")
    check([int(f.rsplit(".", 1)[1]) for f in files[1:]] == list(range(1, len(files))), "rotated files are FILE.1 .. FILE.N")
    records = []
    for f in reversed(files):  # oldest first
        with open(f, encoding="utf-8") as fh:
            records += [json.loads(l) for l in fh if l.strip()]
    check(decided[0] == 12 * (len(nd_lines) + 1) and len(records) == decided[0],
          f"nothing lost across rotations and SIGTERM: {len(records)} records for {decided[0]} decisions")
    r = next(x for x in records if "line" in x)
    check(list(r.keys()) == ["time", "route", "policy", "kind", "bundle", "input_sha256", "line", "latency_ms", "decision"],
          f"a record's fields ({list(r.keys())})")
    check(r["policy"] == "default-triage" and r["kind"] == "TriageRouting" and r["bundle"] == bundle and r["route"] == "/v1/triage"
          and r["decision"]["line"] == r["line"] and r["decision"]["policy"]["name"] == "default-triage" and r["latency_ms"] >= 0
          and r["time"][:4] == time.strftime("%Y", time.gmtime()), "policy, kind, bundle, route, time, latency and the decision")
    check(r["input_sha256"] == hashlib.sha256(nd.split("\n")[r["line"] - 1].encode()).hexdigest(),
          "an NDJSON record's input_sha256 is the SHA-256 of its line")
    one = next(x for x in records if "line" not in x)
    check(one["input_sha256"] == hashlib.sha256(incident.encode()).hexdigest(), "a JSON document's input_sha256 is the body's")
    # keep 2: older rotations are removed.
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    s = Server("--bundle", "policies/triage/default.json", "-d", "samples/cmdb.json",
               "--decision-log", log, "--decision-log-max-bytes", "20000", "--decision-log-keep", "2")
    try:
        for _ in range(8):
            s.request("POST", "/v1/triage?now=" + NOW, nd, "application/x-ndjson")
    finally:
        check(s.stop() == 0, "the server stops cleanly")
    check(sorted(os.listdir(WORK)) == ["decisions.ndjson", "decisions.ndjson.1", "decisions.ndjson.2"],
          f"--decision-log-keep 2 keeps FILE.1 and FILE.2 ({sorted(os.listdir(WORK))})")


def mode_deadline():
    """--request-timeout-ms: a decision request that runs past it is answered 503 limit_exceeded
    while the server keeps serving."""
    incident = read("samples/servicenow-incident.json")
    # A policy whose every decision costs about 25,000 steps (0.4 ms here), within the step budget:
    # 5,000 lines are about 2 s of work in a 155 kB body that arrives at once.
    import re as _re
    os.makedirs(WORK, exist_ok=True)
    slow = os.path.join(WORK, "slow.json")
    l90 = json.dumps(list(range(90)))
    with open(slow, "w") as f:
        json.dump({"apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "slow"},
                   "spec": {"input": "incident", "rules": [{"name": "busy", "when": f"{l90}.all(i, {l90}.all(j, i + j >= 0))",
                                                            "set": {"page": "true"}}]}}, f)
    line = json.dumps({"kind": "incident", "id": "INC-1"})
    big = "\n".join([line] * 5000) + "\n"
    s = Server("--bundle", "policies/triage/default.json", "--bundle", slow, "-d", "samples/cmdb.json", "--threads", "2",
               "--request-timeout-ms", "200")
    try:
        t0 = time.monotonic()
        st, ct, body = s.request("POST", "/v1/eval/slow?now=" + NOW, big, "application/x-ndjson")
        took = time.monotonic() - t0
        e = first_error(body) if st != 200 else {}
        m = _re.search(r"stopped after (\d+) decisions", e.get("message", ""))
        check(st == 503 and e.get("code") == "limit_exceeded" and "--request-timeout-ms (200 ms)" in e.get("message", ""),
              f"5,000 costly lines past a 200 ms deadline: 503 limit_exceeded ({st} {body[:220]}, {took:.2f} s)")
        check(m is not None and 0 < int(m.group(1)) < 5000, "the evaluation was stopped part-way (some decisions made, not all)")
        st, _, body = s.request("POST", "/v1/eval/slow?now=" + NOW, "\n".join([line] * 3), "application/x-ndjson")
        check(st == 200 and len(body.strip().split("\n")) == 3, "the same policy on 3 lines is decided within the deadline")
        check(s.wait_log(lambda j: j.get("msg") == "request deadline exceeded") is not None, "logged")
        st, _, body = s.request("POST", "/v1/triage?now=" + NOW, incident)
        check(st == 200 and json.loads(body)["ok"], "the server keeps serving")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


def mode_authreload():
    """SIGHUP re-reads --auth-token-file: a rotated token works without a restart, the old one
    is refused; an empty file is refused and the tokens in use stay."""
    os.makedirs(WORK, exist_ok=True)
    tf = os.path.join(WORK, "tokens")

    def write(text):  # whole files only: write aside, then rename
        with open(tf + ".tmp", "w") as f:
            f.write(text)
        os.replace(tf + ".tmp", tf)

    def status(token):
        return s.request("GET", "/v1/policies", headers={"Authorization": "Bearer " + token})[0]

    write("old-token\n")
    s = Server("--bundle", "policies/triage/default.json", "--auth-token-file", tf, "--watch-ms", "0")
    try:
        check(status("old-token") == 200 and status("new-token") == 401, "before: the old token works, the new one not")
        write("# rotated\nnew-token\n")
        s.proc.send_signal(signal.SIGHUP)
        check(s.wait_log(lambda j: j.get("msg") == "tokens reloaded") is not None, "SIGHUP reloads the token file")
        check(status("new-token") == 200 and status("old-token") == 401, "after: the new token works, the old one is refused")
        write("# nothing\n")
        s.proc.send_signal(signal.SIGHUP)
        check(s.wait_log(lambda j: j.get("msg", "").startswith("token file reload refused")) is not None, "an empty token file is refused")
        check(status("new-token") == 200 and s.request("GET", "/v1/policies")[0] == 401, "and the tokens in use stay (never open to all)")
    finally:
        check(s.stop() == 0, "the server stops cleanly")


MODES = {"tls": mode_tls, "auth": mode_auth, "reload": mode_reload, "saturate": mode_saturate, "intake": mode_intake, "notify": mode_notify, "api": mode_api, "alerts": mode_alerts, "amtool": mode_amtool, "journal": mode_journal, "prometheus": mode_prometheus, "alertmanager": mode_alertmanager}
MODES.update({"signed": mode_signed, "decisionlog": mode_decisionlog, "deadline": mode_deadline, "authreload": mode_authreload})
if __name__ == "__main__":  # cluster_test.py imports the helpers above
    MODES[MODE]()
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)
