// Alert events and the canonical alert (document/alert.h, shapes.h): label sets,
// Alertmanager's fingerprint, the reading of each accepted shape, and the record a policy binds.
#include "document/alert.h"

#include "document/document_internal.h"
#include "document/shapes.h"
#include "time/time.h"

namespace verdict::shapes {

namespace {
constexpr uint64_t kPrime = 1099511628211ULL;
constexpr uint64_t kOffset = 14695981039346656037ULL;
constexpr unsigned char kSeparator = 0xff;

inline uint64_t add_byte(uint64_t h, unsigned char b) { return (h ^ b) * kPrime; }
}  // namespace

uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) h = add_byte(h, c);
  return h;
}

uint64_t fingerprint(const LabelView& sorted) {
  uint64_t h = kOffset;
  for (const auto& [name, value] : sorted) {
    h = add_byte(fnv1a(name, h), kSeparator);
    h = add_byte(fnv1a(value, h), kSeparator);
  }
  return h;
}

void append_hex16(std::string& out, uint64_t v) {
  static const char* digits = "0123456789abcdef";
  char buf[16];
  for (int i = 15; i >= 0; --i) {
    buf[i] = digits[v & 0xf];
    v >>= 4;
  }
  out.append(buf, 16);
}

std::string_view label_value(const LabelView& sorted, std::string_view name) {
  for (const auto& [n, v] : sorted)
    if (n == name) return v;
  return {};
}

void sort_labels(LabelView& labels) {
  for (size_t i = 1; i < labels.size(); ++i) {
    auto x = labels[i];
    size_t j = i;
    while (j > 0 && labels[j - 1].first > x.first) {
      labels[j] = labels[j - 1];
      --j;
    }
    labels[j] = x;
  }
}

const char* alert_shape_name(AlertShape s) {
  switch (s) {
    case AlertShape::kAlertmanager: return "alertmanager";
    case AlertShape::kPrometheus: return "prometheus";
    case AlertShape::kPagerDuty: return "pagerduty";
    case AlertShape::kPlain: return "plain";
  }
  return "plain";
}

const char* alert_status_name(AlertStatus s) {
  switch (s) {
    case AlertStatus::kFiring: return "firing";
    case AlertStatus::kResolved: return "resolved";
    case AlertStatus::kAcknowledged: return "acknowledged";
    case AlertStatus::kPending: return "pending";
  }
  return "firing";
}

// ---- events ---------------------------------------------------------------------------

namespace {

// A time field: absent, null, "" and Go's zero time (0001-01-01...) are "not set".
// Returns "" or the problem.
std::string read_time(Value v, const char* field, bool& has, int64_t& out) {
  has = false;
  if (!v.exists() || v.is_null()) return {};
  if (!v.is_string()) return std::string(field) + " is a " + type_name(v.type()) + "; a time is an RFC 3339 string";
  std::string_view s = v.as_string();
  if (s.empty() || s.rfind("0001-01-01", 0) == 0) return {};
  std::string why;
  auto t = datetime::parse_rfc3339(s, &why);
  if (!t) return std::string(field) + " '" + std::string(s) + "' is not an RFC 3339 time: " + why;
  has = true;
  out = *t;
  return {};
}

// Reads an object of string values into ev.labels; non-string values are an error.
std::string read_labels(Value obj, const char* field, AlertEvent& ev) {
  if (!obj.exists() || obj.is_null()) return {};
  if (!obj.is_object()) return std::string(field) + " is a " + type_name(obj.type()) + "; labels are an object of strings";
  simdjson::dom::element e = ValueAccess::element(obj);
  simdjson::dom::object o = e.get_object().value_unsafe();
  for (auto kv : o) {
    if (!kv.value.is_string())
      return std::string(field) + "." + std::string(kv.key) + " is a " + type_name(ValueAccess::wrap(kv.value).type()) +
             "; label values are strings";
    ev.labels.emplace_back(kv.key, kv.value.get_string().value_unsafe());
  }
  return {};
}

}  // namespace

