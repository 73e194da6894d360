#include "serve/cluster.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nats/nats.h>
#include <nlohmann/json.hpp>

#include "serve/log.h"

namespace verdict::serve {

namespace {

using json = nlohmann::json;

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// FNV-1a, 64 bits, with a seed: two of them name a notification in 128 bits.
uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A NATS KV key: [-/_=.a-zA-Z0-9], not starting or ending with '.'. Silence ids from amtool
// and uuid4 fit; anything else is hex-encoded.
std::string kv_key(const std::string& prefix, const std::string& id) {
  bool plain = !id.empty() && id.size() < 200;
  for (char c : id)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '=');
  if (plain) return prefix + id;
  std::string out = prefix + "x";
  for (unsigned char c : id) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", c);
    out += b;
  }
  return out;
}

std::string status_text(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  return std::string(natsStatus_GetText(s)) + (last && *last ? std::string(": ") + last : std::string());
}

}  // namespace

// The NATS handles. The connection is made once and reconnects by itself; the JetStream context
// and the buckets are bound (and bound again) by the cluster's thread.
struct Cluster::Nats {
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  kvStore* silences = nullptr;
  kvStore* nflog = nullptr;
  kvWatcher* watcher = nullptr;  // the cluster thread's only
  natsSubscription* alerts = nullptr;  // --cluster-share-alerts: the pull consumer (the cluster thread's only)
};

void add_cluster_options(CLI::App& c, ClusterOptions& o) {
  c.add_option("--cluster", o.servers,
               "NATS JetStream servers of the fleet, nats://HOST:PORT[,...]: silences and the notification log are shared "
               "(docs/scale.md)")
      ->delimiter(',');
  c.add_option("--cluster-creds", o.creds, "NATS credentials file (user JWT and nkey seed)")->check(CLI::ExistingFile);
  c.add_option("--cluster-tls-ca", o.tls_ca, "PEM CA certificates the NATS servers' certificates are checked against (TLS)")
      ->check(CLI::ExistingFile);
  c.add_option("--cluster-tls-cert", o.tls_cert, "PEM client certificate for NATS (mutual TLS, with --cluster-tls-key)")
      ->check(CLI::ExistingFile);
  c.add_option("--cluster-tls-key", o.tls_key, "PEM private key of --cluster-tls-cert")->check(CLI::ExistingFile);
  c.add_option("--cluster-name", o.name, "This replica's name in the notification log (default HOSTNAME:PID)");
  c.add_option("--cluster-prefix", o.prefix, "Prefix of the key-value buckets: PREFIX_silences, PREFIX_nflog")->capture_default_str();
  c.add_option("--cluster-replicas", o.replicas, "JetStream replicas of the buckets (3 on a three-node cluster)")
      ->check(CLI::Range(1, 5))->capture_default_str();
  c.add_option("--cluster-claim-lease-ms", o.claim_lease_ms,
               "A claimed notification not marked sent within this time is taken over by another replica; also how long "
               "NATS may fail to answer before a replica notifies alone")
      ->check(CLI::Range(100, 3600000))->capture_default_str();
  c.add_option("--cluster-dedup-window-ms", o.dedup_window_ms,
               "The same notification (receiver, group, alerts) sent by any replica within this time is not sent again; "
               "keep it below the shortest repeat_interval")
      ->check(CLI::Range(1000, 86400000))->capture_default_str();
  c.add_flag("--cluster-share-alerts", o.share_alerts,
             "Alerts taken by one replica reach every replica (a JetStream stream): for senders that send each alert to "
             "one replica only; leave it off when every replica receives every alert");
}

Cluster::Cluster(ClusterOptions options, std::function<std::string(const std::string&)> apply_silence,
                 std::function<std::string(const std::string&)> apply_alerts)
    : options_(std::move(options)),
      apply_silence_(std::move(apply_silence)),
      apply_alerts_(std::move(apply_alerts)),
      nats_(std::make_unique<Nats>()) {
  name_ = options_.name;
  if (name_.empty()) {
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    name_ = std::string(host) + ":" + std::to_string(::getpid());
  }
  std::string token;  // a subject token and a consumer name: letters, digits, '_' and '-'
  for (char c : name_) token.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  subject_ = options_.prefix + ".alerts." + token;
}

Cluster::~Cluster() { stop(); }

namespace {

void on_disconnected(natsConnection*, void* closure) {
  auto* flag = static_cast<std::atomic<bool>*>(closure);
  flag->store(false);
}

}  // namespace

