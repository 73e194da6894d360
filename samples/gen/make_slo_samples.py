#!/usr/bin/env python3
"""Writes the SLO samples under samples/slo/ (docs/budget.md): Northwind's SLOs in the
native, OpenSLO and Sloth shapes, and 30 days of SLI data up to the samples' story time,
2025-03-14T10:00:00Z, as native 5-minute series and as Prometheus query_range responses.

Deterministic (fixed seeds): running it again writes the same bytes.
  python3 samples/gen/make_slo_samples.py [--out samples/slo]

The data tells the samples' story (samples/README.md):
- payments-api-availability (99.9%, 30d): a quiet month, then the 17-minute outage of
  postgres-payments-01 on 2025-03-14 from 08:02: about 70% of the budget spent, the 1-day
  ticket alert firing at 10:00 (warning: notify, require approval).
- auth-service-availability (99.95%, 30d): an identity-provider degradation on 3 and 4 March
  spent the budget (exhausted: releases frozen).
- checkout-web-latency (OpenSLO, 99.5% under 800 ms, 28d): healthy, a quarter of the budget
  spent (notify).
- orders-api-requests-availability (Sloth, 99.9%, 30d): healthy; its counters reset at a
  deploy on 2025-03-10 14:00.
- auth-service-login-latency (native latency SLI, 99% under 300 ms, 7d): raw latencies.
"""
import argparse
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone

NOW = datetime(2025, 3, 14, 10, 0, tzinfo=timezone.utc)
START = NOW - timedelta(days=30)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def diurnal(t, base):
    """Requests per interval: quiet at night (UTC), busy in the European afternoon."""
    h = t.hour + t.minute / 60
    return base * (0.55 + 0.45 * math.sin((h - 8) / 24 * 2 * math.pi) + 0.25)


def bad_of(rng, total, rate):
    # A binomial draw, approximated: mean total*rate with Poisson-like noise.
    mean = total * rate
    if mean <= 0:
        return 0
    return max(0, min(total, int(round(rng.gauss(mean, math.sqrt(mean))))))


def series_lines(slo, step_min, per_interval, error_rate, seed, use_bad=True):
    """One native series line per UTC day, ending at NOW."""
    rng = random.Random(seed)
    lines = []
    t = START + timedelta(minutes=step_min)
    day = None
    cur = None
    while t <= NOW:
        if t.date() != day or cur is None:
            if cur:
                lines.append(cur)
            day = t.date()
            cur = {"slo": slo, "start": iso(t), "step": f"{step_min}m", "total": [], ("bad" if use_bad else "good"): []}
        total = int(round(diurnal(t, per_interval) * rng.uniform(0.93, 1.07)))
        total, rate = error_rate(t, total)
        bad = bad_of(rng, total, rate)
        cur["total"].append(total)
        cur["bad" if use_bad else "good"].append(bad if use_bad else total - bad)
        t += timedelta(minutes=step_min)
    lines.append(cur)
    return lines


def payments_rate(t, total):
    outage_start = datetime(2025, 3, 14, 8, 2, tzinfo=timezone.utc)
    outage_end = datetime(2025, 3, 14, 8, 19, tzinfo=timezone.utc)
    interval_start = t - timedelta(minutes=5)
    overlap = (min(t, outage_end) - max(interval_start, outage_start)).total_seconds()
    if overlap > 0:
        share = overlap / 300
        return int(total * (1 - 0.3 * share)), 0.0003 + 0.92 * share
    return total, 0.0003


def auth_rate(t, total):
    if datetime(2025, 3, 3, 6, tzinfo=timezone.utc) < t <= datetime(2025, 3, 4, 18, tzinfo=timezone.utc):
        return total, 0.0083
    return total, 0.0002


def checkout_rate(t, total):
    # Good = requests served under 800 ms.
    if datetime(2025, 3, 14, 8, 2, tzinfo=timezone.utc) < t <= datetime(2025, 3, 14, 8, 25, tzinfo=timezone.utc):
        return total, 0.05
    return total, 0.0014


def prometheus_counters(seed):
    """orders-api: cumulative http_requests_total and its 5xx part, every 10 minutes, one
    series per pod (two pods), with a reset of both at the deploy on 2025-03-10 14:00."""
    rng = random.Random(seed)
    deploy = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)
    result_total, result_bad = [], []
    for pod in ("orders-api-7d9f-1", "orders-api-7d9f-2"):
        total_c, bad_c = rng.randint(10_000_000, 20_000_000), rng.randint(5_000, 9_000)
        vt, vb = [], []
        t = START
        while t <= NOW:
            if t == deploy:
                total_c, bad_c = 0, 0
            inc = int(round(diurnal(t, 2400) * rng.uniform(0.9, 1.1)))
            total_c += inc
            bad_c += bad_of(rng, inc, 0.00012)
            ts = int(t.timestamp())
            vt.append([ts, str(total_c)])
            vb.append([ts, str(bad_c)])
            t += timedelta(minutes=10)
        metric = {"service": "orders-api", "pod": pod}
        result_total.append({"metric": dict(metric, __name__="http_requests_total"), "values": vt})
        result_bad.append({"metric": dict(metric, __name__="http_requests_total", code="5xx"), "values": vb})
    def response(result):
        return {"status": "success", "data": {"resultType": "matrix", "result": result}}
    return [
        {"slo": "orders-api-requests-availability", "series": "bad", "type": "counter", "response": response(result_bad)},
        {"slo": "orders-api-requests-availability", "series": "total", "type": "counter", "response": response(result_total)},
    ]


