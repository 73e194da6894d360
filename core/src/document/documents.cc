#include "verdict/documents.h"

#include <array>

namespace verdict {
namespace {

Value first_present(Value doc, std::initializer_list<std::string_view> paths) {
  for (auto p : paths) {
    Value v = at_dotted(doc, p);
    if (v.exists() && !v.is_null()) return v;
  }
  return {};
}

std::optional<int64_t> count_of(Value v) {
  if (v.type() == Type::kInt) return v.as_int();
  if (v.type() == Type::kDouble) {
    double d = v.as_double();
    if (d >= 0 && d < 9.0e18) return static_cast<int64_t>(d);
  }
  if (v.is_string()) {
    std::string_view s = v.as_string();
    if (s.empty() || s.size() > 18) return std::nullopt;
    int64_t n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return std::nullopt;
}

bool non_empty_text(Value v) {
  if (v.type() == Type::kBool) return v.as_bool();
  std::string_view s = text_of(v);
  return !s.empty();
}

}  // namespace

Value at_dotted(Value v, std::string_view dotted) {
  size_t start = 0;
  while (v.exists()) {
    size_t dot = dotted.find('.', start);
    v = v.get(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return v;
}

const char* kind_name(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kUnknown: return "unknown";
    case DocumentKind::kIncident: return "incident";
    case DocumentKind::kChange: return "change";
    case DocumentKind::kAlert: return "alert";
    case DocumentKind::kConfigItem: return "ci";
    case DocumentKind::kSliSample: return "sli";
  }
  return "unknown";
}

std::string_view text_of(Value v) {
  if (v.is_string()) return v.as_string();
  if (v.is_object()) {
    std::string_view d = v.get("display_value").as_string();
    if (!d.empty()) return d;
    return v.get("value").as_string();
  }
  return {};
}

std::string_view first_text(Value doc, std::initializer_list<std::string_view> paths) {
  for (auto p : paths) {
    std::string_view s = text_of(at_dotted(doc, p));
    if (!s.empty()) return s;
  }
  return {};
}

DocumentKind detect_kind(Value doc) {
  if (!doc.is_object()) return DocumentKind::kUnknown;
  std::string_view declared = doc.get("kind").as_string();
  if (declared == "incident" || declared == "ticket") return DocumentKind::kIncident;
  if (declared == "change") return DocumentKind::kChange;
  if (declared == "alert") return DocumentKind::kAlert;
  if (declared == "ci" || declared == "Component" || declared == "Resource" || declared == "System")
    return DocumentKind::kConfigItem;
  if (declared == "sli") return DocumentKind::kSliSample;
  std::string_view cls = doc.get("sys_class_name").as_string();
  if (cls == "incident") return DocumentKind::kIncident;
  if (cls == "change_request") return DocumentKind::kChange;
  if (cls.rfind("cmdb_ci", 0) == 0) return DocumentKind::kConfigItem;
  // Shapes: Alertmanager alerts carry labels with an alertname; Jira issues a key
  // and fields; ServiceNow incidents a number and a short description.
  if (doc.get("labels").get("alertname").exists() || doc.get("startsAt").exists()) return DocumentKind::kAlert;
  if (doc.get("fields").is_object() && doc.get("key").exists()) return DocumentKind::kIncident;
  if (doc.get("good").exists() || (doc.get("bad").exists() && doc.get("total").exists())) return DocumentKind::kSliSample;
  if (doc.get("backout_plan").exists() || doc.get("targets").exists() ||
      (doc.get("start_date").exists() && doc.get("end_date").exists()))
    return DocumentKind::kChange;
  if (doc.get("short_description").exists() || doc.get("urgency").exists() || doc.get("impact").exists())
    return DocumentKind::kIncident;
  if (doc.get("depends_on").exists() || doc.get("tier").exists()) return DocumentKind::kConfigItem;
  return DocumentKind::kUnknown;
}

std::string_view Incident::id() const { return first_text(doc, {"id", "number", "key"}); }
std::string_view Incident::title() const {
  return first_text(doc, {"title", "short_description", "fields.summary", "annotations.summary", "summary"});
}
std::string_view Incident::description() const {
  return first_text(doc, {"description", "fields.description", "annotations.description"});
}
std::string_view Incident::service() const {
  return first_text(doc, {"service", "business_service", "labels.service"});
}
std::string_view Incident::ci() const { return first_text(doc, {"ci", "cmdb_ci"}); }
std::string_view Incident::impact() const { return first_text(doc, {"impact"}); }
std::string_view Incident::urgency() const { return first_text(doc, {"urgency"}); }
std::string_view Incident::priority() const { return first_text(doc, {"priority", "fields.priority.name"}); }
std::string_view Incident::team() const { return first_text(doc, {"team", "assignment_group"}); }
std::string_view Incident::environment() const {
  return first_text(doc, {"environment", "labels.env", "labels.environment"});
}
Value Incident::labels() const { return first_present(doc, {"labels", "fields.labels"}); }
std::optional<int64_t> Incident::affected_users() const { return count_of(doc.get("affected_users")); }

std::string_view ChangeRequest::id() const { return first_text(doc, {"id", "number"}); }
std::string_view ChangeRequest::title() const { return first_text(doc, {"title", "short_description"}); }
std::string_view ChangeRequest::type() const { return first_text(doc, {"type", "change_type"}); }
std::string_view ChangeRequest::start() const { return first_text(doc, {"start", "start_date", "window.start"}); }
std::string_view ChangeRequest::end() const { return first_text(doc, {"end", "end_date", "window.end"}); }
std::string_view ChangeRequest::assignee() const { return first_text(doc, {"assignee", "assigned_to"}); }
std::string_view ChangeRequest::team() const { return first_text(doc, {"team", "assignment_group"}); }
Value ChangeRequest::targets() const { return first_present(doc, {"targets", "cmdb_ci"}); }
bool ChangeRequest::has_rollback_plan() const {
  return non_empty_text(first_present(doc, {"rollback_plan", "backout_plan"}));
}
bool ChangeRequest::has_test_evidence() const {
  return non_empty_text(first_present(doc, {"test_evidence", "test_plan"}));
}

Value Alert::labels() const { return doc.get("labels"); }
Value Alert::annotations() const { return doc.get("annotations"); }
std::string_view Alert::label(std::string_view name) const { return doc.get("labels").get(name).as_string(); }
std::string_view Alert::name() const { return label("alertname"); }
std::string_view Alert::status() const {
  std::string_view s = doc.get("status").as_string();
  return s.empty() ? std::string_view("firing") : s;
}
std::string_view Alert::starts_at() const { return doc.get("startsAt").as_string(); }
std::string_view Alert::ends_at() const { return doc.get("endsAt").as_string(); }
std::string_view Alert::fingerprint() const { return doc.get("fingerprint").as_string(); }

std::string_view ConfigItem::id() const { return first_text(doc, {"id", "sys_id", "metadata.name"}); }
std::string_view ConfigItem::name() const { return first_text(doc, {"name", "metadata.name"}); }
std::string_view ConfigItem::ci_class() const { return first_text(doc, {"class", "sys_class_name", "spec.type", "kind"}); }
std::string_view ConfigItem::owner() const {
  return first_text(doc, {"owner", "owned_by", "support_group", "spec.owner"});
}
std::string_view ConfigItem::environment() const {
  return first_text(doc, {"environment", "spec.lifecycle"});
}
std::optional<int64_t> ConfigItem::tier() const { return count_of(doc.get("tier")); }
Value ConfigItem::depends_on() const { return first_present(doc, {"depends_on", "spec.dependsOn"}); }

std::string_view SliSample::slo() const { return first_text(doc, {"slo", "service"}); }
std::string_view SliSample::timestamp() const { return first_text(doc, {"timestamp", "ts", "time"}); }
std::optional<int64_t> SliSample::good() const { return count_of(doc.get("good")); }
std::optional<int64_t> SliSample::bad() const { return count_of(doc.get("bad")); }
std::optional<int64_t> SliSample::total() const {
  if (auto t = count_of(doc.get("total"))) return t;
  auto g = good();
  auto b = bad();
  int64_t sum;
  if (g && b && !__builtin_add_overflow(*g, *b, &sum)) return sum;
  return std::nullopt;
}

}  // namespace verdict