Status Cluster::start() {
  if (options_.servers.empty()) return Error(ErrorCode::kInvalidArgument, "--cluster needs at least one nats:// URL");
  for (const auto& s : options_.servers)
    if (s.rfind("nats://", 0) != 0 && s.rfind("tls://", 0) != 0)
      return Error(ErrorCode::kInvalidArgument, "--cluster: \"" + s + "\" is not a nats:// or tls:// URL");
  if (options_.tls_cert.empty() != options_.tls_key.empty())
    return Error(ErrorCode::kInvalidArgument, "--cluster-tls-cert and --cluster-tls-key go together");
  for (char c : options_.prefix)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return Error(ErrorCode::kInvalidArgument, "--cluster-prefix: letters, digits, '_' and '-' only");
  natsOptions* o = nullptr;
  auto fail = [&](const char* what, natsStatus s) {
    return Error(ErrorCode::kInvalidArgument, std::string("--cluster: ") + what + ": " + status_text(s));
  };
  natsStatus s = natsOptions_Create(&o);
  if (s != NATS_OK) return fail("cannot create the NATS options", s);
  nats_->opts = o;
  std::vector<const char*> urls;
  for (const auto& u : options_.servers) urls.push_back(u.c_str());
  if ((s = natsOptions_SetServers(o, urls.data(), static_cast<int>(urls.size()))) != NATS_OK) return fail("servers", s);
  natsOptions_SetName(o, ("verdict serve " + name_).c_str());
  natsOptions_SetTimeout(o, 2000);
  natsOptions_SetAllowReconnect(o, true);
  natsOptions_SetMaxReconnect(o, -1);  // forever: NATS returning is the normal end of a degraded spell
  natsOptions_SetReconnectWait(o, 250);
  natsOptions_SetDisconnectedCB(o, on_disconnected, &connected_);
  natsOptions_SetReconnectedCB(
      o,
      [](natsConnection*, void* closure) {
        auto* self = static_cast<Cluster*>(closure);
        std::lock_guard<std::mutex> lock(self->mu_);
        self->connected_ = true;
        self->rebind_ = true;
        self->cv_.notify_all();
      },
      this);
  if (!options_.creds.empty() && (s = natsOptions_SetUserCredentialsFromFiles(o, options_.creds.c_str(), nullptr)) != NATS_OK)
    return fail("credentials", s);
  if (!options_.tls_ca.empty() || !options_.tls_cert.empty()) {
    if ((s = natsOptions_SetSecure(o, true)) != NATS_OK) return fail("TLS", s);
    if (!options_.tls_ca.empty() && (s = natsOptions_LoadCATrustedCertificates(o, options_.tls_ca.c_str())) != NATS_OK)
      return fail("--cluster-tls-ca", s);
    if (!options_.tls_cert.empty() &&
        (s = natsOptions_LoadCertificatesChain(o, options_.tls_cert.c_str(), options_.tls_key.c_str())) != NATS_OK)
      return fail("--cluster-tls-cert/--cluster-tls-key", s);
  }
  // Unreachable at start: go on alone and keep trying in the background (connected_cb).
  natsOptions_SetRetryOnFailedConnect(
      o, true,
      [](natsConnection*, void* closure) {
        auto* self = static_cast<Cluster*>(closure);
        std::lock_guard<std::mutex> lock(self->mu_);
        self->connected_ = true;
        self->cv_.notify_all();
      },
      this);
  s = natsConnection_Connect(&nats_->nc, o);
  if (s == NATS_OK) {
    connected_ = true;
  } else if (s != NATS_NOT_YET_CONNECTED) {
    return fail("cannot connect", s);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    degraded_since_ = wall_ns();
  }
  log_line(connected_ ? "info" : "warn", connected_ ? "cluster: connected to NATS" : "cluster: NATS unreachable, deciding alone until it answers",
           {{"servers", options_.servers}, {"replica", name_}});
  thread_ = std::thread([this] { loop(); });
  if (options_.share_alerts) share_thread_ = std::thread([this] { share_loop(); });
  return {};
}

void Cluster::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stop_sharing_ = true;
  }
  queue_cv_.notify_all();
  if (share_thread_.joinable()) share_thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  unbind_locked();
  if (nats_->nc) {
    natsConnection_Destroy(nats_->nc);
    nats_->nc = nullptr;
  }
  if (nats_->opts) {
    natsOptions_Destroy(nats_->opts);
    nats_->opts = nullptr;
  }
}

