// `verdict serve` (docs/serve.md): routes, options, start-up and shutdown.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <chrono>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/alert_store.h"
#include "serve/bundle.h"
#include "serve/decision_log.h"
#include "serve/cluster.h"
#include "serve/log.h"
#include "serve/metrics.h"
#include "serve/notifier.h"
#include "serve/serve.h"
#include "serve/signing.h"
#include "serve/workers.h"
#include "verdict/document.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

namespace verdict::serve {

namespace {

using ojson = nlohmann::ordered_json;

// The route of the request being handled on this thread, for the metrics and the log
// (httplib runs a request's routing, handler and logger on one worker thread).
thread_local std::string t_route;
thread_local std::chrono::steady_clock::time_point t_start;

int status_for(ErrorCode c) {
  switch (c) {
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kWrongKind: return 422;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kInternal: return 500;
    default: return 400;
  }
}

std::string errors_json(const std::vector<Error>& errors) {
  JsonWriter w;
  w.begin_object().key("ok").boolean(false).key("errors").begin_array();
  for (const Error& e : errors) write_error_json(w, e);
  w.end_array().end_object();
  return std::string(w.view());
}

void send_error(httplib::Response& res, int status, ErrorCode code, const std::string& message) {
  res.status = status;
  res.set_content(errors_json({Error(code, message)}), "application/json");
}

// The URL's query parameters only. httplib also puts the fields of a form-encoded body in
// req.params, and curl's --data sends any body as a form: a JSON document must never be
// read as parameters.
std::multimap<std::string, std::string> query_of(const httplib::Request& req) {
  std::multimap<std::string, std::string> out;
  size_t q = req.target.find('?');
  if (q == std::string::npos) return out;
  auto decode = [](std::string_view s) {
    std::string o;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        o.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
        o.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
        i += 2;
      } else {
        o.push_back(s[i]);
      }
    }
    return o;
  };
  std::string_view rest = std::string_view(req.target).substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    out.emplace(decode(kv.substr(0, eq)), eq == std::string_view::npos ? std::string() : decode(kv.substr(eq + 1)));
  }
  return out;
}

bool has_param(const httplib::Request& req, const char* k) { return query_of(req).count(k) > 0; }

std::string param(const httplib::Request& req, const char* k) {
  auto m = query_of(req);
  auto it = m.find(k);
  return it == m.end() ? std::string() : it->second;
}

// Query parameters: only the named ones are accepted (a misspelt `explian` is an error, not
// silently ignored).
bool check_params(const httplib::Request& req, httplib::Response& res, std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : query_of(req)) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      send_error(res, 400, ErrorCode::kInvalidArgument, "unknown query parameter \"" + k + "\"");
      return false;
    }
  }
  return true;
}

bool flag_param(const httplib::Request& req, httplib::Response& res, const char* name, bool& out) {
  out = false;
  if (!has_param(req, name)) return true;
  std::string v = param(req, name);
  if (v == "true" || v == "1" || v.empty()) out = true;
  else if (v == "false" || v == "0") out = false;
  else {
    send_error(res, 400, ErrorCode::kInvalidArgument, std::string(name) + " must be true or false, not \"" + v + "\"");
    return false;
  }
  return true;
}

bool is_ndjson_type(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  return ct.find("ndjson") != std::string::npos || ct.find("jsonlines") != std::string::npos;
}

std::string uuid4() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t a, b;
  {
    std::lock_guard<std::mutex> lock(mu);
    a = rng();
    b = rng();
  }
  a = (a & 0xffffffffffff0fffull) | 0x0000000000004000ull;
  b = (b & 0x3fffffffffffffffull) | 0x8000000000000000ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff), static_cast<unsigned long long>(a & 0xffff),
                static_cast<unsigned long long>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

// Alertmanager's structured matcher ({name, value, isRegex, isEqual}) as matcher text, and back.
std::string matcher_text(const ojson& m) {
  std::string name = m.value("name", "");
  bool regex = m.value("isRegex", false), equal = m.value("isEqual", true);
  std::string value = m.value("value", "");
  std::string out = name + (regex ? (equal ? "=~" : "!~") : (equal ? "=" : "!=")) + "\"";
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out.push_back(c);
  }
  return out + "\"";
}

ojson matcher_object(const std::string& text) {
  size_t i = text.find_first_of("=!");
  ojson m = ojson::object();
  if (i == std::string::npos) return m;
  std::string name = text.substr(0, i), op;
  if (text.compare(i, 2, "=~") == 0 || text.compare(i, 2, "!~") == 0 || text.compare(i, 2, "!=") == 0) op = text.substr(i, 2);
  else op = "=";
  std::string rest = text.substr(i + op.size()), value;
  if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"') {
    for (size_t k = 1; k + 1 < rest.size(); ++k) {
      if (rest[k] == '\\' && k + 2 < rest.size()) {
        ++k;
        value.push_back(rest[k] == 'n' ? '\n' : rest[k]);
      } else {
        value.push_back(rest[k]);
      }
    }
  } else {
    value = rest;
  }
  m["name"] = name;
  m["value"] = value;
  m["isRegex"] = op == "=~" || op == "!~";
  m["isEqual"] = op == "=" || op == "=~";
  return m;
}

// /readyz of a fleet replica: {"status":"ready"|"degraded", "cluster":...}.
std::string cluster_readyz(const std::string& cluster_status) {
  auto j = ojson::parse(cluster_status, nullptr, false);
  ojson out{{"status", j.is_object() && j.value("cluster", "") == "connected" ? "ready" : "degraded"}};
  if (j.is_object()) out.update(j);
  return out.dump();
}

// One loaded bundle: its digest, policies and an engine per worker. Replaced whole by a reload
// (SIGHUP, a change in the bundle's files); a request keeps the one it started with.
struct Loaded {
  std::string digest;
  std::vector<PolicyInfo> policies;
  EnginePool pool;
};

