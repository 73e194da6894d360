// The `ErrorBudget` kind (docs/budget.md): SLO compliance, error budgets, burn rates,
// multiwindow multi-burn-rate alerts and the budget policy's actions, over the whole input
// (SLO definitions and their SLI series) as one decision.
//
// spec (snake_case; the old camelCase spellings are accepted with a lint warning):
//   alerts:             [{name, severity: page|ticket, long, short, factor | budget_percent}]
//                       (default: the SRE Workbook's four for a 30-day window)
//   burn_rate_windows:  ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] (the default)
//   exhaustion_window:  "1h", the burn rate that "time until exhausted" extrapolates
//   thresholds:         [{name, consumed?, when?, actions: [...], message?}], in order
//   freeze_actions:     actions that mean releases are frozen (default ["freeze_releases"])
//   burndown_points:    points of the budget-remaining series per SLO (default 60; 0: none)
//
// decision: BudgetDecision (status.h), the error-budget status document,
//   {"kind": "error_budget_status", "version": 1, "at": now, "slos": [...], "summary": {...}}
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kinds/budget/sli.h"
#include "kinds/budget/status.h"
#include "kinds/registry.h"
#include "policy/kind.h"
#include "time/time.h"

namespace verdict::budget {

// ---- the `slo` variable of threshold conditions -------------------------------------------

namespace {

constexpr SchemaField kSloFields[] = {
    {"name", FieldType::kString},          {"slo", FieldType::kString},
    {"service", FieldType::kString},       {"objective", FieldType::kNumber},
    {"window", FieldType::kString},        {"status", FieldType::kString},
    {"burn_state", FieldType::kString},    {"budget_consumed", FieldType::kNumber},
    {"budget_remaining", FieldType::kNumber}, {"compliance", FieldType::kNumber},
    {"burn_rates", FieldType::kMap},       {"events", FieldType::kMap},
    {"exhaustion_seconds", FieldType::kInt}, {"firing", FieldType::kList},
};
constexpr Schema kSloSchema("slo", kSloFields);

lang::Val shown(bool known, double x) { return known ? lang::Val::dbl(round6(x)) : lang::Val::null(); }

}  // namespace

const Schema& slo_schema() { return kSloSchema; }

// Every field of kSloFields, in its order (a test holds the two together). `status` is the
// state before the thresholds (ok, warning from an alert, exhausted, no_data).
lang::Val bind_slo(const SloStatus& s, const BudgetSpec& spec, lang::Arena& arena) {
  lang::ValMap& m = arena.new_map();
  m.emplace_back("name", lang::Val::str(s.def.name));
  m.emplace_back("slo", lang::Val::str(s.def.name));
  m.emplace_back("service", lang::Val::str(s.def.service));
  m.emplace_back("objective", lang::Val::dbl(s.def.objective));
  m.emplace_back("window", lang::Val::str(s.def.window_text));
  m.emplace_back("status", lang::Val::str(state_name(s.status)));
  m.emplace_back("burn_state", lang::Val::str(burn_name(s.burn)));
  m.emplace_back("budget_consumed", shown(s.has_data, s.consumed));
  m.emplace_back("budget_remaining", shown(s.has_data, s.remaining));
  m.emplace_back("compliance", shown(s.has_data, s.compliance));
  lang::ValMap& rates = arena.new_map();
  for (size_t k = 0; k < spec.burn_windows.size(); ++k)
    rates.emplace_back(spec.burn_windows[k].text, shown(s.burn_rates[k].known, s.burn_rates[k].value));
  m.emplace_back("burn_rates", lang::Val::map_of(&rates));
  lang::ValMap& events = arena.new_map();
  events.emplace_back("good", lang::Val::dbl(s.good));
  events.emplace_back("bad", lang::Val::dbl(s.bad));
  events.emplace_back("total", lang::Val::dbl(s.total));
  m.emplace_back("events", lang::Val::map_of(&events));
  m.emplace_back("exhaustion_seconds", s.exhaustion_known ? lang::Val::integer(s.exhaustion_seconds) : lang::Val::null());
  lang::ValList& firing = arena.new_list();
  const std::vector<budget::AlertRule>& rules = budget::rules_for(s.def, spec.alerts);
  for (size_t k = 0; k < rules.size(); ++k)
    if (s.alerts[k].firing) firing.push_back(lang::Val::str(rules[k].name));
  m.emplace_back("firing", lang::Val::list_of(&firing));
  return lang::Val::map_of(&m);
}

}  // namespace verdict::budget

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;
using budget::AlertRule;
using budget::BudgetDecision;
using budget::BudgetSpec;
using budget::BurnState;
using budget::BurnWindow;
using budget::Severity;
using budget::SloState;
using budget::SloStatus;
using budget::Threshold;

