#include "serve/notifier.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/alert_store.h"
#include "serve/log.h"
#include "serve/metrics.h"

namespace verdict::serve {

namespace {

using ojson = nlohmann::ordered_json;

// Skips a quoted string starting at s[i] == '"'; returns the index after its closing quote.
size_t skip_quoted(const std::string& s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    else if (s[i] == '"') return i + 1;
  }
  return s.size();
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A Go-quoted string (strconv.Quote, as model.LabelSet.String() writes values) at s[i] == '"'.
std::string go_unquote(const std::string& s, size_t& i) {
  std::string out;
  auto hexval = [&](size_t at, size_t n) {
    uint32_t v = 0;
    for (size_t k = 0; k < n && at + k < s.size(); ++k) {
      char c = s[at + k];
      v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  };
  for (++i; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': out.push_back(static_cast<char>(hexval(i + 1, 2))); i += 2; break;
      case 'u': append_utf8(out, hexval(i + 1, 4)); i += 4; break;
      case 'U': append_utf8(out, hexval(i + 1, 8)); i += 8; break;
      default: out.push_back(e);  // \\ and \"
    }
  }
  if (i < s.size()) ++i;  // the closing quote
  return out;
}

ojson parse_or_empty(const std::string& text) {
  auto j = ojson::parse(text, nullptr, false);
  return j.is_discarded() ? ojson::object() : j;
}

bool http_url(const std::string& url) { return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0; }

}  // namespace

std::string group_labels_json(const std::string& key) {
  // The route key: `{...}` segments joined by '/', then ':', then the label set.
  size_t i = 0;
  while (i < key.size() && key[i] == '{') {
    ++i;
    while (i < key.size() && key[i] != '}') i = key[i] == '"' ? skip_quoted(key, i) : i + 1;
    ++i;  // '}'
    if (i < key.size() && key[i] == '/') {
      ++i;
      continue;
    }
    break;
  }
  ojson out = ojson::object();
  if (i >= key.size() || key[i] != ':' || i + 1 >= key.size() || key[i + 1] != '{') return out.dump();
  i += 2;
  while (i < key.size() && key[i] != '}') {
    while (i < key.size() && (key[i] == ' ' || key[i] == ',')) ++i;
    size_t eq = key.find('=', i);
    if (eq == std::string::npos || eq + 1 >= key.size() || key[eq + 1] != '"') break;
    std::string name = key.substr(i, eq - i);
    i = eq + 1;
    out[name] = go_unquote(key, i);
  }
  return out.dump();
}

bool read_receivers(const std::string& path, Receivers& out, std::string& why) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    why = "cannot read " + path;
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("receivers") || !j["receivers"].is_array()) {
    why = path + ": expected a JSON object with a \"receivers\" array (Alertmanager's receivers section)";
    return false;
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "receivers") {
      why = path + ": unknown key \"" + it.key() + "\"";
      return false;
    }
  for (size_t i = 0; i < j["receivers"].size(); ++i) {
    const auto& r = j["receivers"][i];
    const std::string where = path + ": receivers[" + std::to_string(i) + "]";
    if (!r.is_object() || !r.contains("name") || !r["name"].is_string() || r["name"].get<std::string>().empty()) {
      why = where + " needs a name";
      return false;
    }
    const std::string name = r["name"].get<std::string>();
    if (out.count(name)) {
      why = where + ": a second receiver named \"" + name + "\"";
      return false;
    }
    std::vector<WebhookConfig>& configs = out[name];
    for (auto it = r.begin(); it != r.end(); ++it)
      if (it.key() != "name" && it.key() != "webhook_configs") {
        why = where + ": \"" + it.key() + "\" is not supported (verdict delivers webhook_configs only)";
        return false;
      }
    if (!r.contains("webhook_configs")) continue;
    if (!r["webhook_configs"].is_array()) {
      why = where + ".webhook_configs must be an array";
      return false;
    }
    for (size_t k = 0; k < r["webhook_configs"].size(); ++k) {
      const auto& w = r["webhook_configs"][k];
      const std::string wwhere = where + ".webhook_configs[" + std::to_string(k) + "]";
      if (!w.is_object() || !w.contains("url") || !w["url"].is_string() || !http_url(w["url"].get<std::string>())) {
        why = wwhere + " needs an http:// or https:// url";
        return false;
      }
      WebhookConfig c;
      c.url = w["url"].get<std::string>();
      for (auto it = w.begin(); it != w.end(); ++it) {
        if (it.key() == "url") continue;
        if (it.key() == "send_resolved" && it.value().is_boolean()) c.send_resolved = it.value().get<bool>();
        else if (it.key() == "max_alerts" && it.value().is_number_unsigned()) c.max_alerts = it.value().get<size_t>();
        else {
          why = wwhere + ": \"" + it.key() + "\" is not supported or has the wrong type (url, send_resolved, max_alerts)";
          return false;
        }
      }
      configs.push_back(std::move(c));
    }
  }
  return true;
}

