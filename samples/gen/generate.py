#!/usr/bin/env python3
"""generate.py: large, realistic, deterministic inputs for verdict.

Python 3 standard library only. The same --seed gives byte-identical output.

  generate.py alerts    --count N [--label-sets 10000] [--storm-every 4000]
                          Alertmanager alerts as NDJSON (the webhook's alert shape), 500-600
                          bytes each, with repeats, resolutions and alert storms
  generate.py incidents --count N   native incidents as NDJSON
  generate.py changes   --count N   native change requests as NDJSON
  generate.py cmdb      --items N --edges M [--cycles K] [--ndjson]
                          a native CMDB: {"kind":"cmdb","items":[...]}, one item a line
                          (--ndjson: one CI document a line, without the envelope)
  generate.py sli       --slos N --days D   1-minute SLI samples as NDJSON

Common options: --seed S (default 1), --out FILE (default stdout), --start TIME
(RFC 3339, default 2025-03-14T00:00:00Z: the first timestamp written).

Examples:
  python3 samples/gen/generate.py alerts --count 200000 --seed 1 --out /tmp/alerts.ndjson
  python3 samples/gen/generate.py cmdb --items 100000 --edges 300000 --out /tmp/cmdb.json
  python3 samples/gen/generate.py sli --slos 2 --days 30 --out /tmp/sli.ndjson

Identifiers follow the conventions of the hand-written samples (INC-..., CHG-...,
Alertmanager fingerprints computed the way Alertmanager computes them). The
generator never reads the clock: timestamps start at --start.
"""

import argparse
import calendar
import json
import random
import sys
import time
import urllib.parse

# ---------------------------------------------------------------------------
# Helpers