void Cluster::unbind_locked() {
  if (nats_->watcher) {
    kvWatcher_Destroy(nats_->watcher);
    nats_->watcher = nullptr;
  }
  if (nats_->alerts) {
    natsSubscription_Destroy(nats_->alerts);  // the durable consumer stays: a restart resumes it
    nats_->alerts = nullptr;
  }
  if (nats_->silences) kvStore_Destroy(nats_->silences);
  if (nats_->nflog) kvStore_Destroy(nats_->nflog);
  if (nats_->js) jsCtx_Destroy(nats_->js);
  nats_->silences = nats_->nflog = nullptr;
  nats_->js = nullptr;
  ready_ = false;
}

// Binds the JetStream context and both buckets (creating them the first time) and starts the
// silence watcher; false when NATS does not answer yet.
bool Cluster::bind_locked() {
  unbind_locked();
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 2000;
  natsStatus s = natsConnection_JetStream(&nats_->js, nats_->nc, &jo);
  auto bucket = [&](kvStore** out, const std::string& name, int64_t ttl_ms, const char* what) {
    if (js_KeyValue(out, nats_->js, name.c_str()) == NATS_OK) return true;
    kvConfig cfg;
    kvConfig_Init(&cfg);
    cfg.Bucket = name.c_str();
    cfg.Description = what;
    cfg.History = 1;
    cfg.TTL = ttl_ms * 1000000;  // the stream's MaxAge, in nanoseconds
    cfg.Replicas = options_.replicas;
    cfg.StorageType = js_FileStorage;
    natsStatus st = js_CreateKeyValue(out, nats_->js, &cfg);
    if (st != NATS_OK && js_KeyValue(out, nats_->js, name.c_str()) != NATS_OK) {  // another replica made it meanwhile
      log_line("warn", "cluster: cannot bind a key-value bucket", {{"bucket", name}, {"error", status_text(st)}});
      return false;
    }
    return true;
  };
  const int64_t day = 24 * 3600 * 1000ll;
  if (s != NATS_OK || !bucket(&nats_->silences, options_.prefix + "_silences", 0, "verdict serve: silences") ||
      !bucket(&nats_->nflog, options_.prefix + "_nflog", std::max<int64_t>(day, 2 * static_cast<int64_t>(options_.dedup_window_ms)),
              "verdict serve: notification log")) {
    unbind_locked();
    return false;
  }
  kvWatchOptions wo;
  kvWatchOptions_Init(&wo);
  wo.IgnoreDeletes = true;
  if ((s = kvStore_WatchAll(&nats_->watcher, nats_->silences, &wo)) != NATS_OK) {
    log_line("warn", "cluster: cannot watch the silences", {{"error", status_text(s)}});
    unbind_locked();
    return false;
  }
  if (options_.share_alerts) {
    const std::string stream = options_.prefix + "_alerts", subjects = options_.prefix + ".alerts.>";
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&si, nats_->js, stream.c_str(), nullptr, &jerr) == NATS_OK) {
      jsStreamInfo_Destroy(si);
    } else {
      jsStreamConfig sc;
      jsStreamConfig_Init(&sc);
      const char* subj[] = {subjects.c_str()};
      sc.Name = stream.c_str();
      sc.Subjects = subj;
      sc.SubjectsLen = 1;
      sc.Storage = js_FileStorage;
      sc.Replicas = options_.replicas;
      sc.MaxAge = 24 * 3600 * 1000000000ll;  // a day: a replica away longer starts again from new alerts
      s = js_AddStream(&si, nats_->js, &sc, nullptr, &jerr);
      if (s == NATS_OK) jsStreamInfo_Destroy(si);
      else if (js_GetStreamInfo(&si, nats_->js, stream.c_str(), nullptr, &jerr) == NATS_OK) jsStreamInfo_Destroy(si);  // made meanwhile
      else {
        log_line("warn", "cluster: cannot create the alert stream", {{"stream", stream}, {"error", status_text(s)}});
        unbind_locked();
        return false;
      }
    }
    // One durable consumer per replica name: a restarted replica resumes where it stopped; a
    // new one starts with the alerts published from then on.
    const std::string durable = subject_.substr(subject_.rfind('.') + 1);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream.c_str();
    so.Config.Durable = durable.c_str();
    so.Config.DeliverPolicy = js_DeliverNew;
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.FilterSubject = subjects.c_str();
    if ((s = js_PullSubscribe(&nats_->alerts, nats_->js, subjects.c_str(), durable.c_str(), nullptr, &so, &jerr)) != NATS_OK) {
      log_line("warn", "cluster: cannot consume the alert stream", {{"stream", stream}, {"error", status_text(s)}});
      unbind_locked();
      return false;
    }
  }
  ready_ = true;
  return true;
}