class BudgetPolicy : public CompiledPolicy {
 public:
  BudgetSpec spec;

  bool whole_input() const override { return true; }
  std::unique_ptr<Decision> new_decision() const override { return std::make_unique<BudgetDecision>(); }

  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override {
    auto& d = static_cast<BudgetDecision&>(out);
    d.clear();
    d.spec = &spec;
    d.policy = meta().name;
    if (!dc.has_now) {
      Error e(ErrorCode::kInvalidArgument, "an ErrorBudget evaluation needs `now` (the end of every window)");
      e.source = std::string(in.source);
      errors.push_back(std::move(e));
      return;
    }
    d.has_now = true;
    d.at = dc.now;
    d.explained = dc.explain;
    DocumentReader local;
    budget::InputReader input(in.reader ? *in.reader : local, std::string(in.source), spec.alerts);
    input.read(in.raw);
    input.finish();
    for (Error& e : input.errors()) errors.push_back(std::move(e));
    d.notes = input.notes();

    d.slos.reserve(input.slos().size());
    for (size_t i = 0; i < input.slos().size(); ++i) {
      d.slos.emplace_back();
      decide_slo(input.slos()[i], input.series(i), input.input_errors(i), dc, ctx, d, errors);
      const SloStatus& s = d.slos.back();
      d.counts[static_cast<size_t>(s.status)]++;
      if (s.freeze && std::find(d.frozen.begin(), d.frozen.end(), s.def.service) == d.frozen.end()) d.frozen.push_back(s.def.service);
      Outcome o = s.freeze || s.status == SloState::kExhausted ? Outcome::kDenied
                  : s.status == SloState::kWarning             ? Outcome::kReview
                                                               : Outcome::kAllowed;
      if (static_cast<int>(o) > static_cast<int>(d.out)) d.out = o;
    }
  }

