#include "cli/alerts_text.h"

#include <nlohmann/json.hpp>

namespace verdict::cli {
namespace {

using json = nlohmann::json;

std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool has(const json& o, const char* key) { return o.find(key) != o.end(); }

// "line 3" or, for an alert of a webhook or array, "line 3[2]"; padded so columns line up.
std::string where(const json& o) {
  std::string w = has(o, "line") ? "line " + str(o, "line") : std::string();
  if (has(o, "index")) w += "[" + str(o, "index") + "]";
  if (w.size() < 10) w.resize(10, ' ');
  return w;
}

std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.resize(n, ' ');
  return s;
}

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const json& x : list) out += (out.empty() ? "" : " ") + (x.is_string() ? x.get<std::string>() : x.dump());
  return out;
}

std::string alert_line(const json& o) {
  std::string s = str(o, "at") + "  " + where(o) + "  " + pad(str(o, "decision"), 16) + " " + pad(str(o, "status"), 9) + " " +
                  str(o, "fingerprint");
  if (has(o, "dedup_key")) s += "  dedup key " + str(o, "dedup_key");
  if (has(o, "count")) s += "  count " + str(o, "count");
  if (has(o, "duplicate_of")) s += "  duplicate of " + str(o, "duplicate_of");
  if (has(o, "first_seen")) s += "  first seen " + str(o, "first_seen");
  if (auto it = o.find("reopened"); it != o.end() && it->is_boolean() && it->get<bool>()) s += "  reopened";
  if (has(o, "silenced_by")) s += "  silenced by " + str(o, "silenced_by");
  if (auto it = o.find("inhibited_by"); it != o.end() && it->is_object()) {
    s += "  inhibited by " + str(*it, "alert") + " (rule " + str(*it, "rule");
    if (has(*it, "ci")) s += ", ci " + str(*it, "ci");
    s += ")";
  }
  if (has(o, "rate_limit")) s += "  rate limit " + str(o, "rate_limit");
  if (has(o, "changes")) s += "  " + str(o, "changes") + " changes";
  if (has(o, "reason")) s += "  (" + str(o, "reason") + ")";
  if (auto it = o.find("groups"); it != o.end() && it->is_array())
    for (const json& g : *it) {
      s += "\n      -> " + str(g, "receiver") + " " + str(g, "key");
      if (has(g, "flush_at")) s += " (flush at " + str(g, "flush_at") + ")";
    }
  return s;
}

std::string notification_line(const json& o) {
  const json empty = json::array();
  const json& firing = o.contains("firing") ? o["firing"] : empty;
  const json& resolved = o.contains("resolved") ? o["resolved"] : empty;
  std::string s = str(o, "at") + "  notify      " + str(o, "receiver") + " (" + str(o, "reason") + ")  " + str(o, "group");
  s += "\n      " + std::to_string(firing.size()) + " firing";
  if (!firing.empty()) s += ": " + joined(firing);
  s += "; " + std::to_string(resolved.size()) + " resolved";
  if (!resolved.empty()) s += ": " + joined(resolved);
  return s;
}

std::string error_lines(const json& o) {
  std::string s;
  auto it = o.find("errors");
  if (it == o.end() || !it->is_array()) return "error: " + o.dump();
  for (const json& e : *it) {
    std::string at = str(e, "source");
    if (has(e, "line")) at += (at.empty() ? "" : ":") + str(e, "line");
    if (has(e, "column")) at += ":" + str(e, "column");
    s += (s.empty() ? "" : "\n") + std::string("error: ") + (at.empty() ? "" : at + ": ") + str(e, "message") + " [" +
         str(e, "code") + "]";
  }
  return s;
}

}  // namespace

void AlertTextWriter::line(std::string_view record) {
  if (record.empty()) return;
  json o = json::parse(record, nullptr, false);
  const std::string type = o.is_object() ? str(o, "type") : std::string();
  if (type == "alert") out_ << alert_line(o) << "\n";
  else if (type == "notification") out_ << notification_line(o) << "\n";
  else if (type == "silence") out_ << str(o, "at") << "  " << where(o) << "  silence " << str(o, "action") << " " << str(o, "id") << "\n";
  else if (type == "error") out_ << error_lines(o) << "\n";
  else out_ << record << "\n";  // a record this does not know is shown as it is, never dropped
}

void AlertTextWriter::write(std::string_view ndjson) {
  while (!ndjson.empty()) {
    size_t nl = ndjson.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(ndjson);
      return;
    }
    if (partial_.empty()) {
      line(ndjson.substr(0, nl));
    } else {
      partial_.append(ndjson.substr(0, nl));
      line(partial_);
      partial_.clear();
    }
    ndjson.remove_prefix(nl + 1);
  }
}

void AlertTextWriter::finish() {
  if (!partial_.empty()) line(partial_);
  partial_.clear();
}

}  // namespace verdict::cli