// Loads `texts` into `threads` engines; null with the errors when a file does not load.
std::shared_ptr<Loaded> load_bundle(const BundleTexts& texts, size_t threads, std::vector<std::string>& errors) {
  auto b = std::make_shared<Loaded>();
  for (size_t i = 0; i < threads; ++i) {
    auto engine = std::make_unique<Engine>();
    for (const Error& e : load_engine(*engine, texts)) errors.push_back(e.to_string());
    if (!errors.empty()) return nullptr;
    std::string d = engine->bundle_digest();
    if (i == 0) {
      b->digest = d;
      b->policies = engine->policies();
    } else if (d != b->digest) {
      errors.push_back("engines disagree on the bundle digest: " + b->digest + " and " + d);
      return nullptr;
    }
    b->pool.add(std::move(engine));
  }
  return b;
}

// What a reload watches: every bundle and data file's path, size and modification time.
std::string bundle_signature(const ServeOptions& o) {
  namespace fs = std::filesystem;
  std::string sig;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    auto t = fs::last_write_time(p, ec);
    sig += p.string() + "\t" + std::to_string(ec ? 0 : size) + "\t" +
           std::to_string(ec ? 0 : t.time_since_epoch().count()) + "\n";
  };
  for (const auto& root : o.bundle) {
    std::error_code ec;
    if (fs::is_directory(root, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->path().extension() == ".json") files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) add(f);
    } else {
      add(root);
    }
  }
  for (const auto& d : o.data) add(d);
  if (!o.verify_key.empty()) add(fs::path(o.bundle.front()) / kSignatureFile);
  return sig;
}