 private:
  // The status of one SLO into d.slos.back().
  void decide_slo(const budget::SloDef& def, const budget::Series& series, size_t input_errors, const DecisionContext& dc,
                  lang::EvalContext& ctx, BudgetDecision& d, std::vector<Error>& errors) const {
    SloStatus& s = d.slos.back();
    const int64_t now = dc.now;
    s.def = def;
    const budget::WindowSpan w = budget::window_span(def, now);
    const budget::Series::Sums all = series.sum(w.start, w.end);
    s.has_data = all.total > 0;
    s.good = all.good;
    s.total = all.total;
    s.bad = all.total - all.good;
    s.budget = def.budget * all.total;
    s.consumed = s.has_data ? budget::round6(s.bad / s.budget) : 0;
    s.remaining = s.has_data ? budget::round6(1.0 - s.bad / s.budget) : 0;
    s.compliance = s.has_data ? all.good / all.total * 100.0 : 0;
    s.window_start = w.start;

    // Burn rate over (now - len, now]: the error rate over the budget; unknown without events.
    auto burn = [&](int64_t len) {
      budget::Series::Sums x = series.sum(now - len, now);
      budget::Maybe m;
      m.known = x.total > 0;
      if (m.known) m.value = ((x.total - x.good) / x.total) / def.budget;
      return m;
    };
    bool page = false, ticket = false, any_alert_data = false;
    const std::vector<AlertRule>& rules = budget::rules_for(def, spec.alerts);
    s.alerts.reserve(rules.size());
    for (const AlertRule& a : rules) {
      budget::AlertState st;
      st.factor = a.factor_for(w.length);
      st.long_burn = burn(a.long_ns);
      st.short_burn = burn(a.short_ns);
      // Compared as shown (6 decimals), like the thresholds: 0.1% errors against a 99.9%
      // objective is a burn of 1, not 1.0000000000001 from the binary form of 0.999.
      st.firing = st.long_burn.known && st.short_burn.known && budget::round6(st.long_burn.value) > budget::round6(st.factor) &&
                  budget::round6(st.short_burn.value) > budget::round6(st.factor);
      // A severity the SLO's Sloth alerting disables never fires (Sloth generates no alert).
      st.disabled = def.alerting.present && (a.severity == Severity::kPage ? def.alerting.page.disabled : def.alerting.ticket.disabled);
      if (st.disabled) st.firing = false;
      any_alert_data = any_alert_data || st.long_burn.known;
      if (st.firing) (a.severity == Severity::kPage ? page : ticket) = true;
      s.alerts.push_back(st);
    }
    s.burn = page ? BurnState::kPage
             : ticket ? BurnState::kTicket
             : (rules.empty() ? s.has_data : any_alert_data) ? BurnState::kOk
                                                                    : BurnState::kNoData;
    s.status = !s.has_data ? SloState::kNoData : s.remaining <= 0 ? SloState::kExhausted : (page || ticket) ? SloState::kWarning : SloState::kOk;

    const budget::Maybe ex = burn(spec.exhaustion.ns);
    if (s.has_data && s.remaining <= 0) {
      s.exhaustion_known = true;
    } else if (s.has_data && ex.known && ex.value > 0) {
      double secs = s.remaining * (static_cast<double>(w.length) / datetime::kNanosPerSecond) / ex.value;
      if (secs < 5e9) {  // within about 150 years of now; beyond: null (never, in practice)
        s.exhaustion_known = true;
        s.exhaustion_seconds = static_cast<int64_t>(std::llround(secs));
      }
    }
    s.burn_rates.reserve(spec.burn_windows.size());
    for (const BurnWindow& bw : spec.burn_windows) s.burn_rates.push_back(burn(bw.ns));

    // The thresholds, over `slo`: this status before them.
    ctx.begin_item();
    ctx.bind(0, budget::bind_slo(s, spec, ctx.arena()));
    for (const Threshold& t : spec.thresholds) {
      bool hit = true;
      if (t.has_consumed) hit = s.has_data && s.consumed >= t.consumed;
      size_t reads_before = ctx.reads().size();
      if (hit && t.has_when) hit = lang::truthy(evaluate(t.when, ctx, errors));
      if (d.explained) {
        d.trace.push_back({d.slos.size() - 1, &t, hit, {}});
        if (t.has_when) copy_reads(*t.when.program, ctx, reads_before, d.trace.back().reads);
      }
      if (hit) s.fired.push_back(&t);
    }
    for (const Threshold* t : s.fired)
      for (const std::string& a : t->actions)
        if (std::find(s.actions.begin(), s.actions.end(), a) == s.actions.end()) s.actions.push_back(a);
    for (std::string_view a : s.actions)
      for (const std::string& f : spec.freeze_actions) s.freeze = s.freeze || a == f;
    if (s.status == SloState::kOk && !s.fired.empty()) s.status = SloState::kWarning;

    s.samples = series.size();
    s.in_window = all.samples;
    s.after_now = series.sum(now, INT64_MAX).samples;
    if (series.size()) {
      s.first = series.t.front();
      s.last = series.t.back();
    }
    s.input_errors = input_errors;
    if (spec.burndown_points > 0) {
      // Budget remaining as of each point: the window's budget less what was spent up to it.
      const int64_t span = w.end - w.start;
      const int64_t n = spec.burndown_points;
      s.burndown.reserve(static_cast<size_t>(n) + 1);
      for (int64_t k = 0; k <= n; ++k) {
        int64_t t = k == n ? w.end : w.start + span / n * k;
        budget::Series::Sums upto = series.sum(w.start, t);
        s.burndown.push_back({t, s.has_data ? 1.0 - (upto.total - upto.good) / s.budget : 0});
      }
    }
  }
};

