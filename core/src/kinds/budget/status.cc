// The renderers of the ErrorBudget decision (status.h): the status document (JSON), the
// explain trace, text for people and the SVG burn-down chart. The text and the chart were
// `verdict budget`'s own (cli/cmd_budget.cc, which re-read the JSON); they render from the
// typed decision now, with the same bytes.
#include "kinds/budget/status.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "verdict/json_writer.h"

namespace verdict::budget {

const char* state_name(SloState s) {
  switch (s) {
    case SloState::kOk: return "ok";
    case SloState::kWarning: return "warning";
    case SloState::kExhausted: return "exhausted";
    case SloState::kNoData: return "no_data";
  }
  return "no_data";
}

const char* burn_name(BurnState s) {
  switch (s) {
    case BurnState::kOk: return "ok";
    case BurnState::kTicket: return "ticket";
    case BurnState::kPage: return "page";
    case BurnState::kNoData: return "no_data";
  }
  return "no_data";
}

bool SloStatus::reached(const Threshold* t) const { return std::find(fired.begin(), fired.end(), t) != fired.end(); }

void BudgetDecision::clear() {
  has_now = false;
  at = 0;
  slos.clear();
  for (size_t& c : counts) c = 0;
  frozen.clear();
  notes.clear();
  out = policy::Outcome::kAllowed;
  explained = false;
  trace.clear();
}

namespace {

// A count as the document writes it: an integer when it is one (events usually are).
bool integral(double x) { return x == std::floor(x) && std::fabs(x) < 9e15; }

void write_count(JsonWriter& w, double x) {
  if (integral(x)) w.number(static_cast<int64_t>(x));
  else w.number(x);
}

void write_opt(JsonWriter& w, bool known, double x) {
  if (known) w.number(round6(x));
  else w.null();
}

void write_opt(JsonWriter& w, const Maybe& m) { write_opt(w, m.known, m.value); }

std::string count_text(double x) {
  std::string s;
  if (integral(x)) append_json_int(s, static_cast<int64_t>(x));
  else append_json_double(s, x);
  return s;
}

std::string printf_text(const char* format, int decimals, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, decimals, x);
  return buf;
}

// 0.416 -> "41.6%"
std::string percent(double x, int decimals = 1) { return printf_text("%.*f%%", decimals, x * 100.0); }
std::string num(double x, int decimals = 1) { return printf_text("%.*f", decimals, x); }
std::string num(const Maybe& m, int decimals = 1) { return m.known ? num(round6(m.value), decimals) : "-"; }

// 99.9 -> "99.9%", 99 -> "99%", 99.95 -> "99.95%" (up to 4 decimals, no trailing zeros).
std::string objective_text(double objective) {
  std::string s = num(objective, 4);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + "%";
}

std::string human_seconds(int64_t s) {
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h" + (s % 3600 >= 60 ? std::to_string((s % 3600) / 60) + "m" : "");
  return std::to_string(s / 86400) + "d" + (s % 86400 >= 3600 ? std::to_string((s % 86400) / 3600) + "h" : "");
}

// Pads to `n` bytes (the table's columns).
std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

std::string join(const std::vector<std::string_view>& items) {
  std::string s;
  for (std::string_view x : items) {
    if (!s.empty()) s += ", ";
    s.append(x);
  }
  return s;
}

// Sloth's alerts of one SLO as Sloth generates them: one page and one ticket alert named by
// the alerting block, with their labels and annotations, firing when any rule of their
// severity fires.
bool sloth_firing(const SloStatus& s, const std::vector<AlertRule>& rules, Severity sev) {
  for (size_t k = 0; k < rules.size(); ++k)
    if (rules[k].severity == sev && s.alerts[k].firing) return true;
  return false;
}

void write_sloth_alerting(JsonWriter& w, const SloStatus& s, const std::vector<AlertRule>& rules) {
  const SlothAlerting& a = s.def.alerting;
  w.key("alerting").begin_object().key("name").string(a.name);
  for (auto [key, alert, sev] : {std::tuple<const char*, const SlothAlert*, Severity>{"page", &a.page, Severity::kPage}, {"ticket", &a.ticket, Severity::kTicket}}) {
    w.key(key).begin_object().key("disabled").boolean(alert->disabled).key("firing").boolean(sloth_firing(s, rules, sev));
    for (auto [mk, m] : {std::pair<const char*, const std::vector<std::pair<std::string, std::string>>*>{"labels", &alert->labels}, {"annotations", &alert->annotations}}) {
      w.key(mk).begin_object();
      for (const auto& [k, v] : *m) w.key(k).string(v);
      w.end_object();
    }
    w.end_object();
  }
  w.end_object();
}

}  // namespace

