// The canonical change (document/change.h): native, ServiceNow change_request and
// CI-pipeline shapes read into one Change, and the `change` schema.
#include "document/change.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "time/time.h"
#include "verdict/documents.h"

namespace verdict::shapes {

namespace {

constexpr SchemaField kChangeFields[] = {
    {"kind", FieldType::kString},          {"source", FieldType::kString},         {"id", FieldType::kString},
    {"title", FieldType::kString},         {"description", FieldType::kString},    {"type", FieldType::kString},
    {"risk", FieldType::kString},          {"impact", FieldType::kString},         {"category", FieldType::kString},
    {"environment", FieldType::kString},   {"targets", FieldType::kList},          {"services", FieldType::kList},
    {"start", FieldType::kTimestamp},      {"end", FieldType::kTimestamp},         {"duration_minutes", FieldType::kInt},
    {"assignee", FieldType::kString},      {"team", FieldType::kString},           {"author", FieldType::kString},
    {"rollback_plan", FieldType::kString}, {"has_rollback_plan", FieldType::kBool}, {"test_evidence", FieldType::kString},
    {"has_test_evidence", FieldType::kBool}, {"canary", FieldType::kBool},         {"security", FieldType::kBool},
    {"size", FieldType::kMap},             {"approvals", FieldType::kList},        {"checks", FieldType::kMap},
    {"failed_checks", FieldType::kList},   {"repository", FieldType::kString},     {"commit", FieldType::kString},
    {"branch", FieldType::kString},        {"changed_files", FieldType::kList},    {"template", FieldType::kString},
    {"status", FieldType::kString},        {"outcome", FieldType::kString},
};
static_assert(sizeof(kChangeFields) / sizeof(kChangeFields[0]) == change::kFieldCount, "one schema field per change::Field");
constexpr Schema kChangeSchema("change", kChangeFields);

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// Text of a field that may be a string, a ServiceNow reference or a number.
std::string text(Value v) {
  std::string_view s = text_of(v);
  if (!s.empty()) return std::string(s);
  if (v.is_number()) return v.to_json();
  return {};
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A plan that says there is no plan.
bool meaningful(const std::string& s) {
  std::string t = lower(trim(s));
  return !(t.empty() || t == "n/a" || t == "na" || t == "none" || t == "-" || t == "tbd" || t == "todo" || t == "no");
}

void read_strings(Value v, const char* field, std::vector<std::string>& out, std::vector<FieldProblem>& problems) {
  if (!v.exists() || v.is_null()) return;
  if (v.is_object() && servicenow::absent(v)) return;  // an empty reference {"display_value": "", "value": ""}
  if (v.is_string() || v.is_object()) {
    std::string s(text_of(v));
    if (!s.empty()) out.push_back(s);
    else if (v.is_object()) problems.push_back({field, "must be a name or a reference with a display_value, not " + v.to_json()});
    return;
  }
  if (!v.is_array()) {
    problems.push_back({field, "must be a list of names, not " + v.to_json()});
    return;
  }
  size_t i = 0;
  v.for_each_item([&](Value item) {
    if (item.is_object() && servicenow::absent(item)) return true;
    std::string s(text_of(item));
    if (s.empty()) problems.push_back({std::string(field) + "[" + std::to_string(i) + "]", "must be a name (a string), not " + item.to_json()});
    else if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    ++i;
    return true;
  });
}

std::optional<bool> read_bool(Value v, const char* field, std::vector<FieldProblem>& problems) {
  if (!v.exists() || v.is_null()) return std::nullopt;
  if (v.type() == Type::kBool) return v.as_bool();
  if (v.is_string()) {
    std::string s = lower(v.as_string());
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  problems.push_back({field, "must be true or false, not " + v.to_json()});
  return std::nullopt;
}

int64_t read_count(Value v, const char* field, std::vector<FieldProblem>& problems) {
  if (!v.exists() || v.is_null()) return -1;
  if (v.type() == Type::kInt && v.as_int() >= 0) return v.as_int();
  problems.push_back({field, "must be a count (a whole number, 0 or more), not " + v.to_json()});
  return -1;
}

// RFC 3339 with a zone (ServiceNow dates: read_sn_time).
void read_time(Value v, const char* field, int64_t& out, bool& has, std::vector<FieldProblem>& problems) {
  if (!v.exists() || v.is_null()) return;
  std::string s = text(v);
  if (s.empty() && !v.is_string()) {
    problems.push_back({field, "must be a timestamp (RFC 3339 with a zone), not " + v.to_json()});
    return;
  }
  if (s.empty()) return;
  std::string why;
  std::optional<int64_t> t = datetime::parse_rfc3339(s, &why);
  if (!t) {
    problems.push_back({field, "'" + text(v) + "' is not a timestamp windows can use: " + why});
    return;
  }
  out = *t;
  has = true;
}

void read_approvals(Value v, const char* field, std::vector<Approval>& out, std::vector<FieldProblem>& problems) {
  if (!v.exists() || v.is_null()) return;
  if (!v.is_array()) {
    problems.push_back({field, "must be a list of approvals ({\"user\": ..., \"role\": ...}), not " + v.to_json()});
    return;
  }
  size_t i = 0;
  v.for_each_item([&](Value a) {
    Approval ap;
    if (a.is_object()) {
      ap.user = text(a.get("user"));
      if (ap.user.empty()) ap.user = text(a.get("approver"));
      ap.role = text(a.get("role"));
      if (ap.role.empty()) ap.role = text(a.get("team"));
      if (ap.role.empty()) ap.role = text(a.get("group"));
    } else if (a.is_string()) {
      ap.user = std::string(a.as_string());
    }
    if (ap.user.empty()) problems.push_back({std::string(field) + "[" + std::to_string(i) + "]", "an approval names its user"});
    else out.push_back(std::move(ap));
    ++i;
    return true;
  });
}

const char* servicenow_state(std::string_view s) {
  static const std::pair<const char*, const char*> kStates[] = {
      {"-5", "new"},       {"-4", "assess"}, {"-3", "authorize"}, {"-2", "scheduled"}, {"-1", "implement"},
      {"0", "review"},     {"3", "closed"},  {"4", "cancelled"}};
  for (const auto& [code, name] : kStates)
    if (s == code) return name;
  return nullptr;
}

void read_native(Value d, Change& c, std::vector<FieldProblem>& p) {
  c.id = text(d.get("id"));
  if (c.id.empty()) c.id = text(d.get("number"));
  c.title = text(d.get("title"));
  c.description = text(d.get("description"));
  c.type = lower(text(d.get("type")));
  c.risk = lower(text(d.get("risk")));
  c.impact = lower(text(d.get("impact")));
  c.category = text(d.get("category"));
  c.environment = lower(text(d.get("environment")));
  c.assignee = text(d.get("assignee"));
  c.team = text(d.get("team"));
  c.author = text(d.get("author"));
  c.rollback_plan = text(d.get("rollback_plan"));
  c.test_evidence = text(d.get("test_evidence"));
  c.repository = text(d.get("repository"));
  c.commit = text(d.get("commit"));
  c.branch = text(d.get("branch"));
  c.template_name = text(d.get("template"));
  c.status = lower(text(d.get("status")));
  c.outcome = lower(text(d.get("outcome")));
  read_strings(d.get("targets"), "targets", c.targets, p);
  read_strings(d.get("services"), "services", c.services, p);
  read_strings(d.get("changed_files"), "changed_files", c.changed_files, p);
  Value window = d.get("window");
  read_time(d.get("start").exists() ? d.get("start") : window.get("start"), "start", c.start, c.has_start, p);
  read_time(d.get("end").exists() ? d.get("end") : window.get("end"), "end", c.end, c.has_end, p);
  c.canary = read_bool(d.get("canary"), "canary", p);
  c.security = read_bool(d.get("security"), "security", p);
  Value size = d.get("size");
  if (size.exists() && !size.is_null()) {
    if (!size.is_object()) p.push_back({"size", "must be {\"files\": N, \"lines\": N}, not " + size.to_json()});
    c.files = read_count(size.get("files"), "size.files", p);
    c.lines = read_count(size.get("lines"), "size.lines", p);
  }
  read_approvals(d.get("approvals"), "approvals", c.approvals, p);
  Value checks = d.get("checks");
  if (checks.is_object())
    checks.for_each_member([&](std::string_view k, Value v) {
      c.checks.emplace_back(std::string(k), lower(text(v)));
      return true;
    });
}

// A ServiceNow date in the record's sysparm_display_value mode (document/servicenow.h).
void read_sn_time(Value v, const char* field, servicenow::Mode mode, const ChangeOptions& o, int64_t& out, bool& has,
                  std::vector<FieldProblem>& problems) {
  if (servicenow::absent(v)) return;
  static const servicenow::Config kDefaults;
  const servicenow::Config& config = o.servicenow ? *o.servicenow : kDefaults;
  std::string why;
  auto t = servicenow::date_of(v, mode, config, o.servicenow_zone, &why);
  if (!t) {
    problems.push_back({field, "'" + std::string(servicenow::display_of(v)) + "' is not a timestamp windows can use: " + why});
    return;
  }
  out = *t;
  has = true;
}

// A choice field's code: its value in `all` mode, else as given ("2", or "2 - Medium" from
// a `true` export, read by its leading code).
std::string code(Value v) {
  std::string s(servicenow::value_of(v));
  if (s.empty() && v.is_number()) s = v.to_json();
  size_t dash = s.find(" - ");
  if (dash != std::string::npos && dash > 0 && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) s.resize(dash);
  return s;
}

void read_servicenow(Value d, Change& c, std::vector<FieldProblem>& p, const ChangeOptions& o) {
  const servicenow::Mode mode = servicenow::record_mode(d);
  c.id = text(d.get("number"));
  if (c.id.empty()) c.id = std::string(servicenow::value_of(d.get("sys_id")));
  c.title = text(d.get("short_description"));
  c.description = text(d.get("description"));
  c.type = lower(code(d.get("type")));
  std::string risk = code(d.get("risk"));
  static const std::pair<const char*, const char*> kRisk[] = {{"1", "very high"}, {"2", "high"}, {"3", "moderate"}, {"4", "low"}};
  c.risk = lower(risk);
  for (const auto& [k, v] : kRisk)
    if (risk == k) c.risk = v;
  std::string impact = code(d.get("impact"));
  c.impact = impact == "1" ? "high" : impact == "2" ? "medium" : impact == "3" ? "low" : lower(impact);
  c.category = text(d.get("category"));
  c.environment = lower(text(d.get("u_environment")));
  if (c.environment.empty()) c.environment = lower(text(d.get("environment")));
  c.assignee = text(d.get("assigned_to"));
  c.team = text(d.get("assignment_group"));
  c.author = text(d.get("requested_by"));
  c.rollback_plan = text(d.get("backout_plan"));
  c.test_evidence = text(d.get("test_plan"));
  std::string state = code(d.get("state"));
  const char* named = servicenow_state(state);
  c.status = named ? named : lower(state);
  std::string close = lower(code(d.get("close_code")));
  if (close == "successful" || close == "successful_issues" || close == "successful with issues") c.outcome = "successful";
  else if (close == "unsuccessful") c.outcome = "failed";
  else c.outcome = close;
  read_strings(d.get("cmdb_ci"), "cmdb_ci", c.targets, p);
  read_strings(d.get("affected_cis"), "affected_cis", c.targets, p);
  read_strings(d.get("business_service"), "business_service", c.services, p);
  read_sn_time(d.get("start_date"), "start_date", mode, o, c.start, c.has_start, p);
  read_sn_time(d.get("end_date"), "end_date", mode, o, c.end, c.has_end, p);
  if (lower(c.category).find("security") != std::string::npos) c.security = true;
  read_approvals(d.get("approvals"), "approvals", c.approvals, p);
}

void read_pipeline(Value d, Change& c, std::vector<FieldProblem>& p) {
  c.repository = text(d.get("repository"));
  c.commit = text(d.get("commit"));
  c.branch = text(d.get("branch"));
  c.id = text(d.get("id"));
  if (c.id.empty()) c.id = c.repository + "@" + c.commit.substr(0, 12);
  c.title = text(d.get("title"));
  c.description = text(d.get("description"));
  c.type = lower(text(d.get("type")));
  if (c.type.empty()) c.type = "normal";  // a pipeline deploy is a normal change unless it says otherwise
  c.environment = lower(text(d.get("environment")));
  c.author = text(d.get("author"));
  c.assignee = text(d.get("assignee"));
  if (c.assignee.empty()) c.assignee = c.author;
  c.team = text(d.get("team"));
  c.rollback_plan = text(d.get("rollback_plan"));
  if (c.rollback_plan.empty()) c.rollback_plan = text(d.get("rollback"));
  c.test_evidence = text(d.get("test_evidence"));
  c.status = lower(text(d.get("status")));
  c.outcome = lower(text(d.get("outcome")));
  read_strings(d.get("targets"), "targets", c.targets, p);
  read_strings(d.get("changed_services"), "changed_services", c.services, p);
  read_strings(d.get("services"), "services", c.services, p);
  if (c.targets.empty()) c.targets = c.services;
  read_strings(d.get("changed_files"), "changed_files", c.changed_files, p);
  Value w = d.get("deploy_window");
  read_time(w.get("start"), "deploy_window.start", c.start, c.has_start, p);
  read_time(w.get("end"), "deploy_window.end", c.end, c.has_end, p);
  c.canary = read_bool(d.get("canary"), "canary", p);
  c.security = read_bool(d.get("security"), "security", p);
  Value diff = d.get("diff");
  if (diff.is_object()) {
    c.files = read_count(diff.get("files"), "diff.files", p);
    int64_t add = read_count(diff.get("additions"), "diff.additions", p);
    int64_t del = read_count(diff.get("deletions"), "diff.deletions", p);
    if (add >= 0 || del >= 0) c.lines = std::max<int64_t>(add, 0) + std::max<int64_t>(del, 0);
  }
  read_approvals(d.get("approvals"), "approvals", c.approvals, p);
  Value checks = d.get("checks");
  if (checks.exists() && !checks.is_null() && !checks.is_object())
    p.push_back({"checks", "must be an object of check name -> status, not " + checks.to_json()});
  if (checks.is_object())
    checks.for_each_member([&](std::string_view k, Value v) {
      c.checks.emplace_back(std::string(k), lower(text(v)));
      return true;
    });
  if (c.test_evidence.empty() && !c.checks.empty()) {
    bool all_passed = true;
    for (const auto& [k, v] : c.checks) all_passed = all_passed && (v == "passed" || v == "success" || v == "succeeded");
    if (all_passed) {
      c.test_evidence = "checks passed:";
      for (const auto& [k, v] : c.checks) c.test_evidence += " " + k;
    }
  }
}

}  // namespace

const Schema& change_schema() { return kChangeSchema; }

Lifecycle Change::lifecycle() const {
  if (status == "cancelled" || status == "canceled") return Lifecycle::kCancelled;
  if (!outcome.empty() || status == "closed" || status == "completed" || status == "done" || status == "successful" ||
      status == "failed" || status == "rolled_back" || status == "review")
    return Lifecycle::kDone;
  return Lifecycle::kScheduled;
}

bool Change::failed() const {
  return outcome == "failed" || outcome == "rolled_back" || outcome == "unsuccessful" || status == "failed" ||
         status == "rolled_back";
}

std::string_view change_shape(Value d) {
  if (!d.is_object()) return {};
  // sys_class_name in any sysparm_display_value mode: "change_request", {"value": ...}, "Change Request".
  std::string cls = servicenow::table_of(d.get("sys_class_name"));
  if (cls == "change_request") return "servicenow";
  if (!cls.empty()) return {};
  std::string_view kind = d.get("kind").as_string();
  if (kind == "change") return "native";
  if (!kind.empty()) return {};
  if (d.get("repository").exists() &&
      (d.get("changed_services").exists() || d.get("deploy_window").exists() || d.get("pipeline").exists()))
    return "pipeline";
  if (starts_with(text_of(d.get("number")), "CHG") && (d.get("start_date").exists() || d.get("sys_id").exists()))
    return "servicenow";
  if (d.get("targets").exists() && (d.get("start").exists() || d.get("type").exists())) return "native";
  return {};
}

std::string_view map_change(Value doc, Change& c, std::vector<FieldProblem>& problems, const ChangeOptions& options) {
  c = Change{};
  std::string_view shape = change_shape(doc);
  c.source = shape.empty() ? "native" : std::string(shape);
  if (!doc.is_object()) {
    problems.push_back({"", "a change is a JSON object, not " + std::string(doc.is_array() ? "an array" : "a scalar")});
    return shape;
  }
  if (shape == "servicenow") read_servicenow(doc, c, problems, options);
  else if (shape == "pipeline") read_pipeline(doc, c, problems);
  else read_native(doc, c, problems);
  if (c.has_start && c.has_end && c.end <= c.start)
    problems.push_back({std::string(end_field(c)), "the change ends (" + datetime::format_rfc3339(c.end) + ") before or when it starts (" +
                                                       datetime::format_rfc3339(c.start) + ")"});
  return shape;
}

std::string_view start_field(const Change& c) {
  return c.source == "servicenow" ? "start_date" : c.source == "pipeline" ? "deploy_window.start" : "start";
}

std::string_view end_field(const Change& c) {
  return c.source == "servicenow" ? "end_date" : c.source == "pipeline" ? "deploy_window.end" : "end";
}

int64_t Change::duration_minutes() const { return timed() ? (end - start) / (60 * datetime::kNanosPerSecond) : -1; }

bool Change::has_rollback_plan() const { return meaningful(rollback_plan); }

bool Change::has_test_evidence() const { return meaningful(test_evidence); }

bool Change::check_failed(std::string_view s) { return s == "failed" || s == "failure" || s == "error" || s == "cancelled"; }

}  // namespace verdict::shapes