bool parse_positive_duration(const json& v, int64_t& out, std::string& why) {
  if (!v.is_string()) {
    why = "a duration such as \"1h\"";
    return false;
  }
  auto d = datetime::parse_duration(v.get<std::string>(), &why);
  if (!d) return false;
  if (*d <= 0) {
    why = "a positive duration";
    return false;
  }
  out = *d;
  return true;
}

// Keys renamed to snake_case (every kind's casing): the old camelCase spelling is still read,
// with a lint warning at the key; both spellings in one object is an error.
struct Renamed {
  const char* key;
  const char* old;
};
constexpr Renamed kSpecRenamed[] = {{"burn_rate_windows", "burnRateWindows"}, {"exhaustion_window", "exhaustionWindow"},
                                    {"freeze_actions", "freezeActions"},       {"burndown_points", "burndownPoints"}};
constexpr Renamed kAlertRenamed[] = {{"budget_percent", "budgetPercent"}};

// The spelling `obj` uses for `r` (the new one when it uses neither).
template <size_t N>
const char* spelling(const json& obj, const std::string& ptr, const char* key, const Renamed (&renamed)[N], PolicyBuilder& b) {
  for (const Renamed& r : renamed) {
    if (std::string_view(r.key) != key) continue;
    const bool has_new = obj.contains(r.key), has_old = obj.contains(r.old);
    if (has_old && has_new) {
      b.fail(pointer_join(ptr, r.old), ErrorCode::kDuplicateKey,
             std::string("\"") + r.old + "\" is the old spelling of \"" + r.key + "\": give only \"" + r.key + "\"", true);
      return r.key;
    }
    if (has_old) {
      b.warn(pointer_join(ptr, r.old), ErrorCode::kInvalidPolicy, std::string("\"") + r.old + "\" is the old spelling of \"" + r.key + "\"", true);
      return r.old;
    }
    return r.key;
  }
  return key;
}

// only_keys, with the old spellings of `renamed` accepted (and not listed as expected).
template <size_t N>
void only_keys(PolicyBuilder& b, const json& obj, const std::string& ptr, std::initializer_list<const char*> allowed,
               const Renamed (&renamed)[N]) {
  if (!obj.is_object()) return;
  json keys = json::object();  // the keys but the old spellings (only_keys reads keys; positions come from the file)
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool old = false;
    for (const Renamed& r : renamed) old = old || it.key() == r.old;
    if (!old) keys[it.key()] = nullptr;
  }
  b.only_keys(keys, ptr, allowed);
}

}  // namespace