// Bearer tokens, one a line; blank lines, `#` comments and surrounding spaces ignored.
bool read_tokens(const std::string& path, std::vector<std::string>& out, std::string& why) {
  std::ifstream f(path);
  if (!f) {
    why = "cannot open " + path;
    return false;
  }
  std::string line;
  while (std::getline(f, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    out.push_back(line.substr(b));
  }
  if (out.empty()) {
    why = path + " holds no token";
    return false;
  }
  return true;
}

struct Service {
  ServeOptions options;
  BundleTexts texts;
  std::mutex bundle_mu;
  std::shared_ptr<Loaded> bundle;      // under bundle_mu
  std::vector<std::string> reload_errors;  // of the last refused reload; under bundle_mu
  std::string reload_at;                   // when it was refused
  std::mutex reload_mu;                    // one reload at a time
  std::mutex tokens_mu;
  std::shared_ptr<const std::vector<std::string>> tokens;  // --auth-token-file (null: no authentication); under tokens_mu

  std::shared_ptr<const std::vector<std::string>> current_tokens() {
    std::lock_guard<std::mutex> lock(tokens_mu);
    return tokens;
  }

  // SIGHUP: reads the token file again (a token rotated without a restart). A file that cannot
  // be read or holds no token is refused and the tokens in use stay: a reload never opens the
  // service to everyone.
  void reload_tokens() {
    if (options.auth_token_file.empty()) return;
    auto next = std::make_shared<std::vector<std::string>>();
    std::string why;
    if (!read_tokens(options.auth_token_file, *next, why)) {
      log_line("error", "token file reload refused: the tokens in use stay", {{"error", why}});
      return;
    }
    size_t n = next->size();
    {
      std::lock_guard<std::mutex> lock(tokens_mu);
      tokens = std::move(next);
    }
    log_line("info", "tokens reloaded", {{"file", options.auth_token_file}, {"tokens", n}});
  }
  std::unique_ptr<PublicKey> verify_key;   // --verify-key: every bundle served carries a good signature by it

  // "" when no key is configured or the bundle folder's signature is good over `digest`.
  std::string signature_problem(const std::string& digest) const {
    return verify_key ? check_signature(options.bundle.front(), digest, *verify_key) : std::string();
  }

  std::shared_ptr<Loaded> current() {
    std::lock_guard<std::mutex> lock(bundle_mu);
    return bundle;
  }

  // Reads and loads the bundle again; swaps it in when every file loads, else keeps the one in
  // use and keeps the errors for the log, /v1/policies and /metrics.
  bool reload(const char* trigger) {
    std::lock_guard<std::mutex> one(reload_mu);
    BundleTexts t;
    std::string why;
    std::vector<std::string> errors;
    std::shared_ptr<Loaded> next;
    if (!read_bundle(options.bundle, options.data, t, why)) errors.push_back(why);
    else next = load_bundle(t, options.threads, errors);
    if (next) {
      std::string bad = signature_problem(next->digest);
      if (!bad.empty()) {
        errors.push_back("signature: " + bad);
        next = nullptr;
      }
    }
    std::lock_guard<std::mutex> lock(bundle_mu);
    if (!next) {
      reload_errors = errors;
      reload_at = clock_now();
      metrics.reload(false);
      log_line("error", "bundle reload refused: the bundle in use keeps serving",
               {{"trigger", trigger}, {"errors", errors}, {"bundle", bundle->digest}});
      return false;
    }
    reload_errors.clear();
    reload_at.clear();
    metrics.reload(true);
    log_line("info", "bundle reloaded", {{"trigger", trigger}, {"from", bundle->digest}, {"to", next->digest},
                                        {"policies", next->policies.size()}});
    bundle = std::move(next);
    return true;
  }
  std::unique_ptr<AlertStore> alerts;
  std::unique_ptr<DecisionLog> decision_log;  // --decision-log
  std::unique_ptr<Cluster> cluster;  // --cluster only
  Metrics metrics;
  std::atomic<bool> ready{false};
  std::unique_ptr<httplib::Server> http;  // an SSLServer with --tls-cert/--tls-key
  bool log_requests = false;

  // POST /v1/{triage,change,budget}, /v1/eval/{policy}: one decision per document or NDJSON line,
  // through the engine's one evaluation path (EvalOptions.kind checks the kind).
  void decide(const httplib::Request& req, httplib::Response& res, const std::string& kind, const std::string& policy) {
    if (!check_params(req, res, {"policy", "explain", "now"})) return;
    if (!policy.empty() && has_param(req, "policy")) {
      send_error(res, 400, ErrorCode::kInvalidArgument, "the path names the policy: ?policy= is not taken here");
      return;
    }
    EvalOptions o;
    o.kind = kind;
    o.policy = policy.empty() ? param(req, "policy") : policy;
    if (!flag_param(req, res, "explain", o.explain)) return;
    o.now = has_param(req, "now") ? param(req, "now") : clock_now();
    o.source = "request";
    if (is_ndjson_type(req)) o.format = InputFormat::kNdjson;
    // The format is settled here, once, so that the decision log knows what a "line" is.
    thread_local DocumentReader detector;
    if (o.format == InputFormat::kAuto) o.format = detector.is_ndjson(req.body) ? InputFormat::kNdjson : InputFormat::kJson;
    // The request's deadline counts from its headers (the body's reading included): the
    // engine asks before each NDJSON line or envelope record. One decision is bounded by the
    // language's step budget, not by the clock.
    const auto deadline = t_start + std::chrono::milliseconds(options.request_timeout_ms);
    o.stop = [deadline] { return std::chrono::steady_clock::now() > deadline; };
    EvalReport r;
    std::shared_ptr<Loaded> b = current();
    const auto began = std::chrono::steady_clock::now();
    {
      auto engine = b->pool.acquire();
      r = engine->evaluate(req.body, o);
    }
    const double latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
    if (r.stopped) {
      log_line("warn", "request deadline exceeded",
               {{"route", t_route}, {"decided", r.decisions}, {"request_timeout_ms", options.request_timeout_ms}});
      send_error(res, 503, ErrorCode::kLimitExceeded,
                 "the request took longer than --request-timeout-ms (" + std::to_string(options.request_timeout_ms) +
                     " ms): stopped after " + std::to_string(r.decisions) +
                     " decisions and nothing is returned; send fewer documents per request");
      return;
    }
    int status = 200;
    if (r.decisions == 0 && !r.errors.empty()) status = status_for(r.errors.front().code);
    if (r.decisions) {
      std::string k = kind;
      if (k.empty())
        for (const auto& p : b->policies)
          if (p.name == r.policy) k = p.kind;
      metrics.decisions(k, r.decisions);
    }
    if (decision_log && r.decisions) {
      DecisionLog::Entry e;
      e.time = clock_now();
      e.route = t_route;
      e.policy = r.policy;
      for (const auto& p : b->policies)
        if (p.name == r.policy) e.kind = p.kind;
      e.bundle = b->digest;
      e.latency_ms = latency_ms;
      e.ndjson = o.format == InputFormat::kNdjson;
      e.input = std::make_shared<const std::string>(req.body);
      e.output = r.json;
      decision_log->submit(std::move(e));
    }
    res.status = status;
    size_t lines = 0;
    for (char c : r.json) lines += c == '\n';
    bool ndjson = o.format == InputFormat::kNdjson || lines > 1;
    res.set_content(r.json, ndjson ? "application/x-ndjson" : "application/json");
  }

  // POST /v1/alerts (`now` allowed, answers the stream's NDJSON) and /api/v2/alerts
  // (Alertmanager's API: the server clock, Alertmanager's answers).
  void alerts_push(const httplib::Request& req, httplib::Response& res, bool alertmanager_api) {
    if (!alertmanager_api ? !check_params(req, res, {"now"}) : !check_params(req, res, {})) return;
    std::string now = !alertmanager_api && has_param(req, "now") ? param(req, "now") : clock_now();
    AlertStore::Pushed p = alerts->push(req.body, now);
    if (p.journal_failed) {
      res.status = 503;
      res.set_content(errors_json(p.errors), "application/json");
      return;
    }
    // --cluster-share-alerts: the other replicas take what arrived on the server clock.
    if (cluster && options.cluster.share_alerts && !p.ndjson.empty() && !has_param(req, "now")) cluster->share_alerts(req.body);
    if (p.ndjson.empty()) {  // nothing ran: no policy
      res.status = p.errors.empty() ? 200 : status_for(p.errors.front().code);
      res.set_content(errors_json(p.errors), "application/json");
      return;
    }
    // Like Alertmanager: the valid alerts are taken, and a batch with a bad one is a 400.
    res.status = p.errors.empty() ? 200 : 400;
    if (alertmanager_api) {
      // Alertmanager's own answer (its clients, amtool among them, read no NDJSON): an empty
      // 200, or the errors as JSON.
      if (p.errors.empty()) res.set_content("", "application/json");
      else res.set_content(errors_json(p.errors), "application/json");
      return;
    }
    res.set_content(p.ndjson, "application/x-ndjson");
  }

  // POST /v2/enqueue: PagerDuty's Events API v2, answered as PagerDuty answers (202 with the
  // dedup_key; 400 {"status":"invalid event","message":"Event object is invalid","errors":[...]}).
  // The request checks are those of PagerDuty's API; the event is read by the stream's one
  // alert mapping (docs/alerts.md), whose errors are answered in the same shape.
  void pagerduty_enqueue(const httplib::Request& req, httplib::Response& res) {
    auto invalid = [&](const std::vector<std::string>& errors) {
      res.status = 400;
      res.set_content(ojson{{"status", "invalid event"}, {"message", "Event object is invalid"}, {"errors", errors}}.dump(
                          -1, ' ', false, nlohmann::json::error_handler_t::replace),
                      "application/json");
    };
    if (!check_params(req, res, {})) return;
    auto ev = ojson::parse(req.body, nullptr, false);
    if (ev.is_discarded() || !ev.is_object()) return invalid({"the body is not a JSON object"});
    std::vector<std::string> errors;
    auto blank = [&](const ojson& o, const char* k) { return !o.contains(k) || !o[k].is_string() || o[k].get<std::string>().empty(); };
    if (blank(ev, "routing_key")) errors.push_back("'routing_key' is missing or blank");
    const std::string action = ev.contains("event_action") && ev["event_action"].is_string() ? ev["event_action"].get<std::string>() : "";
    if (action != "trigger" && action != "acknowledge" && action != "resolve")
      errors.push_back("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
    if (action == "trigger") {
      if (!ev.contains("payload") || !ev["payload"].is_object()) {
        errors.push_back("'payload' is missing or not an object");
      } else {
        const ojson& p = ev["payload"];
        for (const char* k : {"summary", "source", "severity"})
          if (blank(p, k)) errors.push_back(std::string("'payload.") + k + "' is missing or blank");
        const std::string sev = p.contains("severity") && p["severity"].is_string() ? p["severity"].get<std::string>() : "";
        if (!sev.empty() && sev != "critical" && sev != "error" && sev != "warning" && sev != "info")
          errors.push_back("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
      }
    } else if (!action.empty() && blank(ev, "dedup_key")) {
      errors.push_back("'dedup_key' is missing or blank");
    }
    if (!errors.empty()) return invalid(errors);
    // PagerDuty makes a dedup_key for a trigger without one, and answers it.
    if (blank(ev, "dedup_key")) {
      std::string id = uuid4();
      id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
      ev["dedup_key"] = id;
    }
    const std::string event = ev.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    AlertStore::Pushed p = alerts->push(event, clock_now());
    if (cluster && options.cluster.share_alerts && !p.journal_failed && !p.ndjson.empty()) cluster->share_alerts(event);
    if (p.journal_failed || p.ndjson.empty()) {
      res.status = p.journal_failed ? 503 : status_for(p.errors.empty() ? ErrorCode::kInternal : p.errors.front().code);
      res.set_content(errors_json(p.errors), "application/json");
      return;
    }
    if (!p.errors.empty()) {
      std::vector<std::string> msgs;
      for (const Error& e : p.errors) msgs.push_back(e.message);
      return invalid(msgs);
    }
    res.status = 202;
    res.set_content(ojson{{"status", "success"}, {"message", "Event processed"}, {"dedup_key", ev["dedup_key"]}}.dump(),
                    "application/json");
  }

  void routes() {
    auto& s = *http;
    s.Post("/v1/triage", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/triage";
      decide(q, r, "TriageRouting", "");
    });
    s.Post("/v1/change", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/change";
      decide(q, r, "ChangeRisk", "");
    });
    s.Post("/v1/budget", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/budget";
      decide(q, r, "ErrorBudget", "");
    });
    s.Post(R"(/v1/eval/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/eval/{policy}";
      decide(q, r, "", q.matches[1].str());
    });
    s.Post("/v1/lint", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/lint";
      if (!check_params(q, r, {"source"})) return;
      LoadReport rep;
      {
        std::shared_ptr<Loaded> b = current();
        auto engine = b->pool.acquire();
        rep = engine->lint(q.body, has_param(q, "source") ? param(q, "source") : "request");
      }
      r.status = rep.ok() ? 200 : 400;
      r.set_content(rep.json, "application/json");
    });
    s.Get("/v1/policies", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/policies";
      if (!check_params(q, r, {})) return;
      ojson j;
      std::shared_ptr<Loaded> b = current();
      j["ok"] = true;
      j["bundle"] = b->digest;
      j["policies"] = ojson::array();
      for (const auto& p : b->policies)
        j["policies"].push_back({{"name", p.name}, {"kind", p.kind}, {"version", p.version}, {"source", p.source}});
      j["alerts_policy"] = alerts->policy();
      if (verify_key) j["signed_by"] = verify_key->id;
      {
        std::lock_guard<std::mutex> lock(bundle_mu);
        if (!reload_errors.empty()) j["reload_errors"] = {{"at", reload_at}, {"errors", reload_errors}};
      }
      r.set_content(j.dump(), "application/json");
    });
    s.Get("/healthz", [](const httplib::Request&, httplib::Response& r) {
      t_route = "/healthz";
      r.set_content("{\"status\":\"ok\"}", "application/json");
    });
    s.Get("/readyz", [this](const httplib::Request&, httplib::Response& r) {
      t_route = "/readyz";
      bool ok = ready.load();
      r.status = ok ? 200 : 503;
      r.set_content(ok ? "{\"status\":\"ready\"}" : "{\"status\":\"shutting down\"}", "application/json");
      // A fleet replica without NATS still serves (alone): ready, and says it is degraded.
      if (ok && cluster) r.set_content(cluster_readyz(cluster->status_json()), "application/json");
    });
    s.Get("/metrics", [this](const httplib::Request&, httplib::Response& r) {
      t_route = "/metrics";
      r.set_content(metrics.render(current()->digest), "text/plain; version=0.0.4");
    });
    // Alert intake: Prometheus's alerting.alertmanagers (the v2 API), and any shape the
    // AlertDedup stream reads (Alertmanager webhook v4, PagerDuty Events v2, NDJSON).
    s.Post("/api/v2/alerts", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/api/v2/alerts";
      alerts_push(q, r, true);
    });
    s.Post("/v1/alerts", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/alerts";
      alerts_push(q, r, false);
    });
    s.Post("/v2/enqueue", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v2/enqueue";
      pagerduty_enqueue(q, r);
    });
    // Grafana's unified-alerting webhook contact point (its version "1" payload; the stream's
    // envelope reader takes its alerts). Answered as Alertmanager's API: an empty 200, or errors.
    s.Post("/v1/grafana", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/v1/grafana";
      alerts_push(q, r, true);
    });
    s.Get("/api/v2/alerts", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/api/v2/alerts";
      get_alerts(q, r);
    });
    s.Get("/api/v2/silences", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/api/v2/silences";
      get_silences(q, r);
    });
    s.Post("/api/v2/silences", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/api/v2/silences";
      post_silence(q, r);
    });
    s.Delete(R"(/api/v2/silence/([^/]+))", [this](const httplib::Request& q, httplib::Response& r) {
      t_route = "/api/v2/silence/{id}";
      expire_silence(q, r, q.matches[1].str());
    });
  }

  void get_alerts(const httplib::Request& q, httplib::Response& r) {
    if (!check_params(q, r, {"active", "silenced", "inhibited", "unprocessed", "filter", "receiver"})) return;
    if (has_param(q, "filter") || has_param(q, "receiver")) {
      send_error(r, 400, ErrorCode::kInvalidArgument, "filter and receiver are not supported by verdict's /api/v2/alerts");
      return;
    }
    auto st = ojson::parse(alerts->stream_state(), nullptr, false);
    ojson out = ojson::array();
    if (st.is_object() && st.contains("alerts"))
      for (const auto& a : st["alerts"]) {
        if (!a.value("firing", false)) continue;
        ojson g;
        g["labels"] = a.contains("labels") ? a["labels"] : ojson::object();
        g["annotations"] = ojson::object();
        g["startsAt"] = rfc3339_ns(a.value("starts_at", int64_t{0}));
        // Alertmanager writes Go's zero time for an alert without an end.
        int64_t ends = a.value("ends_at", int64_t{0});
        g["endsAt"] = ends == 0 ? "0001-01-01T00:00:00.000Z" : rfc3339_ns(ends);
        g["updatedAt"] = rfc3339_ns(a.value("last_seen", int64_t{0}));
        g["fingerprint"] = a.value("key", "");
        g["receivers"] = ojson::array();
        g["status"] = {{"state", "active"}, {"silencedBy", ojson::array()}, {"inhibitedBy", ojson::array()}};
        out.push_back(std::move(g));
      }
    r.set_content(out.dump(), "application/json");
  }

  void get_silences(const httplib::Request& q, httplib::Response& r) {
    if (!check_params(q, r, {"filter"})) return;
    if (has_param(q, "filter")) {
      send_error(r, 400, ErrorCode::kInvalidArgument, "filter is not supported by verdict's /api/v2/silences");
      return;
    }
    auto st = ojson::parse(alerts->stream_state(), nullptr, false);
    int64_t clock = st.is_object() ? st.value("clock", int64_t{0}) : 0;
    ojson out = ojson::array();
    if (st.is_object() && st.contains("silences"))
      for (const auto& s : st["silences"]) {
        ojson g;
        g["id"] = s.value("id", "");
        int64_t starts = s.value("starts_at", int64_t{0}), ends = s.value("ends_at", int64_t{0});
        g["status"] = {{"state", clock < starts ? "pending" : clock <= ends ? "active" : "expired"}};
        g["updatedAt"] = rfc3339_ns(clock);
        g["matchers"] = ojson::array();
        for (const auto& m : s["matchers"])
          if (m.is_string()) g["matchers"].push_back(matcher_object(m.get<std::string>()));
        g["startsAt"] = rfc3339_ns(starts);
        g["endsAt"] = rfc3339_ns(ends);
        g["createdBy"] = s.value("created_by", "");
        g["comment"] = s.value("comment", "");
        out.push_back(std::move(g));
      }
    r.set_content(out.dump(), "application/json");
  }

  // Answers a silence command's push: the stream's "silence" line, or its errors.
  bool silence_result(const AlertStore::Pushed& p, httplib::Response& r) {
    if (p.journal_failed) {
      r.status = 503;
      r.set_content(errors_json(p.errors), "application/json");
      return false;
    }
    if (!p.errors.empty()) {
      r.status = status_for(p.errors.front().code);
      r.set_content(errors_json(p.errors), "application/json");
      return false;
    }
    return true;
  }

  void post_silence(const httplib::Request& q, httplib::Response& r) {
    if (!check_params(q, r, {})) return;
    auto body = ojson::parse(q.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      send_error(r, 400, ErrorCode::kInvalidJson, "a silence is a JSON object (Alertmanager's postableSilence)");
      return;
    }
    for (const char* k : {"matchers", "startsAt", "endsAt"})
      if (!body.contains(k)) {
        send_error(r, 400, ErrorCode::kInvalidArgument, std::string("the silence has no ") + k);
        return;
      }
    if (!body["matchers"].is_array() || body["matchers"].empty()) {
      send_error(r, 400, ErrorCode::kInvalidArgument, "matchers must be a non-empty array");
      return;
    }
    ojson cmd;
    cmd["kind"] = "silence";
    std::string id = body.contains("id") && body["id"].is_string() ? body["id"].get<std::string>() : "";
    cmd["id"] = id.empty() ? uuid4() : id;
    cmd["matchers"] = ojson::array();
    for (const auto& m : body["matchers"]) {
      if (!m.is_object() || !m.contains("name") || !m["name"].is_string() || !m.contains("value") || !m["value"].is_string()) {
        send_error(r, 400, ErrorCode::kInvalidArgument, "a matcher is {name, value, isRegex, isEqual}: " + m.dump());
        return;
      }
      cmd["matchers"].push_back(matcher_text(m));
    }
    cmd["startsAt"] = body["startsAt"];
    cmd["endsAt"] = body["endsAt"];
    cmd["comment"] = body.value("comment", "");
    cmd["createdBy"] = body.value("createdBy", "");
    AlertStore::Pushed p = alerts->push(cmd.dump(), clock_now());
    if (!silence_result(p, r)) return;
    if (cluster) cluster->publish_silence(cmd["id"].get<std::string>(), cmd.dump());
    r.set_content(ojson{{"silenceID", cmd["id"]}}.dump(), "application/json");
  }

  void expire_silence(const httplib::Request& q, httplib::Response& r, const std::string& id) {
    if (!check_params(q, r, {})) return;
    ojson cmd{{"kind", "expire_silence"}, {"id", id}};
    AlertStore::Pushed p = alerts->push(cmd.dump(), clock_now());
    if (!silence_result(p, r)) return;
    if (cluster) cluster->publish_silence(id, cmd.dump());
    r.set_content("", "application/json");
  }
};