NATIVE = {
    "slos": [
        {"kind": "slo", "name": "payments-api-availability", "service": "payments-api", "objective": 99.9, "window": "30d",
         "description": "Share of payments-api requests answered without a 5xx", "sli": {"type": "ratio"}},
        {"kind": "slo", "name": "auth-service-availability", "service": "auth-service", "objective": 99.95, "window": "30d",
         "description": "Share of logins and token refreshes that succeed", "sli": {"type": "ratio"}},
    ]
}

OPENSLO = {
    "apiVersion": "openslo/v1",
    "kind": "SLO",
    "metadata": {"name": "checkout-web-latency", "displayName": "Checkout pages under 800 ms"},
    "spec": {
        "description": "Share of checkout page loads served in under 800 ms",
        "service": "checkout-web",
        "indicator": {
            "metadata": {"name": "checkout-web-fast-requests"},
            "spec": {"ratioMetric": {
                "counter": True,
                "good": {"metricSource": {"type": "Prometheus", "spec": {
                    "query": "sum(http_request_duration_seconds_bucket{service=\"checkout-web\",le=\"0.8\"})"}}},
                "total": {"metricSource": {"type": "Prometheus", "spec": {
                    "query": "sum(http_request_duration_seconds_count{service=\"checkout-web\"})"}}},
            }},
        },
        "timeWindow": [{"duration": "28d", "isRolling": True}],
        "budgetingMethod": "Occurrences",
        "objectives": [{"displayName": "fast checkout", "target": 0.995}],
    },
}

OPENSLO_YAML = """# checkout-web's latency SLO as OpenSLO v1 (the JSON twin: checkout-web.openslo.json).
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-web-latency
  displayName: Checkout pages under 800 ms
spec:
  description: Share of checkout page loads served in under 800 ms
  service: checkout-web
  indicator:
    metadata:
      name: checkout-web-fast-requests
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(http_request_duration_seconds_bucket{service="checkout-web",le="0.8"})
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(http_request_duration_seconds_count{service="checkout-web"})
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: fast checkout
      target: 0.995
"""

SLOTH = {
    "version": "prometheus/v1",
    "service": "orders-api",
    "labels": {"owner": "orders-team", "tier": "1"},
    "slos": [{
        "name": "requests-availability",
        "objective": 99.9,
        "description": "Share of orders-api requests answered without a 5xx",
        "sli": {"events": {
            "error_query": "sum(rate(http_requests_total{service=\"orders-api\",code=~\"5..\"}[{{.window}}]))",
            "total_query": "sum(rate(http_requests_total{service=\"orders-api\"}[{{.window}}]))",
        }},
        "alerting": {"name": "OrdersApiHighErrorRate", "page_alert": {"labels": {"severity": "page"}},
                     "ticket_alert": {"labels": {"severity": "ticket"}}},
    }],
}

SLOTH_YAML = """# orders-api's availability SLO as a Sloth spec (the JSON twin: orders-api.sloth.json).
# verdict names it as Sloth does: <service>-<name> = orders-api-requests-availability.
version: "prometheus/v1"
service: "orders-api"
labels:
  owner: "orders-team"
  tier: "1"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Share of orders-api requests answered without a 5xx"
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="orders-api",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="orders-api"}[{{.window}}]))
    alerting:
      name: OrdersApiHighErrorRate
      page_alert:
        labels:
          severity: page
      ticket_alert:
        labels:
          severity: ticket
"""


def latency_lines(seed):
    rng = random.Random(seed)
    out = [{"kind": "slo", "name": "auth-service-login-latency", "service": "auth-service", "objective": 99, "window": "7d",
            "description": "Share of logins answered in 300 ms or less", "sli": {"type": "latency", "threshold": 0.3}}]
    t = NOW - timedelta(hours=2) + timedelta(minutes=1)
    while t <= NOW:
        lat = [round(rng.lognormvariate(math.log(0.09), 0.5), 3) for _ in range(12)]
        out.append({"slo": "auth-service-login-latency", "t": iso(t), "latency": lat})
        t += timedelta(minutes=1)
    return out


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "slo"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "northwind-slos.json"), json.dumps(NATIVE, indent=2) + "\n")
    write(os.path.join(a.out, "checkout-web.openslo.json"), json.dumps(OPENSLO, indent=2) + "\n")
    write(os.path.join(a.out, "checkout-web.openslo.yaml"), OPENSLO_YAML)
    write(os.path.join(a.out, "orders-api.sloth.json"), json.dumps(SLOTH, indent=2) + "\n")
    write(os.path.join(a.out, "orders-api.sloth.yaml"), SLOTH_YAML)
    lines = []
    lines += series_lines("payments-api-availability", 5, 7000, payments_rate, 11)
    lines += series_lines("auth-service-availability", 5, 5200, auth_rate, 12)
    lines += series_lines("checkout-web-latency", 5, 9500, checkout_rate, 13, use_bad=False)
    write(os.path.join(a.out, "sli-5m.ndjson"), "".join(json.dumps(l, separators=(",", ":")) + "\n" for l in lines))
    write(os.path.join(a.out, "orders-api.prometheus.ndjson"),
          "".join(json.dumps(l, separators=(",", ":")) + "\n" for l in prometheus_counters(14)))
    write(os.path.join(a.out, "login-latency.ndjson"),
          "".join(json.dumps(l, separators=(",", ":")) + "\n" for l in latency_lines(15)))


if __name__ == "__main__":
    main()
