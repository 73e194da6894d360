#include "kinds/change/change.h"

#include <algorithm>
#include <cctype>

#include "time/time.h"
#include "policy/json_source.h"
#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict::change {

using json = nlohmann::ordered_json;
using policy::pointer_join;

namespace {

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

// RFC 3339 with a zone; ServiceNow's "YYYY-MM-DD HH:MM:SS" in `sn_offset` when allowed.
void read_time(Value v, const char* field, bool servicenow, int sn_offset, int64_t& out, bool& has,
               std::vector<FieldProblem>& problems) {
  if (!v.exists() || v.is_null()) return;
  std::string s = text(v);
  if (s.empty() && !v.is_string()) {
    problems.push_back({field, "must be a timestamp (RFC 3339 with a zone), not " + v.to_json()});
    return;
  }
  if (s.empty()) return;
  if (servicenow && s.size() == 19 && s[10] == ' ') {
    char sign = sn_offset < 0 ? '-' : '+';
    int m = std::abs(sn_offset);
    char zone[8];
    zone[0] = sign;
    zone[1] = static_cast<char>('0' + m / 600);
    zone[2] = static_cast<char>('0' + m / 60 % 10);
    zone[3] = ':';
    zone[4] = static_cast<char>('0' + m % 60 / 10);
    zone[5] = static_cast<char>('0' + m % 10);
    s = s.substr(0, 10) + "T" + s.substr(11) + std::string(zone, 6);
  }
  std::string why;
  auto t = datetime::parse_rfc3339(s, &why);
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
  read_time(d.get("start").exists() ? d.get("start") : window.get("start"), "start", false, 0, c.start, c.has_start, p);
  read_time(d.get("end").exists() ? d.get("end") : window.get("end"), "end", false, 0, c.end, c.has_end, p);
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

void read_servicenow(Value d, Change& c, std::vector<FieldProblem>& p, const CanonicalOptions& o) {
  c.id = text(d.get("number"));
  if (c.id.empty()) c.id = text(d.get("sys_id"));
  c.title = text(d.get("short_description"));
  c.description = text(d.get("description"));
  c.type = lower(text(d.get("type")));
  std::string risk = text(d.get("risk"));
  static const std::pair<const char*, const char*> kRisk[] = {{"1", "very high"}, {"2", "high"}, {"3", "moderate"}, {"4", "low"}};
  c.risk = lower(risk);
  for (const auto& [k, v] : kRisk)
    if (risk == k) c.risk = v;
  std::string impact = text(d.get("impact"));
  c.impact = impact == "1" ? "high" : impact == "2" ? "medium" : impact == "3" ? "low" : lower(impact);
  c.category = text(d.get("category"));
  c.environment = lower(text(d.get("u_environment")));
  if (c.environment.empty()) c.environment = lower(text(d.get("environment")));
  c.assignee = text(d.get("assigned_to"));
  c.team = text(d.get("assignment_group"));
  c.author = text(d.get("requested_by"));
  c.rollback_plan = text(d.get("backout_plan"));
  c.test_evidence = text(d.get("test_plan"));
  std::string state = text(d.get("state"));
  const char* named = servicenow_state(state);
  c.status = named ? named : lower(state);
  std::string close = lower(text(d.get("close_code")));
  if (close == "successful" || close == "successful_issues" || close == "successful with issues") c.outcome = "successful";
  else if (close == "unsuccessful") c.outcome = "failed";
  else c.outcome = close;
  read_strings(d.get("cmdb_ci"), "cmdb_ci", c.targets, p);
  read_strings(d.get("affected_cis"), "affected_cis", c.targets, p);
  read_strings(d.get("business_service"), "business_service", c.services, p);
  read_time(d.get("start_date"), "start_date", true, o.servicenow_offset, c.start, c.has_start, p);
  read_time(d.get("end_date"), "end_date", true, o.servicenow_offset, c.end, c.has_end, p);
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
  read_time(w.get("start"), "deploy_window.start", false, 0, c.start, c.has_start, p);
  read_time(w.get("end"), "deploy_window.end", false, 0, c.end, c.has_end, p);
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

void write_opt_string(JsonWriter& w, const char* key, const std::string& s) {
  w.key(key);
  if (s.empty()) w.null();
  else w.string(s);
}

void write_strings(JsonWriter& w, const char* key, const std::vector<std::string>& v) {
  w.key(key).begin_array();
  for (const auto& s : v) w.string(s);
  w.end_array();
}

}  // namespace

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
  std::string_view cls = d.get("sys_class_name").as_string();
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

void canonicalize(Value doc, Change& c, std::vector<FieldProblem>& problems, const CanonicalOptions& options) {
  c = Change{};
  std::string_view shape = change_shape(doc);
  c.source = shape.empty() ? "native" : std::string(shape);
  if (!doc.is_object()) {
    problems.push_back({"", "a change is a JSON object, not " + std::string(doc.is_array() ? "an array" : "a scalar")});
    return;
  }
  if (shape == "servicenow") read_servicenow(doc, c, problems, options);
  else if (shape == "pipeline") read_pipeline(doc, c, problems);
  else read_native(doc, c, problems);
  if (c.has_start && c.has_end && c.end <= c.start)
    problems.push_back({c.source == "servicenow" ? "end_date" : c.source == "pipeline" ? "deploy_window.end" : "end",
                        "the change ends (" + datetime::format_rfc3339(c.end) + ") before or when it starts (" +
                            datetime::format_rfc3339(c.start) + ")"});
}

void write_change(const Change& c, JsonWriter& w) {
  w.begin_object();
  w.key("kind").string("change");
  w.key("source").string(c.source);
  write_opt_string(w, "id", c.id);
  write_opt_string(w, "title", c.title);
  write_opt_string(w, "description", c.description);
  write_opt_string(w, "type", c.type);
  write_opt_string(w, "risk", c.risk);
  write_opt_string(w, "impact", c.impact);
  write_opt_string(w, "category", c.category);
  write_opt_string(w, "environment", c.environment);
  write_strings(w, "targets", c.targets);
  write_strings(w, "services", c.services);
  w.key("start");
  if (c.has_start) w.string(datetime::format_rfc3339(c.start));
  else w.null();
  w.key("end");
  if (c.has_end) w.string(datetime::format_rfc3339(c.end));
  else w.null();
  w.key("duration_minutes");
  if (c.has_start && c.has_end && c.end > c.start) w.number(static_cast<int64_t>((c.end - c.start) / (60 * datetime::kNanosPerSecond)));
  else w.null();
  write_opt_string(w, "assignee", c.assignee);
  write_opt_string(w, "team", c.team);
  write_opt_string(w, "author", c.author);
  write_opt_string(w, "rollback_plan", c.rollback_plan);
  w.key("has_rollback_plan").boolean(meaningful(c.rollback_plan));
  write_opt_string(w, "test_evidence", c.test_evidence);
  w.key("has_test_evidence").boolean(meaningful(c.test_evidence));
  w.key("canary");
  if (c.canary) w.boolean(*c.canary);
  else w.null();
  w.key("security").boolean(c.security.value_or(false));
  w.key("size").begin_object().key("files");
  if (c.files >= 0) w.number(c.files);
  else w.null();
  w.key("lines");
  if (c.lines >= 0) w.number(c.lines);
  else w.null();
  w.end_object();
  w.key("approvals").begin_array();
  for (const auto& a : c.approvals) {
    w.begin_object().key("user").string(a.user).key("role");
    if (a.role.empty()) w.null();
    else w.string(a.role);
    w.end_object();
  }
  w.end_array();
  w.key("checks").begin_object();
  for (const auto& [k, v] : c.checks) w.key(k).string(v);
  w.end_object();
  w.key("failed_checks").begin_array();
  for (const auto& [k, v] : c.checks)
    if (v == "failed" || v == "failure" || v == "error" || v == "cancelled") w.string(k);
  w.end_array();
  write_opt_string(w, "repository", c.repository);
  write_opt_string(w, "commit", c.commit);
  write_opt_string(w, "branch", c.branch);
  write_strings(w, "changed_files", c.changed_files);
  write_opt_string(w, "template", c.template_name);
  write_opt_string(w, "status", c.status);
  write_opt_string(w, "outcome", c.outcome);
  w.end_object();
}

// ---- windows -------------------------------------------------------------------------

bool load_window(policy::PolicyBuilder& b, const json& v, const std::string& p, int default_offset, ChangeWindow& w) {
  size_t errors_before = b.errors.size();
  if (!v.is_object()) {
    b.fail(p, ErrorCode::kInvalidPolicy, "a window is {\"type\": ..., \"times\": [...] or \"ranges\": [...], \"scope\": {...}}");
    return false;
  }
  b.only_keys(v, p, {"type", "timezone", "times", "ranges", "scope", "message", "action", "description"});
  w.type = "window";
  if (const json* t = b.get(v, p, "type", false, json::value_t::string)) {
    w.type = t->get<std::string>();
    if (w.type != "blackout" && w.type != "maintenance" && w.type != "window")
      b.fail(pointer_join(p, "type"), ErrorCode::kInvalidPolicy, "a window's type is blackout, maintenance or window");
  }
  w.when.offset = default_offset;
  policy::load_offset(b, v, p, "timezone", w.when.offset);
  if (const json* times = b.get(v, p, "times", false, json::value_t::array)) policy::load_times(b, *times, pointer_join(p, "times"), w.when.times);
  if (const json* ranges = b.get(v, p, "ranges", false, json::value_t::array))
    policy::load_ranges(b, *ranges, pointer_join(p, "ranges"), w.when.ranges);
  if (!v.contains("times") && !v.contains("ranges"))
    b.fail(p, ErrorCode::kInvalidPolicy, "a window needs \"times\" (weekly) or \"ranges\" (explicit start and end), or both");
  if (const json* m = b.get(v, p, "message", false, json::value_t::string)) w.message = m->get<std::string>();
  if (const json* a = b.get(v, p, "action", false, json::value_t::string)) {
    w.action = a->get<std::string>();
    if (w.action != "auto_approve" && w.action != "peer_review" && w.action != "cab_review" && w.action != "deny")
      b.fail(pointer_join(p, "action"), ErrorCode::kInvalidPolicy, "an action is auto_approve, peer_review, cab_review or deny");
  }
  if (const json* s = b.get(v, p, "scope", false, json::value_t::object)) {
    std::string sp = pointer_join(p, "scope");
    b.only_keys(*s, sp, {"all", "items", "services", "classes", "tiers"});
    w.scope.all = false;
    if (const json* all = b.get(*s, sp, "all", false, json::value_t::boolean)) w.scope.all = all->get<bool>();
    auto names = [&](const char* key, std::vector<std::string>& out) {
      if (const json* a = b.get(*s, sp, key, false, json::value_t::array))
        for (size_t i = 0; i < a->size(); ++i) {
          if ((*a)[i].is_string()) out.push_back((*a)[i].get<std::string>());
          else b.fail(pointer_join(pointer_join(sp, key), i), ErrorCode::kInvalidPolicy, std::string(key) + " are names (strings)");
        }
    };
    names("items", w.scope.items);
    names("services", w.scope.services);
    names("classes", w.scope.classes);
    if (const json* a = b.get(*s, sp, "tiers", false, json::value_t::array))
      for (size_t i = 0; i < a->size(); ++i) {
        if ((*a)[i].is_number_integer()) w.scope.tiers.push_back((*a)[i].get<int64_t>());
        else b.fail(pointer_join(pointer_join(sp, "tiers"), i), ErrorCode::kInvalidPolicy, "a tier is a whole number (1 = most critical)");
      }
    if (!w.scope.all && w.scope.items.empty() && w.scope.services.empty() && w.scope.classes.empty() && w.scope.tiers.empty())
      b.fail(sp, ErrorCode::kInvalidPolicy, "the scope names nothing: give items, services, classes, tiers or \"all\": true");
  }
  return b.errors.size() == errors_before;
}

// ---- change data ---------------------------------------------------------------------

size_t ChangeData::add(Value doc, std::string_view text_in, const std::string& source, std::vector<Error>& errors,
                       std::vector<Error>& warnings) {
  auto problem = [&](std::string message) {
    Error e(ErrorCode::kInvalidArgument, std::move(message));
    e.source = source;
    warnings.push_back(std::move(e));
  };
  auto fatal = [&](std::string message) {
    Error e(ErrorCode::kInvalidArgument, std::move(message));
    e.source = source;
    errors.push_back(std::move(e));
  };
  auto add_change = [&](Value d, const std::string& where) {
    Change c;
    std::vector<FieldProblem> fp;
    canonicalize(d, c, fp);
    for (const auto& f : fp)
      problem("scheduled change " + (c.id.empty() ? where : c.id) + ": " + f.field + ": " + f.message +
              (c.has_start && c.has_end ? "" : " (it is kept, but without a start and end it cannot conflict)"));
    changes_.push_back(std::move(c));
  };
  if (!doc.is_object() && !doc.is_array()) return 0;
  std::string_view kind = doc.is_object() ? doc.get("kind").as_string() : std::string_view();
  if (kind == "error_budget_status") {
    int64_t version = doc.get("version").as_int(-1);
    if (version != 1) {
      fatal("error_budget_status version " + doc.get("version").to_json() + " is not supported (expected 1)");
      return 1;
    }
    Value slos = doc.get("slos");
    if (!slos.is_array()) {
      fatal("error_budget_status: \"slos\" must be a list");
      return 1;
    }
    size_t i = 0;
    slos.for_each_item([&](Value s) {
      BudgetSlo b;
      b.source = source;
      b.service = std::string(s.get("service").as_string());
      b.slo = std::string(s.get("slo").as_string());
      b.status = std::string(s.get("status").as_string());
      b.burn_state = std::string(s.get("burn_state").as_string());
      if (s.get("budget_remaining").is_number()) b.remaining = s.get("budget_remaining").as_double();
      if (s.get("budget_consumed").is_number()) b.consumed = s.get("budget_consumed").as_double();
      b.freeze = s.get("freeze").as_bool(false);
      s.get("actions").for_each_item([&](Value a) {
        if (a.is_string()) b.actions.emplace_back(a.as_string());
        return true;
      });
      if (b.service.empty()) problem("error_budget_status: slos[" + std::to_string(i) + "] names no service; it is skipped");
      else budget_.push_back(std::move(b));
      ++i;
      return true;
    });
    return 1;
  }
  if (kind == "change_windows" || kind == "change_window") {
    auto src = policy::JsonSource::parse(text_in, source);
    if (!src.ok()) {
      errors.push_back(src.error());
      return 1;
    }
    policy::PolicyBuilder b;
    b.src = std::make_shared<const policy::JsonSource>(std::move(src).value());
    const json& root = b.src->root();
    int offset = 0;
    policy::load_offset(b, root, "", "timezone", offset);
    if (kind == "change_window") {
      ChangeWindow w;
      b.only_keys(root, "", {"kind", "name", "timezone", "type", "times", "ranges", "scope", "message", "action", "description"});
      if (const json* n = b.get(root, "", "name", true, json::value_t::string)) w.name = n->get<std::string>();
      json body = root;
      body.erase("kind");
      body.erase("name");
      if (load_window(b, body, "", offset, w)) {
        w.source = source;
        windows_.push_back(std::move(w));
      }
    } else if (const json* ws = b.get(root, "", "windows", true, json::value_t::object)) {
      b.only_keys(root, "", {"kind", "timezone", "windows", "description"});
      for (auto it = ws->begin(); it != ws->end(); ++it) {
        ChangeWindow w;
        w.name = it.key();
        if (load_window(b, it.value(), pointer_join("/windows", it.key()), offset, w)) {
          w.source = source;
          windows_.push_back(std::move(w));
        }
      }
    }
    for (auto& e : b.errors) errors.push_back(std::move(e));
    for (auto& e : b.warnings) warnings.push_back(std::move(e));
    return 1;
  }
  // Scheduled changes: one change, {"changes": [...]} / ServiceNow {"result"|"records": [...]}, or an array.
  if (doc.is_object() && !change_shape(doc).empty()) {
    add_change(doc, "(no id)");
    return 1;
  }
  Value list = doc;
  if (doc.is_object()) {
    for (const char* key : {"changes", "result", "records"}) {
      if (doc.get(key).is_array()) {
        list = doc.get(key);
        break;
      }
    }
    if (list.is_object()) return 0;
    if (kind != "change_schedule" && kind != "changes") {
      // A ServiceNow export or a bare list is change data only when it holds changes.
      bool any = false;
      list.for_each_item([&](Value e) {
        any = !change_shape(e).empty();
        return !any;
      });
      if (!any) return 0;
    }
  } else {
    bool any = false;
    list.for_each_item([&](Value e) {
      any = !change_shape(e).empty();
      return !any;
    });
    if (!any) return 0;
  }
  size_t i = 0, taken = 0;
  list.for_each_item([&](Value e) {
    std::string where = "entry " + std::to_string(i);
    if (change_shape(e).empty()) problem(where + " of the change list is not a change; it is skipped");
    else {
      add_change(e, where);
      ++taken;
    }
    ++i;
    return true;
  });
  return std::max<size_t>(taken, 1);
}

void ChangeData::append(const policy::KindData& other_data, std::vector<Error>& errors) {
  const auto& other = static_cast<const ChangeData&>(other_data);
  for (const auto& w : other.windows_)
    for (const auto& mine : windows_)
      if (mine.name == w.name) {
        Error e(ErrorCode::kDuplicateKey, "a change window named \"" + w.name + "\" is already loaded from " + mine.source);
        e.source = w.source;
        errors.push_back(std::move(e));
      }
  changes_.insert(changes_.end(), other.changes_.begin(), other.changes_.end());
  windows_.insert(windows_.end(), other.windows_.begin(), other.windows_.end());
  budget_.insert(budget_.end(), other.budget_.begin(), other.budget_.end());
}

void ChangeData::finalize() {
  if (finalized_) return;
  finalized_ = true;
  for (uint32_t i = 0; i < changes_.size(); ++i) {
    const Change& c = changes_[i];
    if (!c.has_start || !c.has_end || c.end <= c.start) continue;
    Lifecycle l = c.lifecycle();
    if (l == Lifecycle::kScheduled) {
      for (const auto& t : c.targets) by_target_[t].spans.push_back({c.start, c.end, i});
      if (!c.assignee.empty()) by_assignee_[c.assignee].spans.push_back({c.start, c.end, i});
    } else if (l == Lifecycle::kDone) {
      if (!c.team.empty()) team_done_[c.team].push_back({c.end, c.failed()});
      if (!c.assignee.empty()) assignee_done_[c.assignee].push_back({c.end, c.failed()});
    }
  }
  for (auto* index : {&by_target_, &by_assignee_})
    for (auto& [k, list] : *index) {
      std::sort(list.spans.begin(), list.spans.end(),
                [](const Span& a, const Span& b) { return a.start != b.start ? a.start < b.start : a.change < b.change; });
      for (const Span& s : list.spans) list.longest = std::max(list.longest, s.end - s.start);
    }
  for (auto* index : {&team_done_, &assignee_done_})
    for (auto& [k, list] : *index)
      std::sort(list.begin(), list.end(), [](const Finished& a, const Finished& b) { return a.end < b.end; });
}

void ChangeData::overlapping(const std::unordered_map<std::string, SpanList>& index, std::string_view key, int64_t a, int64_t b,
                             std::vector<uint32_t>& out) {
  auto it = index.find(std::string(key));
  if (it == index.end()) return;
  const SpanList& list = it->second;
  // Spans starting before b, scanned backwards until none can still reach a.
  auto end = std::lower_bound(list.spans.begin(), list.spans.end(), b, [](const Span& s, int64_t t) { return s.start < t; });
  for (auto s = end; s != list.spans.begin();) {
    --s;
    if (s->start < a - list.longest) break;
    if (s->end > a) out.push_back(s->change);
  }
}

void ChangeData::overlapping_on_target(std::string_view item, int64_t a, int64_t b, std::vector<uint32_t>& out) const {
  overlapping(by_target_, item, a, b, out);
}

void ChangeData::overlapping_for_assignee(std::string_view assignee, int64_t a, int64_t b, std::vector<uint32_t>& out) const {
  overlapping(by_assignee_, assignee, a, b, out);
}

ChangeData::History ChangeData::history(const std::unordered_map<std::string, std::vector<Finished>>& index, std::string_view key,
                                        int64_t a, int64_t b) {
  History h;
  auto it = index.find(std::string(key));
  if (it == index.end()) return h;
  auto lo = std::lower_bound(it->second.begin(), it->second.end(), a, [](const Finished& f, int64_t t) { return f.end < t; });
  for (auto f = lo; f != it->second.end() && f->end < b; ++f) {
    ++h.finished;
    if (f->failed) ++h.failed;
  }
  return h;
}

ChangeData::History ChangeData::team_history(std::string_view team, int64_t a, int64_t b) const {
  return history(team_done_, team, a, b);
}

ChangeData::History ChangeData::assignee_history(std::string_view assignee, int64_t a, int64_t b) const {
  return history(assignee_done_, assignee, a, b);
}

}  // namespace verdict::change