// ---- JSON ---------------------------------------------------------------------------------

void BudgetDecision::write_json(JsonWriter& w) const {
  w.begin_object().key("kind").string("error_budget_status").key("version").number(1);
  if (!has_now) {
    w.key("slos").begin_array().end_array().end_object();
    return;
  }
  w.key("at").string(datetime::format_rfc3339(at));
  w.key("policy").string(policy);
  if (!notes.empty()) {
    w.key("notes").begin_array();
    for (const std::string& n : notes) w.string(n);
    w.end_array();
  }
  w.key("slos").begin_array();
  for (const SloStatus& s : slos) {
    const SloDef& def = s.def;
    w.begin_object();
    w.key("slo").string(def.name).key("service").string(def.service);
    w.key("objective").number(def.objective).key("window").string(def.window_text);
    w.key("status").string(state_name(s.status));
    w.key("budget_remaining");
    write_opt(w, s.has_data, s.remaining);
    w.key("budget_consumed");
    write_opt(w, s.has_data, s.consumed);
    w.key("burn_state").string(burn_name(s.burn));
    w.key("freeze").boolean(s.freeze);
    w.key("actions").begin_array();
    for (std::string_view a : s.actions) w.string(a);
    w.end_array();
    w.key("messages").begin_array();
    for (const Threshold* t : s.fired)
      if (!t->message.empty()) w.string(t->message);
    w.end_array();
    w.key("thresholds").begin_array();
    for (const Threshold& t : spec->thresholds) {
      w.begin_object().key("name").string(t.name);
      if (t.has_consumed) w.key("consumed").number(t.consumed);
      w.key("fired").boolean(s.reached(&t)).end_object();
    }
    w.end_array();
    w.key("source").string(shape_name(def.shape));
    w.key("sli").string(def.latency ? "latency" : "ratio");
    if (def.budgeting != Budgeting::kOccurrences) {
      // Events, samples and burn rates count time slices (sli.h, Budgeting).
      w.key("budgeting").begin_object().key("method").string(def.budgeting == Budgeting::kTimeslices ? "Timeslices" : "RatioTimeslices");
      w.key("time_slice").string(def.slice_text);
      if (def.budgeting == Budgeting::kTimeslices) w.key("time_slice_target").number(def.slice_target);
      w.end_object();
    }
    w.key("window_start").string(datetime::format_rfc3339(s.window_start));
    w.key("compliance");
    write_opt(w, s.has_data, s.compliance);
    w.key("events").begin_object();
    w.key("good");
    write_count(w, s.good);
    w.key("bad");
    write_count(w, s.bad);
    w.key("total");
    write_count(w, s.total);
    w.key("budget");
    write_count(w, round6(s.budget));
    w.key("budget_left");
    write_count(w, round6(s.budget - s.bad));
    w.end_object();
    w.key("burn_rates").begin_object();
    for (size_t k = 0; k < spec->burn_windows.size(); ++k) {
      w.key(spec->burn_windows[k].text);
      write_opt(w, s.burn_rates[k]);
    }
    w.end_object();
    w.key("alerts").begin_array();
    const std::vector<AlertRule>& rules = rules_for(def, spec->alerts);
    for (size_t k = 0; k < rules.size(); ++k) {
      const AlertRule& a = rules[k];
      const AlertState& st = s.alerts[k];
      w.begin_object().key("name").string(a.name).key("severity").string(a.severity == Severity::kPage ? "page" : "ticket");
      w.key("long").string(a.long_text).key("short").string(a.short_text).key("factor").number(round6(st.factor));
      w.key("long_burn");
      write_opt(w, st.long_burn);
      w.key("short_burn");
      write_opt(w, st.short_burn);
      w.key("firing").boolean(st.firing);
      if (st.disabled) w.key("disabled").boolean(true);
      w.end_object();
    }
    w.end_array();
    w.key("exhaustion").begin_object().key("burn_rate_window").string(spec->exhaustion.text).key("seconds");
    if (s.exhaustion_known) w.number(s.exhaustion_seconds);
    else w.null();
    w.key("at");
    if (s.exhaustion_known) w.string(datetime::format_rfc3339(at + s.exhaustion_seconds * datetime::kNanosPerSecond));
    else w.null();
    w.end_object();
    w.key("samples").begin_object();
    w.key("total").number(static_cast<int64_t>(s.samples));
    w.key("in_window").number(static_cast<int64_t>(s.in_window));
    w.key("after_now").number(static_cast<int64_t>(s.after_now));
    w.key("first");
    if (s.samples) w.string(datetime::format_rfc3339(s.first));
    else w.null();
    w.key("last");
    if (s.samples) w.string(datetime::format_rfc3339(s.last));
    else w.null();
    w.key("input_errors").number(static_cast<int64_t>(s.input_errors));
    w.end_object();
    w.key("warnings").begin_array();
    for (const std::string& text : def.warnings) w.string(text);
    w.end_array();
    if (def.alerting.present) write_sloth_alerting(w, s, rules);
    if (spec->burndown_points > 0) {
      w.key("burndown").begin_array();
      for (const SloStatus::Point& p : s.burndown) {
        w.begin_object().key("t").string(datetime::format_rfc3339(p.t)).key("remaining");
        write_opt(w, s.has_data, p.remaining);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("summary").begin_object();
  w.key("slos").number(static_cast<int64_t>(slos.size()));
  w.key("ok").number(static_cast<int64_t>(counts[0])).key("warning").number(static_cast<int64_t>(counts[1]));
  w.key("exhausted").number(static_cast<int64_t>(counts[2])).key("no_data").number(static_cast<int64_t>(counts[3]));
  w.key("frozen_services").begin_array();
  for (const std::string& f : frozen) w.string(f);
  w.end_array().end_object();
  w.end_object();
}

void BudgetDecision::write_explain(JsonWriter& w) const {
  w.begin_object();
  if (explained) {
    w.key("thresholds").begin_array();
    for (const ThresholdTrace& t : trace) {
      w.begin_object().key("slo").string(slos[t.slo].def.name).key("threshold").string(t.threshold->name);
      if (t.threshold->has_consumed) w.key("consumed").number(t.threshold->consumed);
      if (t.threshold->has_when) {
        w.key("when").string(t.threshold->when.text);
        policy::write_read_values(w, t.reads);
      }
      w.key("fired").boolean(t.fired).end_object();
    }
    w.end_array();
  }
  w.end_object();
}

// ---- text ---------------------------------------------------------------------------------

void BudgetDecision::write_text(policy::TextOut& o, bool explain) const {
  if (explain) {
    for (const ThresholdTrace& t : trace) {
      o << (t.fired ? "[x] " : "[ ] ") << slos[t.slo].def.name << " " << t.threshold->name;
      if (t.threshold->has_when) o << " when " << t.threshold->when.text;
      if (!t.reads.empty()) {
        JsonWriter values;
        values.begin_object();
        for (const policy::ReadValue& r : t.reads) values.key(r.path).raw(r.json);
        values.end_object();
        o << "  " << values.view();
      }
      o << "\n";
    }
  }
  if (!has_now) {
    o << "Error budgets: no `now` was given, so nothing was decided\n";
    return;
  }
  o << "Error budgets at " << datetime::format_rfc3339(at) << " (policy " << policy << ")\n\n";
  for (const std::string& n : notes) o << "  note: " << n << "\n";
  if (!notes.empty()) o << "\n";
  o << "  " << pad("SLO", 34) << pad("SERVICE", 16) << pad("OBJECTIVE", 11) << pad("WINDOW", 8) << pad("LEFT", 9) << pad("BURN", 9)
    << pad("STATUS", 11) << "ACTIONS\n";
  for (const SloStatus& s : slos) {
    std::string actions = join(s.actions);
    if (s.freeze) actions += " (frozen)";
    std::string left = s.has_data ? percent(round6(s.remaining)) : "-";
    o << "  " << pad(s.def.name, 34) << pad(s.def.service, 16) << pad(objective_text(s.def.objective), 11) << pad(s.def.window_text, 8)
      << pad(left, 9) << pad(burn_name(s.burn), 9) << pad(state_name(s.status), 11) << (actions.empty() ? "-" : actions) << "\n";
  }
  for (const SloStatus& s : slos) {
    o << "\n" << s.def.name << " (" << s.def.service << ", " << shape_name(s.def.shape) << "):";
    if (s.has_data) {
      const bool slices = s.def.budgeting != Budgeting::kOccurrences;
      o << " compliance " << num(round6(s.compliance), 3) << "% over " << count_text(s.total) << (slices ? " time slices of " + s.def.slice_text : std::string(" events"))
        << "; " << count_text(slices ? round6(s.bad) : s.bad)
        << " bad of a budget of " << count_text(round6(s.budget)) << "\n";
    } else {
      o << " no events in the window (no data)\n";
    }
    std::string rates;
    for (size_t k = 0; k < spec->burn_windows.size(); ++k) {
      const Maybe& r = s.burn_rates[k];
      rates += (rates.empty() ? "" : "  ") + spec->burn_windows[k].text + " " + (r.known ? num(r, 2) + "x" : "-");
    }
    o << "  burn rates: " << rates << "\n";
    std::string firing;
    const std::vector<AlertRule>& rules = rules_for(s.def, spec->alerts);
    for (size_t k = 0; k < rules.size(); ++k) {
      const AlertRule& a = rules[k];
      const AlertState& st = s.alerts[k];
      if (!st.firing) continue;
      firing += (firing.empty() ? "" : ", ") + a.name + " (" + num(st.long_burn, 1) + "x over " + a.long_text + ", " + num(st.short_burn, 1) +
                "x over " + a.short_text + " > " + num(round6(st.factor), 1) + ")";
    }
    o << "  alerts firing: " << (firing.empty() ? "none" : firing) << "\n";
    if (s.def.alerting.present) {
      const SlothAlerting& a = s.def.alerting;
      auto state = [&](const SlothAlert& x, Severity sev) {
        return x.disabled ? "disabled" : sloth_firing(s, rules, sev) ? "firing" : "not firing";
      };
      o << "  Sloth alert " << (a.name.empty() ? "(unnamed)" : a.name) << ": page " << state(a.page, Severity::kPage) << ", ticket "
        << state(a.ticket, Severity::kTicket) << "\n";
    }
    if (s.exhaustion_known) {
      o << "  budget exhausted ";
      if (s.exhaustion_seconds == 0)
        o << "already";
      else
        o << "in " << human_seconds(s.exhaustion_seconds) << " ("
          << datetime::format_rfc3339(at + s.exhaustion_seconds * datetime::kNanosPerSecond) << ")";
      o << " at the " << spec->exhaustion.text << " burn rate\n";
    }
    for (const Threshold* t : s.fired)
      if (!t->message.empty()) o << "  - " << t->message << "\n";
    for (const std::string& w : s.def.warnings) o << "  warning: " << w << "\n";
    if (s.after_now > 0) o << "  note: " << s.after_now << " samples after `now` are not counted\n";
  }
  o << "\n" << slos.size() << " SLOs: " << counts[0] << " ok, " << counts[1] << " warning, " << counts[2] << " exhausted, " << counts[3]
    << " without data";
  if (!frozen.empty()) {
    std::string f;
    for (const std::string& x : frozen) f += (f.empty() ? "" : ", ") + x;
    o << "; releases frozen for " << f;
  }
  o << "\n";
}

// ---- SVG ----------------------------------------------------------------------------------

namespace {

void append_xml_escaped(std::string& o, std::string_view s) {
  for (char c : s) {
    if (c == '&') o += "&amp;";
    else if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
}

// A coordinate as a C++ stream writes a double by default (%g: "570", "1.5", "1.08005e+06").
std::string g(double x) { return printf_text("%.*g", 6, x); }
// A coordinate to one decimal.
std::string f1(double x) { return num(x, 1); }

// Seconds since the epoch as a double: whole minutes plus the seconds within the minute,
// the sum the chart always used (so the coordinates keep their digits).
double epoch_seconds(int64_t ns) {
  constexpr int64_t kMinute = 60 * datetime::kNanosPerSecond;
  int64_t minute = ns / kMinute - ((ns % kMinute != 0) && (ns < 0));
  return static_cast<double>(minute * 60) + static_cast<double>(ns - minute * kMinute) / 1e9;
}

// "Mar 14 10:00" (UTC) of whole seconds since the epoch.
std::string tick_label(int64_t seconds) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  datetime::CivilTime c = datetime::civil_from_nanos(seconds * datetime::kNanosPerSecond, 0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d %02d:%02d", kMonths[(c.month - 1) % 12], c.day, c.hour, c.minute);
  return buf;
}

const char* status_color(SloState s) {
  switch (s) {
    case SloState::kExhausted: return "#c0392b";
    case SloState::kWarning: return "#d68910";
    case SloState::kNoData: return "#7f8c8d";
    case SloState::kOk: break;
  }
  return "#1e8449";
}

}  // namespace

// One panel per SLO: budget remaining (100% at the window's start) over the window, a
// dashed line per threshold of the policy, and the zero line where the budget is spent.
void BudgetDecision::write_svg(std::string& o, const policy::DecisionHeader&) const {
  const double W = 820, panel_h = 270, left = 70, right = 250, top = 48, plot_h = 170;
  const double plot_w = W - left - right;
  const double H = 50 + panel_h * static_cast<double>(std::max<size_t>(slos.size(), 1));
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + g(W) + "\" height=\"" + g(H) + "\" viewBox=\"0 0 " + g(W) + " " + g(H) +
       "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o += "<text x=\"20\" y=\"28\" font-size=\"17\" font-weight=\"bold\">Error budget remaining at ";
  if (has_now) append_xml_escaped(o, datetime::format_rfc3339(at));
  o += " (policy ";
  if (has_now) append_xml_escaped(o, policy);
  o += ")</text>\n";
  if (slos.empty()) o += "<text x=\"20\" y=\"60\">No SLOs in the input.</text>\n";
  double y0 = 50;
  for (const SloStatus& s : slos) {
    const char* color = status_color(s.status);
    std::string title = s.def.name + " (" + s.def.service + "): " + objective_text(s.def.objective) + " over " + s.def.window_text;
    std::string left_text = s.has_data ? percent(round6(s.remaining)) + " of the budget left" : "no data";
    o += "<g transform=\"translate(0," + g(y0) + ")\">\n";
    o += "<text x=\"20\" y=\"20\" font-size=\"14\" font-weight=\"bold\">";
    append_xml_escaped(o, title);
    o += "</text>\n";
    o += "<text x=\"20\" y=\"37\" fill=\"";
    o += color;
    o += "\" font-weight=\"bold\">";
    append_xml_escaped(o, state_name(s.status));
    o += ": ";
    append_xml_escaped(o, left_text);
    o += ", burn ";
    append_xml_escaped(o, burn_name(s.burn));
    o += s.freeze ? ", releases frozen" : "";
    o += "</text>\n";
    const std::vector<SloStatus::Point>& bd = s.burndown;
    // The value range: 100% down to the lowest point (or 0), in steps of 25%.
    double lo = 0;
    if (s.has_data)
      for (const SloStatus::Point& p : bd) lo = std::min(lo, round6(p.remaining));
    lo = std::floor(lo * 4 - 1e-9) / 4;
    if (lo > -0.25) lo = lo < 0 ? -0.25 : 0;
    lo = std::max(lo, -3.0);  // beyond 300% overspent the shape no longer matters
    const double hi = 1.0;
    auto ymap = [&](double v) { return top + (hi - std::max(v, lo)) / (hi - lo) * plot_h; };
    // Grid and value axis.
    for (double v = hi; v >= lo - 1e-9; v -= 0.25) {
      double y = ymap(v);
      bool zero = std::fabs(v) < 1e-9;
      o += "<line x1=\"" + g(left) + "\" x2=\"" + g(left + plot_w) + "\" y1=\"" + f1(y) + "\" y2=\"" + f1(y) + "\" stroke=\"" +
           (zero ? "#555" : "#e5e5e5") + "\" stroke-width=\"" + g(zero ? 1.5 : 1) + "\"/>\n";
      o += "<text x=\"" + g(left - 6) + "\" y=\"" + f1(y + 4) + "\" text-anchor=\"end\" fill=\"#444\">" + percent(v, 0) + "</text>\n";
    }
    o += "<text transform=\"translate(16," + f1(top + plot_h / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">budget remaining</text>\n";
    // Time axis.
    double t0 = 0, t1 = 1;
    if (!bd.empty()) {
      t0 = epoch_seconds(bd.front().t);
      t1 = epoch_seconds(bd.back().t);
      if (t1 <= t0) t1 = t0 + 1;
    }
    auto xmap = [&](double t) { return left + (t - t0) / (t1 - t0) * plot_w; };
    o += "<line x1=\"" + g(left) + "\" x2=\"" + g(left + plot_w) + "\" y1=\"" + g(top + plot_h) + "\" y2=\"" + g(top + plot_h) +
         "\" stroke=\"#555\"/>\n";
    for (int k = 0; k <= 4 && !bd.empty(); ++k) {
      double t = t0 + (t1 - t0) * k / 4;
      double x = xmap(t);
      o += "<line x1=\"" + f1(x) + "\" x2=\"" + f1(x) + "\" y1=\"" + g(top + plot_h) + "\" y2=\"" + g(top + plot_h + 5) +
           "\" stroke=\"#555\"/>\n";
      o += "<text x=\"" + f1(x) + "\" y=\"" + g(top + plot_h + 18) + "\" text-anchor=\"middle\" fill=\"#444\">" +
           tick_label(static_cast<int64_t>(t)) + " UTC</text>\n";
    }
    // Thresholds of the policy.
    double label_y = top + 8;
    o += "<text x=\"" + g(left + plot_w + 14) + "\" y=\"" + g(top - 4) + "\" font-weight=\"bold\">policy thresholds</text>\n";
    for (const Threshold& t : spec->thresholds) {
      if (!t.has_consumed) continue;
      double c = t.consumed;
      double y = ymap(1.0 - c);
      const char* tc = c >= 1 ? "#c0392b" : c >= 0.5 ? "#d68910" : "#2874a6";
      o += "<line x1=\"" + g(left) + "\" x2=\"" + g(left + plot_w) + "\" y1=\"" + f1(y) + "\" y2=\"" + f1(y) + "\" stroke=\"" + tc +
           "\" stroke-dasharray=\"6 4\" stroke-width=\"1.2\"/>\n";
      o += "<text x=\"" + g(left + plot_w + 14) + "\" y=\"" + f1(label_y + 10) + "\" fill=\"" + tc + "\">" +
           (s.reached(&t) ? "&#9679; " : "&#9675; ");
      append_xml_escaped(o, t.name);
      o += ": " + percent(c, 0) + " consumed</text>\n";
      label_y += 16;
    }
    // The burn-down line.
    std::string pts;
    if (s.has_data)
      for (const SloStatus::Point& p : bd) pts += f1(xmap(epoch_seconds(p.t))) + "," + f1(ymap(round6(p.remaining))) + " ";
    if (!pts.empty())
      o += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2.2\"/>\n";
    else
      o += "<text x=\"" + g(left + plot_w / 2) + "\" y=\"" + g(top + plot_h / 2) +
           "\" text-anchor=\"middle\" fill=\"#7f8c8d\">no events in the window</text>\n";
    // Legend.
    double ly = label_y + 18;
    o += "<line x1=\"" + g(left + plot_w + 14) + "\" x2=\"" + g(left + plot_w + 40) + "\" y1=\"" + g(ly) + "\" y2=\"" + g(ly) + "\" stroke=\"" +
         color + "\" stroke-width=\"2.2\"/>";
    o += "<text x=\"" + g(left + plot_w + 46) + "\" y=\"" + g(ly + 4) + "\">budget remaining</text>\n";
    ly += 16;
    o += "<line x1=\"" + g(left + plot_w + 14) + "\" x2=\"" + g(left + plot_w + 40) + "\" y1=\"" + g(ly) + "\" y2=\"" + g(ly) +
         "\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>";
    o += "<text x=\"" + g(left + plot_w + 46) + "\" y=\"" + g(ly + 4) + "\">threshold (&#9679; reached)</text>\n";
    ly += 16;
    o += "<line x1=\"" + g(left + plot_w + 14) + "\" x2=\"" + g(left + plot_w + 40) + "\" y1=\"" + g(ly) + "\" y2=\"" + g(ly) +
         "\" stroke=\"#555\" stroke-width=\"1.5\"/>";
    o += "<text x=\"" + g(left + plot_w + 46) + "\" y=\"" + g(ly + 4) + "\">0%: budget spent</text>\n";
    o += "</g>\n";
    y0 += panel_h;
  }
  o += "</svg>\n";
}

}  // namespace verdict::budget