std::vector<Outgoing> webhook_payloads(const std::string& ndjson, uint64_t seq, const Receivers& receivers,
                                       const std::function<std::string()>& state, const std::string& external_url,
                                       size_t& unrouted) {
  std::vector<Outgoing> out;
  if (ndjson.find("\"type\":\"notification\"") == std::string::npos) return out;
  ojson st;
  bool have_state = false;
  std::map<std::string, const ojson*> by_key;
  size_t start = 0, line = 0;
  while (start < ndjson.size()) {
    size_t eol = ndjson.find('\n', start);
    if (eol == std::string::npos) eol = ndjson.size();
    std::string_view text(ndjson.data() + start, eol - start);
    start = eol + 1;
    ++line;
    if (text.find("\"type\":\"notification\"") == std::string_view::npos) continue;
    auto n = ojson::parse(text, nullptr, false);
    if (!n.is_object() || n.value("type", "") != "notification") continue;
    const std::string receiver = n.value("receiver", "");
    auto rit = receivers.find(receiver);
    if (rit == receivers.end() || rit->second.empty()) {
      ++unrouted;
      continue;
    }
    if (!have_state) {
      st = parse_or_empty(state());
      have_state = true;
      if (st.contains("alerts") && st["alerts"].is_array())
        for (const auto& a : st["alerts"]) by_key[a.value("key", "")] = &a;
    }
    // The alerts, firing first, as Alertmanager's webhook lists them (template.Alert).
    ojson alerts = ojson::array();
    size_t firing_n = 0;
    for (const char* which : {"firing", "resolved"}) {
      if (!n.contains(which) || !n[which].is_array()) continue;
      for (const auto& fp : n[which]) {
        if (!fp.is_string()) continue;
        ojson a;
        a["status"] = which;
        auto it = by_key.find(fp.get<std::string>());
        const ojson* rec = it == by_key.end() ? nullptr : it->second;
        a["labels"] = rec && rec->contains("labels") ? (*rec)["labels"] : ojson::object();
        a["annotations"] = ojson::object();  // the stream keeps no annotations (docs/serve.md)
        a["startsAt"] = rec ? rfc3339_ns(rec->value("starts_at", int64_t{0})) : "0001-01-01T00:00:00Z";
        int64_t ends = rec ? rec->value("ends_at", int64_t{0}) : 0;
        if (std::string(which) == "resolved" && rec && ends == 0) ends = rec->value("resolved_at", int64_t{0});
        a["endsAt"] = std::string(which) == "firing" || ends == 0 ? std::string("0001-01-01T00:00:00Z") : rfc3339_ns(ends);
        a["generatorURL"] = "";
        a["fingerprint"] = fp;
        if (std::string(which) == "firing") ++firing_n;
        alerts.push_back(std::move(a));
      }
    }
    const std::string group = n.value("group", "");
    for (size_t k = 0; k < rit->second.size(); ++k) {
      const WebhookConfig& c = rit->second[k];
      ojson list = ojson::array();
      for (const auto& a : alerts)
        if (c.send_resolved || a["status"] == "firing") list.push_back(a);
      if (list.empty()) continue;  // only resolved alerts, and this config does not send them
      size_t truncated = 0;
      if (c.max_alerts && list.size() > c.max_alerts) {
        truncated = list.size() - c.max_alerts;
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(c.max_alerts), list.end());
      }
      // commonLabels: the labels every listed alert has with the same value.
      ojson common = list[0]["labels"];
      for (size_t i = 1; i < list.size(); ++i) {
        ojson keep = ojson::object();
        for (auto it = common.begin(); it != common.end(); ++it)
          if (list[i]["labels"].contains(it.key()) && list[i]["labels"][it.key()] == it.value()) keep[it.key()] = it.value();
        common = std::move(keep);
      }
      ojson p;
      p["receiver"] = receiver;
      p["status"] = firing_n > 0 ? "firing" : "resolved";
      p["alerts"] = std::move(list);
      p["groupLabels"] = ojson::parse(group_labels_json(group), nullptr, false);
      p["commonLabels"] = std::move(common);
      p["commonAnnotations"] = ojson::object();
      p["externalURL"] = external_url;
      p["version"] = "4";
      p["groupKey"] = group;
      p["truncatedAlerts"] = truncated;
      Outgoing o;
      o.id = std::to_string(seq) + "." + std::to_string(line) + "." + std::to_string(k);
      o.receiver = receiver;
      o.url = c.url;
      o.payload = p.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out.push_back(std::move(o));
    }
  }
  return out;
}

Notifier::Notifier(AlertStore& store, Metrics& metrics, NotifyOptions options)
    : store_(store), metrics_(metrics), options_(options) {}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  timer_ = std::thread([this] { timer_loop(); });
  sender_ = std::thread([this] { send_loop(); });
}

void Notifier::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (sender_.joinable()) sender_.join();
}

void Notifier::kick() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++kicks_;
  }
  cv_.notify_all();
}