std::string read_alert(Value a, AlertShape shape, AlertEvent& ev) {
  ev.labels.clear();
  ev.shape = shape;
  ev.status = AlertStatus::kFiring;
  ev.source_key = {};
  ev.has_at = ev.has_starts = ev.has_ends = false;
  ev.at = ev.starts_at = ev.ends_at = 0;
  ev.annotations = Value();
  ev.at_text = ev.starts_text = ev.ends_text = ev.generator_url = Value();
  ev.at_from = ev.starts_from = ev.key_from = {};
  if (!a.is_object()) return std::string("an alert is an object, not a ") + type_name(a.type());
  std::string why;
  if (shape == AlertShape::kPagerDuty) {
    std::string_view action = a.get("event_action").as_string();
    if (action == "trigger") ev.status = AlertStatus::kFiring;
    else if (action == "resolve") ev.status = AlertStatus::kResolved;
    else if (action == "acknowledge") ev.status = AlertStatus::kAcknowledged;
    else return "event_action is \"" + std::string(action) + "\"; PagerDuty events are trigger, acknowledge or resolve";
    Value key = a.get("dedup_key");
    if (key.exists() && !key.is_null() && !key.is_string()) return "dedup_key is not a string";
    ev.source_key = key.as_string();
    ev.key_from = "dedup_key";
    Value p = a.get("payload");
    if (p.is_object()) {
      for (const char* f : {"severity", "source", "component", "group", "class"}) {
        Value v = p.get(f);
        if (v.exists() && !v.is_null() && !v.is_string()) return std::string("payload.") + f + " is not a string";
        if (v.is_string() && !v.as_string().empty()) ev.labels.emplace_back(f, v.as_string());
      }
      Value cls = p.get("class");
      ev.labels.emplace_back("alertname", cls.is_string() && !cls.as_string().empty() ? cls.as_string() : std::string_view("pagerduty"));
      // String custom details become labels too (other values stay details); they never
      // replace a payload field.
      Value cd = p.get("custom_details");
      if (cd.is_object()) {
        simdjson::dom::object o = ValueAccess::element(cd).get_object().value_unsafe();
        for (auto kv : o) {
          if (!kv.value.is_string()) continue;
          bool taken = false;
          for (const auto& l : ev.labels) taken = taken || l.first == kv.key;
          if (!taken) ev.labels.emplace_back(kv.key, kv.value.get_string().value_unsafe());
        }
      }
      ev.annotations = p;
      if (!(why = read_time(p.get("timestamp"), "payload.timestamp", ev.has_at, ev.at)).empty()) return why;
      if (ev.has_at) {
        ev.at_text = p.get("timestamp");
        ev.at_from = "payload.timestamp";
      }
    } else if (ev.status == AlertStatus::kFiring) {
      return "a PagerDuty trigger event needs a payload object";
    }
    if (ev.status == AlertStatus::kFiring && ev.labels.empty()) return "the trigger event has no payload fields to label it";
    sort_labels(ev.labels);
    return {};
  }
  // One pass over the members (this is the hot path of a stream).
  Value labels, starts, ends, at, active_at, fp, dk, st, state, generator;
  {
    simdjson::dom::object o = ValueAccess::element(a).get_object().value_unsafe();
    for (auto kv : o) {
      std::string_view k = kv.key;
      Value v = ValueAccess::wrap(kv.value);
      switch (k.size()) {
        case 2: if (k == "at") at = v; break;
        case 5: if (k == "state") state = v; break;
        case 6: if (k == "labels") labels = v; else if (k == "status") st = v; else if (k == "endsAt") ends = v; break;
        case 8: if (k == "startsAt") starts = v; else if (k == "activeAt") active_at = v; break;
        case 9: if (k == "dedup_key") dk = v; break;
        case 11: if (k == "annotations") ev.annotations = v; else if (k == "fingerprint") fp = v; break;
        case 12: if (k == "generatorURL") generator = v; break;
        default: break;
      }
    }
  }
  if (!(why = read_labels(labels, "labels", ev)).empty()) return why;
  if (ev.labels.empty()) return "the alert has no labels (an alert is identified by its labels)";
  sort_labels(ev.labels);
  for (size_t i = 1; i < ev.labels.size(); ++i)
    if (ev.labels[i].first == ev.labels[i - 1].first) return "labels." + std::string(ev.labels[i].first) + " is given twice";
  for (const auto& l : ev.labels)
    if (l.first.empty()) return "a label name is empty";
  if (!(why = read_time(starts, "startsAt", ev.has_starts, ev.starts_at)).empty()) return why;
  if (!(why = read_time(ends, "endsAt", ev.has_ends, ev.ends_at)).empty()) return why;
  if (!(why = read_time(at, "at", ev.has_at, ev.at)).empty()) return why;
  if (ev.has_starts) {
    ev.starts_text = starts;
    ev.starts_from = "startsAt";
  } else {
    // Prometheus API: activeAt.
    if (!(why = read_time(active_at, "activeAt", ev.has_starts, ev.starts_at)).empty()) return why;
    if (ev.has_starts) {
      ev.starts_text = active_at;
      ev.starts_from = "activeAt";
    }
  }
  if (ev.has_ends) ev.ends_text = ends;
  if (ev.has_at) {
    ev.at_text = at;
    ev.at_from = "at";
  }
  if (generator.is_string() && !generator.as_string().empty()) ev.generator_url = generator;
  if (fp.is_string()) {
    ev.source_key = fp.as_string();
    ev.key_from = "fingerprint";
  }
  if (dk.exists() && !dk.is_null()) {
    if (!dk.is_string()) return "dedup_key is not a string";
    ev.source_key = dk.as_string();
    ev.key_from = "dedup_key";
  }
  if (st.is_string()) {
    std::string_view s = st.as_string();
    if (s == "firing") ev.status = AlertStatus::kFiring;
    else if (s == "resolved") ev.status = AlertStatus::kResolved;
    else return "status is \"" + std::string(s) + "\"; an alert's status is firing or resolved";
  } else if (st.is_object()) {
    // Alertmanager API v2: status.state active / suppressed / unprocessed; resolution from endsAt.
    std::string_view s = st.get("state").as_string();
    if (s != "active" && s != "suppressed" && s != "unprocessed")
      return "status.state is \"" + std::string(s) + "\"; expected active, suppressed or unprocessed";
  } else if (st.exists() && !st.is_null()) {
    return std::string("status is a ") + type_name(st.type()) + "; an alert's status is firing or resolved";
  } else {
    if (state.is_string()) {  // Prometheus API v1
      std::string_view s = state.as_string();
      if (s == "firing") ev.status = AlertStatus::kFiring;
      else if (s == "pending") ev.status = AlertStatus::kPending;
      else if (s == "inactive") ev.status = AlertStatus::kResolved;
      else return "state is \"" + std::string(s) + "\"; Prometheus alert states are firing, pending or inactive";
    }
  }
  return {};
}