// One fetch from the alert stream: applies the bodies other replicas took, in the stream's order,
// and acknowledges each once applied (and journaled here).
int Cluster::fetch_once() {
  natsMsgList list{nullptr, 0};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (natsSubscription_Fetch(&list, nats_->alerts, 256, 100, &jerr) != NATS_OK) return 0;  // a timeout: nothing new
  uint64_t applied = 0, refused = 0;
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* m = list.Msgs[i];
    if (subject_ != natsMsg_GetSubject(m)) {
      const std::string body(natsMsg_GetData(m), static_cast<size_t>(natsMsg_GetDataLength(m)));
      const std::string why = apply_alerts_(body);
      ++(why.empty() ? applied : refused);
      if (!why.empty()) log_line("warn", "cluster: alerts from another replica refused here", {{"error", why}});
    }
    natsMsg_Ack(m, nullptr);
  }
  const int count = list.Count;
  natsMsgList_Destroy(&list);
  bodies_applied_ += applied;
  bodies_refused_ += refused;
  return count;
}

// Never waits on NATS (the queue has a mutex of its own): an HTTP request only queues.
void Cluster::share_alerts(std::string body) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    outgoing_alerts_.push_back(std::move(body));
    if (outgoing_alerts_.size() > 100000) {
      outgoing_alerts_.pop_front();
      if (bodies_dropped_++ == 0)
        log_line("error", "cluster: NATS away too long, the oldest alerts not yet shared are dropped (counted in /metrics)");
    }
  }
  queue_cv_.notify_all();
}

// Publishes the alert bodies in order; waits while NATS is away.
void Cluster::share_loop() {
  std::unique_lock<std::mutex> qlock(queue_mu_);
  while (true) {
    queue_cv_.wait_for(qlock, std::chrono::milliseconds(250), [&] { return !outgoing_alerts_.empty() || stop_sharing_; });
    if (stop_sharing_) return;
    if (outgoing_alerts_.empty()) continue;
    const std::string body = outgoing_alerts_.front();
    const uint64_t dropped = bodies_dropped_.load();  // an overflow meanwhile pops this front itself
    qlock.unlock();
    bool ok = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ready_ && connected_) {
        jsPubAck* ack = nullptr;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        ok = js_Publish(&ack, nats_->js, subject_.c_str(), body.data(), static_cast<int>(body.size()), nullptr, &jerr) == NATS_OK;
        if (ok) jsPubAck_Destroy(ack);
      }
    }
    qlock.lock();
    if (ok) {
      if (!outgoing_alerts_.empty() && bodies_dropped_.load() == dropped) outgoing_alerts_.pop_front();
      ++bodies_published_;
    } else {
      queue_cv_.wait_for(qlock, std::chrono::milliseconds(250), [&] { return stop_sharing_; });  // NATS away: again later
    }
  }
}

// What this replica did alone while NATS was away: its silences and its sent notifications.
void Cluster::reconcile_locked() {
  for (auto it = unsent_silences_.begin(); it != unsent_silences_.end();) {
    const std::string key = kv_key("", it->first);
    uint64_t rev = 0;
    if (kvStore_PutString(&rev, nats_->silences, key.c_str(), it->second.c_str()) != NATS_OK) return;
    applied_[key] = it->second;
    ++counters_["verdict_cluster_reconciled_total{what=\"silence\"}"];
    it = unsent_silences_.erase(it);
  }
  for (auto it = unsent_results_.begin(); it != unsent_results_.end();) {
    if (!write_sent_locked(it->first, it->second.result, it->second.at)) return;
    ++counters_["verdict_cluster_reconciled_total{what=\"notification\"}"];
    it = unsent_results_.erase(it);
  }
}

