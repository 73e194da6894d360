// A ChangeRisk decision and its renderers: the decision's JSON, its explanation, text for
// people, a JUnit test case and GitHub workflow annotations (change_risk.h).
#include <cmath>

#include "kinds/change/change_risk.h"
#include "policy/bind.h"
#include "policy/render.h"
#include "verdict/json_writer.h"

namespace verdict::change {

namespace {

// Points are written as integers when they are whole ("25", not "25.0").
void write_points(JsonWriter& w, double p) {
  if (std::floor(p) == p && std::fabs(p) < 1e15) w.number(static_cast<int64_t>(p));
  else w.number(p);
}

std::string points_text(double p) {
  JsonWriter w;
  write_points(w, p);
  return std::string(w.view());
}

// A value as JSON writes it, for text.
std::string json_text(const lang::Val& v) { return lang::val_to_json(v); }

void write_values(policy::TextOut& o, const std::vector<policy::ReadValue>& reads) {
  if (reads.empty()) return;
  JsonWriter w;
  w.begin_object();
  for (const policy::ReadValue& r : reads) w.key(r.path).raw(r.json);
  w.end_object();
  o << "  " << w.view();
}

}  // namespace

void ChangeDecision::clear() {
  data = nullptr;
  change = Change{};
  blast.clear();
  conflicts.clear();
  windows.clear();
  budget.clear();
  history = HistoryState{};
  findings.clear();
  factors.clear();
  score = 0;
  risk_class = 0;
  auto_approved = false;
  outcome_action = kAutoApprove;
  approvals.required.clear();
  approvals.satisfied = false;
  explained = false;
  factor_trace.clear();
  auto_trace.reset();
  gate_trace.clear();
}

policy::Outcome ChangeDecision::outcome() const {
  if (outcome_action == kDeny) return policy::Outcome::kDenied;
  return std::string_view(status()) == "approved" ? policy::Outcome::kAllowed : policy::Outcome::kReview;
}

std::string ChangeDecision::label() const {
  std::string id = change.id.empty() ? std::string("(no id)") : change.id;
  return change.title.empty() ? id : id + " " + change.title;
}

std::string ChangeDecision::headline() const {
  const RiskClass& rc = policy_->spec.classes[risk_class];
  std::string s = std::string(status()) + " (" + action_name(outcome_action) + "), risk " + std::to_string(score) + "/100 " + rc.name;
  if (auto_approved) s += outcome_action == kAutoApprove ? ", auto-approved" : ", auto-approval overruled by the findings";
  return s;
}

void ChangeDecision::write_json(JsonWriter& w) const {
  const Spec& spec = policy_->spec;
  const RiskClass& rc = spec.classes[risk_class];
  w.begin_object();
  w.key("status").string(status());
  w.key("outcome").string(action_name(outcome_action));
  w.key("change").begin_object();
  w.key("id");
  if (change.id.empty()) w.null();
  else w.string(change.id);
  w.key("title").string(change.title).key("type").string(change.type).key("source").string(change.source);
  w.key("start");
  if (change.has_start) w.string(datetime::format_rfc3339(change.start));
  else w.null();
  w.key("end");
  if (change.has_end) w.string(datetime::format_rfc3339(change.end));
  else w.null();
  w.key("targets").begin_array();
  for (const auto& t : change.targets) w.string(t);
  w.end_array();
  w.key("services").begin_array();
  for (std::string_view s : blast.touched) w.string(s);
  w.end_array().end_object();
  w.key("risk").begin_object().key("score").number(score).key("class").string(rc.name);
  w.key("class_outcome").string(action_name(rc.outcome)).key("auto_approved").boolean(auto_approved);
  w.key("factors").begin_array();
  for (const AppliedFactor& a : factors) {
    w.begin_object().key("name").string(a.factor->name).key("points");
    write_points(w, a.points);
    if (!a.factor->reason.empty()) w.key("reason").string(a.factor->reason);
    w.end_object();
  }
  w.end_array().end_object();
  w.key("findings").begin_array();
  for (const Finding& f : findings) {
    w.begin_object().key("type").string(finding_type_name(f.type));
    if (!f.name.empty()) w.key("name").string(f.name);
    w.key("action").string(action_name(f.action)).key("message").string(f.message);
    if (!f.item.empty()) w.key("item").string(f.item);
    if (!f.other.empty()) w.key("change").string(f.other);
    if (!f.exception.empty()) w.key("exception").string(f.exception);
    w.end_object();
  }
  w.end_array();
  w.key("approvals").begin_object().key("required").begin_array();
  for (const RequiredApproval& m : approvals.required) {
    w.begin_object().key("count").number(m.requirement->count).key("from").begin_array();
    for (const auto& f : m.requirement->from) w.string(f);
    w.end_array().key("by").begin_array();
    for (std::string_view u : m.by) w.string(u);
    w.end_array().key("missing").number(m.missing()).end_object();
  }
  w.end_array().key("satisfied").boolean(outcome_action == kAutoApprove || approvals.satisfied).end_object();
  // The blast radius and the budgets as the expressions saw them (`blast`, `budget.services`).
  render_arena_.reset();
  w.key("blast_radius");
  lang::write_val(w, bind_blast(change, blast, spec.max_items, render_arena_));
  w.key("budget");
  lang::write_val(w, bind_budget_services(budget, render_arena_));
  w.key("reasons").begin_array();
  w.string("risk " + std::to_string(score) + "/100: " + rc.name + " (" + action_name(rc.outcome) + ")");
  if (auto_approved)
    w.string("auto-approved: " + (spec.delegation_reason.empty() ? std::string("delegated approval") : spec.delegation_reason));
  for (const Finding& f : findings)
    w.string(std::string(action_name(f.action)) + ": " + f.message + (f.exception.empty() ? "" : " (" + std::string(f.exception) + ")"));
  w.end_array();
  w.end_object();
}

void ChangeDecision::write_explain(JsonWriter& w) const {
  const Spec& spec = policy_->spec;
  w.begin_object();
  w.key("factors").begin_array();
  for (const FactorTrace& t : factor_trace) {
    w.begin_object().key("name").string(t.factor->name).key("applies").boolean(t.applies).key("points");
    write_points(w, t.points);
    policy::write_read_values(w, t.reads);
    w.end_object();
  }
  w.end_array();
  if (auto_trace) {
    w.key("auto_approve").begin_object().key("eligible").boolean(auto_trace->eligible).key("applies").boolean(auto_trace->applies);
    policy::write_read_values(w, auto_trace->reads);
    w.end_object();
  }
  w.key("gates").begin_array();
  for (const GateTrace& t : gate_trace) {
    w.begin_object().key("name").string(t.gate->name).key("applies").boolean(t.applies);
    policy::write_read_values(w, t.reads);
    w.end_object();
  }
  w.end_array();
  w.key("classes").begin_array();
  for (const RiskClass& k : spec.classes) {
    w.begin_object().key("name").string(k.name).key("below");
    if (k.has_below) w.number(k.below);
    else w.null();
    w.key("outcome").string(action_name(k.outcome)).end_object();
  }
  w.end_array();
  // The whole context the expressions saw, built again from the same typed values.
  render_arena_.reset();
  w.key("context").begin_object();
  w.key("change");
  lang::write_val(w, policy::bind_change(change, render_arena_));
  w.key("blast");
  lang::write_val(w, bind_blast(change, blast, spec.max_items, render_arena_));
  w.key("conflicts");
  lang::write_val(w, bind_conflicts(conflicts, data, render_arena_));
  w.key("windows");
  lang::write_val(w, bind_windows(windows, render_arena_));
  w.key("budget");
  lang::write_val(w, bind_budget(budget, render_arena_));
  w.key("history");
  lang::write_val(w, bind_history(history, render_arena_));
  w.end_object();
  w.end_object();
}

void ChangeDecision::write_body(policy::TextOut& o) const {
  const Spec& spec = policy_->spec;
  o << label() << "\n";
  o << "  " << headline() << "\n";
  o << "  " << change.type << " change from " << change.source << ", "
    << (change.has_start ? datetime::format_rfc3339(change.start) : std::string("?")) << " to "
    << (change.has_end ? datetime::format_rfc3339(change.end) : std::string("?")) << "\n";
  if (!factors.empty()) {
    o << "  factors:\n";
    for (const AppliedFactor& f : factors) {
      o << "    " << (f.points >= 0 ? "+" : "") << points_text(f.points) << "  " << f.factor->name;
      if (!f.factor->reason.empty()) o << ": " << f.factor->reason;
      o << "\n";
    }
  }
  if (!findings.empty()) {
    o << "  findings:\n";
    for (const Finding& f : findings) {
      o << "    " << action_name(f.action) << "  " << finding_type_name(f.type);
      if (!f.name.empty()) o << " " << f.name;
      o << ": " << f.message;
      if (!f.exception.empty()) o << " [exception: " << f.exception << "]";
      o << "\n";
    }
  }
  for (const RequiredApproval& r : approvals.required) {
    std::string from;
    for (const auto& x : r.requirement->from) from += (from.empty() ? "" : ", ") + x;
    o << "  approval: " << r.requirement->count << " from [" << from << "]: " << r.by.size() << " present";
    if (r.missing() > 0) o << ", " << r.missing() << " missing";
    o << "\n";
  }
  size_t count = blast.items.size();
  o << "  blast radius: " << count << " dependent item" << (count == 1 ? "" : "s");
  if (count > 0) o << ", depth up to " << static_cast<int64_t>(blast.max_depth);
  if (blast.min_tier > 0) o << ", most critical tier " << blast.min_tier;
  o << "\n";
  if (!blast.services.empty()) {
    std::string s;
    for (std::string_view x : blast.services) s += (s.empty() ? "" : ", ") + std::string(x);
    o << "    services: " << s << "\n";
  }
  uint32_t last_depth = 0;
  std::string row;
  for (size_t i = 0; i < blast.items.size() && i < spec.max_items; ++i) {
    const auto& item = blast.cmdb->items()[blast.items[i].item];
    uint32_t depth = blast.items[i].depth;
    if (depth != last_depth) {
      if (!row.empty()) o << row << "\n";
      row = "    depth " + std::to_string(depth) + ":";
      last_depth = depth;
    }
    row += " " + item.id;
    if (item.tier > 0) row += " (tier " + std::to_string(item.tier) + ")";
  }
  if (!row.empty()) o << row << "\n";
  if (blast.items.size() > spec.max_items) o << "    (more items not listed: raise spec.blast_radius.max_items)\n";
  for (const BudgetSlo* s : budget.services) {
    o << "  budget: " << s->service << " " << s->slo << " " << s->status << ", burn " << s->burn_state << ", remaining "
      << (s->remaining ? json_text(std::isfinite(*s->remaining) ? lang::Val::dbl(*s->remaining) : lang::Val::null()) : std::string("null"))
      << (s->freeze ? ", releases frozen" : "") << "\n";
  }
}

void ChangeDecision::write_text(policy::TextOut& o, bool explain) const {
  write_body(o);
  if (!explain || !explained) return;
  o << "  explain:\n";
  for (const FactorTrace& f : factor_trace) {
    o << "    factor " << f.factor->name << ": " << (f.applies ? "applies, " + points_text(f.points) + " points" : std::string("does not apply"));
    write_values(o, f.reads);
    o << "\n";
  }
  for (const GateTrace& g : gate_trace) {
    o << "    gate " << g.gate->name << ": " << (g.applies ? "applies" : "does not apply");
    write_values(o, g.reads);
    o << "\n";
  }
  for (const WindowState& w : windows)
    o << "    window " << w.window->name << " (" << w.window->type << "): applies " << (w.applies ? "true" : "false") << ", overlaps "
      << (w.overlaps ? "true" : "false") << ", covers " << (w.covers ? "true" : "false") << "\n";
}

void ChangeDecision::write_junit(std::string& out, const policy::DecisionHeader& h) const {
  const std::vector<Error>* errors = h.errors;
  bool failed = errors && !errors->empty();
  int64_t line = h.line > 0 ? static_cast<int64_t>(h.line) : 1;
  // The body: the decision as text, then its errors.
  std::string body;
  policy::TextOut t(body);
  write_body(t);
  if (errors)
    for (const Error& e : *errors) t << "  error: " << e.message << "\n";
  out += "    <testcase classname=\"verdict.change\" name=\"";
  policy::append_xml(out, label());
  out += "\" file=\"";
  policy::append_xml(out, h.source);
  out += "\" line=\"" + std::to_string(line) + "\">\n";
  std::string_view st = status();
  if (failed) {
    out += "      <error type=\"invalid_input\" message=\"";
    policy::append_xml(out, (*errors)[0].message);
    out += "\">";
    policy::append_xml(out, body);
    out += "</error>\n";
  } else if (st != "approved") {
    out += "      <failure type=\"";
    out += st;
    out += "\" message=\"";
    policy::append_xml(out, headline());
    out += "\">";
    policy::append_xml(out, body);
    out += "</failure>\n";
  } else {
    out += "      <system-out>";
    policy::append_xml(out, body);
    out += "</system-out>\n";
  }
  out += "    </testcase>\n";
}

void ChangeDecision::write_github(std::string& out, const policy::DecisionHeader& h) const {
  std::string loc = "file=";
  policy::append_gh_property(loc, h.source);
  loc += ",line=" + std::to_string(h.line > 0 ? static_cast<int64_t>(h.line) : 1);
  if (h.errors && !h.errors->empty()) {
    for (const Error& e : *h.errors) {
      out += "::error " + loc + ",title=";
      policy::append_gh_property(out, "verdict change: invalid input");
      out += "::";
      policy::append_gh_data(out, e.message);
      out += "\n";
    }
    return;
  }
  std::string_view st = status();
  const char* level = st == "denied" ? "error" : st == "needs_approval" ? "warning" : "notice";
  std::string body;
  policy::TextOut t(body);
  write_body(t);
  out += "::";
  out += level;
  out += " " + loc + ",title=";
  policy::append_gh_property(out, "verdict change " + label());
  out += "::";
  policy::append_gh_data(out, headline() + "\n" + body);
  out += "\n";
  for (const Finding& f : findings) {
    const char* flevel = f.action == kDeny ? "error" : f.action == kNote ? "notice" : "warning";
    out += "::";
    out += flevel;
    out += " " + loc + ",title=";
    policy::append_gh_property(out, std::string(action_name(f.action)) + ": " + finding_type_name(f.type));
    out += "::";
    policy::append_gh_data(out, f.message);
    out += "\n";
  }
}

}  // namespace verdict::change
