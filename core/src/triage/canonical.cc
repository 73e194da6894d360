#include "triage/canonical.h"

#include "document_internal.h"
#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict::triage {
namespace {

class Builder {
 public:
  explicit Builder(Canonical& out) : out_(out) {
    out_.fields.clear();
    w_.clear();
    w_.begin_object();
  }

  // Copies the first of `paths` that is present (not null) as canonical `field`.
  bool copy(const char* field, Value doc, std::initializer_list<std::string_view> paths) {
    for (auto p : paths) {
      Value v = at_dotted(doc, p);
      if (!v.exists() || v.is_null()) continue;
      if (v.is_string() && v.as_string().empty()) continue;
      w_.key(field);
      write_element(w_, ValueAccess::element(v));
      out_.fields.emplace_back(field, p);
      return true;
    }
    return false;
  }
  // A ServiceNow reference or plain string, as text.
  bool text(const char* field, Value doc, std::string_view path) {
    std::string_view t = text_of(at_dotted(doc, path));
    if (t.empty()) return false;
    w_.key(field).string(t);
    out_.fields.emplace_back(field, path);
    return true;
  }
  void put(const char* field, std::string_view value, std::string_view from) {
    w_.key(field).string(value);
    out_.fields.emplace_back(field, from);
  }
  JsonWriter& writer() { return w_; }
  void finish() {
    w_.end_object();
    out_.json.assign(w_.view());
  }

 private:
  Canonical& out_;
  static thread_local JsonWriter w_;
};

thread_local JsonWriter Builder::w_;

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

void canonicalize(Value in, Canonical& c) {
  Builder b(c);
  std::string_view kind = in.get("kind").as_string();
  // A ServiceNow record of another table (change_request, ...) is not an incident: it is
  // read as it is (native), and a policy can route it by its fields.
  std::string_view sn_class = in.get("sys_class_name").as_string();
  bool sn_ticket = sn_class.empty() || sn_class == "incident" || sn_class == "sc_task" || sn_class == "sc_req_item" ||
                   sn_class == "problem";
  bool servicenow = !in.get("kind").exists() && in.get("number").exists() && sn_ticket &&
                    (in.get("short_description").exists() || sn_class == "incident");
  bool jira = !in.get("kind").exists() && in.get("key").exists() && in.get("fields").is_object();
  bool alert = kind == "alert" || (!in.get("kind").exists() && (in.get("labels").get("alertname").exists() || in.get("startsAt").exists()));
  b.writer().key("kind").string("incident");
  if (kind == "incident" || kind == "ticket" || (!servicenow && !jira && !alert)) {
    c.shape = "native";
    for (const char* f : {"id", "title", "description", "service", "ci", "impact", "urgency", "priority", "team",
                          "category", "environment", "severity", "affected_users", "labels", "annotations", "created",
                          "status", "region", "reporter", "tags", "custom", "components"})
      b.copy(f, in, {f});
  } else if (servicenow) {
    c.shape = "servicenow";
    b.text("id", in, "number");
    b.text("title", in, "short_description");
    b.text("description", in, "description");
    b.text("service", in, "business_service");
    b.text("ci", in, "cmdb_ci");
    std::string_view impact = servicenow_level(in.get("impact"));
    if (!impact.empty()) b.put("impact", impact, "impact");
    std::string_view urgency = servicenow_level(in.get("urgency"));
    if (!urgency.empty()) b.put("urgency", urgency, "urgency");
    b.text("priority", in, "priority");
    b.text("team", in, "assignment_group");
    b.text("category", in, "category");
    b.text("severity", in, "severity");
    b.text("created", in, "opened_at");
    b.text("status", in, "state");
  } else if (jira) {
    c.shape = "jira";
    Value f = in.get("fields");
    b.text("id", in, "key");
    b.text("title", in, "fields.summary");
    Value desc = f.get("description");
    if (desc.is_string()) {
      b.text("description", in, "fields.description");
    } else if (desc.is_object()) {
      std::string text;
      adf_text(desc, text);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      if (!text.empty()) b.put("description", text, "fields.description (Atlassian document)");
    }
    Value comp = f.get("components").at(0);
    std::string_view service = comp.is_object() ? comp.get("name").as_string() : comp.as_string();
    if (!service.empty()) b.put("service", service, "fields.components[0].name");
    std::string_view prio = f.get("priority").get("name").as_string();
    if (!prio.empty()) b.put("priority", prio, "fields.priority.name");
    std::string_view urgency = jira_urgency(prio);
    if (!urgency.empty()) b.put("urgency", urgency, "fields.priority.name");
    b.text("category", in, "fields.issuetype.name");
    b.text("status", in, "fields.status.name");
    b.text("created", in, "fields.created");
    Value labels = f.get("labels");
    if (labels.is_array() && labels.size() > 0) {
      JsonWriter& w = b.writer();
      w.key("labels").begin_object();
      labels.for_each_item([&](Value l) {
        if (l.is_string()) w.key(l.as_string()).string("true");
        return true;
      });
      w.end_object();
      c.fields.emplace_back("labels", "fields.labels");
    }
  } else {
    c.shape = "alertmanager";
    if (!b.copy("id", in, {"fingerprint"})) b.copy("id", in, {"labels.alertname"});
    b.copy("title", in, {"annotations.summary", "annotations.title", "labels.alertname"});
    b.copy("description", in, {"annotations.description", "annotations.message"});
    b.copy("service", in, {"labels.service", "labels.job"});
    b.copy("ci", in, {"labels.ci"});
    b.copy("team", in, {"labels.team"});
    b.copy("environment", in, {"labels.env", "labels.environment"});
    b.copy("severity", in, {"labels.severity"});
    b.copy("labels", in, {"labels"});
    b.copy("annotations", in, {"annotations"});
    b.copy("created", in, {"startsAt"});
    b.copy("status", in, {"status"});
  }
  b.writer().key("source").string(c.shape);
  b.finish();
}

}  // namespace verdict::triage