// Pushes the server clock into the stream when its next flush is due. Waits until then, or a
// kick (a push may have scheduled an earlier flush), at most a second (the wall clock may jump).
// A push the stream refuses (the server clock more than time.max_gap after a stream clock set
// by a request's ?now=) is retried once a second, not at once, and logged once until one works.
void Notifier::timer_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool failing = false;
  while (!stop_) {
    uint64_t seen = kicks_;
    lock.unlock();
    const int64_t due = store_.next_flush_ns();  // -1: none scheduled
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    int64_t wait_ns = due >= 0 ? std::min<int64_t>(due - now, 1000000000) : 1000000000;
    if (due >= 0 && due <= now) {
      AlertStore::Pushed p = store_.push("", rfc3339_ns(now));
      lock.lock();
      if (p.errors.empty()) {
        if (failing) log_line("info", "timer pushes work again");
        failing = false;
        continue;
      }
      if (!failing)
        log_line("error", "timer push failed: retried every second, logged again once it works",
                 {{"error", p.errors.front().to_string()}});
      failing = true;
      seen = kicks_;  // the failed push's own kick must not wake this loop at once
      wait_ns = 1000000000;
    } else {
      lock.lock();
    }
    if (wait_ns < 1000000) wait_ns = 1000000;
    cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns), [&] { return stop_ || kicks_ != seen; });
  }
}

bool Notifier::deliver(const Outgoing& o, std::string& why) {
  // scheme://host[:port]/path
  const size_t scheme_end = o.url.find("://");
  const size_t path_start = o.url.find('/', scheme_end + 3);
  const std::string base = path_start == std::string::npos ? o.url : o.url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : o.url.substr(path_start);
  httplib::Client cli(base);
  if (!cli.is_valid()) {
    why = "invalid URL";
    return false;
  }
  const auto t = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout).count();
  cli.set_connection_timeout(t / 1000000, t % 1000000);
  cli.set_read_timeout(t / 1000000, t % 1000000);
  cli.set_write_timeout(t / 1000000, t % 1000000);
  cli.set_keep_alive(false);
  httplib::Headers headers{{"User-Agent", std::string("verdict/") + version()}};
  auto res = cli.Post(path, headers, o.payload, "application/json");
  if (!res) {
    why = httplib::to_string(res.error());
    return false;
  }
  if (res->status / 100 != 2) {
    why = "HTTP " + std::to_string(res->status);
    return false;
  }
  return true;
}

// Delivers the outbox in order; a failed attempt is retried after a backoff that doubles, up
// to options_.attempts tries, while the others go on.
void Notifier::send_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const uint64_t seen = kicks_;
    lock.unlock();
    std::vector<Outgoing> box = store_.outbox();
    metrics_.outbox(box.size());
    const auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    std::set<std::string> live;
    const Outgoing* pick = nullptr;
    for (const Outgoing& o : box) {
      live.insert(o.id);
      Attempt& a = attempts_[o.id];
      if (a.next <= now) {
        if (!pick) pick = &o;
      } else if (a.next < next) {
        next = a.next;
      }
    }
    for (auto it = attempts_.begin(); it != attempts_.end();) it = live.count(it->first) ? std::next(it) : attempts_.erase(it);
    if (pick) {
      std::string why;
      Attempt& a = attempts_[pick->id];
      const NotifyClaim claim = options_.claim ? options_.claim(*pick) : NotifyClaim::kSend;
      if (claim == NotifyClaim::kSkip) {  // another replica of the fleet sent it
        metrics_.notification(pick->receiver, "sent_elsewhere");
        store_.done(pick->id, "sent_elsewhere");
        log_line("info", "notification sent by another replica", {{"id", pick->id}, {"receiver", pick->receiver}});
        lock.lock();
        continue;
      }
      if (claim == NotifyClaim::kLater) {
        a.next = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
        lock.lock();
        continue;
      }
      ++a.tries;
      if (deliver(*pick, why)) {
        metrics_.notification(pick->receiver, "sent");
        if (options_.finished) options_.finished(*pick, "sent");
        store_.done(pick->id, "sent");
        log_line("info", "notification sent",
                 {{"id", pick->id}, {"receiver", pick->receiver}, {"url", pick->url}, {"attempts", a.tries}});
      } else if (a.tries >= options_.attempts) {
        metrics_.notification(pick->receiver, "failed");
        if (options_.finished) options_.finished(*pick, "failed");
        store_.done(pick->id, "failed");
        log_line("error", "notification failed",
                 {{"id", pick->id}, {"receiver", pick->receiver}, {"url", pick->url}, {"attempts", a.tries}, {"error", why}});
      } else {
        metrics_.notification(pick->receiver, "retried");
        auto delay = options_.backoff * (1ll << std::min<size_t>(a.tries - 1, 20));
        if (delay > options_.backoff_max) delay = options_.backoff_max;
        a.next = std::chrono::steady_clock::now() + delay;
        log_line("warn", "notification attempt failed",
                 {{"id", pick->id}, {"receiver", pick->receiver}, {"url", pick->url}, {"attempt", a.tries},
                  {"retry_in_ms", delay.count()}, {"error", why}});
      }
      lock.lock();
      continue;  // look at the outbox again at once
    }
    lock.lock();
    cv_.wait_until(lock, next, [&] { return stop_ || kicks_ != seen; });
  }
}

}  // namespace verdict::serve
