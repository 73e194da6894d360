#include "document/envelope.h"

namespace verdict::shapes {

const char* envelope_name(EnvelopeKind k) {
  switch (k) {
    case EnvelopeKind::kNone: return "";
    case EnvelopeKind::kArray: return "array";
    case EnvelopeKind::kServiceNow: return "servicenow";
    case EnvelopeKind::kJiraSearch: return "jira-search";
    case EnvelopeKind::kJiraWebhook: return "jira-webhook";
    case EnvelopeKind::kAlertmanagerWebhook: return "alertmanager-webhook";
    case EnvelopeKind::kGrafanaWebhook: return "grafana-webhook";
    case EnvelopeKind::kPrometheus: return "prometheus";
    case EnvelopeKind::kPagerDutyWebhook: return "pagerduty-webhook";
  }
  return "";
}

namespace {

// RFC 6901: "~" is "~0" and "/" is "~1" in a pointer's reference tokens.
void append_token(std::string& out, std::string_view key) {
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
}

Envelope make(EnvelopeKind kind, Value records, bool single, std::initializer_list<std::string_view> path) {
  Envelope e;
  e.kind = kind;
  e.records = records;
  e.single = single;
  e.path.assign(path.begin(), path.end());
  return e;
}

}  // namespace

std::string Envelope::pointer(size_t i) const {
  std::string out;
  for (std::string_view key : path) {
    out += '/';
    append_token(out, key);
  }
  if (!single) {
    out += '/';
    out += std::to_string(i);
  }
  return out;
}

Envelope detect_envelope(Value doc) {
  if (doc.is_array()) return make(EnvelopeKind::kArray, doc, false, {});
  if (!doc.is_object()) return {};
  // ServiceNow's Table and Change APIs answer {"result": ...} and nothing else.
  Value result = doc.get("result");
  if (doc.size() == 1 && (result.is_array() || result.is_object()))
    return make(EnvelopeKind::kServiceNow, result, result.is_object(), {"result"});
  Value issues = doc.get("issues");
  if (issues.is_array() && (doc.get("startAt").exists() || doc.get("maxResults").exists() || doc.get("total").exists()))
    return make(EnvelopeKind::kJiraSearch, issues, false, {"issues"});
  Value issue = doc.get("issue");
  if (doc.get("webhookEvent").is_string() && issue.is_object()) return make(EnvelopeKind::kJiraWebhook, issue, true, {"issue"});
  Value alerts = doc.get("alerts");
  if (alerts.is_array() && (doc.get("groupKey").exists() || doc.get("receiver").exists() || doc.get("version").exists())) {
    // Grafana's unified-alerting webhook is Alertmanager's with organisation and message fields.
    bool grafana = doc.get("orgId").exists() || (doc.get("title").exists() && doc.get("state").exists());
    return make(grafana ? EnvelopeKind::kGrafanaWebhook : EnvelopeKind::kAlertmanagerWebhook, alerts, false, {"alerts"});
  }
  Value data_alerts = doc.get("data").get("alerts");
  if (doc.get("status").as_string() == "success" && data_alerts.is_array())
    return make(EnvelopeKind::kPrometheus, data_alerts, false, {"data", "alerts"});
  Value event = doc.get("event");
  if (event.is_object() && event.get("event_type").is_string() && event.get("data").is_object())
    return make(EnvelopeKind::kPagerDutyWebhook, event.get("data"), true, {"event", "data"});
  return {};
}

namespace {

// A forward scanner over JSON text that is known to be valid (it was parsed).
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
  }
  size_t at() const { return i_; }
  void step() { ++i_; }
  bool done() const { return i_ >= s_.size(); }
  char peek() {
    ws();
    return done() ? '\0' : s_[i_];
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  // At '"': the raw text between the quotes (escapes left as they are).
  std::string_view string() {
    size_t start = ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\') ++i_;
      else if (c == '"') return s_.substr(start, i_ - 1 - start);
    }
    return {};
  }
  void skip_value() {
    char c = peek();
    if (c == '"') {
      string();
      return;
    }
    if (c == '{' || c == '[') {
      size_t depth = 0;
      while (i_ < s_.size()) {
        char d = s_[i_];
        if (d == '"') {
          string();
          continue;
        }
        ++i_;
        if (d == '{' || d == '[') ++depth;
        else if ((d == '}' || d == ']') && --depth == 0) return;
      }
      return;
    }
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' && s_[i_] != '\n' &&
           s_[i_] != '\t' && s_[i_] != '\r')
      ++i_;
  }
  // At an object: moves to the value of member `key`; false when it has none.
  bool member(std::string_view key) {
    if (peek() != '{') return false;
    ++i_;
    while (peek() == '"') {
      std::string_view k = string();
      if (peek() != ':') return false;
      ++i_;
      if (k == key) {
        ws();
        return true;
      }
      skip_value();
      if (peek() == ',') ++i_;
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::vector<size_t> record_offsets(std::string_view json, const Envelope& env) {
  std::vector<size_t> out;
  if (env.kind == EnvelopeKind::kNone) return out;
  Scanner sc(json);
  for (std::string_view key : env.path)
    if (!sc.member(key)) return std::vector<size_t>(env.count(), 0);  // an escaped key: the document's start
  if (env.single) {
    sc.ws();
    out.push_back(sc.at());
    return out;
  }
  if (sc.peek() != '[') return std::vector<size_t>(env.count(), 0);
  sc.step();  // into the array
  while (sc.peek() != ']' && !sc.done()) {
    out.push_back(sc.at());
    sc.skip_value();
    if (sc.peek() == ',') sc.step();
  }
  out.resize(env.count(), out.empty() ? 0 : out.back());
  return out;
}

std::vector<RecordPosition> record_positions(std::string_view json, const Envelope& env) {
  const std::vector<size_t> offsets = record_offsets(json, env);
  std::vector<RecordPosition> out;
  out.reserve(offsets.size());
  size_t counted = 0, newlines = 0, line_start = 0;  // newlines in json[0, counted), where the last line starts
  for (size_t at : offsets) {
    for (; counted < at && counted < json.size(); ++counted)
      if (json[counted] == '\n') {
        ++newlines;
        line_start = counted + 1;
      }
    out.push_back({at, newlines, at >= line_start ? at - line_start + 1 : 1});
  }
  return out;
}

}  // namespace verdict::shapes
