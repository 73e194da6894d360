// The `ErrorBudget` kind (docs/budget.md): SLO compliance, error budgets, burn rates,
// multiwindow multi-burn-rate alerts and the budget policy's actions, over the whole input
// (SLO definitions and their SLI series) as one evaluation.
//
// spec:
//   alerts:           [{name, severity: page|ticket, long, short, factor | budgetPercent}]
//                     (default: the SRE Workbook's four for a 30-day window)
//   burnRateWindows:  ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] (the default)
//   exhaustionWindow: "1h", the burn rate that "time until exhausted" extrapolates
//   thresholds:       [{name, consumed?, when?, actions: [...], message?}], in order
//   freezeActions:    actions that mean releases are frozen (default ["freeze_releases"])
//   burndownPoints:   points of the budget-remaining series per SLO (default 60; 0: none)
//
// decision: the error-budget status document,
//   {"kind": "error_budget_status", "version": 1, "at": now, "slos": [...], "summary": {...}}
#include <cmath>
#include <string>
#include <vector>

#include "kinds/budget/sli.h"
#include "time/time.h"
#include "kinds/registry.h"
#include "policy/kind.h"
#include "policy/legacy.h"
#include "verdict/json_writer.h"

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;
using budget::AlertRule;
using budget::Severity;

struct Threshold {
  std::string name;
  bool has_consumed = false;
  double consumed = 0;
  bool has_when = false;
  Expr when;
  std::vector<std::string> actions;
  std::string message;
};

struct BurnWindow {
  std::string text;
  int64_t ns;
};

// Writes a count: an integer when it is one (events usually are), else the double.
void write_count(JsonWriter& w, double x) {
  if (x == std::floor(x) && std::fabs(x) < 9e15) w.number(static_cast<int64_t>(x));
  else w.number(x);
}

void write_opt(JsonWriter& w, bool known, double x) {
  if (known) w.number(budget::round6(x));
  else w.null();
}

lang::Val opt_val(bool known, double x) { return known ? lang::Val::dbl(budget::round6(x)) : lang::Val::null(); }

class BudgetPolicy : public CompiledPolicy {
 public:
  bool whole_input() const override { return true; }
  std::unique_ptr<Decision> new_decision() const override { return std::make_unique<JsonTextDecision>(); }

  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override {
    auto& d = static_cast<JsonTextDecision&>(out);
    d.clear();
    d.out = decide_json(legacy_request(dc, in), ctx, d.decision, dc.explain ? &d.explain : nullptr, errors);
  }

  std::vector<AlertRule> alerts;
  std::vector<BurnWindow> burn_windows;
  BurnWindow exhaustion{"1h", 3600 * datetime::kNanosPerSecond};
  std::vector<Threshold> thresholds;
  std::vector<std::string> freeze_actions{"freeze_releases"};
  int64_t burndown_points = 60;

  Outcome decide_json(const EvalRequest& req, lang::EvalContext& ctx, JsonWriter& decision, JsonWriter* explain,
                      std::vector<Error>& errors) const {
    if (!req.has_now) {
      Error e(ErrorCode::kInvalidArgument, "an ErrorBudget evaluation needs `now` (the end of every window)");
      e.source = std::string(req.source);
      errors.push_back(std::move(e));
      decision.begin_object().key("kind").string("error_budget_status").key("version").number(1).key("slos").begin_array().end_array().end_object();
      return Outcome::kAllowed;
    }
    DocumentReader local;
    budget::InputReader in(req.reader ? *req.reader : local, std::string(req.source), alerts);
    in.read(req.raw);
    in.finish();
    for (Error& e : in.errors()) errors.push_back(std::move(e));

    const int64_t now = req.now;
    decision.begin_object().key("kind").string("error_budget_status").key("version").number(1);
    decision.key("at").string(datetime::format_rfc3339(now));
    decision.key("policy").string(meta().name);
    decision.key("slos").begin_array();
    if (explain) explain->begin_object().key("thresholds").begin_array();
    size_t counts[4] = {0, 0, 0, 0};  // ok, warning, exhausted, no_data
    std::vector<std::string> frozen;
    Outcome outcome = Outcome::kAllowed;
    for (size_t i = 0; i < in.slos().size(); ++i) {
      Outcome o = decide_slo(in.slos()[i], in.series(i), in.input_errors(i), now, ctx, decision, explain, errors, counts, frozen);
      if (static_cast<int>(o) > static_cast<int>(outcome)) outcome = o;
    }
    decision.end_array();
    decision.key("summary").begin_object();
    decision.key("slos").number(static_cast<int64_t>(in.slos().size()));
    decision.key("ok").number(static_cast<int64_t>(counts[0])).key("warning").number(static_cast<int64_t>(counts[1]));
    decision.key("exhausted").number(static_cast<int64_t>(counts[2])).key("no_data").number(static_cast<int64_t>(counts[3]));
    decision.key("frozen_services").begin_array();
    for (const auto& s : frozen) decision.string(s);
    decision.end_array().end_object();
    decision.end_object();
    if (explain) explain->end_array().end_object();
    return outcome;
  }