// Records a delivery that is over under its key: over a claim (ours or a stale one), never over
// another replica's record that it was sent.
bool Cluster::write_sent_locked(const std::string& key, const std::string& result, int64_t at) {
  const std::string value = json{{"state", result}, {"by", name_}, {"at", at}}.dump();
  for (int attempt = 0; attempt < 4; ++attempt) {
    kvEntry* e = nullptr;
    natsStatus s = kvStore_Get(&e, nats_->nflog, key.c_str());
    uint64_t rev = 0;
    if (s == NATS_NOT_FOUND) {
      if (kvStore_CreateString(&rev, nats_->nflog, key.c_str(), value.c_str()) == NATS_OK) return true;
      continue;  // created meanwhile: read it
    }
    if (s != NATS_OK) return false;
    const uint64_t last = kvEntry_Revision(e);
    auto j = json::parse(std::string(kvEntry_ValueString(e)), nullptr, false);
    kvEntry_Destroy(e);
    const std::string state = j.is_object() ? j.value("state", "") : "";
    const std::string by = j.is_object() ? j.value("by", "") : "";
    if ((state == "sent" || state == "failed") && by != name_) {
      if (result == "sent" && state == "sent") {
        ++counters_["verdict_cluster_duplicates_total"];  // both sent it: say so
        log_line("warn", "cluster: a notification was also sent by another replica", {{"key", key}, {"other", by}});
      }
      return true;
    }
    if (kvStore_UpdateString(&rev, nats_->nflog, key.c_str(), value.c_str(), last) == NATS_OK) return true;
  }
  return false;
}

std::string Cluster::claim_key(const Outgoing& o) {
  auto p = json::parse(o.payload, nullptr, false);
  std::string text = o.url + '\n' + o.receiver + '\n';
  if (p.is_object()) {
    text += p.value("groupKey", "") + '\n';
    if (p.contains("alerts") && p["alerts"].is_array())
      for (const auto& a : p["alerts"])
        if (a.is_object()) text += a.value("status", "") + ' ' + a.value("fingerprint", "") + '\n';
  } else {
    text += o.payload;
  }
  return "n." + hex16(fnv1a(text, 1469598103934665603ull)) + hex16(fnv1a(text, 0x9e3779b97f4a7c15ull));
}

NotifyClaim Cluster::alone(int64_t now) {
  // NATS has not answered for a lease: notify alone rather than not at all.
  if (degraded_since_ == 0) degraded_since_ = now;
  if (now - degraded_since_ >= static_cast<int64_t>(options_.claim_lease_ms) * 1000000) {
    ++counters_["verdict_cluster_claims_total{result=\"alone\"}"];
    return NotifyClaim::kSend;
  }
  return NotifyClaim::kLater;
}

NotifyClaim Cluster::claim(const Outgoing& o) {
  const std::string key = claim_key(o);
  const int64_t now = wall_ns();
  std::lock_guard<std::mutex> lock(mu_);
  if (!ready_ || !connected_) return alone(now);
  bool failed = false;
  NotifyClaim c = claim_locked(key, now, failed);
  if (failed) return alone(now);
  degraded_since_ = 0;
  ++counters_[std::string("verdict_cluster_claims_total{result=\"") +
              (c == NotifyClaim::kSend ? "won" : c == NotifyClaim::kSkip ? "sent_elsewhere" : "held_elsewhere") + "\"}"];
  return c;
}

NotifyClaim Cluster::claim_locked(const std::string& key, int64_t now, bool& failed) {
  const std::string mine = json{{"state", "claimed"}, {"by", name_}, {"at", now}}.dump();
  const int64_t lease = static_cast<int64_t>(options_.claim_lease_ms) * 1000000;
  const int64_t window = static_cast<int64_t>(options_.dedup_window_ms) * 1000000;
  for (int attempt = 0; attempt < 4; ++attempt) {
    kvEntry* e = nullptr;
    uint64_t rev = 0;
    natsStatus s = kvStore_Get(&e, nats_->nflog, key.c_str());
    if (s == NATS_NOT_FOUND) {
      // The first claim: create only if nobody did (compare-and-set on "no key").
      if (kvStore_CreateString(&rev, nats_->nflog, key.c_str(), mine.c_str()) == NATS_OK) {
        claimed_[key] = rev;
        return NotifyClaim::kSend;
      }
      continue;  // lost the race, or NATS failed: read again
    }
    if (s != NATS_OK) {
      failed = true;
      return NotifyClaim::kLater;
    }
    const uint64_t last = kvEntry_Revision(e);
    auto j = json::parse(std::string(kvEntry_ValueString(e)), nullptr, false);
    kvEntry_Destroy(e);
    const std::string state = j.is_object() ? j.value("state", "") : "";
    const std::string by = j.is_object() ? j.value("by", "") : "";
    const int64_t at = j.is_object() && j.contains("at") && j["at"].is_number_integer() ? j["at"].get<int64_t>() : 0;
    if ((state == "sent" || state == "failed") && now - at < window) return NotifyClaim::kSkip;
    if (state == "claimed" && by != name_ && now - at < lease) return NotifyClaim::kLater;
    // Free: older than the window, a claim whose lease ran out, or our own claim (a retry renews it).
    if (kvStore_UpdateString(&rev, nats_->nflog, key.c_str(), mine.c_str(), last) == NATS_OK) {
      if (state == "claimed" && by != name_) {
        ++counters_["verdict_cluster_takeovers_total"];
        log_line("warn", "cluster: took over a notification whose claim ran out", {{"key", key}, {"from", by}});
      }
      claimed_[key] = rev;
      return NotifyClaim::kSend;
    }
  }
  failed = true;  // four rounds without an answer either way
  return NotifyClaim::kLater;
}

