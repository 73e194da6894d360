#include "verdict/documents.h"
#include "document/servicenow.h"

namespace verdict {

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

// A string, or a reference's name: ServiceNow's one reading of display values.
std::string_view text_of(Value v) { return servicenow::display_of(v); }

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
  const std::string cls = servicenow::table_of(doc.get("sys_class_name"));  // in any sysparm_display_value mode
  if (cls == "incident") return DocumentKind::kIncident;
  if (cls == "change_request") return DocumentKind::kChange;
  if (cls.rfind("cmdb_ci", 0) == 0) return DocumentKind::kConfigItem;
  // Shapes: Alertmanager alerts carry labels with an alertname; Jira issues a key
  // and fields; ServiceNow incidents a number and a short description.
  if (doc.get("labels").get("alertname").exists() || doc.get("startsAt").exists()) return DocumentKind::kAlert;
  if (doc.get("fields").is_object() && doc.get("key").exists()) return DocumentKind::kIncident;
  if (doc.get("good").exists() || (doc.get("bad").exists() && doc.get("total").exists())) return DocumentKind::kSliSample;
  // Latency samples: the SLO's name and the observed latencies (docs/budget.md).
  if (doc.get("slo").is_string() && doc.get("latency").exists()) return DocumentKind::kSliSample;
  if (doc.get("backout_plan").exists() || doc.get("targets").exists() ||
      (doc.get("start_date").exists() && doc.get("end_date").exists()))
    return DocumentKind::kChange;
  if (doc.get("short_description").exists() || doc.get("urgency").exists() || doc.get("impact").exists())
    return DocumentKind::kIncident;
  if (doc.get("depends_on").exists() || doc.get("tier").exists()) return DocumentKind::kConfigItem;
  return DocumentKind::kUnknown;
}

}  // namespace verdict