 private:
  Outcome decide_slo(const budget::SloDef& def, const budget::Series& s, size_t input_errors, int64_t now, lang::EvalContext& ctx,
                     JsonWriter& d, JsonWriter* explain, std::vector<Error>& errors, size_t* counts,
                     std::vector<std::string>& frozen) const {
    const budget::WindowSpan w = budget::window_span(def, now);
    const budget::Series::Sums all = s.sum(w.start, w.end);
    const bool has_data = all.total > 0;
    const double bad = all.total - all.good;
    const double budget_events = def.budget * all.total;
    const double consumed = has_data ? budget::round6(bad / budget_events) : 0;
    const double remaining = has_data ? budget::round6(1.0 - bad / budget_events) : 0;

    // Burn rate over (now - len, now]: the error rate over the budget; unknown without events.
    auto burn = [&](int64_t len, bool& known) {
      budget::Series::Sums x = s.sum(now - len, now);
      known = x.total > 0;
      return known ? ((x.total - x.good) / x.total) / def.budget : 0.0;
    };
    struct AlertState {
      double factor, long_burn, short_burn;
      bool long_known, short_known, firing;
    };
    std::vector<AlertState> states;
    bool page = false, ticket = false, any_alert_data = false;
    for (const AlertRule& a : alerts) {
      AlertState st{};
      st.factor = a.factor_for(w.length);
      st.long_burn = burn(a.long_ns, st.long_known);
      st.short_burn = burn(a.short_ns, st.short_known);
      // Compared as shown (6 decimals), like the thresholds: 0.1% errors against a 99.9%
      // objective is a burn of 1, not 1.0000000000001 from the binary form of 0.999.
      st.firing = st.long_known && st.short_known && budget::round6(st.long_burn) > budget::round6(st.factor) &&
                  budget::round6(st.short_burn) > budget::round6(st.factor);
      any_alert_data = any_alert_data || st.long_known;
      if (st.firing) (a.severity == Severity::kPage ? page : ticket) = true;
      states.push_back(st);
    }
    const char* burn_state = page ? "page" : ticket ? "ticket" : (alerts.empty() ? has_data : any_alert_data) ? "ok" : "no_data";
    const char* status = !has_data ? "no_data" : remaining <= 0 ? "exhausted" : (page || ticket) ? "warning" : "ok";

    bool ex_known = false;
    const double ex_burn = burn(exhaustion.ns, ex_known);
    bool ex_has = false;
    int64_t ex_seconds = 0;
    if (has_data && remaining <= 0) {
      ex_has = true;
    } else if (has_data && ex_known && ex_burn > 0) {
      double secs = remaining * (static_cast<double>(w.length) / datetime::kNanosPerSecond) / ex_burn;
      if (secs < 5e9) {  // within about 150 years of now; beyond: null (never, in practice)
        ex_has = true;
        ex_seconds = static_cast<int64_t>(std::llround(secs));
      }
    }

    // The `slo` variable of the thresholds' conditions.
    ctx.begin_item();
    lang::Arena& arena = ctx.arena();
    lang::ValMap& m = arena.new_map();
    m.emplace_back("name", lang::Val::str(def.name));
    m.emplace_back("slo", lang::Val::str(def.name));
    m.emplace_back("service", lang::Val::str(def.service));
    m.emplace_back("objective", lang::Val::dbl(def.objective));
    m.emplace_back("window", lang::Val::str(def.window_text));
    m.emplace_back("status", lang::Val::str(status));
    m.emplace_back("burn_state", lang::Val::str(burn_state));
    m.emplace_back("budget_consumed", opt_val(has_data, consumed));
    m.emplace_back("budget_remaining", opt_val(has_data, remaining));
    m.emplace_back("compliance", opt_val(has_data, all.good / all.total * 100.0));
    lang::ValMap& br = arena.new_map();
    std::vector<std::pair<bool, double>> rates;
    for (const BurnWindow& bw : burn_windows) {
      bool known;
      double r = burn(bw.ns, known);
      rates.emplace_back(known, r);
      br.emplace_back(bw.text, opt_val(known, r));
    }
    m.emplace_back("burn_rates", lang::Val::map_of(&br));
    lang::ValMap& ev = arena.new_map();
    ev.emplace_back("good", lang::Val::dbl(all.good));
    ev.emplace_back("bad", lang::Val::dbl(bad));
    ev.emplace_back("total", lang::Val::dbl(all.total));
    m.emplace_back("events", lang::Val::map_of(&ev));
    m.emplace_back("exhaustion_seconds", ex_has ? lang::Val::integer(ex_seconds) : lang::Val::null());
    lang::ValList& firing = arena.new_list();
    for (size_t k = 0; k < alerts.size(); ++k)
      if (states[k].firing) firing.push_back(lang::Val::str(alerts[k].name));
    m.emplace_back("firing", lang::Val::list_of(&firing));
    ctx.bind(0, lang::Val::map_of(&m));

    std::vector<const Threshold*> fired;
    for (const Threshold& t : thresholds) {
      bool hit = true;
      if (t.has_consumed) hit = has_data && consumed >= t.consumed;
      size_t reads_before = ctx.reads().size();
      if (hit && t.has_when) hit = lang::truthy(evaluate(t.when, ctx, errors));
      if (explain) {
        explain->begin_object().key("slo").string(def.name).key("threshold").string(t.name);
        if (t.has_consumed) explain->key("consumed").number(t.consumed);
        if (t.has_when) {
          explain->key("when").string(t.when.text);
          write_reads(*explain, *t.when.program, ctx, reads_before);
        }
        explain->key("fired").boolean(hit).end_object();
      }
      if (hit) fired.push_back(&t);
    }
    std::vector<std::string_view> actions;
    for (const Threshold* t : fired)
      for (const std::string& a : t->actions)
        if (std::find(actions.begin(), actions.end(), a) == actions.end()) actions.push_back(a);
    bool freeze = false;
    for (auto a : actions)
      for (const std::string& f : freeze_actions) freeze = freeze || a == f;
    if (std::string_view(status) == "ok" && !fired.empty()) status = "warning";

    // The status of this SLO.
    d.begin_object();
    d.key("slo").string(def.name).key("service").string(def.service);
    d.key("objective").number(def.objective).key("window").string(def.window_text);
    d.key("status").string(status);
    d.key("budget_remaining");
    write_opt(d, has_data, remaining);
    d.key("budget_consumed");
    write_opt(d, has_data, consumed);
    d.key("burn_state").string(burn_state);
    d.key("freeze").boolean(freeze);
    d.key("actions").begin_array();
    for (auto a : actions) d.string(a);
    d.end_array();
    d.key("messages").begin_array();
    for (const Threshold* t : fired)
      if (!t->message.empty()) d.string(t->message);
    d.end_array();
    d.key("thresholds").begin_array();
    for (const Threshold& t : thresholds) {
      d.begin_object().key("name").string(t.name);
      if (t.has_consumed) d.key("consumed").number(t.consumed);
      bool hit = std::find(fired.begin(), fired.end(), &t) != fired.end();
      d.key("fired").boolean(hit).end_object();
    }
    d.end_array();
    d.key("source").string(budget::shape_name(def.shape));
    d.key("sli").string(def.latency ? "latency" : "ratio");
    d.key("window_start").string(datetime::format_rfc3339(w.start));
    d.key("compliance");
    write_opt(d, has_data, all.good / (has_data ? all.total : 1) * 100.0);
    d.key("events").begin_object();
    d.key("good");
    write_count(d, all.good);
    d.key("bad");
    write_count(d, bad);
    d.key("total");
    write_count(d, all.total);
    d.key("budget");
    write_count(d, budget::round6(budget_events));
    d.key("budget_left");
    write_count(d, budget::round6(budget_events - bad));
    d.end_object();
    d.key("burn_rates").begin_object();
    for (size_t k = 0; k < burn_windows.size(); ++k) {
      d.key(burn_windows[k].text);
      write_opt(d, rates[k].first, rates[k].second);
    }
    d.end_object();
    d.key("alerts").begin_array();
    for (size_t k = 0; k < alerts.size(); ++k) {
      const AlertRule& a = alerts[k];
      const AlertState& st = states[k];
      d.begin_object().key("name").string(a.name).key("severity").string(a.severity == Severity::kPage ? "page" : "ticket");
      d.key("long").string(a.long_text).key("short").string(a.short_text).key("factor").number(budget::round6(st.factor));
      d.key("long_burn");
      write_opt(d, st.long_known, st.long_burn);
      d.key("short_burn");
      write_opt(d, st.short_known, st.short_burn);
      d.key("firing").boolean(st.firing).end_object();
    }
    d.end_array();
    d.key("exhaustion").begin_object().key("burn_rate_window").string(exhaustion.text).key("seconds");
    if (ex_has) d.number(ex_seconds);
    else d.null();
    d.key("at");
    if (ex_has) d.string(datetime::format_rfc3339(now + ex_seconds * datetime::kNanosPerSecond));
    else d.null();
    d.end_object();
    d.key("samples").begin_object();
    d.key("total").number(static_cast<int64_t>(s.size()));
    d.key("in_window").number(static_cast<int64_t>(all.samples));
    d.key("after_now").number(static_cast<int64_t>(s.sum(now, INT64_MAX).samples));
    d.key("first");
    if (s.size()) d.string(datetime::format_rfc3339(s.t.front()));
    else d.null();
    d.key("last");
    if (s.size()) d.string(datetime::format_rfc3339(s.t.back()));
    else d.null();
    d.key("input_errors").number(static_cast<int64_t>(input_errors));
    d.end_object();
    d.key("warnings").begin_array();
    for (const auto& wtext : def.warnings) d.string(wtext);
    d.end_array();
    if (burndown_points > 0) {
      // Budget remaining as of each point: the window's budget less what was spent up to it.
      d.key("burndown").begin_array();
      const int64_t span = w.end - w.start;
      for (int64_t k = 0; k <= burndown_points; ++k) {
        int64_t t = k == burndown_points ? w.end : w.start + span / burndown_points * k;
        budget::Series::Sums upto = s.sum(w.start, t);
        d.begin_object().key("t").string(datetime::format_rfc3339(t)).key("remaining");
        write_opt(d, has_data, 1.0 - (upto.total - upto.good) / (has_data ? budget_events : 1));
        d.end_object();
      }
      d.end_array();
    }
    d.end_object();

    std::string_view st(status);
    counts[st == "ok" ? 0 : st == "warning" ? 1 : st == "exhausted" ? 2 : 3]++;
    if (freeze && std::find(frozen.begin(), frozen.end(), def.service) == frozen.end()) frozen.push_back(def.service);
    if (freeze || st == "exhausted") return Outcome::kDenied;
    if (st == "warning") return Outcome::kReview;
    return Outcome::kAllowed;
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

}  // namespace

std::unique_ptr<CompiledPolicy> load_budget(const json& spec, PolicyBuilder& b) {
  auto p = std::make_unique<BudgetPolicy>();
  const std::string sp = b.spec_pointer();
  b.only_keys(spec, sp, {"alerts", "burnRateWindows", "exhaustionWindow", "thresholds", "freezeActions", "burndownPoints", "description"});
  std::string why;
  // Alerts.
  if (const json* alerts = b.get(spec, sp, "alerts", false, json::value_t::array)) {
    for (size_t i = 0; i < alerts->size(); ++i) {
      const json& a = (*alerts)[i];
      std::string ap = pointer_join(pointer_join(sp, "alerts"), i);
      if (!a.is_object()) {
        b.fail(ap, ErrorCode::kInvalidPolicy, "an alert is an object: {name, severity, long, short, factor or budgetPercent}");
        continue;
      }
      b.only_keys(a, ap, {"name", "severity", "long", "short", "factor", "budgetPercent", "description"});
      AlertRule r;
      bool ok = true;
      if (const json* n = b.get(a, ap, "name", true, json::value_t::string)) r.name = n->get<std::string>();
      else ok = false;
      for (const AlertRule& other : p->alerts)
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
      bool has_factor = a.contains("factor"), has_percent = a.contains("budgetPercent");
      if (has_factor == has_percent) {
        b.fail(ap, ErrorCode::kInvalidPolicy, "an alert has either \"factor\" (a burn rate, as the Workbook and Pyrra) or \"budgetPercent\" (Sloth)");
      } else if (has_factor) {
        if (const json* f = b.get(a, ap, "factor", true, json::value_t::number_float)) {
          r.factor = f->get<double>();
          if (!(r.factor > 0)) b.fail(pointer_join(ap, "factor"), ErrorCode::kInvalidPolicy, "a burn-rate factor is > 0");
        }
      } else if (const json* f = b.get(a, ap, "budgetPercent", true, json::value_t::number_float)) {
        r.budget_percent = f->get<double>();
        r.by_percent = true;
        if (!(r.budget_percent > 0 && r.budget_percent <= 100))
          b.fail(pointer_join(ap, "budgetPercent"), ErrorCode::kInvalidPolicy, "budgetPercent is a percentage of the budget, in (0, 100]");
      }
      p->alerts.push_back(std::move(r));
    }
  } else if (!spec.contains("alerts")) {
    p->alerts = budget::workbook_alerts();
  }
  // Burn-rate windows.
  if (const json* ws = b.get(spec, sp, "burnRateWindows", false, json::value_t::array)) {
    for (size_t i = 0; i < ws->size(); ++i) {
      int64_t ns;
      std::string wp = pointer_join(pointer_join(sp, "burnRateWindows"), i);
      if (!parse_positive_duration((*ws)[i], ns, why)) {
        b.fail(wp, ErrorCode::kInvalidPolicy, "a burn-rate window is " + why);
        continue;
      }
      for (const auto& other : p->burn_windows)
        if (other.text == (*ws)[i].get<std::string>()) b.fail(wp, ErrorCode::kInvalidPolicy, "a window listed twice");
      p->burn_windows.push_back({(*ws)[i].get<std::string>(), ns});
    }
  } else if (!spec.contains("burnRateWindows")) {
    for (const char* t : {"5m", "30m", "1h", "2h", "6h", "1d", "3d"}) p->burn_windows.push_back({t, *datetime::parse_duration(t)});
  }
  if (auto it = spec.find("exhaustionWindow"); it != spec.end()) {
    if (!parse_positive_duration(*it, p->exhaustion.ns, why)) b.fail(pointer_join(sp, "exhaustionWindow"), ErrorCode::kInvalidPolicy, "exhaustionWindow is " + why);
    else p->exhaustion.text = it->get<std::string>();
  }
  if (const json* n = b.get(spec, sp, "burndownPoints", false, json::value_t::number_integer)) {
    p->burndown_points = n->get<int64_t>();
    if (p->burndown_points < 0 || p->burndown_points > 10000)
      b.fail(pointer_join(sp, "burndownPoints"), ErrorCode::kInvalidPolicy, "burndownPoints is between 0 and 10000");
  }
  if (const json* fa = b.get(spec, sp, "freezeActions", false, json::value_t::array)) {
    p->freeze_actions.clear();
    for (size_t i = 0; i < fa->size(); ++i) {
      if (!(*fa)[i].is_string()) b.fail(pointer_join(pointer_join(sp, "freezeActions"), i), ErrorCode::kInvalidPolicy, "an action is a string");
      else p->freeze_actions.push_back((*fa)[i].get<std::string>());
    }
  }
  // Thresholds: conditions over `slo`, the computed status of one SLO.
  lang::Environment env;
  env.add("slo");
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
      for (const Threshold& other : p->thresholds)
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
      p->thresholds.push_back(std::move(th));
    }
  }
  return p;
}

}  // namespace verdict::policy

namespace verdict::kinds {

policy::KindInfo error_budget_kind() {
  return {"ErrorBudget", "budget", "SLO definitions and their SLI data", {policy::Format::kJson, policy::Format::kText},
          policy::load_budget, nullptr};
}

}  // namespace verdict::kinds