void Cluster::finished(const Outgoing& o, const std::string& result) {
  const std::string key = claim_key(o);
  const int64_t now = wall_ns();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = claimed_.find(key);
  const uint64_t rev = it == claimed_.end() ? 0 : it->second;
  if (it != claimed_.end()) claimed_.erase(it);
  if (ready_ && connected_) {
    const std::string value = json{{"state", result}, {"by", name_}, {"at", now}}.dump();
    uint64_t next = 0;
    if (rev && kvStore_UpdateString(&next, nats_->nflog, key.c_str(), value.c_str(), rev) == NATS_OK) return;
    if (write_sent_locked(key, result, now)) return;
  }
  unsent_results_[key] = Pending{result, now};  // written when NATS answers again
}

void Cluster::publish_silence(const std::string& id, const std::string& command) {
  const std::string key = kv_key("", id);
  const std::string value = json{{"by", name_}, {"command", json::parse(command, nullptr, false)}}.dump();
  std::lock_guard<std::mutex> lock(mu_);
  applied_[key] = value;  // our own write comes back through the watch: not applied twice
  uint64_t rev = 0;
  if (ready_ && connected_ && kvStore_PutString(&rev, nats_->silences, key.c_str(), value.c_str()) == NATS_OK) {
    ++counters_["verdict_cluster_silences_total{direction=\"published\"}"];
    return;
  }
  unsent_silences_[id] = value;
  log_line("warn", "cluster: silence kept locally until NATS answers", {{"id", id}});
}

// One round of the silence watch: applies what other replicas wrote.
void Cluster::watch_once(int64_t timeout_ms) {
  kvEntry* e = nullptr;
  natsStatus s = kvWatcher_Next(&e, nats_->watcher, timeout_ms);
  if (s != NATS_OK || e == nullptr) return;  // a timeout, or the end of the initial values
  const std::string key = kvEntry_Key(e);
  const std::string value(static_cast<const char*>(kvEntry_Value(e)), static_cast<size_t>(kvEntry_ValueLen(e)));
  kvEntry_Destroy(e);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = applied_.find(key);
    if (it != applied_.end() && it->second == value) return;
    applied_[key] = value;
  }
  auto j = json::parse(value, nullptr, false);
  if (!j.is_object() || !j.contains("command") || !j["command"].is_object()) {
    log_line("warn", "cluster: a silence in the bucket is not a verdict silence command", {{"key", key}});
    return;
  }
  const std::string cmd = j["command"].dump();
  const std::string why = apply_silence_(cmd);
  std::lock_guard<std::mutex> lock(mu_);
  if (why.empty()) {
    ++counters_["verdict_cluster_silences_total{direction=\"applied\"}"];
    log_line("info", "cluster: silence applied from another replica",
             {{"id", j["command"].value("id", "")}, {"kind", j["command"].value("kind", "")}, {"by", j.value("by", "")}});
  } else if (j["command"].value("kind", "") != "expire_silence") {
    // An expiry of a silence that already ended here is no news; anything else is logged.
    ++counters_["verdict_cluster_silences_total{direction=\"refused\"}"];
    log_line("warn", "cluster: a silence from another replica was refused", {{"key", key}, {"error", why}});
  }
}