def dumps(value):
    """Compact JSON, UTF-8 text (not \\u-escaped), the way most producers write NDJSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_time(text):
    """RFC 3339 'YYYY-MM-DDTHH:MM:SSZ' (or +00:00) to epoch milliseconds."""
    t = text.strip()
    if t.endswith("Z"):
        t = t[:-1]
    elif t.endswith("+00:00"):
        t = t[:-6]
    else:
        raise SystemExit("--start must be UTC, e.g. 2025-03-14T00:00:00Z")
    frac = 0
    if "." in t:
        t, f = t.split(".", 1)
        frac = int((f + "000")[:3])
    return calendar.timegm(time.strptime(t, "%Y-%m-%dT%H:%M:%S")) * 1000 + frac


def rfc3339_ms(ms):
    """Epoch milliseconds to '2025-03-14T08:02:15.123Z' (Alertmanager writes sub-second times)."""
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t[0], t[1], t[2], t[3], t[4], t[5], ms % 1000)


def rfc3339_s(ms, offset_minutes=0):
    """Epoch milliseconds to '2025-03-14T08:02:15Z' or, with an offset, '...+01:00' (local time)."""
    if offset_minutes == 0:
        t = time.gmtime(ms // 1000)
        return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (t[0], t[1], t[2], t[3], t[4], t[5])
    t = time.gmtime(ms // 1000 + offset_minutes * 60)
    sign = "+" if offset_minutes > 0 else "-"
    off = abs(offset_minutes)
    return "%04d-%02d-%02dT%02d:%02d:%02d%s%02d:%02d" % (t[0], t[1], t[2], t[3], t[4], t[5], sign, off // 60, off % 60)


FNV_OFFSET = 14695981039346656037
FNV_PRIME = 1099511628211
MASK64 = (1 << 64) - 1


def fingerprint(labels):
    """Alertmanager's fingerprint of a label set: FNV-1a 64 over the sorted names and
    values, each followed by the separator byte 0xff, printed as 16 hex digits
    (prometheus/common model.LabelSet.Fingerprint)."""
    h = FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for b in part.encode("utf-8"):
                h = ((h ^ b) * FNV_PRIME) & MASK64
            h = ((h ^ 0xFF) * FNV_PRIME) & MASK64
    return "%016x" % h


class Output:
    """Buffered UTF-8 output to stdout or a file, written in chunks (bounded memory)."""

    def __init__(self, path):
        self.path = path
        self.f = sys.stdout.buffer if path in (None, "-") else open(path, "wb")
        self.parts = []
        self.size = 0

    def write(self, text):
        self.parts.append(text)
        self.size += 1
        if self.size >= 20000:
            self.flush()

    def flush(self):
        if self.parts:
            self.f.write("".join(self.parts).encode("utf-8"))
            self.parts = []
            self.size = 0

    def close(self):
        self.flush()
        if self.f is sys.stdout.buffer:
            self.f.flush()
        else:
            self.f.close()


def write_lines(lines, out):
    o = Output(out)
    for line in lines:
        o.write(line)
    o.close()


HEX = "0123456789abcdef"
POD_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for pod suffixes


def pod_name(rng, deployment):
    rs = "".join(rng.choice(POD_CHARS) for _ in range(rng.choice((9, 10))))
    return "%s-%s-%s" % (deployment, rs, "".join(rng.choice(POD_CHARS) for _ in range(5)))


# ---------------------------------------------------------------------------
# The company: Northwind, a mid-size online retailer (the same names as the samples)

TEAMS = [
    "payments-team", "identity-team", "storefront-team", "search-team", "orders-team",
    "data-team", "dba-team", "network-team", "platform-team", "security-team",
    "growth-team", "it-helpdesk", "fulfilment-team", "ml-team", "finance-systems",
]

# name, tier, team, namespace, datastores it uses
SERVICES = [
    ("payments-api", 1, "payments-team", "payments", ["postgres-payments-01", "redis-payments-01", "kafka-events-01"]),
    ("auth-service", 1, "identity-team", "identity", ["postgres-auth-01", "redis-sessions-01"]),
    ("checkout-web", 1, "storefront-team", "storefront", ["redis-cart-01"]),
    ("orders-api", 1, "orders-team", "orders", ["postgres-orders-01", "kafka-events-01"]),
    ("api-gateway", 1, "platform-team", "edge", ["redis-sessions-01"]),
    ("cart-service", 2, "storefront-team", "storefront", ["redis-cart-01", "postgres-orders-01"]),
    ("catalog-api", 2, "search-team", "catalog", ["mysql-catalog-01", "redis-catalog-01"]),
    ("search", 2, "search-team", "search", ["elasticsearch-search-01", "redis-catalog-01"]),
    ("inventory-service", 2, "orders-team", "orders", ["postgres-orders-01", "rabbitmq-notify-01"]),
    ("shipping-api", 2, "fulfilment-team", "fulfilment", ["postgres-shipping-01", "kafka-events-01"]),
    ("fraud-scoring", 2, "payments-team", "payments", ["redis-payments-01", "postgres-payments-01"]),
    ("pricing-service", 2, "storefront-team", "storefront", ["postgres-pricing-01", "redis-catalog-01"]),
    ("user-profile", 2, "identity-team", "identity", ["postgres-auth-01", "redis-sessions-01"]),
    ("refunds-service", 2, "payments-team", "payments", ["postgres-payments-01", "kafka-events-01"]),
    ("tax-service", 2, "finance-systems", "finance", ["postgres-finance-01"]),
    ("invoice-service", 3, "finance-systems", "finance", ["postgres-finance-01", "rabbitmq-notify-01"]),
    ("notifications", 3, "growth-team", "growth", ["rabbitmq-notify-01", "redis-reco-01"]),
    ("recommendations", 3, "ml-team", "ml", ["redis-reco-01", "elasticsearch-search-01"]),
    ("promotions", 3, "growth-team", "growth", ["postgres-pricing-01", "redis-reco-01"]),
    ("reviews", 3, "storefront-team", "storefront", ["mysql-catalog-01"]),
    ("wishlist", 3, "storefront-team", "storefront", ["redis-cart-01", "mysql-catalog-01"]),
    ("media-service", 3, "storefront-team", "storefront", ["s3-media"]),
    ("loyalty", 3, "growth-team", "growth", ["postgres-loyalty-01"]),
    ("admin-portal", 3, "storefront-team", "internal", ["postgres-orders-01", "mysql-catalog-01"]),
    ("feature-flags", 2, "platform-team", "platform", ["postgres-platform-01", "redis-sessions-01"]),
    ("warehouse-sync", 3, "fulfilment-team", "fulfilment", ["postgres-shipping-01", "rabbitmq-notify-01"]),
    ("erp-connector", 3, "finance-systems", "finance", ["postgres-finance-01", "kafka-events-01"]),
    ("ml-serving", 3, "ml-team", "ml", ["redis-reco-01"]),
    ("data-pipeline", 4, "data-team", "data", ["kafka-events-01", "clickhouse-analytics-01"]),
    ("reporting", 4, "data-team", "data", ["postgres-reporting-01", "clickhouse-analytics-01"]),
    ("intranet-wiki", 4, "it-helpdesk", "internal", ["postgres-wiki-01"]),
    ("hr-portal", 4, "it-helpdesk", "internal", ["postgres-hr-01"]),
]

SERVICE_BY_NAME = {s[0]: s for s in SERVICES}

CLUSTERS = [
    ("prod-eu-west-1", "eu-west-1", "prod"),
    ("prod-us-east-1", "us-east-1", "prod"),
    ("staging-eu-west-1", "eu-west-1", "staging"),
    ("dev-eu-west-1", "eu-west-1", "dev"),
]

FILLER = [
    "Check the service dashboard and recent deploys before paging the owning team.",
    "If a deploy went out in the last hour, consider rolling it back first.",
    "The alert clears by itself once the condition holds for 5 minutes.",
    "Customer impact is likely while this fires; update the status page if it lasts.",
    "See the linked runbook for the diagnosis steps and the escalation path.",
    "Correlate with upstream dependencies: databases, caches and the message bus.",
    "Repeated firing within a day usually points at capacity rather than a bug.",
    "Silence only with a ticket reference and an expiry of at most 24 hours.",
]

SHORT_FILLER = ["See the runbook.", "Paging on-call.", "Check recent deploys.", "Escalate if it persists.",
                "Customer impact likely.", "Auto-resolves.", "Owner notified.", "Seen before.", "Check upstream."]

# alertname: (severity, scope, expr, summary, description with {value}, value range, fmt)
RULES = {
    "HighErrorRate": ("critical", "service", 'service:http_errors:ratio_rate5m{service="%s"} > 0.05',
                      "High 5xx error rate on {service}",
                      "{value}% of requests to {service} failed with a 5xx status in the last 5 minutes.", (5.0, 60.0), "%.2f"),
    "HighLatencyP99": ("warning", "service", 'service:http_latency:p99_5m{service="%s"} > 1.5',
                       "p99 latency of {service} above 1.5s",
                       "p99 latency of {service} is {value}s (threshold 1.5s).", (1.5, 12.0), "%.3f"),
    "KubePodCrashLooping": ("warning", "pod", 'increase(kube_pod_container_status_restarts_total{namespace="%s"}[10m]) > 2',
                            "{pod} is crash looping",
                            "{container} restarted {value} times in 10 minutes.", (3, 40), "%d"),
    "KubePodNotReady": ("warning", "pod", 'kube_pod_status_ready{condition="false",namespace="%s"} == 1',
                        "{pod} is not ready",
                        "Not ready for {value} minutes.", (15, 120), "%d"),
    "CPUThrottlingHigh": ("info", "pod", 'container:cpu_throttled:ratio{namespace="%s"} > 0.25',
                          "CPU throttling of {container} in {pod}",
                          "{value}% of CPU periods of {container} are throttled.", (25.0, 95.0), "%.1f"),
    "KubeContainerOOMKilled": ("warning", "pod", 'kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace="%s"} == 1',
                               "{container} in {pod} was OOM killed",
                               "OOM killed {value} times today.", (1, 9), "%d"),
    "KubeDeploymentReplicasMismatch": ("warning", "service", 'kube_deployment_status_replicas_unavailable{deployment="%s"} > 0',
                                       "Deployment {service} has not matched the expected number of replicas",
                                       "{value} replicas unavailable for 15 minutes.", (1, 8), "%d"),
    "SLOBurnRateFast": ("critical", "service", 'slo:sli_error:ratio_rate1h{slo="%s-availability"} > 0.0144',
                        "{service} is burning its error budget fast",
                        "Error budget burn rate {value}x over 1h and 5m.", (14.4, 80.0), "%.1f"),
    "SLOBurnRateSlow": ("warning", "service", 'slo:sli_error:ratio_rate6h{slo="%s-availability"} > 0.006',
                        "{service} is burning its error budget",
                        "Error budget burn rate {value}x over 6h and 30m.", (6.0, 14.0), "%.1f"),
    "PostgresDown": ("critical", "postgres", 'pg_up{instance="%s:9187"} == 0',
                     "PostgreSQL {cmdb_ci} is down",
                     "pg_up is 0 for {value}s; clients will fail or queue.", (60, 900), "%d"),
    "PostgresReplicationLagHigh": ("warning", "postgres", 'pg_replication_lag_seconds{instance="%s:9187"} > 300',
                                   "Replication lag on {cmdb_ci} is high",
                                   "{value}s behind its primary.", (300, 7200), "%d"),
    "PostgresTooManyConnections": ("warning", "postgres", 'pg:connections:ratio{instance="%s:9187"} > 0.8',
                                   "{cmdb_ci} is close to max_connections",
                                   "{value}% of max_connections in use.", (80.0, 100.0), "%.1f"),
    "MySQLDown": ("critical", "mysql", 'mysql_up{instance="%s:9104"} == 0',
                  "MySQL {cmdb_ci} is down",
                  "mysql_up is 0 for {value}s; clients will fail or queue.", (60, 900), "%d"),
    "RabbitMQQueueBacklog": ("warning", "rabbitmq", 'rabbitmq_queue_messages_ready{instance="%s:9419"} > 50000',
                             "RabbitMQ queue backlog on {cmdb_ci}",
                             "{value} messages waiting; consumers are not keeping up.", (50000, 2000000), "%d"),
    "RedisDown": ("critical", "redis", 'redis_up{instance="%s:9121"} == 0',
                  "Redis {cmdb_ci} is down", "redis_up is 0 for {value}s.", (60, 900), "%d"),
    "RedisMemoryHigh": ("warning", "redis", 'redis:memory_used:ratio{instance="%s:9121"} > 0.9',
                        "Redis {cmdb_ci} memory above 90%", "{value}% of maxmemory used; evictions likely.", (90.0, 100.0), "%.1f"),
    "KafkaConsumerLagHigh": ("warning", "kafka", 'kafka:consumergroup_lag:sum{instance="%s:9308"} > 10000',
                             "Consumer lag on {topic} is high", "{consumergroup} is {value} messages behind.", (10000, 900000), "%d"),
    "ElasticsearchClusterHealthYellow": ("warning", "elasticsearch", 'elasticsearch_cluster_health_status{color="yellow",instance="%s:9114"} == 1',
                                         "Elasticsearch cluster {cmdb_ci} is yellow", "{value} replica shards unassigned.", (1, 60), "%d"),
    "NodeFilesystemSpaceFillingUp": ("warning", "node", 'node:filesystem_avail:predict24h{instance="%s:9100"} < 0',
                                     "Filesystem {mountpoint} on {node} will fill up within 24 hours",
                                     "{value}% space left on {device}, filling up.", (1.0, 15.0), "%.2f"),
    "NodeHighCPUUsage": ("info", "node", 'instance:node_cpu_utilisation:rate5m{instance="%s:9100"} > 0.9',
                         "High CPU usage on {node}", "CPU at {value}% for 15 minutes.", (90.0, 100.0), "%.1f"),
    "NodeMemoryPressure": ("warning", "node", 'instance:node_memory_available:ratio{instance="%s:9100"} < 0.05',
                           "Memory pressure on {node}", "Only {value}% of memory available.", (0.5, 5.0), "%.2f"),
    "KubeNodeNotReady": ("critical", "node", 'kube_node_status_condition{condition="Ready",status="true",node="%s"} == 0',
                         "Node {node} is not ready", "Unready for {value} minutes; pods are being evicted.", (15, 180), "%d"),
    "NodeClockNotSynchronising": ("warning", "node", 'node_timex_sync_status{instance="%s:9100"} == 0',
                                  "Clock on {node} is not synchronising", "Clock is {value} ms off NTP.", (50, 5000), "%d"),
    "BlackboxProbeFailed": ("critical", "probe", 'probe_success{instance="%s"} == 0',
                            "Probe of {instance} failed", "Failed {value} times in a row.", (3, 60), "%d"),
    "SSLCertExpiringSoon": ("warning", "probe", 'probe_ssl_earliest_cert_expiry{instance="%s"} - time() < 1209600',
                            "TLS certificate of {instance} expires soon", "Expires in {value} days.", (1, 14), "%d"),
    "HAProxyBackendDown": ("critical", "lb", 'haproxy_backend_up{instance="%s:8404"} == 0',
                           "HAProxy backend {backend} is down on {cmdb_ci}", "No healthy servers for {value}s.", (30, 900), "%d"),
    "DNSResolutionFailures": ("critical", "dns", 'coredns:servfail:rate5m{instance="%s:9153"} > 5',
                              "DNS SERVFAIL responses from {cmdb_ci}", "{value} SERVFAIL answers per second.", (5.0, 400.0), "%.1f"),
    "Watchdog": ("none", "watchdog", "vector(1)",
                 "Always firing: certifies that Alertmanager works.",
                 "Ensures the alerting pipeline works; firing for {value}h.", (1, 9999), "%d"),
}

SERVICE_SCOPED = ["HighErrorRate", "HighLatencyP99", "KubeDeploymentReplicasMismatch", "SLOBurnRateFast", "SLOBurnRateSlow"]
POD_SCOPED = ["KubePodCrashLooping", "KubePodNotReady", "CPUThrottlingHigh", "KubeContainerOOMKilled"]
NODE_SCOPED = ["NodeFilesystemSpaceFillingUp", "NodeHighCPUUsage", "NodeMemoryPressure", "KubeNodeNotReady", "NodeClockNotSynchronising"]
DATASTORE_RULES = {
    "postgres": ["PostgresDown", "PostgresReplicationLagHigh", "PostgresTooManyConnections"],
    "mysql": ["MySQLDown"],
    "redis": ["RedisDown", "RedisMemoryHigh"],
    "kafka": ["KafkaConsumerLagHigh"],
    "rabbitmq": ["RabbitMQQueueBacklog"],
    "elasticsearch": ["ElasticsearchClusterHealthYellow"],
    "clickhouse": ["NodeHighCPUUsage"],
    "s3": [],
}


def datastore_kind(name):
    return name.split("-", 1)[0]


class LabelSet:
    __slots__ = ("labels", "fp", "head", "mid", "tail", "lo", "hi", "fmt", "is_int")


class AlertUniverse:
    """Builds distinct label sets and their fixed JSON fragments once."""

    def __init__(self, rng, distinct):
        self.rng = rng
        self.sets = []
        self.index = {}    # fingerprint -> index in self.sets
        self.storms = []   # lists of label-set indices: root first, then dependents
        self.nodes = {}
        for cluster, region, env in CLUSTERS:
            n = 48 if env == "prod" else (12 if env == "staging" else 6)
            short = "prod" if env == "prod" else ("stg" if env == "staging" else "dev")
            suffix = "" if region == "eu-west-1" else "-" + region.split("-")[0]
            self.nodes[cluster] = ["k8s-%s%s-node-%02d" % (short, suffix, i) for i in range(1, n + 1)]
        self.users = {}
        for svc in SERVICES:
            for ds in svc[4]:
                self.users.setdefault(ds, []).append(svc[0])
        # Storm groups first (about 10% of the label sets), then the rest.
        storm_budget = max(1, distinct // 10)
        datastores = [d for d in self.users if datastore_kind(d) in ("postgres", "redis", "mysql", "kafka", "rabbitmq")]
        stalled = 0
        while len(self.sets) < min(storm_budget, distinct) and stalled < 100:
            before = len(self.sets)
            group = self._storm(rng.choice(CLUSTERS), rng.choice(datastores), storm_budget)
            if len(group) > 1:
                self.storms.append(group)
            stalled = stalled + 1 if len(self.sets) == before else 0
        self.storm_count = len(self.sets)
        kinds = ["service"] * 20 + ["pod"] * 40 + ["datastore"] * 15 + ["node"] * 15 + ["probe"] * 7 + ["lb"] * 2 + ["dns"] * 1
        guard = 0
        while len(self.sets) < distinct:
            guard += 1
            if guard > distinct * 50 + 1000:
                raise SystemExit("could not build %d distinct label sets" % distinct)
            if len(self.sets) >= distinct - len(CLUSTERS) and len(self.sets) < distinct:
                # The classic always-firing Watchdog, one per cluster, if there is room.
                c = CLUSTERS[distinct - len(self.sets) - 1]
                self._add("Watchdog", {"alertname": "Watchdog", "severity": "none", "cluster": c[0],
                                       "prometheus": "monitoring/k8s"}, {})
                continue
            self._random_set(rng.choice(kinds))

    # -- label-set construction

    def _base(self, alertname, cluster, service=None):
        c, region, env = cluster
        sev = RULES[alertname][0]
        labels = {"alertname": alertname, "severity": sev, "cluster": c}
        if service:
            svc = SERVICE_BY_NAME[service]
            labels["service"] = service
            labels["namespace"] = svc[3]
            labels["team"] = svc[2]
        return labels

    def _add(self, alertname, labels, fields):
        """The index of the label set, built (with its JSON fragments) if it is new."""
        fp = fingerprint(labels)
        known = self.index.get(fp)
        if known is not None:
            return known
        rng = self.rng
        sev, scope, expr, summary, desc, (lo, hi), fmt = RULES[alertname]
        fields = dict(fields)
        for k, v in labels.items():
            fields.setdefault(k, v)
        fields.setdefault("service", labels.get("service", ""))
        summary_text = summary.format_map(_Default(fields))
        if scope == "pod":
            key = labels.get("namespace", "")
        elif scope == "probe":
            key = labels["instance"]
        else:
            key = fields.get("cmdb_ci") or fields.get("node") or fields.get("service") or ""
        expr_text = expr % tuple([key] * expr.count("%s")) if "%s" in expr else expr
        if rng.random() < 0.9:
            # Grafana-managed rule: the URL names the rule, not the expression.
            url = "https://grafana.northwind.example/alerting/grafana/%s/view" % "".join(
                rng.choice(POD_CHARS + "aeiou013") for _ in range(14))
        else:
            url = "http://prometheus.%s:9090/graph?g0.expr=%s&g0.tab=1" % (
                labels["cluster"], urllib.parse.quote(expr_text, safe=""))
        desc_text = desc.format_map(_Default(fields, keep=("value",)))
        pre, _, post = desc_text.partition("{value}")
        runbook = "https://runbooks.northwind.example/%s" % alertname.lower()
        ls = LabelSet()
        ls.labels = labels
        ls.fp = fp
        ls.lo, ls.hi, ls.fmt = lo, hi, fmt
        ls.is_int = fmt == "%d"
        ls.head = '","labels":' + dumps(dict(sorted(labels.items()))) + ',"annotations":{"description":' + dumps(pre)[:-1]
        ls.tail = '","generatorURL":' + dumps(url) + ',"fingerprint":"' + fp + '"}\n'
        # Size the line to 500-600 bytes when firing (resolved ones are 6 longer): the
        # runbook link is left out when it does not fit (not every rule has one), and
        # short descriptions get a sentence of advice.
        sample_value = fmt % hi
        with_runbook = ',"runbook_url":' + dumps(runbook) + ',"summary":' + dumps(summary_text) + '},"startsAt":"'
        without = ',"summary":' + dumps(summary_text) + '},"startsAt":"'

        def line_len(mid_rest):
            return len(('{"status":"firing' + ls.head + sample_value + dumps(post)[1:] + mid_rest +
                        "2025-03-14T08:02:15.123Z" + '","endsAt":"' + ZERO_TIME + ls.tail).encode("utf-8")) - 1

        target = rng.randint(500, 594)
        mid_rest = with_runbook if line_len(with_runbook) <= 600 and rng.random() < 0.85 else without
        probe_len = line_len(mid_rest)
        room = target - probe_len
        extra = ""
        if room > 2:
            pool = FILLER[:]
            rng.shuffle(pool)
            for sentence in pool:
                if len(extra) + 1 + len(sentence) <= room:
                    extra += " " + sentence
            short = SHORT_FILLER[:]
            rng.shuffle(short)
            for sentence in short:
                if len(extra) + 1 + len(sentence) <= room:
                    extra += " " + sentence
        ls.mid = dumps(post + extra)[1:] + mid_rest
        self.index[fp] = len(self.sets)
        self.sets.append(ls)
        return len(self.sets) - 1

    def _pod_fields(self, cluster, service, labels):
        rng = self.rng
        pod = pod_name(rng, service)
        labels["pod"] = pod
        labels["container"] = service if rng.random() < 0.8 else rng.choice(["istio-proxy", "migrate", "worker"])
        labels["job"] = "kube-state-metrics"
        if rng.random() < 0.15:
            # OpenTelemetry-collected: dotted resource attributes as label names.
            labels["k8s.namespace"] = labels["namespace"]
            labels["k8s.pod.name"] = pod
        return {"pod": pod, "container": labels["container"]}

    def _service_set(self, alertname, cluster, service):
        labels = self._base(alertname, cluster, service)
        # Recording-rule alerts aggregate `by (service)`: no job or instance label.
        if alertname.startswith("SLO"):
            labels["slo"] = service + "-availability"
            labels["window"] = "1h" if alertname == "SLOBurnRateFast" else "6h"
        return self._add(alertname, labels, {})

    def _pod_set(self, alertname, cluster, service):
        labels = self._base(alertname, cluster, service)
        fields = self._pod_fields(cluster, service, labels)
        return self._add(alertname, labels, fields)

    def _datastore_set(self, alertname, cluster, ds, service=None):
        owner = self.users[ds][0]
        labels = self._base(alertname, cluster, service or owner)
        kind = datastore_kind(ds)
        port = {"postgres": 9187, "mysql": 9104, "redis": 9121, "kafka": 9308, "rabbitmq": 9419,
                "elasticsearch": 9114, "clickhouse": 9363}.get(kind, 9100)
        env = cluster[2]
        ci = ds if env == "prod" else ds + ("-stg" if env == "staging" else "-dev")
        labels["cmdb_ci"] = ci
        labels["instance"] = "%s:%d" % (ci, port)
        labels["job"] = "%s-exporter" % kind
        labels["team"] = "dba-team" if kind in ("postgres", "mysql") else ("platform-team" if kind in ("kafka", "rabbitmq", "redis") else labels["team"])
        fields = {"cmdb_ci": ci}
        if alertname == "KafkaConsumerLagHigh":
            topic = self.rng.choice(["orders.created", "payments.captured", "payments.refunded", "inventory.reserved",
                                     "notifications.email", "shipping.label-created", "clickstream.raw"])
            labels["topic"] = topic
            labels["consumergroup"] = "%s-%s" % (service or owner, topic.split(".")[0])
            fields.update(topic=topic, consumergroup=labels["consumergroup"])
        if alertname == "PostgresReplicationLagHigh":
            replica = ci.replace("-01", "-02")
            labels["cmdb_ci"] = replica
            labels["instance"] = "%s:%d" % (replica, port)
            fields["cmdb_ci"] = replica
        return self._add(alertname, labels, fields)

    def _node_set(self, alertname, cluster):
        rng = self.rng
        node = rng.choice(self.nodes[cluster[0]])
        labels = self._base(alertname, cluster)
        labels["node"] = node
        labels["instance"] = node + ":9100"
        labels["job"] = "node-exporter"
        labels["team"] = "platform-team"
        labels["service"] = "kubernetes"
        labels["namespace"] = "monitoring"
        fields = {"node": node}
        if alertname == "NodeFilesystemSpaceFillingUp":
            dev, mnt = rng.choice([("/dev/nvme0n1p1", "/"), ("/dev/nvme1n1", "/var/lib/containerd"),
                                   ("/dev/nvme2n1", "/var/lib/kubelet"), ("/dev/nvme0n1p15", "/boot/efi")])
            labels["device"] = dev
            labels["mountpoint"] = mnt
            labels["fstype"] = "xfs" if mnt != "/boot/efi" else "vfat"
            fields.update(device=dev, mountpoint=mnt)
        if rng.random() < 0.2:
            labels["k8s.node.name"] = node
        return self._add(alertname, labels, fields)

    def _probe_set(self, alertname, cluster, service):
        rng = self.rng
        host = {"checkout-web": "www.northwind.example", "api-gateway": "api.northwind.example",
                "auth-service": "login.northwind.example"}.get(service, "%s.northwind.example" % service)
        if cluster[2] != "prod":
            host = host.replace(".northwind.example", ".%s.northwind.example" % cluster[2])
        path = rng.choice(["/healthz", "/", "/api/health", "/login", "/v1/status", "/checkout", "/search?q=shoes"])
        labels = self._base(alertname, cluster, service)
        labels["instance"] = "https://%s%s" % (host, path)
        labels["job"] = "blackbox-%s" % rng.choice(["https-2xx", "https-tls", "http-ams", "http-iad"])
        return self._add(alertname, labels, {})

    def _lb_set(self, cluster, service):
        rng = self.rng
        lb = rng.choice(["lb-edge-01", "lb-edge-02", "lb-internal-01", "lb-internal-02"])
        labels = self._base("HAProxyBackendDown", cluster, service)
        labels["cmdb_ci"] = lb
        labels["backend"] = "be_%s_%d" % (service.replace("-", "_"), rng.randint(1, 4))
        labels["instance"] = lb + ":8404"
        labels["job"] = "haproxy"
        labels["team"] = "network-team"
        return self._add("HAProxyBackendDown", labels, {"cmdb_ci": lb, "backend": labels["backend"]})

    def _dns_set(self, cluster):
        rng = self.rng
        dns = rng.choice(["dns-internal-01", "dns-internal-02"])
        labels = self._base("DNSResolutionFailures", cluster)
        labels["cmdb_ci"] = dns
        labels["instance"] = "%s:9153" % dns
        labels["job"] = "coredns"
        labels["team"] = "network-team"
        labels["service"] = "dns"
        labels["zone"] = rng.choice(["svc.northwind.internal.", "northwind.internal.", "northwind.example."])
        return self._add("DNSResolutionFailures", labels, {"cmdb_ci": dns})

    def _random_set(self, kind):
        rng = self.rng
        cluster = CLUSTERS[0] if rng.random() < 0.45 else rng.choice(CLUSTERS)
        svc = rng.choice(SERVICES)[0]
        if kind == "service":
            return self._service_set(rng.choice(SERVICE_SCOPED), cluster, svc)
        if kind == "pod":
            return self._pod_set(rng.choice(POD_SCOPED), cluster, svc)
        if kind == "datastore":
            ds = rng.choice(sorted(self.users))
            rules = DATASTORE_RULES.get(datastore_kind(ds)) or ["NodeHighCPUUsage"]
            rule = rng.choice(rules)
            if rule == "NodeHighCPUUsage":
                return self._node_set(rule, cluster)
            user = rng.choice(self.users[ds]) if rule == "KafkaConsumerLagHigh" else None
            return self._datastore_set(rule, cluster, ds, user)
        if kind == "node":
            return self._node_set(rng.choice(NODE_SCOPED), cluster)
        if kind == "probe":
            return self._probe_set(rng.choice(["BlackboxProbeFailed", "BlackboxProbeFailed", "SSLCertExpiringSoon"]), cluster, svc)
        if kind == "lb":
            return self._lb_set(cluster, svc)
        return self._dns_set(cluster)

    def _storm(self, cluster, ds, budget):
        """A datastore outage and what it takes down with it: root first, then dependents."""
        rng = self.rng
        kind = datastore_kind(ds)
        root_rule = {"postgres": "PostgresDown", "mysql": "MySQLDown", "redis": "RedisDown",
                     "rabbitmq": "RabbitMQQueueBacklog"}.get(kind, "KafkaConsumerLagHigh")
        group = []

        def add(i):
            if i not in group:
                group.append(i)
            return len(self.sets) < budget

        if not add(self._datastore_set(root_rule, cluster, ds)):
            return group
        if kind == "postgres" and rng.random() < 0.6:
            if not add(self._datastore_set("PostgresReplicationLagHigh", cluster, ds)):
                return group
        for svc in self.users[ds]:
            for rule in ("HighErrorRate", "HighLatencyP99", "SLOBurnRateFast"):
                if rng.random() < 0.8 and not add(self._service_set(rule, cluster, svc)):
                    return group
            for _ in range(rng.randint(1, 4)):
                if not add(self._pod_set("KubePodCrashLooping", cluster, svc)):
                    return group
            if rng.random() < 0.5 and not add(self._probe_set("BlackboxProbeFailed", cluster, svc)):
                return group
        return group


class _Default(dict):
    """format_map helper: missing fields render empty; `keep` fields stay as {name}."""

    def __init__(self, fields, keep=()):
        super().__init__(fields)
        self.keep = keep

    def __missing__(self, key):
        return "{%s}" % key if key in self.keep else ""


ZERO_TIME = "0001-01-01T00:00:00Z"


def gen_alerts(args):
    rng = random.Random(args.seed)
    uni = AlertUniverse(rng, args.label_sets)
    sets = uni.sets
    n_sets = len(sets)
    normal_lo = uni.storm_count if uni.storm_count < n_sets else 0
    hot = max(1, (n_sets - normal_lo) // 20)  # a noisy 5% fires far more often
    t = parse_time(args.start)
    active = {}  # label-set index -> startsAt (ms)
    out = Output(args.out)
    append = out.write
    count = args.count
    random_ = rng.random
    randint = rng.randint
    expovariate = rng.expovariate
    storm_every = max(1, args.storm_every)
    never_resolves = {i for i, ls in enumerate(sets) if ls.labels.get("alertname") == "Watchdog"}

    def emit(i, status, now):
        ls = sets[i]
        if status == "firing":
            starts = active.get(i)
            if starts is None:
                starts = now
                active[i] = starts
            ends = ZERO_TIME
        else:
            starts = active.pop(i, now - randint(60000, 3600000))
            ends = rfc3339_ms(now)
        if ls.is_int:
            value = "%d" % randint(ls.lo, ls.hi)
        else:
            value = ls.fmt % (ls.lo + random_() * (ls.hi - ls.lo))
        append('{"status":"' + status + ls.head + value + ls.mid + rfc3339_ms(starts) +
               '","endsAt":"' + ends + ls.tail)

    n = 0
    while n < count:
        if uni.storms and random_() < 1.0 / storm_every:
            group = uni.storms[randint(0, len(uni.storms) - 1)]
            # Root first, dependents within ~2 minutes, re-notifications, then recovery.
            burst = []
            for k, i in enumerate(group):
                burst.append((i, "firing"))
                for _ in range(randint(0, 3) if k else randint(1, 2)):
                    burst.append((i, "firing"))
            for i, status in burst:
                if n >= count:
                    break
                t += randint(20, 1500) if status == "firing" else randint(5, 200)
                emit(i, status, t)
                n += 1
            t += randint(300000, 1500000)  # 5-25 minutes of outage
            for i in group:
                if n >= count:
                    break
                t += randint(50, 3000)
                emit(i, "resolved", t)
                n += 1
            continue
        t += int(expovariate(1.0 / 400.0)) + 1  # ~2.5 alerts/s
        if random_() < 0.5:
            i = normal_lo + randint(0, hot - 1)
        else:
            i = normal_lo + randint(0, n_sets - normal_lo - 1)
        if i in active and random_() < 0.4 and i not in never_resolves:
            emit(i, "resolved", t)
        else:
            emit(i, "firing", t)
        n += 1
    out.close()


# ---------------------------------------------------------------------------
# Incidents

INCIDENT_TEMPLATES = [
    # title, description, service, ci, impact, urgency, category
    ("Elevated 5xx errors on {service}", "Error rate on {service} rose to {pct}% after {when}. Customers see failed requests; on-call is investigating.", None, None, "high", "high", "availability"),
    ("{service} p99 latency above SLO", "p99 latency of {service} is {sec}s against an objective of 800ms. Started around {when}.", None, None, "medium", "high", "performance"),
    ("Checkout fails with 'payment declined' for valid cards", "Several customers report declined payments with valid cards since {when}. Card network status is green.", "payments-api", "payments-api", "high", None, "availability"),
    ("Login loop on mobile app after token refresh", "Users on app version 7.12 are sent back to the login page after the access token refreshes.", "auth-service", "auth-service", None, "medium", "functional"),
    ("Replication lag on {replica}", "Replica {replica} is {lag} minutes behind its primary; read-only queries return stale data.", None, "{replica}", "medium", None, "database"),
    ("Disk usage at {disk}% on {db}", "Data volume of {db} is at {disk}% and grows about 2% a day. WAL archiving is healthy.", None, "{db}", None, "high", "capacity"),
    ("Connection pool exhausted on {db}", "PgBouncer reports all {n} server connections in use for {db}; clients queue for up to 30s.", None, "{db}", "high", "high", "database"),
    ("Intermittent 502 from load balancer {lb}", "Health checks on {lb} flap for backend pool {pool}; some users in {region} get 502 Bad Gateway.", "network", "{lb}", "medium", "high", "network"),
    ("Internal DNS lookups failing for *.svc.northwind.internal", "Resolvers return SERVFAIL for about {pct}% of internal lookups since {when}.", "network", "dns-internal-01", "high", None, "network"),
    ("Suspicious login: impossible travel for {user}", "Account {user} signed in from {city1} and {city2} within {mins} minutes. MFA was satisfied both times.", "auth-service", "auth-service", "high", "high", "security"),
    ("Credential leak: API key found in public repository", "Secret scanning found a live {provider} key for {service} in a public GitHub repository. The key was created {days} days ago.", None, None, "high", "high", "security"),
    ("Brute-force attempts against admin portal", "WAF blocked {n} failed login attempts against the admin portal from {ips} IP addresses in the last hour.", "admin-portal", "admin-portal", "medium", "high", "security"),
    ("Search results missing new products", "Products published after {when} do not appear in search; the indexer lags by {lag} minutes.", "search", "search-indexer", "low", "medium", "functional"),
    ("Notification emails delayed", "Order confirmation emails arrive {lag} minutes late; the notify queue holds {n} messages.", "notifications", "rabbitmq-notify-01", "low", None, "performance"),
    ("Reporting dashboard times out", "The weekly revenue dashboard times out after 60s since the last schema change.", "reporting", "postgres-reporting-01", "low", "low", "performance"),
    ("Printer on floor {floor} not printing", "The shared printer on floor {floor} shows 'offline' for all users.", "office-it", "printer-ber-{floor}f-01", "low", "low", "request"),
    ("VPN disconnects every 30 minutes", "Remote staff report VPN sessions drop every 30 minutes since {when}.", "vpn", "vpn-gateway-01", "medium", None, "network"),
    ("Request: reset MFA for {user}", "{user} has a new phone and cannot complete MFA.", "auth-service", None, None, None, "request"),
    ("Staging deploy of {service} fails", "The staging deploy pipeline of {service} fails at the migration step.", None, None, "low", "low", "build"),
    ("TLS certificate for {host} expires in {days} days", "The certificate for {host} expires in {days} days and auto-renewal failed.", "network", "lb-edge-01", None, "medium", "security"),
]

CITIES = ["Berlin", "Lagos", "São Paulo", "Singapore", "Toronto", "Warsaw", "Manila", "Kyiv", "Zürich", "Dublin", "Austin"]
USERS = ["j.meyer", "a.okafor", "p.raman", "l.nguyen", "m.garcia", "s.kowalski", "t.fischer", "r.haddad", "e.sato", "d.obrien"]
OFFSETS = [0, 0, 0, 0, 60, 60, -300, -240, 330, 120]


def gen_incidents(args):
    rng = random.Random(args.seed)
    t = parse_time(args.start)
    out = []
    dbs = ["postgres-payments-01", "postgres-payments-02", "postgres-auth-01", "postgres-orders-01",
           "postgres-orders-02", "mysql-catalog-01", "postgres-reporting-01", "postgres-finance-01"]
    for k in range(args.count):
        t += int(rng.expovariate(1.0 / 600000.0)) + 1000
        title_t, desc_t, service, ci, impact, urgency, category = rng.choice(INCIDENT_TEMPLATES)
        fields_db = rng.choice(dbs)
        svc = rng.choice(SERVICES)
        if "{replica}" in title_t:
            fields_db = rng.choice(["postgres-payments-02", "postgres-orders-02"])
        if "{db}" in title_t or "{replica}" in title_t:
            primary = fields_db.replace("-02", "-01")
            svc = next((s for s in SERVICES if primary in s[4]), svc)
        svc_name = service or svc[0]
        fields = {
            "service": svc_name, "db": fields_db, "replica": fields_db, "lb": rng.choice(["lb-edge-01", "lb-edge-02", "lb-internal-01"]),
            "pool": "be_%s" % rng.choice(SERVICES)[0].replace("-", "_"), "region": rng.choice(["eu-west-1", "us-east-1"]),
            "pct": rng.randint(3, 97), "disk": rng.randint(85, 99), "sec": "%.1f" % rng.uniform(0.9, 9.0), "lag": rng.randint(5, 240),
            "n": rng.randint(50, 90000), "user": rng.choice(USERS), "city1": rng.choice(CITIES), "city2": rng.choice(CITIES),
            "mins": rng.randint(3, 50), "provider": rng.choice(["AWS", "Stripe", "SendGrid", "GitHub"]),
            "days": rng.randint(1, 400), "ips": rng.randint(2, 900), "floor": rng.randint(1, 6),
            "host": rng.choice(["www.northwind.example", "api.northwind.example", "login.northwind.example"]),
            "when": rng.choice(["the 09:40 deploy", "the nightly batch", "a config change", "the failover", "08:00 UTC"]),
        }
        env = "production" if rng.random() < 0.85 else rng.choice(["staging", "development"])
        if title_t.startswith("Staging"):
            env = "staging"
        doc = {"kind": "ticket" if category == "request" else "incident",
               "id": "INC-%d" % (200000 + k),
               "title": title_t.format(**fields),
               "description": desc_t.format(**fields),
               "service": svc_name}
        if ci:
            doc["ci"] = ci.format(**fields)
        elif service is None:
            doc["ci"] = svc_name if env == "production" else svc_name + ("-stg" if env == "staging" else "-dev")
        # Rules must derive what the reporter did not say.
        if impact and rng.random() < 0.85:
            doc["impact"] = impact if rng.random() < 0.8 else rng.choice(["high", "medium", "low"])
        if urgency and rng.random() < 0.85:
            doc["urgency"] = urgency if rng.random() < 0.8 else rng.choice(["high", "medium", "low"])
        doc["environment"] = env
        if category not in ("request",) and rng.random() < 0.8:
            doc["affected_users"] = rng.choice([0, 1, 3, 12, 40, 150, 800, 2500, 12000, 48000])
        team = next((s[2] for s in SERVICES if s[0] == svc_name), None)
        labels = {"category": category, "source": rng.choice(["alertmanager", "email", "portal", "phone", "slack", "pagerduty"])}
        if team:
            labels["team"] = team
        if category == "security":
            labels["security"] = "true"
        if rng.random() < 0.3:
            labels["region"] = fields["region"]
        doc["labels"] = labels
        doc["created"] = rfc3339_s(t, rng.choice(OFFSETS))
        doc["reporter"] = rng.choice(USERS) + "@northwind.example"
        out.append(dumps(doc) + "\n")
    write_lines(out, args.out)


# ---------------------------------------------------------------------------
# Changes

CHANGE_TEMPLATES = [
    # title, type, target kind, canary, with rollback, size range
    ("Deploy {service} {version}", "normal", "service", True, 0.95, (2, 40, 20, 1500)),
    ("Deploy {service} {version} (config only)", "standard", "service", False, 0.98, (1, 3, 1, 40)),
    ("Rotate TLS certificate on {lb}", "standard", "lb", False, 0.99, (1, 2, 2, 30)),
    ("Upgrade {db} minor version", "normal", "db", False, 0.9, (1, 4, 5, 60)),
    ("Add index on {db}", "normal", "db", False, 0.7, (1, 2, 3, 25)),
    ("Patch {service} for {cve}", "emergency", "service", False, 0.8, (1, 6, 3, 120)),
    ("Scale {cache} to {n} GiB", "standard", "cache", False, 0.99, (1, 2, 1, 10)),
    ("Kernel patching of {nodes} nodes in {cluster}", "standard", "hosts", False, 0.99, (0, 1, 0, 10)),
    ("Firmware upgrade of {lb}", "normal", "lb", False, 0.85, (0, 1, 0, 0)),
    ("Add DNS record {record}", "standard", "dns", False, 0.99, (1, 1, 1, 4)),
    ("Migrate {service} to new {db}", "normal", "service+db", True, 0.6, (10, 120, 300, 6000)),
]


CHANGE_NOTES = [
    "Rolled out region by region, EU first.",
    "Tested in staging for two days; no errors in the soak test.",
    "Needed for the spring sale; the business owner has signed off.",
    "Follows up on last week's postmortem action item.",
    "No schema change; configuration and image tag only.",
    "Dashboards and alerts for the new version are already in place.",
    "Vendor advisory recommends applying before the end of the month.",
]


def gen_changes(args):
    rng = random.Random(args.seed)
    t = parse_time(args.start)
    out = []
    dbs = ["postgres-payments-01", "postgres-auth-01", "postgres-orders-01", "mysql-catalog-01", "postgres-reporting-01",
           "postgres-finance-01", "postgres-pricing-01"]
    for k in range(args.count):
        t += int(rng.expovariate(1.0 / 1800000.0)) + 60000
        title_t, ctype, target, canary, p_rollback, (f_lo, f_hi, l_lo, l_hi) = rng.choice(CHANGE_TEMPLATES)
        svc = rng.choice(SERVICES)
        db = rng.choice(dbs)
        lb = rng.choice(["lb-edge-01", "lb-edge-02", "lb-internal-01", "lb-internal-02"])
        cache = rng.choice(["redis-sessions-01", "redis-payments-01", "redis-cart-01", "redis-catalog-01"])
        cluster = rng.choice(["prod-eu-west-1", "prod-us-east-1"])
        fields = {"service": svc[0], "version": "v%d.%d.%d" % (rng.randint(1, 9), rng.randint(0, 60), rng.randint(0, 20)),
                  "lb": lb, "db": db, "cache": cache, "n": rng.choice([8, 16, 32, 64]), "cluster": cluster,
                  "nodes": rng.randint(3, 48), "cve": "CVE-2025-%04d" % rng.randint(1000, 9999),
                  "record": "%s.northwind.example" % rng.choice(["status", "docs", "cdn", "partners", "api-v2"])}
        targets = {"service": [svc[0]], "lb": [lb], "db": [db], "cache": [cache], "dns": ["dns-public"],
                   "hosts": ["k8s-prod-node-%02d" % i for i in sorted(rng.sample(range(1, 49), 3))],
                   "service+db": [svc[0], db]}[target]
        services = [svc[0]] if target in ("service", "service+db") else sorted({s[0] for s in SERVICES if any(d in targets for d in s[4])})[:4]
        lead = rng.choice([0, 0, 15, 60, 240, 1440, 2880]) * 60000
        start = t + lead
        if ctype == "emergency":
            start = t + rng.randint(5, 60) * 60000
        duration = rng.choice([15, 30, 60, 120, 240]) * 60000
        offset = rng.choice([0, 0, 60, 60, -300])
        doc = {"kind": "change", "id": "CHG-%d" % (60000 + k), "title": title_t.format(**fields),
               "description": "Requested by %s. %s" % (svc[2], rng.choice(CHANGE_NOTES)),
               "type": ctype, "targets": targets, "services": services,
               "environment": "production", "start": rfc3339_s(start, offset), "end": rfc3339_s(start + duration, offset),
               "assignee": rng.choice(USERS) + "@northwind.example", "team": svc[2] if target.startswith("service") else
               {"lb": "network-team", "dns": "network-team", "db": "dba-team", "cache": "platform-team", "hosts": "platform-team"}[target]}
        if rng.random() < p_rollback:
            doc["rollback_plan"] = rng.choice(["Redeploy the previous image tag with the pipeline's rollback job.",
                                               "Revert the commit and re-run the pipeline.",
                                               "Fail over to the standby and restore the previous configuration from git.",
                                               "Restore from the snapshot taken at the start of the window."])
        if rng.random() < 0.85:
            doc["test_evidence"] = "https://ci.northwind.example/runs/%d" % rng.randint(100000, 999999)
        doc["canary"] = canary and rng.random() < 0.85
        doc["size"] = {"files": rng.randint(f_lo, f_hi), "lines": rng.randint(l_lo, l_hi)}
        doc["created"] = rfc3339_s(t)
        out.append(dumps(doc) + "\n")
    write_lines(out, args.out)


# ---------------------------------------------------------------------------
# CMDB

CI_CLASSES = [
    # class, share, id prefix, tier weights (1..4)
    ("service", 5, "svc", (10, 25, 35, 30)),
    ("application", 15, "app", (5, 25, 40, 30)),
    ("database", 8, "db", (15, 30, 30, 25)),
    ("cache", 5, "cache", (15, 30, 30, 25)),
    ("queue", 3, "queue", (20, 30, 30, 20)),
    ("host", 60, "host", (5, 20, 40, 35)),
    ("load_balancer", 2, "lb", (40, 30, 20, 10)),
    ("dns", 2, "dns", (40, 30, 20, 10)),
]
# What each class may depend on (the graph is layered, hence acyclic by construction).
DEPENDS = {
    "service": ["service", "application", "database", "cache", "queue", "load_balancer", "dns", "host"],
    "application": ["database", "cache", "queue", "host", "dns"],
    "database": ["host"],
    "cache": ["host"],
    "queue": ["host"],
    "load_balancer": ["host", "dns"],
    "dns": ["host"],
    "host": [],
}
WORDS = ["payments", "ledger", "auth", "session", "checkout", "cart", "orders", "catalog", "search", "pricing",
         "inventory", "shipping", "fraud", "refunds", "tax", "invoice", "notify", "reco", "promo", "reviews",
         "media", "loyalty", "admin", "flags", "warehouse", "erp", "ml", "pipeline", "reporting", "wiki", "hr",
         "geo", "profile", "billing", "audit", "export", "import", "partner", "support", "crm"]


def gen_cmdb(args):
    rng = random.Random(args.seed)
    n = args.items
    m = args.edges
    total_share = sum(c[1] for c in CI_CLASSES)
    classes = []
    for cls, share, prefix, weights in CI_CLASSES:
        classes.append([cls, n * share // total_share, prefix, weights])
    # Hand out what rounding left, largest remainder first, so that the counts add up to n.
    left = n - sum(c[1] for c in classes)
    by_remainder = sorted(range(len(classes)), key=lambda k: (-(n * CI_CLASSES[k][1] % total_share), k))
    for k in by_remainder[:left]:
        classes[k][1] += 1
    items = []  # [id, name, class, tier, owner, environment, service]
    by_class = {}
    order = {c[0]: k for k, c in enumerate(classes)}
    for cls, count, prefix, weights in classes:
        ids = []
        for i in range(count):
            word = rng.choice(WORDS)
            env = "production" if rng.random() < 0.7 else rng.choice(["staging", "development"])
            tier = rng.choices((1, 2, 3, 4), weights)[0]
            idx = len(items)
            cid = "%s-%06d" % (prefix, i + 1)
            if cls == "host":
                name = "%s-%s-%04d.northwind.internal" % ("k8s" if rng.random() < 0.6 else "vm", word, i + 1)
            else:
                name = "%s-%s-%d" % (word, cls.replace("_", "-"), i + 1)
            items.append([cid, name, cls, tier, rng.choice(TEAMS), env, word])
            ids.append(idx)
        by_class[cls] = ids
    # Edges: from a CI to one in a class it may depend on; no self-edges, no duplicates.
    # service -> service edges only go to a service with a lower index: still acyclic.
    deps = [[] for _ in range(len(items))]
    seen = set()
    sources = [i for i in range(len(items)) if DEPENDS[items[i][2]]]
    target_pools = {cls: [by_class[t] for t in DEPENDS[cls] if by_class.get(t)] for cls in DEPENDS}
    edges = 0
    if sources and m > 0:
        # Every non-leaf item gets one dependency first, then the rest at random.
        attempts = 0
        k = 0
        while edges < m and attempts < m * 20:
            attempts += 1
            if k < len(sources):
                src = sources[k]
                k += 1
            else:
                src = sources[rng.randrange(len(sources))]
            pools = target_pools[items[src][2]]
            if not pools:
                continue
            pool = pools[rng.randrange(len(pools))]
            dst = pool[rng.randrange(len(pool))]
            if items[dst][2] == items[src][2]:
                if dst >= src:
                    continue
            if dst == src:
                continue
            key = src * len(items) + dst
            if key in seen:
                continue
            seen.add(key)
            deps[src].append(dst)
            edges += 1
    # Deliberate cycles, when asked for: between two services, both ways.
    svcs = by_class.get("service", [])
    for _ in range(min(args.cycles, len(svcs) // 2)):
        a, b = rng.sample(svcs, 2)
        for s, d in ((a, b), (b, a)):
            key = s * len(items) + d
            if key not in seen:
                seen.add(key)
                deps[s].append(d)
    # Output
    lines = []
    for i, (cid, name, cls, tier, owner, env, svc) in enumerate(items):
        doc = {"kind": "ci", "id": cid, "name": name, "class": cls, "tier": tier, "owner": owner,
               "environment": env, "service": svc, "depends_on": [items[d][0] for d in deps[i]]}
        lines.append(dumps(doc))
    if args.ndjson:
        write_lines([l + "\n" for l in lines], args.out)
    else:
        head = '{"kind":"cmdb","source":"generate.py cmdb --items %d --edges %d --seed %d","items":[\n' % (n, m, args.seed)
        write_lines([head, ",\n".join(lines), "\n]}\n"], args.out)


# ---------------------------------------------------------------------------
# SLI samples

SLO_NAMES = [
    ("payments-api-availability", 1800, 0.0004),
    ("checkout-web-latency", 2600, 0.004),
    ("auth-service-availability", 4200, 0.0002),
    ("search-latency", 3100, 0.01),
    ("orders-api-availability", 900, 0.0005),
    ("api-gateway-availability", 9000, 0.0003),
]


def gen_sli(args):
    import math
    rng = random.Random(args.seed)
    start = parse_time(args.start)
    minutes = args.days * 1440
    slos = []
    for k in range(args.slos):
        if k < len(SLO_NAMES):
            name, rate, err = SLO_NAMES[k]
        else:
            name, rate, err = "%s-availability-%d" % (rng.choice(SERVICES)[0], k), rng.randint(100, 5000), rng.choice([0.0002, 0.001, 0.003])
        # Bad episodes: about one every two days, 5 to 90 minutes, 1% to 40% errors.
        episodes = []
        m = 0
        while True:
            m += int(rng.expovariate(1.0 / 2880.0)) + 30
            if m >= minutes:
                break
            episodes.append((m, m + rng.randint(5, 90), rng.uniform(0.01, 0.4)))
        slos.append((name, rate, err, episodes))
    out = []
    for minute in range(minutes):
        ts = rfc3339_s(start + minute * 60000)
        hour = (minute % 1440) / 60.0
        diurnal = 0.55 + 0.45 * math.sin((hour - 9.0) / 24.0 * 2 * math.pi)
        for name, rate, err, episodes in slos:
            total = max(1, int(rate * diurnal * rng.uniform(0.9, 1.1)))
            e = err
            for a, b, r in episodes:
                if a <= minute < b:
                    e = r
                    break
                if a > minute:
                    break
            bad = min(total, int(total * e + rng.random() * 2 * total * e * 0.5))
            out.append('{"kind":"sli","slo":"%s","timestamp":"%s","good":%d,"total":%d}\n' % (name, ts, total - bad, total))
    write_lines(out, args.out)


# ---------------------------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(description="Generate realistic, deterministic inputs for verdict.")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--seed", type=int, default=1, help="random seed (default 1): same seed, same bytes")
        sp.add_argument("--out", default="-", help="output file (default: stdout)")
        sp.add_argument("--start", default="2025-03-14T00:00:00Z", help="first timestamp, RFC 3339 UTC")
        return sp

    a = common(sub.add_parser("alerts", help="Alertmanager alerts, NDJSON"))
    a.add_argument("--count", type=int, default=1000)
    a.add_argument("--label-sets", type=int, default=10000, help="distinct label sets (fingerprints) to draw from")
    a.add_argument("--storm-every", type=int, default=4000, help="about one alert storm per this many alerts")
    i = common(sub.add_parser("incidents", help="native incidents, NDJSON"))
    i.add_argument("--count", type=int, default=1000)
    c = common(sub.add_parser("changes", help="native change requests, NDJSON"))
    c.add_argument("--count", type=int, default=1000)
    d = common(sub.add_parser("cmdb", help="native CMDB, one JSON document"))
    d.add_argument("--items", type=int, default=1000)
    d.add_argument("--edges", type=int, default=3000)
    d.add_argument("--cycles", type=int, default=0, help="deliberate two-service cycles to add (default 0)")
    d.add_argument("--ndjson", action="store_true", help="one CI a line instead of the {kind: cmdb} envelope")
    s = common(sub.add_parser("sli", help="1-minute SLI samples, NDJSON"))
    s.add_argument("--slos", type=int, default=2)
    s.add_argument("--days", type=int, default=1)

    args = p.parse_args(argv)
    for name in ("count", "items", "edges", "slos", "days", "label_sets"):
        if getattr(args, name, 0) is not None and getattr(args, name, 0) < 0:
            p.error("--%s must not be negative" % name.replace("_", "-"))
    if args.cmd == "alerts" and args.label_sets < 1:
        p.error("--label-sets must be at least 1")
    {"alerts": gen_alerts, "incidents": gen_incidents, "changes": gen_changes,
     "cmdb": gen_cmdb, "sli": gen_sli}[args.cmd](args)


if __name__ == "__main__":
    main()
