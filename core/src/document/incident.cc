// The canonical incident (document/shapes.h): one mapping from every accepted shape of
// an incident, ticket or alert, used by `verdict read`, TriageRouting and Rules.
#include "document/servicenow.h"
#include "time/time.h"
#include "document/shapes.h"
#include "verdict/documents.h"

namespace verdict::shapes {

namespace {

constexpr SchemaField kIncidentFields[] = {
    {"kind", FieldType::kString},        {"id", FieldType::kString},           {"title", FieldType::kString},
    {"description", FieldType::kString}, {"service", FieldType::kString},      {"ci", FieldType::kString},
    {"impact", FieldType::kString},      {"urgency", FieldType::kString},      {"priority", FieldType::kString},
    {"team", FieldType::kString},        {"category", FieldType::kString},     {"environment", FieldType::kString},
    {"severity", FieldType::kString},    {"affected_users", FieldType::kAny},  {"labels", FieldType::kMap},
    {"annotations", FieldType::kMap},    {"created", FieldType::kTimestamp},   {"updated", FieldType::kTimestamp},
    {"status", FieldType::kString},      {"region", FieldType::kString},       {"reporter", FieldType::kString},
    {"tags", FieldType::kList},          {"custom", FieldType::kMap},          {"components", FieldType::kAny},
    {"escalation", FieldType::kString},  {"source", FieldType::kString},
};
constexpr Schema kIncidentSchema("incident", kIncidentFields);

using namespace incident;

// Copies the first of `paths` that is present (not null, not "") as `field`.
bool copy(Record& r, size_t field, Value doc, std::initializer_list<std::string_view> paths) {
  for (auto p : paths) {
    Value v = at_dotted(doc, p);
    if (!v.exists() || v.is_null()) continue;
    if (v.is_string() && v.as_string().empty()) continue;
    r.set_doc(field, v, p);
    return true;
  }
  return false;
}

// A ServiceNow reference or plain string, as text.
bool text(Record& r, size_t field, Value doc, std::string_view path) {
  std::string_view t = text_of(at_dotted(doc, path));
  if (t.empty()) return false;
  r.set_text(field, t, path);
  return true;
}

// A ServiceNow date (document/servicenow.h), as RFC 3339 UTC; false when absent or when it
// does not read (then told in `problems`).
bool servicenow_date(Record& r, size_t field, Value doc, std::string_view path, servicenow::Mode mode,
                     const servicenow::Config& config, std::vector<std::string>* problems) {
  Value v = doc.get(path);
  if (servicenow::absent(v)) return false;
  std::string why;
  auto t = servicenow::date_of(v, mode, config, datetime::Zone(), &why);
  if (!t) {
    if (problems)
      problems->push_back("input field " + std::string(path) + ": '" + std::string(servicenow::display_of(v)) +
                          "' is not a date: " + why);
    return false;
  }
  r.set_text(field, r.own(datetime::format_rfc3339(*t)), path);
  return true;
}

// "1", "1 - High", 1 -> high; "2" -> medium; "3" -> low.
std::string_view servicenow_level(Value v) {
  std::string_view s = text_of(v);
  int64_t n = 0;
  if (!s.empty() && s[0] >= '1' && s[0] <= '3') n = s[0] - '0';
  else if (v.type() == Type::kInt) n = v.as_int();
  switch (n) {
    case 1: return "high";
    case 2: return "medium";
    case 3: return "low";
    default: return {};
  }
}

std::string_view jira_urgency(std::string_view p) {
  if (p == "Highest" || p == "High" || p == "Blocker" || p == "Critical") return "high";
  if (p == "Medium" || p == "Major") return "medium";
  if (p == "Low" || p == "Lowest" || p == "Minor" || p == "Trivial") return "low";
  return {};
}

// The plain text of an Atlassian document (Jira Cloud's description object).
void adf_text(Value node, std::string& out) {
  if (node.is_object()) {
    std::string_view t = node.get("text").as_string();
    if (!t.empty()) out.append(t);
    Value content = node.get("content");
    bool block = node.get("type").as_string() == "paragraph";
    content.for_each_item([&](Value child) {
      adf_text(child, out);
      return out.size() < (1u << 20);
    });
    if (block && !out.empty() && out.back() != '\n') out.push_back('\n');
  }
}

}  // namespace

const Schema& incident_schema() { return kIncidentSchema; }

bool is_known_incident(Value input, const Record& r) {
  if (!input.is_object()) return false;
  if (r.shape() != "native" || input.get("kind").exists()) return true;
  // Read as native without a kind: at least one canonical field other than a bare status (a
  // Prometheus API answer has "status" and "data").
  for (uint8_t f : r.order())
    if (f != kKind && f != kStatus && !r.from(f).empty()) return true;
  return false;
}

void map_incident(Value in, Record& r) { map_incident(in, r, nullptr, nullptr); }

void map_incident(Value in, Record& r, const servicenow::Config* sn_config, std::vector<std::string>* problems) {
  r.clear();
  std::string_view kind = in.get("kind").as_string();
  // A ServiceNow record of another table (change_request, ...) is not an incident: it is
  // read as it is (native), and a policy can route it by its fields.
  // In any sysparm_display_value mode: "incident", {"value": "incident", ...}, "Incident".
  const std::string sn_class = servicenow::table_of(in.get("sys_class_name"));
  bool sn_ticket = sn_class.empty() || sn_class == "incident" || sn_class == "sc_task" || sn_class == "sc_req_item" ||
                   sn_class == "problem";
  bool servicenow = !in.get("kind").exists() && in.get("number").exists() && sn_ticket &&
                    (in.get("short_description").exists() || sn_class == "incident");
  bool jira = !in.get("kind").exists() && in.get("key").exists() && in.get("fields").is_object();
  bool alert = kind == "alert" || (!in.get("kind").exists() && (in.get("labels").get("alertname").exists() || in.get("startsAt").exists()));
  // A PagerDuty incident (REST API v2, the `data` of a v3 webhook): type "incident" and a
  // service reference.
  bool pagerduty = !in.get("kind").exists() && in.get("type").as_string() == "incident" &&
                   in.get("service").get("type").as_string() == "service_reference";
  r.set_text(kKind, "incident", {});
  if (pagerduty) {
    r.set_shape("pagerduty");
    text(r, kId, in, "id");
    text(r, kTitle, in, "title");
    text(r, kDescription, in, "description");
    text(r, kService, in, "service.summary");
    std::string_view urgency = in.get("urgency").as_string();  // "high" or "low"
    if (urgency == "high" || urgency == "low") r.set_text(kUrgency, urgency, "urgency");
    text(r, kPriority, in, "priority.summary");
    Value team = in.get("teams").at(0);
    if (!team.get("summary").as_string().empty()) r.set_text(kTeam, team.get("summary").as_string(), "teams[0].summary");
    text(r, kStatus, in, "status");
    text(r, kCreated, in, "created_at");
    text(r, kUpdated, in, "updated_at");
  } else if (kind == "incident" || kind == "ticket" || (!servicenow && !jira && !alert)) {
    r.set_shape("native");
    static constexpr uint8_t kNative[] = {kId, kTitle, kDescription, kService, kCi, kImpact, kUrgency, kPriority, kTeam,
                                          kCategory, kEnvironment, kSeverity, kAffectedUsers, kLabels, kAnnotations, kCreated,
                                          kUpdated, kStatus, kRegion, kReporter, kTags, kCustom, kComponents, kEscalation};
    for (uint8_t f : kNative) copy(r, f, in, {kIncidentFields[f].name});
  } else if (servicenow) {
    r.set_shape("servicenow");
    text(r, kId, in, "number");
    text(r, kTitle, in, "short_description");
    text(r, kDescription, in, "description");
    text(r, kService, in, "business_service");
    text(r, kCi, in, "cmdb_ci");
    std::string_view impact = servicenow_level(in.get("impact"));
    if (!impact.empty()) r.set_text(kImpact, impact, "impact");
    std::string_view urgency = servicenow_level(in.get("urgency"));
    if (!urgency.empty()) r.set_text(kUrgency, urgency, "urgency");
    text(r, kPriority, in, "priority");
    text(r, kTeam, in, "assignment_group");
    text(r, kCategory, in, "category");
    text(r, kSeverity, in, "severity");
    const servicenow::Mode mode = servicenow::record_mode(in);
    static const servicenow::Config kNoSettings;
    const servicenow::Config& config = sn_config ? *sn_config : kNoSettings;
    servicenow_date(r, kCreated, in, servicenow::absent(in.get("opened_at")) ? "sys_created_on" : "opened_at", mode,
                    config, problems);
    servicenow_date(r, kUpdated, in, "sys_updated_on", mode, config, problems);
    text(r, kStatus, in, "state");
  } else if (jira) {
    r.set_shape("jira");
    Value f = in.get("fields");
    text(r, kId, in, "key");
    text(r, kTitle, in, "fields.summary");
    Value desc = f.get("description");
    if (desc.is_string()) {
      text(r, kDescription, in, "fields.description");
    } else if (desc.is_object()) {
      std::string t;
      adf_text(desc, t);
      while (!t.empty() && t.back() == '\n') t.pop_back();
      if (!t.empty()) r.set_text(kDescription, r.own(t), "fields.description (Atlassian document)");
    }
    Value comp = f.get("components").at(0);
    std::string_view service = comp.is_object() ? comp.get("name").as_string() : comp.as_string();
    if (!service.empty()) r.set_text(kService, service, "fields.components[0].name");
    std::string_view prio = f.get("priority").get("name").as_string();
    if (!prio.empty()) r.set_text(kPriority, prio, "fields.priority.name");
    std::string_view urgency = jira_urgency(prio);
    if (!urgency.empty()) r.set_text(kUrgency, urgency, "fields.priority.name");
    text(r, kCategory, in, "fields.issuetype.name");
    text(r, kStatus, in, "fields.status.name");
    text(r, kCreated, in, "fields.created");
    text(r, kUpdated, in, "fields.updated");
    Value labels = f.get("labels");
    if (labels.is_array() && labels.size() > 0) {
      r.begin_pairs(kLabels, "fields.labels");
      labels.for_each_item([&](Value l) {
        if (l.is_string()) r.add_pair(l.as_string(), "true");
        return true;
      });
    }
  } else {
    r.set_shape("alertmanager");
    if (!copy(r, kId, in, {"fingerprint"})) copy(r, kId, in, {"labels.alertname"});
    copy(r, kTitle, in, {"annotations.summary", "annotations.title", "labels.alertname"});
    copy(r, kDescription, in, {"annotations.description", "annotations.message"});
    copy(r, kService, in, {"labels.service", "labels.job"});
    copy(r, kCi, in, {"labels.ci"});
    copy(r, kTeam, in, {"labels.team"});
    copy(r, kEnvironment, in, {"labels.env", "labels.environment"});
    copy(r, kSeverity, in, {"labels.severity"});
    copy(r, kLabels, in, {"labels"});
    copy(r, kAnnotations, in, {"annotations"});
    copy(r, kCreated, in, {"startsAt"});
    copy(r, kStatus, in, {"status"});
  }
  r.set_text(kSource, r.shape(), {});
}

}  // namespace verdict::shapes