void Cluster::loop() {
  bool was_ready = false;
  auto watched_at = std::chrono::steady_clock::now();
  bool busy = false;  // the last fetch from the alert stream brought messages
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_) return;
      if (rebind_ || (!ready_ && connected_)) {
        rebind_ = false;
        if (bind_locked()) {
          reconcile_locked();
          degraded_since_ = 0;
          if (!was_ready) log_line("info", "cluster: sharing silences and the notification log", {{"replica", name_}});
        }
      }
      if (ready_ && !connected_ && was_ready) log_line("warn", "cluster: NATS connection lost, deciding alone");
      if (!connected_ && degraded_since_ == 0) degraded_since_ = wall_ns();
      was_ready = ready_ && connected_;
      if (!ready_ || !connected_) {
        // Bind again a second later if NATS answered the connection but not JetStream.
        cv_.wait_for(lock, std::chrono::milliseconds(ready_ ? 250 : 1000), [&] { return stop_ || rebind_; });
        continue;
      }
      if (!unsent_silences_.empty() || !unsent_results_.empty()) reconcile_locked();
      // Anti-entropy: the watch is an ordered consumer on one NATS node; when that node dies and
      // our connection does not (no reconnect to tell us), the client only notices after 10 s of
      // missed heartbeats. Watching again every few seconds reads every silence again (those
      // already applied are skipped) and bounds the delay after a node failure.
      const auto t = std::chrono::steady_clock::now();
      if (t - watched_at >= std::chrono::seconds(3)) {
        kvWatcher* w = nullptr;
        kvWatchOptions wo;
        kvWatchOptions_Init(&wo);
        wo.IgnoreDeletes = true;
        if (kvStore_WatchAll(&w, nats_->silences, &wo) == NATS_OK) {
          kvWatcher_Destroy(nats_->watcher);
          nats_->watcher = w;
        }
        watched_at = t;
      }
    }
    // Each at most a quarter of a second; the watcher and the consumer are this thread's alone.
    if (nats_->alerts) {
      // While the alert stream has more, do not wait on the silence watch between fetches.
      watch_once(busy ? 1 : 100);
      busy = fetch_once() > 0;
    } else {
      watch_once(250);
    }
  }
}

size_t Cluster::unsent_bodies() const {
  std::lock_guard<std::mutex> lock(queue_mu_);
  return outgoing_alerts_.size();
}

std::string Cluster::status_json() const {
  std::lock_guard<std::mutex> lock(mu_);
  const bool ok = ready_ && connected_;
  return json{{"cluster", ok ? "connected" : "degraded"},
              {"replica", name_},
              {"unsent_silences", unsent_silences_.size()},
              {"unsent_notifications", unsent_results_.size()},
              {"unsent_alert_bodies", unsent_bodies()}}
      .dump();
}

std::string Cluster::metrics_text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream o;
  o << "# HELP verdict_cluster_connected 1 while NATS JetStream answers and the buckets are bound; 0 degraded (deciding alone).\n"
       "# TYPE verdict_cluster_connected gauge\n"
    << "verdict_cluster_connected " << (ready_ && connected_ ? 1 : 0) << "\n";
  o << "# HELP verdict_cluster_unsent Silences and notification results made while degraded, written when NATS returns.\n"
       "# TYPE verdict_cluster_unsent gauge\n"
    << "verdict_cluster_unsent{what=\"silence\"} " << unsent_silences_.size() << "\n"
    << "verdict_cluster_unsent{what=\"notification\"} " << unsent_results_.size() << "\n"
    << "verdict_cluster_unsent{what=\"alert_body\"} " << unsent_bodies() << "\n";
  if (options_.share_alerts) {
    o << "# HELP verdict_cluster_alert_bodies_total Alert request bodies shared through the alert stream.\n"
         "# TYPE verdict_cluster_alert_bodies_total counter\n";
    for (const auto& [what, n] : {std::pair<const char*, uint64_t>{"published", bodies_published_.load()},
                                  {"applied", bodies_applied_.load()},
                                  {"refused", bodies_refused_.load()},
                                  {"dropped", bodies_dropped_.load()}})
      o << "verdict_cluster_alert_bodies_total{direction=\"" << what << "\"} " << n << "\n";
  }
  std::string last_family;
  for (const auto& [k, n] : counters_) {
    const std::string family = k.substr(0, k.find('{'));
    if (family != last_family) o << "# TYPE " << family << " counter\n";
    last_family = family;
    o << k << " " << n << "\n";
  }
  return o.str();
}

}  // namespace verdict::serve