bool parse_listen(const std::string& listen, std::string& host, int& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string p = listen.substr(colon + 1);
  if (host.empty() || p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  port = std::stoi(p);
  return port <= 65535;
}

}  // namespace

CLI::App* add_command(CLI::App& app, ServeOptions& o) {
  auto* c = app.add_subcommand("serve", "Run the decision service: HTTP decision API, alert intake, silences (docs/serve.md)");
  c->add_option("--bundle", o.bundle, "Policy files or folders (every *.json but *.test.json)")
      ->required()->expected(1)->allow_extra_args(false)->take_all();
  c->add_option("-d,--data", o.data, "Data files: CMDB, scheduled changes, windows, error-budget status")
      ->expected(1)->allow_extra_args(false)->take_all();
  c->add_option("--listen", o.listen, "host:port to listen on; port 0 picks a free port (logged)")->capture_default_str();
  c->add_option("--threads", o.threads, "Worker threads, one engine each")->check(CLI::Range(1, 256))->capture_default_str();
  c->add_option("--max-body", o.max_body, "Largest request body in bytes (more is 413)")->capture_default_str();
  c->add_option("--state", o.state_dir, "Folder of the alert journal and snapshot (alert state survives restarts)");
  c->add_option("--alerts-policy", o.alerts_policy, "The AlertDedup policy of the alert endpoints (when the bundle has several)");
  c->add_option("--snapshot-every", o.snapshot_every, "Write a snapshot after this many journal records (0: at shutdown only)")
      ->capture_default_str();
  c->add_flag("--log-requests", o.log_requests, "Log every request (default: only those answered with 4xx/5xx)");
  c->add_option("--receivers", o.receivers,
                "JSON file of receivers and their webhook_configs (Alertmanager's receivers section): notifications are "
                "delivered there as webhook v4 payloads")
      ->check(CLI::ExistingFile);
  c->add_option("--external-url", o.external_url, "The externalURL of the webhook payloads (default: http://LISTEN)");
  c->add_option("--notify-attempts", o.notify_attempts, "Webhook delivery attempts before a notification is given up")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  c->add_option("--notify-backoff-ms", o.notify_backoff_ms, "First retry delay in ms, doubled each retry (at most 30 s)")
      ->check(CLI::Range(1, 3600000))->capture_default_str();
  c->add_option("--notify-timeout-ms", o.notify_timeout_ms, "Time limit of one delivery attempt in ms")
      ->check(CLI::Range(1, 600000))->capture_default_str();
  c->add_option("--auth-token-file", o.auth_token_file,
                "File of bearer tokens, one a line (# comments): requests need Authorization: Bearer TOKEN")
      ->check(CLI::ExistingFile);
  c->add_option("--auth-open", o.auth_open, "Paths served without a token when --auth-token-file is set")
      ->delimiter(',')->capture_default_str();
  c->add_option("--tls-cert", o.tls_cert, "PEM certificate (chain): serve HTTPS (with --tls-key)")->check(CLI::ExistingFile);
  c->add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  c->add_option("--verify-key", o.verify_key,
                "Public key file (verdict bundle keygen): serve only a bundle folder signed with it (verdict bundle sign), "
                "at start and at every reload")
      ->check(CLI::ExistingFile);
  c->add_option("--watch-ms", o.watch_ms, "Poll the bundle and data files every MS and reload on a change (0: only on SIGHUP)")
      ->capture_default_str();
  c->add_option("--max-queued", o.max_queued,
                "Connections waiting for a free worker; beyond that a request is answered 503 with Retry-After "
                "(default 16 x --threads)");
  c->add_option("--read-timeout-ms", o.read_timeout_ms, "Longest wait for each read of a request before the connection is cut")
      ->check(CLI::Range(10, 600000))->capture_default_str();
  c->add_option("--request-timeout-ms", o.request_timeout_ms,
                "Total time of a decision request, from its headers to its last decision: past it, 503 limit_exceeded")
      ->check(CLI::Range(10, 3600000))->capture_default_str();
  c->add_option("--decision-log", o.decision_log, "Append every decision to this NDJSON file (time, policy, bundle, input hash, decision, latency)");
  c->add_option("--decision-log-max-bytes", o.decision_log_max_bytes, "Rotate the decision log before it passes this size")
      ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 50))->capture_default_str();
  c->add_option("--decision-log-keep", o.decision_log_keep, "Rotated decision logs kept: FILE.1 (newest) .. FILE.N")
      ->check(CLI::Range(0, 1000))->capture_default_str();
  c->add_option("--keep-alive-ms", o.keep_alive_ms, "An idle keep-alive connection is closed after this")
      ->check(CLI::Range(0, 600000))->capture_default_str();
  c->add_option("--keep-alive-max", o.keep_alive_max, "Requests served on one connection before it is closed")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  add_cluster_options(*c, o.cluster);
  return c;
}