std::unique_ptr<CompiledPolicy> load_budget(const json& spec, PolicyBuilder& b) {
  auto policy = std::make_unique<BudgetPolicy>();
  BudgetSpec& p = policy->spec;
  const std::string sp = b.spec_pointer();
  only_keys(b, spec, sp, {"alerts", "burn_rate_windows", "exhaustion_window", "thresholds", "freeze_actions", "burndown_points", "description"},
            kSpecRenamed);
  const char* k_windows = spelling(spec, sp, "burn_rate_windows", kSpecRenamed, b);
  const char* k_exhaustion = spelling(spec, sp, "exhaustion_window", kSpecRenamed, b);
  const char* k_freeze = spelling(spec, sp, "freeze_actions", kSpecRenamed, b);
  const char* k_points = spelling(spec, sp, "burndown_points", kSpecRenamed, b);
  std::string why;
  // Alerts.
  if (const json* alerts = b.get(spec, sp, "alerts", false, json::value_t::array)) {
    for (size_t i = 0; i < alerts->size(); ++i) {
      const json& a = (*alerts)[i];
      std::string ap = pointer_join(pointer_join(sp, "alerts"), i);
      if (!a.is_object()) {
        b.fail(ap, ErrorCode::kInvalidPolicy, "an alert is an object: {name, severity, long, short, factor or budget_percent}");
        continue;
      }
      only_keys(b, a, ap, {"name", "severity", "long", "short", "factor", "budget_percent", "description"}, kAlertRenamed);
      const char* k_percent = spelling(a, ap, "budget_percent", kAlertRenamed, b);
      AlertRule r;
      bool ok = true;
      if (const json* n = b.get(a, ap, "name", true, json::value_t::string)) r.name = n->get<std::string>();
      else ok = false;
      for (const AlertRule& other : p.alerts)
        if (!r.name.empty() && other.name == r.name) {
          b.fail(pointer_join(ap, "name"), ErrorCode::kInvalidPolicy, "another alert is already named \"" + r.name + "\"");
          ok = false;
        }
      if (const json* sev = b.get(a, ap, "severity", true, json::value_t::string)) {
        if (*sev == "page") r.severity = Severity::kPage;
        else if (*sev == "ticket") r.severity = Severity::kTicket;
        else {
          b.fail(pointer_join(ap, "severity"), ErrorCode::kInvalidPolicy, "severity is \"page\" or \"ticket\"");
          ok = false;
        }
      } else {
        ok = false;
      }
      for (auto [key, ns, text] : {std::tuple<const char*, int64_t*, std::string*>{"long", &r.long_ns, &r.long_text}, {"short", &r.short_ns, &r.short_text}}) {
        auto it = a.find(key);
        if (it == a.end()) {
          b.fail(ap, ErrorCode::kInvalidPolicy, std::string("missing \"") + key + "\"");
          ok = false;
        } else if (!parse_positive_duration(*it, *ns, why)) {
          b.fail(pointer_join(ap, key), ErrorCode::kInvalidPolicy, std::string("\"") + key + "\" is " + why);
          ok = false;
        } else {
          *text = it->get<std::string>();
        }
      }
      if (ok && r.short_ns >= r.long_ns)
        b.fail(pointer_join(ap, "short"), ErrorCode::kInvalidPolicy, "the short window must be shorter than the long window");
      bool has_factor = a.contains("factor"), has_percent = a.contains(k_percent);
      if (has_factor == has_percent) {
        b.fail(ap, ErrorCode::kInvalidPolicy,
               "an alert has either \"factor\" (a burn rate, as the Workbook and Pyrra) or \"budget_percent\" (Sloth)");
      } else if (has_factor) {
        if (const json* f = b.get(a, ap, "factor", true, json::value_t::number_float)) {
          r.factor = f->get<double>();
          if (!(r.factor > 0)) b.fail(pointer_join(ap, "factor"), ErrorCode::kInvalidPolicy, "a burn-rate factor is > 0");
        }
      } else if (const json* f = b.get(a, ap, k_percent, true, json::value_t::number_float)) {
        r.budget_percent = f->get<double>();
        r.by_percent = true;
        if (!(r.budget_percent > 0 && r.budget_percent <= 100))
          b.fail(pointer_join(ap, k_percent), ErrorCode::kInvalidPolicy,
                 std::string(k_percent) + " is a percentage of the budget, in (0, 100]");
      }
      p.alerts.push_back(std::move(r));
    }
  } else if (!spec.contains("alerts")) {
    p.alerts = budget::workbook_alerts();
  }
  // Burn-rate windows.
  if (const json* ws = b.get(spec, sp, k_windows, false, json::value_t::array)) {
    for (size_t i = 0; i < ws->size(); ++i) {
      int64_t ns;
      std::string wp = pointer_join(pointer_join(sp, k_windows), i);
      if (!parse_positive_duration((*ws)[i], ns, why)) {
        b.fail(wp, ErrorCode::kInvalidPolicy, "a burn-rate window is " + why);
        continue;
      }
      for (const auto& other : p.burn_windows)
        if (other.text == (*ws)[i].get<std::string>()) b.fail(wp, ErrorCode::kInvalidPolicy, "a window listed twice");
      p.burn_windows.push_back({(*ws)[i].get<std::string>(), ns});
    }
  } else if (!spec.contains(k_windows)) {
    for (const char* t : {"5m", "30m", "1h", "2h", "6h", "1d", "3d"}) p.burn_windows.push_back({t, *datetime::parse_duration(t)});
  }
  if (auto it = spec.find(k_exhaustion); it != spec.end()) {
    if (!parse_positive_duration(*it, p.exhaustion.ns, why))
      b.fail(pointer_join(sp, k_exhaustion), ErrorCode::kInvalidPolicy, std::string(k_exhaustion) + " is " + why);
    else
      p.exhaustion.text = it->get<std::string>();
  }
  if (const json* n = b.get(spec, sp, k_points, false, json::value_t::number_integer)) {
    p.burndown_points = n->get<int64_t>();
    if (p.burndown_points < 0 || p.burndown_points > 10000)
      b.fail(pointer_join(sp, k_points), ErrorCode::kInvalidPolicy, std::string(k_points) + " is between 0 and 10000");
  }
  if (const json* fa = b.get(spec, sp, k_freeze, false, json::value_t::array)) {
    p.freeze_actions.clear();
    for (size_t i = 0; i < fa->size(); ++i) {
      if (!(*fa)[i].is_string()) b.fail(pointer_join(pointer_join(sp, k_freeze), i), ErrorCode::kInvalidPolicy, "an action is a string");
      else p.freeze_actions.push_back((*fa)[i].get<std::string>());
    }
  }
  // Thresholds: conditions over `slo`, the computed status of one SLO (its schema: an
  // unknown field is an error at its position).
  lang::Environment env;
  env.add("slo", lang::StaticType::kDyn, &budget::slo_schema());
  if (const json* ts = b.get(spec, sp, "thresholds", false, json::value_t::array)) {
    for (size_t i = 0; i < ts->size(); ++i) {
      const json& t = (*ts)[i];
      std::string tp = pointer_join(pointer_join(sp, "thresholds"), i);
      if (!t.is_object()) {
        b.fail(tp, ErrorCode::kInvalidPolicy, "a threshold is an object: {name, consumed and/or when, actions}");
        continue;
      }
      b.only_keys(t, tp, {"name", "consumed", "when", "actions", "message", "description"});
      Threshold th;
      if (const json* n = b.get(t, tp, "name", true, json::value_t::string)) th.name = n->get<std::string>();
      for (const Threshold& other : p.thresholds)
        if (!th.name.empty() && other.name == th.name)
          b.fail(pointer_join(tp, "name"), ErrorCode::kInvalidPolicy, "another threshold is already named \"" + th.name + "\"");
      if (const json* c = b.get(t, tp, "consumed", false, json::value_t::number_float)) {
        th.has_consumed = true;
        th.consumed = c->get<double>();
        if (!(th.consumed >= 0 && th.consumed <= 100))
          b.fail(pointer_join(tp, "consumed"), ErrorCode::kInvalidPolicy, "consumed is a fraction of the budget (0.25 is 25%; above 1 is overspent)");
      }
      if (auto w = t.find("when"); w != t.end()) {
        th.has_when = b.compile(*w, pointer_join(tp, "when"), env, th.when);
        if (th.has_when && th.when.program->result_type() != lang::StaticType::kBool && th.when.program->result_type() != lang::StaticType::kDyn)
          b.fail(pointer_join(tp, "when"), ErrorCode::kTypeError, "\"when\" must be a condition (a bool)");
      }
      if (!t.contains("consumed") && !t.contains("when"))
        b.fail(tp, ErrorCode::kInvalidPolicy, "a threshold needs \"consumed\" (a fraction of the budget), \"when\" (a condition over slo), or both");
      if (const json* as = b.get(t, tp, "actions", true, json::value_t::array)) {
        for (size_t k = 0; k < as->size(); ++k) {
          if (!(*as)[k].is_string()) b.fail(pointer_join(pointer_join(tp, "actions"), k), ErrorCode::kInvalidPolicy, "an action is a string");
          else th.actions.push_back((*as)[k].get<std::string>());
        }
      }
      if (const json* msg = b.get(t, tp, "message", false, json::value_t::string)) th.message = msg->get<std::string>();
      p.thresholds.push_back(std::move(th));
    }
  }
  return policy;
}

}  // namespace verdict::policy

namespace verdict::kinds {

policy::KindInfo error_budget_kind() {
  return {"ErrorBudget", "budget", "SLO definitions and their SLI data",
          {policy::Format::kJson, policy::Format::kText, policy::Format::kSvg}, policy::load_budget, nullptr};
}

}  // namespace verdict::kinds