AlertShape detect_alert_shape(Value doc) {
  if (doc.get("event_action").exists()) return AlertShape::kPagerDuty;
  if (doc.get("activeAt").exists() || doc.get("state").exists()) return AlertShape::kPrometheus;
  if (doc.get("startsAt").exists() || doc.get("endsAt").exists() || doc.get("generatorURL").exists() || doc.get("fingerprint").exists())
    return AlertShape::kAlertmanager;
  return AlertShape::kPlain;
}

// ---- the canonical alert ----------------------------------------------------------------

namespace {

constexpr SchemaField kAlertFields[] = {
    {"kind", FieldType::kString},          {"source", FieldType::kString},       {"status", FieldType::kString},
    {"labels", FieldType::kMap},           {"annotations", FieldType::kMap},     {"severity", FieldType::kString},
    {"summary", FieldType::kString},       {"startsAt", FieldType::kTimestamp},  {"endsAt", FieldType::kTimestamp},
    {"at", FieldType::kTimestamp},         {"fingerprint", FieldType::kString},  {"dedup_key", FieldType::kString},
    {"generatorURL", FieldType::kString},
};
constexpr Schema kAlertSchema("alert", kAlertFields);

}  // namespace

const Schema& alert_schema() { return kAlertSchema; }

void map_alert(const AlertEvent& ev, Record& r) {
  using namespace alert;
  r.clear();
  r.set_shape(alert_shape_name(ev.shape));
  const bool pd = ev.shape == AlertShape::kPagerDuty;
  r.set_text(kKind, "alert", {});
  r.set_text(kSource, r.shape(), {});
  r.set_text(kStatus, alert_status_name(ev.status), pd ? "event_action" : "status");
  r.begin_pairs(kLabels, pd ? "payload" : "labels");
  for (const auto& [name, value] : ev.labels) r.add_pair(name, value);
  if (ev.annotations.is_object()) r.set_doc(kAnnotations, ev.annotations, pd ? "payload" : "annotations");
  std::string_view severity = label_value(ev.labels, "severity");
  if (!severity.empty()) r.set_text(kSeverity, severity, pd ? "payload.severity" : "labels.severity");
  Value summary = ev.annotations.get("summary");
  if (summary.is_string() && !summary.as_string().empty()) r.set_doc(kSummary, summary, pd ? "payload.summary" : "annotations.summary");
  if (ev.starts_text.exists()) r.set_doc(kStartsAt, ev.starts_text, ev.starts_from);
  if (ev.ends_text.exists()) r.set_doc(kEndsAt, ev.ends_text, "endsAt");
  if (ev.at_text.exists()) r.set_doc(kAt, ev.at_text, ev.at_from);
  std::string hex;
  append_hex16(hex, fingerprint(ev.labels));
  r.set_text(kFingerprint, r.own(hex), {});
  if (!ev.source_key.empty()) r.set_text(kDedupKey, ev.source_key, ev.key_from);
  if (ev.generator_url.exists()) r.set_doc(kGeneratorUrl, ev.generator_url, "generatorURL");
}

std::string map_alert(Value doc, Record& r) {
  thread_local AlertEvent ev;
  AlertShape shape = detect_alert_shape(doc);
  std::string why = read_alert(doc, shape, ev);
  if (!why.empty()) {
    r.clear();
    r.set_shape(alert_shape_name(shape));
    r.set_text(alert::kKind, "alert", {});
    r.set_text(alert::kSource, r.shape(), {});
    return why;
  }
  map_alert(ev, r);
  return {};
}

}  // namespace verdict::shapes