int run(const ServeOptions& options) {
  // SIGTERM and SIGINT are taken by one thread (sigwait), blocked everywhere else.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto svc = std::make_unique<Service>();
  svc->options = options;
  svc->log_requests = options.log_requests;
  std::string host;
  int port = 0;
  if (!parse_listen(options.listen, host, port)) {
    log_line("error", "bad --listen", {{"listen", options.listen}, {"expected", "host:port, e.g. 127.0.0.1:8181"}});
    return 4;
  }
  std::string why;
  if (!options.verify_key.empty()) {
    std::error_code ec;
    if (options.bundle.size() != 1 || !std::filesystem::is_directory(options.bundle.front(), ec)) {
      log_line("error", "--verify-key needs the bundle as one folder (its signature is FOLDER/.signature)",
               {{"bundle", options.bundle}});
      return 4;
    }
    svc->verify_key = std::make_unique<PublicKey>();
    if (!read_public_key(options.verify_key, *svc->verify_key, why)) {
      log_line("error", "bad --verify-key", {{"error", why}});
      return 4;
    }
  }
  if (!read_bundle(options.bundle, options.data, svc->texts, why)) {
    log_line("error", "cannot read the bundle", {{"error", why}});
    return 4;
  }
  // One engine per worker, each loaded from the same texts, plus the alert stream's.
  for (size_t i = 0; i <= options.threads; ++i) {
    auto engine = std::make_unique<Engine>();
    std::vector<Error> errors = load_engine(*engine, svc->texts);
    if (!errors.empty()) {
      for (const Error& e : errors)
        log_line("error", "bundle error", {{"error", e.to_string()}, {"code", error_code_name(e.code)}});
      return 3;
    }
    std::string d = engine->bundle_digest();
    if (i == 0) {
      if (std::string bad = svc->signature_problem(d); !bad.empty()) {
        log_line("error", "bundle signature refused", {{"error", bad}, {"bundle", d}, {"key", svc->verify_key->id}});
        return 3;
      }
      svc->bundle = std::make_shared<Loaded>();
      svc->bundle->digest = d;
      svc->bundle->policies = engine->policies();
    } else if (d != svc->bundle->digest) {
      log_line("error", "engines disagree on the bundle digest", {{"first", svc->bundle->digest}, {"other", d}});
      return 3;
    }
    if (i < options.threads) {
      svc->bundle->pool.add(std::move(engine));
    } else {
      std::vector<std::string> alert_policies;
      for (const auto& p : svc->bundle->policies)
        if (p.kind == "AlertDedup") alert_policies.push_back(p.name);
      std::string chosen = options.alerts_policy;
      if (!chosen.empty() && std::find(alert_policies.begin(), alert_policies.end(), chosen) == alert_policies.end()) {
        log_line("error", "--alerts-policy names no AlertDedup policy of the bundle", {{"policy", chosen}, {"have", alert_policies}});
        return 4;
      }
      if (chosen.empty() && alert_policies.size() == 1) chosen = alert_policies[0];
      if (chosen.empty())
        log_line("warn", "alert endpoints off: name one AlertDedup policy with --alerts-policy",
                 {{"alert_dedup_policies", alert_policies}});
      svc->alerts = std::make_unique<AlertStore>(std::move(engine), chosen, svc->metrics);
    }
  }
  if (!options.decision_log.empty()) {
    svc->decision_log = std::make_unique<DecisionLog>();
    if (!svc->decision_log->open(options.decision_log, options.decision_log_max_bytes, options.decision_log_keep, why)) {
      log_line("error", "bad --decision-log", {{"error", why}});
      return 4;
    }
  }
  Receivers receivers;
  if (!options.receivers.empty() && !read_receivers(options.receivers, receivers, why)) {
    log_line("error", "bad --receivers", {{"error", why}});
    return 4;
  }
  std::unique_ptr<Notifier> notifier;
  if (!svc->alerts->policy().empty()) {
    NotifyOptions no;
    no.attempts = options.notify_attempts;
    no.backoff = std::chrono::milliseconds(options.notify_backoff_ms);
    no.timeout = std::chrono::milliseconds(options.notify_timeout_ms);
    if (!options.cluster.servers.empty()) {
      Service* sv = svc.get();
      auto apply = [sv](const std::string& body) {  // what another replica took: journaled and pushed here
        AlertStore::Pushed p = sv->alerts->push(body, clock_now());
        return p.errors.empty() ? std::string() : p.errors.front().to_string();
      };
      svc->cluster = std::make_unique<Cluster>(options.cluster, apply, apply);
      Cluster* cl = svc->cluster.get();
      no.claim = [cl](const Outgoing& o) { return cl->claim(o); };
      no.finished = [cl](const Outgoing& o, const std::string& result) { cl->finished(o, result); };
      svc->metrics.set_extra([cl] { return cl->metrics_text(); });
    }
    notifier = std::make_unique<Notifier>(*svc->alerts, svc->metrics, no);
    Notifier* n = notifier.get();
    svc->alerts->set_notify(std::move(receivers), options.external_url.empty() ? (options.tls_cert.empty() ? "http://" : "https://") + options.listen : options.external_url,
                            [n] { n->kick(); });
  }
  if (!options.cluster.servers.empty() && !svc->cluster)
    log_line("warn", "--cluster ignored: without an AlertDedup policy there is no alert state to share");
  Status opened = svc->alerts->open(options.state_dir, options.snapshot_every);
  if (!opened.ok()) {
    log_line("error", "cannot restore the alert state", {{"error", opened.error().to_string()}});
    return 3;
  }

  if (options.tls_cert.empty() != options.tls_key.empty()) {
    log_line("error", "--tls-cert and --tls-key go together", {{"tls_cert", options.tls_cert}, {"tls_key", options.tls_key}});
    return 2;
  }
  if (options.tls_cert.empty()) {
    svc->http = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!tls->is_valid()) {
      log_line("error", "cannot load the TLS certificate or key", {{"tls_cert", options.tls_cert}, {"tls_key", options.tls_key}});
      return 2;
    }
    svc->http = std::move(tls);
  }
  httplib::Server& http = *svc->http;
  const size_t threads = options.threads;
  // At most max_queued connections wait for a worker; the others are answered 503 by two
  // refusal threads (serve/workers.h).
  const size_t max_queued = options.max_queued ? options.max_queued : 16 * threads;
  Metrics* metrics = &svc->metrics;
  http.new_task_queue = [threads, max_queued, metrics] {
    return new BoundedPool(threads, max_queued, 2, [metrics] { metrics->refused(); });
  };
  http.set_payload_max_length(options.max_body);
  http.set_read_timeout(static_cast<time_t>(options.read_timeout_ms / 1000), static_cast<time_t>(options.read_timeout_ms % 1000 * 1000));
  http.set_write_timeout(10, 0);
  // An idle keep-alive client holds its worker (cpp-httplib serves a connection on one thread):
  // bounded by the idle time and the requests per connection.
  http.set_keep_alive_timeout(static_cast<time_t>((options.keep_alive_ms + 999) / 1000));
  http.set_keep_alive_max_count(options.keep_alive_max);
  // httplib writes the headers and the body separately: without TCP_NODELAY, Nagle's algorithm
  // holds the body until the client's delayed ACK, 40 ms per response with a body.
  http.set_tcp_nodelay(true);
  if (!options.auth_token_file.empty()) {
    auto tokens = std::make_shared<std::vector<std::string>>();
    if (!read_tokens(options.auth_token_file, *tokens, why)) {
      log_line("error", "bad --auth-token-file", {{"error", why}});
      return 4;
    }
    svc->tokens = std::move(tokens);
  }
  http.set_pre_routing_handler([s = svc.get(), open = options.auth_open](const httplib::Request& req, httplib::Response& res) {
    t_route = "other";
    t_start = std::chrono::steady_clock::now();
    if (BoundedPool::is_refusing()) {  // every worker busy and the queue full
      t_route = "saturated";
      res.status = 503;
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      res.set_content(errors_json({Error(ErrorCode::kLimitExceeded, "the service is saturated: every worker is busy and "
                                                                     "--max-queued connections wait; retry after 1 s")}),
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::shared_ptr<const std::vector<std::string>> tokens = s->current_tokens();
    if (tokens && std::find(open.begin(), open.end(), req.path) == open.end()) {
      // Bearer token (RFC 6750), compared in constant time against each configured token.
      const std::string h = req.get_header_value("Authorization");
      const std::string given = h.rfind("Bearer ", 0) == 0 ? h.substr(7) : std::string();
      bool ok = false;
      for (const std::string& t : *tokens) {
        unsigned char diff = given.size() == t.size() ? 0 : 1;
        for (size_t i = 0; i < t.size(); ++i) diff |= static_cast<unsigned char>(t[i] ^ (i < given.size() ? given[i] : 0));
        ok = ok || diff == 0;
      }
      if (!ok) {
        t_route = "unauthorized";
        res.status = 401;
        res.set_header("WWW-Authenticate", given.empty() ? "Bearer realm=\"verdict\"" : "Bearer realm=\"verdict\", error=\"invalid_token\"");
        res.set_content(errors_json({Error(ErrorCode::kInvalidArgument, given.empty() ? "this endpoint needs Authorization: Bearer TOKEN"
                                                                                       : "the bearer token is not accepted")}),
                        "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([&options](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      t_route = "too_large";
      // cpp-httplib parses a form-encoded body (curl --data's default type) into parameters
      // and refuses one over 8 KiB whatever --max-body says.
      const bool form = req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
      const std::string reason = form && req.get_header_value_count("Content-Length") &&
                                      std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) <= options.max_body
                                  ? "a body sent as application/x-www-form-urlencoded is limited to 8192 bytes: send it as "
                                    "application/json or application/x-ndjson (curl -H 'Content-Type: application/json')"
                                  : "the request body is larger than --max-body (" + std::to_string(options.max_body) + " bytes)";
      res.set_content(errors_json({Error(ErrorCode::kTooLarge, reason)}), "application/json");
    } else if (res.status == 404) {
      res.set_content(errors_json({Error(ErrorCode::kNotFound, "no endpoint " + req.method + " " + req.path)}),
                      "application/json");
    } else {
      res.set_content(errors_json({Error(ErrorCode::kInvalidArgument, "HTTP " + std::to_string(res.status))}),
                      "application/json");
    }
  });
  Service* s = svc.get();
  http.set_logger([s](const httplib::Request& req, const httplib::Response& res) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    if (t_start.time_since_epoch().count() == 0) secs = 0;
    s->metrics.request(t_route.empty() ? "other" : t_route, res.status, secs);
    const std::string route = t_route;
    // A request httplib refuses before routing (a malformed request line) sets neither.
    t_route = "other";
    t_start = {};
    if (s->log_requests || res.status >= 400)
      log_line(res.status >= 500 ? "error" : "info", "request",
               {{"method", req.method}, {"path", req.path}, {"route", route}, {"status", res.status},
                {"ms", secs * 1000}, {"bytes_in", req.body.size()}, {"bytes_out", res.body.size()}});
  });
  svc->routes();

  int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    log_line("error", "cannot listen", {{"listen", options.listen}});
    return 4;
  }
  if (svc->cluster) {
    Status cs = svc->cluster->start();
    if (!cs.ok()) {
      log_line("error", "bad --cluster", {{"error", cs.error().message}});
      return 4;
    }
  }
  svc->ready = true;
  if (notifier) notifier->start();
  log_line("info", "listening",
           {{"address", host + ":" + std::to_string(bound)}, {"threads", threads}, {"bundle", svc->bundle->digest},
            {"policies", svc->bundle->policies.size()}, {"alerts_policy", svc->alerts->policy()}, {"version", version()}});

  std::atomic<bool> stopping{false}, listen_done{false};
  std::thread waiter([&] {
    int sig = 0;
    for (;;) {
      sigwait(&sigs, &sig);
      if (sig != SIGHUP || listen_done) break;
      svc->reload_tokens();
      svc->reload("SIGHUP");
    }
    if (listen_done) return;
    stopping = true;
    svc->ready = false;
    log_line("info", "shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    // stop() does nothing until the listen loop runs: a signal right after start must wait for it.
    while (!listen_done && !http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    http.stop();
  });
  // The bundle's files are polled every --watch-ms; a change reloads it.
  std::mutex watch_mu;
  std::condition_variable watch_cv;
  bool watch_stop = false;
  std::thread watcher;
  if (options.watch_ms > 0)
    watcher = std::thread([&] {
      std::string seen = bundle_signature(options);
      std::unique_lock<std::mutex> lock(watch_mu);
      while (!watch_cv.wait_for(lock, std::chrono::milliseconds(options.watch_ms), [&] { return watch_stop; })) {
        std::string now = bundle_signature(options);
        if (now == seen) continue;
        seen = now;
        lock.unlock();
        svc->reload("files changed");
        lock.lock();
      }
    });
  bool ok = http.listen_after_bind();
  listen_done = true;
  if (!stopping) {  // the server stopped by itself: wake the waiter
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
  {
    std::lock_guard<std::mutex> lock(watch_mu);
    watch_stop = true;
  }
  watch_cv.notify_all();
  if (watcher.joinable()) watcher.join();
  if (notifier) notifier->stop();  // undelivered notifications stay in the outbox (snapshot)
  if (svc->decision_log) {  // every request has finished: what they queued is written now
    svc->decision_log->close();
    log_line("info", "decision log closed", {{"records", svc->decision_log->records()}, {"rotations", svc->decision_log->rotations()},
                                             {"failures", svc->decision_log->failures()}});
  }
  if (svc->cluster) svc->cluster->stop();
  Status c = svc->alerts->checkpoint();
  if (!c.ok()) log_line("error", "snapshot failed", {{"error", c.error().message}});
  log_line("info", "stopped", {{"clean", ok || stopping.load()}});
  return ok || stopping ? 0 : 3;
}

}  // namespace verdict::serve
