#include "kinds/budget/sli.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include "time/time.h"
#include "policy/json_source.h"
#include "verdict/json_writer.h"

namespace verdict::budget {

using datetime::kNanosPerSecond;
using policy::pointer_join;

namespace {

constexpr int64_t kDay = 86400 * kNanosPerSecond;

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string describe(const Value& v) {
  std::string s = v.exists() ? v.to_json() : "nothing";
  if (s.size() > 40) s = s.substr(0, 40) + "...";
  return s;
}

bool is_plain_number_text(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  bool digits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') digits = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') return false;
  }
  return digits;
}

// A time: RFC 3339 or Unix seconds. On failure `why` says why (code kWrongType).
std::optional<int64_t> parse_time(Value v, std::string& why) {
  if (v.is_string()) {
    std::string reason;
    auto t = datetime::parse_rfc3339(v.as_string(), &reason);
    if (!t) why = "invalid time \"" + std::string(v.as_string()) + "\": " + reason;
    return t;
  }
  if (v.type() == Type::kInt) {
    int64_t s = v.as_int();
    if (s < 0 || s > 9000000000LL) {
      why = "a time in Unix seconds between 0 and 9e9, not " + describe(v);
      return std::nullopt;
    }
    return s * kNanosPerSecond;
  }
  if (v.type() == Type::kDouble) {
    double s = v.as_double();
    if (!(s >= 0 && s <= 9e9)) {
      why = "a time in Unix seconds between 0 and 9e9, not " + describe(v);
      return std::nullopt;
    }
    return static_cast<int64_t>(std::llround(s * 1000.0)) * 1000000;  // to the millisecond, as Prometheus
  }
  why = "a time is an RFC 3339 string or Unix seconds, not " + describe(v);
  return std::nullopt;
}

// An event count (`what` names it in messages): a number or a digit string, >= 0, at most
// `max`. On failure `why` and `code` say why.
std::optional<double> parse_count(Value v, const char* what, double max, std::string& why, ErrorCode& code) {
  double d;
  if (v.is_number()) {
    d = v.as_double();
  } else if (v.is_string() && !v.as_string().empty() &&
             v.as_string().find_first_not_of("0123456789") == std::string_view::npos && v.as_string().size() < 16) {
    d = static_cast<double>(std::strtoll(std::string(v.as_string()).c_str(), nullptr, 10));  // digit strings, as documents.md allows
  } else {
    why = std::string("\"") + what + "\" must be a number, not " + describe(v);
    code = ErrorCode::kWrongType;
    return std::nullopt;
  }
  if (!(d >= 0) || !std::isfinite(d)) {
    why = std::string("a negative count: \"") + what + "\" is " + describe(v);
    code = ErrorCode::kInvalidArgument;
    return std::nullopt;
  }
  if (d > max) {
    why = std::string("\"") + what + "\" is more than 10^15 events in one interval";
    code = ErrorCode::kLimitExceeded;
    return std::nullopt;
  }
  return d;
}

}  // namespace

const char* shape_name(Shape s) {
  switch (s) {
    case Shape::kNative: return "native";
    case Shape::kOpenSlo: return "openslo";
    case Shape::kSloth: return "sloth";
  }
  return "native";
}

std::vector<AlertRule> workbook_alerts() {
  auto make = [](const char* name, Severity sev, const char* lng, const char* shrt, double factor) {
    AlertRule a;
    a.name = name;
    a.severity = sev;
    a.long_text = lng;
    a.short_text = shrt;
    a.long_ns = *datetime::parse_duration(lng);
    a.short_ns = *datetime::parse_duration(shrt);
    a.factor = factor;
    return a;
  };
  return {make("page-1h", Severity::kPage, "1h", "5m", 14.4), make("page-6h", Severity::kPage, "6h", "30m", 6),
          make("ticket-1d", Severity::kTicket, "1d", "2h", 3), make("ticket-3d", Severity::kTicket, "3d", "6h", 1)};
}

double round6(double x) {
  if (!std::isfinite(x)) return 0;  // never reached for finite inputs; no NaN leaves the core
  if (std::fabs(x) >= 1e15) return x;  // no fraction to round at this size
  double r = std::round(x * 1e6) / 1e6;
  return r == 0 ? 0.0 : r;  // no "-0.0"
}

Series::Sums Series::sum(int64_t from, int64_t to) const {
  Sums s;
  if (to <= from) return s;
  size_t i = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), from) - t.begin());
  size_t j = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), to) - t.begin());
  if (j <= i) return s;
  s.good = cum_good[j] - cum_good[i];
  s.total = cum_total[j] - cum_total[i];
  s.samples = j - i;
  return s;
}

WindowSpan window_span(const SloDef& slo, int64_t now) {
  WindowSpan w;
  w.end = now;
  if (slo.calendar == Calendar::kNone) {
    w.length = slo.window_ns;
    w.start = now - slo.window_ns;
    return w;
  }
  int64_t day = floor_div(now, kDay);
  if (slo.calendar == Calendar::kWeek) {
    // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
    int64_t monday = day - ((day % 7 + 7 + 3) % 7);
    w.start = monday * kDay;
    w.length = 7 * kDay;
    return w;
  }
  datetime::CivilTime c = datetime::civil_from_nanos(now, 0);
  int64_t first = days_from_civil(c.year, static_cast<unsigned>(c.month), 1);
  int64_t next = c.month == 12 ? days_from_civil(c.year + 1, 1, 1) : days_from_civil(c.year, static_cast<unsigned>(c.month + 1), 1);
  w.start = first * kDay;
  w.length = (next - first) * kDay;
  return w;
}

// ---- reading ------------------------------------------------------------------------------

struct InputReader::Doc {
  std::string_view text;
  size_t offset = 0;  // of `text` in the input
  size_t line = 1;    // line of `text`'s first byte
  bool ndjson = false;
  std::unique_ptr<policy::JsonSource> src;  // parsed on the first error only
};

InputReader::InputReader(DocumentReader& reader, std::string source, const std::vector<AlertRule>& alerts, ReadLimits limits)
    : reader_(reader), source_(std::move(source)), alerts_(alerts), limits_(limits) {}

void InputReader::count_error() {
  // Errors in SLI data count against their SLO (samples without "slo": the only one).
  if (!in_data_) return;
  auto it = slo_index_.find(current_slo_);
  if (it != slo_index_.end()) ++slo_errors_[it->second];
  else if (current_slo_.empty() && slos_.size() == 1) ++slo_errors_[0];
}

void InputReader::fail_plain(std::string message, ErrorCode code) {
  count_error();
  if (errors_.size() >= limits_.max_errors) {
    ++suppressed_;
    return;
  }
  Error e(code, std::move(message));
  e.source = source_;
  errors_.push_back(std::move(e));
}

void InputReader::fail(Doc& doc, const std::string& ptr, std::string message, ErrorCode code) {
  count_error();
  if (errors_.size() >= limits_.max_errors) {
    ++suppressed_;
    return;
  }
  // The error path: re-read the document with positions (nlohmann, once per document).
  if (!doc.src) {
    auto parsed = policy::JsonSource::parse(doc.text, source_);
    if (parsed.ok()) doc.src = std::make_unique<policy::JsonSource>(std::move(parsed).value());
  }
  Error e(code, std::move(message));
  if (doc.src) {
    e = doc.src->error_at(ptr, code, e.message);
    e.offset += static_cast<int64_t>(doc.offset);
    e.line += static_cast<int64_t>(doc.line) - 1;
  } else {
    e.offset = static_cast<int64_t>(doc.offset);
    e.line = static_cast<int64_t>(doc.line);
    e.column = 1;
  }
  e.source = source_;
  errors_.push_back(std::move(e));
}

void InputReader::read(std::string_view input) {
  size_t start = 0;
  while (start < input.size() && (input[start] == ' ' || input[start] == '\n' || input[start] == '\r' || input[start] == '\t')) ++start;
  if (start == input.size()) {
    Error e(ErrorCode::kEmptyInput, "the input is empty: expected SLO definitions and SLI data (JSON or NDJSON)");
    e.source = source_;
    errors_.push_back(std::move(e));
    return;
  }
  // Broken documents: the reader already placed them in the whole input.
  auto bad_document = [&](const Error& err) {
    Error e = err;
    e.source = source_;
    if (errors_.size() < limits_.max_errors) errors_.push_back(std::move(e));
    else ++suppressed_;
  };
  if (reader_.is_ndjson(input)) {
    reader_.read_ndjson(input, [&](const StreamItem& item) {
      if (item.error) {
        bad_document(*item.error);
        return true;
      }
      Doc doc;
      doc.text = input.substr(item.offset, item.length);
      doc.offset = item.offset;
      doc.line = item.line;
      doc.ndjson = true;
      read_item(doc, item.document->root(), "", true);
      return true;
    });
    resolve(input);
    return;
  }
  auto parsed = reader_.read(input);
  if (!parsed.ok()) {
    bad_document(parsed.error());
    return;
  }
  Doc doc;
  doc.text = input;
  read_item(doc, parsed.value().root(), "", true);
  resolve(input);
}

void InputReader::read_item(Doc& doc, Value v, const std::string& ptr, bool top) {
  (void)top;
  current_slo_.clear();
  in_data_ = false;
  if (v.is_array()) {
    // A list of items (the command line joins several files into one); nested lists are
    // read the same way.
    size_t i = 0;
    v.for_each_item([&](Value item) {
      read_item(doc, item, pointer_join(ptr, i++), false);
      return true;
    });
    return;
  }
  if (!v.is_object()) {
    fail(doc, ptr, "expected an SLO definition or SLI data (an object), not " + describe(v));
    return;
  }
  std::string_view api = v["apiVersion"].as_string();
  if (api.substr(0, 8) == "openslo/") return read_openslo(doc, v, ptr);
  if (api.substr(0, 15) == "sloth.slok.dev/") {
    if (api != "sloth.slok.dev/v1") {
      fail(doc, pointer_join(ptr, "apiVersion"), "only Sloth's apiVersion sloth.slok.dev/v1 is read, not \"" + std::string(api) + "\"");
      return;
    }
    std::string_view k = v["kind"].as_string();
    if (k == "PrometheusServiceLevel") {
      if (!v["spec"].is_object()) {
        fail(doc, ptr, "a PrometheusServiceLevel needs \"spec\"");
        return;
      }
      return read_sloth(doc, v["spec"], pointer_join(ptr, "spec"), true);
    }
    if (k == "AlertWindows") return read_sloth_windows(doc, v, ptr);
    fail(doc, v["kind"].exists() ? pointer_join(ptr, "kind") : ptr,
         "a Sloth document of kind PrometheusServiceLevel (SLOs) or AlertWindows (the SLO period and alert windows), not \"" + std::string(k) + "\"");
    return;
  }
  if (v["version"].as_string() == "prometheus/v1") return read_sloth(doc, v, ptr, false);
  std::string_view kind = v["kind"].as_string();
  if (kind == "slo") return read_native_slo(doc, v, ptr);
  if (v["response"].exists()) return read_prometheus(doc, v, ptr);
  if (v["status"].is_string() && v["data"]["resultType"].exists()) {
    fail(doc, ptr,
         "a raw Prometheus query_range response: say which SLO and series it counts (verdict budget --series SLO:total=FILE, "
         "or wrap it as {\"slo\", \"series\": \"good\"|\"bad\"|\"total\", \"type\", \"response\"})");
    return;
  }
  if (kind == "sli" || v["t"].exists() || v["time"].exists() || v["timestamp"].exists() || v["ts"].exists())
    return add_sample(doc, v, ptr);
  if (v["start"].exists() && v["step"].exists()) return read_series(doc, v, ptr);
  if (!v["version"].exists() && (v["slos"].exists() || v["data"].exists())) {
    // A bundle: {"slos": [definitions], "data": [samples, series, Prometheus responses]}.
    bool bad_key = false;
    v.for_each_member([&](std::string_view k, Value) {
      if (k != "slos" && k != "data" && k != "description") {
        fail(doc, pointer_join(ptr, k), "unknown key \"" + std::string(k) + "\" in a budget input (expected slos, data, description)");
        bad_key = true;
      }
      return true;
    });
    (void)bad_key;
    for (const char* part : {"slos", "data"}) {
      Value list = v[part];
      if (!list.exists()) continue;
      std::string lp = pointer_join(ptr, part);
      if (!list.is_array()) {
        fail(doc, lp, std::string("\"") + part + "\" must be an array");
        continue;
      }
      size_t i = 0;
      list.for_each_item([&](Value item) {
        read_item(doc, item, pointer_join(lp, i++), false);
        return true;
      });
    }
    return;
  }
  fail(doc, ptr,
       "not an SLO definition or SLI data: expected a native SLO (\"kind\": \"slo\"), an OpenSLO v1 SLO, a Sloth "
       "prometheus/v1 spec or sloth.slok.dev/v1 PrometheusServiceLevel, a sample (\"t\"), a series (\"start\", \"step\") or a Prometheus response (\"response\")");
}

// A page alert that cannot fire: the largest burn rate (every event bad) is 1 / budget.
static void alert_warnings(SloDef& def, const std::vector<AlertRule>& rules) {
  const double max_burn = 1.0 / def.budget;
  for (const AlertRule& a : rules) {
    int64_t len = def.calendar == Calendar::kWeek ? 7 * kDay : def.calendar == Calendar::kMonth ? 30 * kDay : def.window_ns;
    double f = a.factor_for(len);
    if (a.severity == Severity::kPage && f >= max_burn) {
      std::string fs, ms;
      append_json_double(fs, round6(f));
      append_json_double(ms, round6(max_burn));
      def.warnings.push_back("the page alert \"" + a.name + "\" can never fire: its burn-rate factor " + fs +
                             " is not below the largest possible burn rate " + ms + " (every event bad)");
    }
  }
}

bool InputReader::parse_window(std::string_view text, SloDef& def, std::string& why) const {
  def.window_text = std::string(text);
  if (text == "week" || text == "1w-calendar") {
    def.calendar = Calendar::kWeek;
    return true;
  }
  if (text == "month" || text == "1M") {
    def.calendar = Calendar::kMonth;
    def.window_text = "month";
    return true;
  }
  auto d = datetime::parse_duration(text, &why);
  if (!d) return false;
  if (*d <= 0) {
    why = "a window is a positive duration";
    return false;
  }
  def.window_ns = *d;
  return true;
}

void InputReader::add_slo(Doc& doc, SloDef def, const std::string& ptr, const std::string& objective_ptr, const std::string& window_ptr) {
  bool ok = true;
  if (def.name.empty()) {
    fail(doc, ptr, "an SLO needs a name");
    ok = false;
  }
  if (!(def.objective > 0 && def.objective < 100) || !(def.budget > 0 && def.budget < 1)) {
    fail(doc, objective_ptr,
         def.objective == 100 ? "an objective of 100% leaves no error budget: objectives are between 0 and 100, exclusive"
                              : "an objective is a percentage between 0 and 100, exclusive",
         ErrorCode::kInvalidArgument);
    ok = false;
  }
  int64_t shortest = def.calendar == Calendar::kWeek ? 7 * kDay : def.calendar == Calendar::kMonth ? 28 * kDay : def.window_ns;
  for (const AlertRule& a : alerts_) {
    if (a.long_ns > shortest) {
      fail(doc, window_ptr,
           "the window " + def.window_text + " is shorter than the long window " + a.long_text + " of the alert \"" + a.name + "\"",
           ErrorCode::kInvalidArgument);
      ok = false;
      break;
    }
  }
  if (slo_index_.count(def.name)) {
    fail(doc, ptr, "another SLO is already named \"" + def.name + "\"", ErrorCode::kDuplicateKey);
    ok = false;
  }
  if (!ok) return;
  alert_warnings(def, alerts_);
  slo_index_[def.name] = slos_.size();
  slos_.push_back(std::move(def));
  slo_errors_.push_back(0);
}

void InputReader::read_native_slo(Doc& doc, Value v, const std::string& ptr) {
  SloDef def;
  def.shape = Shape::kNative;
  bool ok = true;
  v.for_each_member([&](std::string_view k, Value) {
    static const char* allowed[] = {"kind", "name", "service", "description", "objective", "window", "sli", "labels"};
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) {
      fail(doc, pointer_join(ptr, k), "unknown key \"" + std::string(k) + "\" in an SLO (expected kind, name, service, description, objective, window, sli, labels)");
      ok = false;
    }
    return true;
  });
  auto str = [&](const char* key, std::string& out, bool required) {
    Value x = v[key];
    if (!x.exists()) {
      if (required) { fail(doc, ptr, std::string("an SLO needs \"") + key + "\""); ok = false; }
      return;
    }
    if (!x.is_string()) { fail(doc, pointer_join(ptr, key), std::string("\"") + key + "\" must be a string"); ok = false; return; }
    out = std::string(x.as_string());
  };
  str("name", def.name, true);
  str("service", def.service, true);
  str("description", def.description, false);
  Value obj = v["objective"];
  if (!obj.is_number()) {
    fail(doc, obj.exists() ? pointer_join(ptr, "objective") : ptr, "an SLO needs \"objective\", a percentage such as 99.9");
    ok = false;
  } else {
    def.objective = obj.as_double();
    def.budget = 1.0 - def.objective / 100.0;
  }
  std::string window;
  str("window", window, true);
  std::string why;
  if (!window.empty() && !parse_window(window, def, why)) {
    fail(doc, pointer_join(ptr, "window"), "invalid window \"" + window + "\": " + why + " (a duration such as 30d, or week or month)");
    ok = false;
  }
  Value sli = v["sli"];
  if (sli.exists()) {
    std::string sp = pointer_join(ptr, "sli");
    std::string_view type = sli["type"].as_string("ratio");
    if (!sli.is_object()) {
      fail(doc, sp, "\"sli\" is an object: {\"type\": \"ratio\"} or {\"type\": \"latency\", \"threshold\": 0.3}");
      ok = false;
    } else if (type == "latency") {
      def.latency = true;
      Value th = sli["threshold"];
      if (!th.is_number() || th.as_double() < 0) {
        fail(doc, th.exists() ? pointer_join(sp, "threshold") : sp, "a latency SLI needs \"threshold\", a number >= 0 in the unit of the samples");
        ok = false;
      } else {
        def.threshold = th.as_double();
      }
    } else if (type != "ratio") {
      fail(doc, pointer_join(sp, "type"), "the SLI type is \"ratio\" (good or bad events of a total) or \"latency\"");
      ok = false;
    }
  }
  if (!ok) return;
  add_slo(doc, std::move(def), ptr, pointer_join(ptr, "objective"), pointer_join(ptr, "window"));
}

void InputReader::read_openslo(Doc& doc, Value v, const std::string& ptr) {
  if (v["apiVersion"].as_string() != "openslo/v1") {
    fail(doc, pointer_join(ptr, "apiVersion"), "only OpenSLO apiVersion openslo/v1 is read");
    return;
  }
  std::string_view kind = v["kind"].as_string();
  if (kind == "SLO") return read_openslo_slo(doc, v, ptr);
  if (kind == "SLI") return read_openslo_sli(doc, v, ptr);
  std::string name(v["metadata"]["name"].as_string());
  if (kind == "Service") {
    // Read: a service's SLOs name it in spec.service; it carries nothing the budget uses.
    if (name.empty()) fail(doc, ptr, "an OpenSLO Service needs metadata.name");
    return;
  }
  if (kind == "AlertPolicy" || kind == "AlertCondition" || kind == "AlertNotificationTarget" || kind == "DataSource") {
    notes_.push_back("OpenSLO " + std::string(kind) + " \"" + name + "\" skipped: " +
                     (kind == "DataSource" ? std::string("the SLI data is given as input, not queried")
                                           : std::string("burn-rate alerts come from the ErrorBudget policy")));
    return;
  }
  fail(doc, v["kind"].exists() ? pointer_join(ptr, "kind") : ptr,
       "not an OpenSLO v1 kind: \"" + std::string(kind) + "\" (SLO, SLI, Service, AlertPolicy, AlertCondition, AlertNotificationTarget, DataSource)");
}

std::optional<bool> InputReader::read_indicator(Doc& doc, Value ind, const std::string& ip) {
  Value ratio = ind["ratioMetric"];
  if (ratio.is_object()) {
    if (!ratio["total"].exists() || !(ratio["good"].exists() || ratio["bad"].exists())) {
      fail(doc, pointer_join(ip, "ratioMetric"), "a ratioMetric needs total and one of good or bad");
      return std::nullopt;
    }
    if (ratio["rawType"].exists()) {
      fail(doc, pointer_join(ip, "ratioMetric"), "a raw ratio (rawType) is an average of ratios: give good or bad and total event counts");
      return std::nullopt;
    }
    return false;
  }
  if (ind["thresholdMetric"].is_object()) return true;
  fail(doc, ip, "the indicator needs a ratioMetric (good or bad, and total) or a thresholdMetric");
  return std::nullopt;
}

void InputReader::read_openslo_sli(Doc& doc, Value v, const std::string& ptr) {
  std::string name(v["metadata"]["name"].as_string());
  if (name.empty()) {
    fail(doc, ptr, "an OpenSLO SLI needs metadata.name");
    return;
  }
  std::string ip = pointer_join(ptr, "spec");
  if (!v["spec"].is_object()) {
    fail(doc, ptr, "an OpenSLO SLI needs \"spec\"");
    return;
  }
  auto latency = read_indicator(doc, v["spec"], ip);
  if (!latency) return;
  if (!openslo_slis_.emplace(name, *latency).second) fail(doc, pointer_join(pointer_join(ptr, "metadata"), "name"), "another OpenSLO SLI is already named \"" + name + "\"", ErrorCode::kDuplicateKey);
}

void InputReader::read_openslo_slo(Doc& doc, Value v, const std::string& ptr) {
  SloDef def;
  def.shape = Shape::kOpenSlo;
  def.name = std::string(v["metadata"]["name"].as_string());
  Value spec = v["spec"];
  std::string sp = pointer_join(ptr, "spec");
  if (!spec.is_object()) {
    fail(doc, ptr, "an OpenSLO SLO needs \"spec\"");
    return;
  }
  def.service = std::string(spec["service"].as_string());
  def.description = std::string(spec["description"].as_string());
  if (def.service.empty()) {
    fail(doc, sp, "an OpenSLO SLO needs \"spec.service\"");
    return;
  }
  std::string_view method = spec["budgetingMethod"].as_string();
  if (method == "Timeslices") def.budgeting = Budgeting::kTimeslices;
  else if (method == "RatioTimeslices") def.budgeting = Budgeting::kRatioTimeslices;
  else if (method != "Occurrences") {
    fail(doc, spec["budgetingMethod"].exists() ? pointer_join(sp, "budgetingMethod") : sp,
         "budgetingMethod is Occurrences, Timeslices or RatioTimeslices, not \"" + std::string(method) + "\"");
    return;
  }
  Value objectives = spec["objectives"];
  std::string op = pointer_join(sp, "objectives");
  if (!objectives.is_array() || objectives.size() != 1) {
    fail(doc, objectives.exists() ? op : sp, "exactly one objective per OpenSLO SLO is read (spec.objectives with one item)");
    return;
  }
  Value o = objectives.at(0);
  OpenSloObjective obj;
  obj.ptr = ptr;
  obj.item_ptr = pointer_join(op, 0);
  obj.objective_ptr = pointer_join(obj.item_ptr, "target");
  if (o["target"].is_number()) {
    double target = o["target"].as_double();
    def.budget = 1.0 - target;
    def.objective = round6(target * 100.0);
    if (!(target > 0 && target < 1)) def.objective = target >= 1 ? 100 : 0;
  } else if (o["targetPercent"].is_number()) {
    obj.objective_ptr = pointer_join(obj.item_ptr, "targetPercent");
    def.objective = o["targetPercent"].as_double();
    def.budget = 1.0 - def.objective / 100.0;
  } else {
    fail(doc, obj.item_ptr, "an objective needs \"target\" (a fraction such as 0.999) or \"targetPercent\"");
    return;
  }
  if (def.budgeting != Budgeting::kOccurrences) {
    // The slice: timeSliceWindow (both methods); Timeslices also needs timeSliceTarget.
    Value sw = o["timeSliceWindow"];
    std::string why;
    auto len = sw.is_string() ? datetime::parse_duration(sw.as_string(), &why) : std::nullopt;
    if (!len || *len <= 0) {
      fail(doc, sw.exists() ? pointer_join(obj.item_ptr, "timeSliceWindow") : obj.item_ptr,
           std::string(method) + " budgeting needs the objective's timeSliceWindow, a positive duration such as 1m");
      return;
    }
    def.slice_ns = *len;
    def.slice_text = std::string(sw.as_string());
    if (def.budgeting == Budgeting::kTimeslices) {
      Value st = o["timeSliceTarget"];
      if (!st.is_number() || !(st.as_double() > 0 && st.as_double() <= 1)) {
        fail(doc, st.exists() ? pointer_join(obj.item_ptr, "timeSliceTarget") : obj.item_ptr,
             "Timeslices budgeting needs the objective's timeSliceTarget, the fraction of good events that makes a slice good (above 0, at most 1)",
             st.exists() ? ErrorCode::kInvalidArgument : ErrorCode::kWrongType);
        return;
      }
      def.slice_target = st.as_double();
    }
  }
  obj.has_op = o["op"].is_string();
  obj.op = std::string(o["op"].as_string());
  obj.has_value = o["value"].is_number();
  obj.value = o["value"].as_double(0);
  Value tw = spec["timeWindow"];
  std::string twp = pointer_join(sp, "timeWindow");
  if (!tw.is_array() || tw.size() != 1 || !tw.at(0)["duration"].is_string()) {
    fail(doc, tw.exists() ? twp : sp, "an OpenSLO SLO needs spec.timeWindow: one item with a duration");
    return;
  }
  Value w = tw.at(0);
  std::string duration(w["duration"].as_string());
  std::string why;
  bool rolling = w["isRolling"].as_bool(false);
  obj.window_ptr = pointer_join(pointer_join(twp, 0), "duration");
  if (!rolling) {
    if (duration == "1w") duration = "week";
    else if (duration == "1M") duration = "month";
    else {
      fail(doc, obj.window_ptr, "a calendar window (isRolling false) is 1w or 1M, not \"" + duration + "\"");
      return;
    }
  }
  if (!parse_window(duration, def, why)) {
    fail(doc, obj.window_ptr, "invalid window \"" + duration + "\": " + why);
    return;
  }
  if (def.slice_ns > 0 && def.window_ns > 0 && def.slice_ns > def.window_ns) {
    fail(doc, pointer_join(obj.item_ptr, "timeSliceWindow"), "the time slice " + def.slice_text + " is longer than the window " + def.window_text,
         ErrorCode::kInvalidArgument);
    return;
  }
  if (def.name.empty()) {
    fail(doc, ptr, "an OpenSLO SLO needs metadata.name");
    return;
  }
  if (spec["alertPolicies"].is_array() && spec["alertPolicies"].size() > 0)
    notes_.push_back("the alertPolicies of OpenSLO SLO \"" + def.name + "\" are not read: burn-rate alerts come from the ErrorBudget policy");
  // The indicator: inline (spec.indicator), or an SLI document named by spec.indicatorRef,
  // which may come anywhere in the input (resolved once it is all read).
  Value ind = spec["indicator"]["spec"];
  if (ind.is_object()) {
    auto latency = read_indicator(doc, ind, pointer_join(pointer_join(sp, "indicator"), "spec"));
    if (latency) finish_openslo(doc, std::move(def), *latency, obj);
    return;
  }
  Value ref = spec["indicatorRef"];
  if (!ref.exists()) {
    fail(doc, sp, "an OpenSLO SLO needs spec.indicator (inline) or spec.indicatorRef (the name of an SLI document)");
    return;
  }
  std::string rp = pointer_join(sp, "indicatorRef");
  if (!ref.is_string() || ref.as_string().empty()) {
    fail(doc, rp, "spec.indicatorRef is the name of an OpenSLO SLI document (a string)");
    return;
  }
  WaitingSlo waiting;
  waiting.def = std::move(def);
  waiting.objective = std::move(obj);
  waiting.ref = std::string(ref.as_string());
  waiting.ref_ptr = rp;
  waiting.text = doc.text;
  waiting.offset = doc.offset;
  waiting.line = doc.line;
  waiting.ndjson = doc.ndjson;
  waiting_.push_back(std::move(waiting));
}

void InputReader::finish_openslo(Doc& doc, SloDef def, bool latency, const OpenSloObjective& o) {
  def.latency = latency;
  if (latency) {
    if (!o.has_value || (o.op != "lte" && o.op != "lt")) {
      fail(doc, o.item_ptr, "a thresholdMetric objective needs \"op\" (lte or lt) and a numeric \"value\" (the latency threshold)");
      return;
    }
    def.threshold = o.value;
    if (o.op == "lt") def.threshold = std::nextafter(def.threshold, -INFINITY);
  }
  add_slo(doc, std::move(def), o.ptr, o.objective_ptr, o.window_ptr);
}

void InputReader::resolve(std::string_view input) {
  (void)input;
  std::vector<WaitingSlo> waiting;
  waiting.swap(waiting_);
  for (WaitingSlo& w : waiting) {
    Doc doc;
    doc.text = w.text;
    doc.offset = w.offset;
    doc.line = w.line;
    doc.ndjson = w.ndjson;
    auto it = openslo_slis_.find(w.ref);
    if (it == openslo_slis_.end()) {
      fail(doc, w.ref_ptr, "spec.indicatorRef \"" + w.ref + "\" names no OpenSLO SLI document in the input");
      continue;
    }
    finish_openslo(doc, std::move(w.def), it->second, w.objective);
  }
  // A Sloth AlertWindows document sets the period and the alert windows of every Sloth SLO.
  if (have_sloth_windows_) {
    for (SloDef& def : slos_) {
      if (def.shape != Shape::kSloth) continue;
      std::string why;
      def.calendar = Calendar::kNone;
      parse_window(sloth_period_, def, why);  // checked when the AlertWindows was read
      def.own_alerts = true;
      def.alerts = sloth_rules_;
      def.warnings.clear();
      alert_warnings(def, def.alerts);
    }
  }
}

// Sloth's map[string]string (labels, annotations): into `out`, a key given again replacing
// its value in place (the alert's own labels over the alerting block's).
static bool read_string_map(Value m, std::vector<std::pair<std::string, std::string>>& out, std::string& bad_key) {
  bool ok = true;
  m.for_each_member([&](std::string_view k, Value x) {
    if (!x.is_string()) {
      bad_key = std::string(k);
      ok = false;
      return false;
    }
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& kv) { return kv.first == k; });
    if (it != out.end()) it->second = std::string(x.as_string());
    else out.emplace_back(std::string(k), std::string(x.as_string()));
    return true;
  });
  return ok;
}

bool InputReader::read_sloth_alerting(Doc& doc, Value a, const std::string& ap, bool crd, SlothAlerting& out) {
  if (!a.is_object()) {
    fail(doc, ap, "\"alerting\" is an object (name, labels, annotations, page and ticket alerts)");
    return false;
  }
  const char* page_key = crd ? "pageAlert" : "page_alert";
  const char* ticket_key = crd ? "ticketAlert" : "ticket_alert";
  bool ok = true;
  a.for_each_member([&](std::string_view k, Value) {
    if (k != "name" && k != "labels" && k != "annotations" && k != page_key && k != ticket_key) {
      fail(doc, pointer_join(ap, k), "unknown key \"" + std::string(k) + "\" in Sloth's alerting (expected name, labels, annotations, " + page_key + ", " + ticket_key + ")");
      ok = false;
    }
    return true;
  });
  if (a["name"].exists() && !a["name"].is_string()) {
    fail(doc, pointer_join(ap, "name"), "the alert name is a string");
    ok = false;
  }
  out.present = true;
  out.name = std::string(a["name"].as_string());
  std::vector<std::pair<std::string, std::string>> labels, annotations;
  std::string bad;
  for (auto [key, dest] : {std::pair<const char*, std::vector<std::pair<std::string, std::string>>*>{"labels", &labels}, {"annotations", &annotations}}) {
    Value m = a[key];
    if (!m.exists()) continue;
    if (!m.is_object() || !read_string_map(m, *dest, bad)) {
      fail(doc, m.is_object() ? pointer_join(pointer_join(ap, key), bad) : pointer_join(ap, key), std::string(key) + " map names to strings");
      ok = false;
    }
  }
  for (auto [key, alert] : {std::pair<const char*, SlothAlert*>{page_key, &out.page}, {ticket_key, &out.ticket}}) {
    alert->labels = labels;
    alert->annotations = annotations;
    Value x = a[key];
    if (!x.exists()) continue;
    std::string xp = pointer_join(ap, key);
    if (!x.is_object()) {
      fail(doc, xp, std::string("\"") + key + "\" is an object (disable, labels, annotations)");
      ok = false;
      continue;
    }
    x.for_each_member([&](std::string_view k, Value) {
      if (k != "disable" && k != "labels" && k != "annotations") {
        fail(doc, pointer_join(xp, k), "unknown key \"" + std::string(k) + "\" in a Sloth alert (expected disable, labels, annotations)");
        ok = false;
      }
      return true;
    });
    if (x["disable"].exists() && x["disable"].type() != Type::kBool) {
      fail(doc, pointer_join(xp, "disable"), "\"disable\" is true or false");
      ok = false;
    }
    alert->disabled = x["disable"].as_bool(false);
    for (auto [mk, dest] : {std::pair<const char*, std::vector<std::pair<std::string, std::string>>*>{"labels", &alert->labels}, {"annotations", &alert->annotations}}) {
      Value m = x[mk];
      if (!m.exists()) continue;
      if (!m.is_object() || !read_string_map(m, *dest, bad)) {
        fail(doc, m.is_object() ? pointer_join(pointer_join(xp, mk), bad) : pointer_join(xp, mk), std::string(mk) + " map names to strings");
        ok = false;
      }
    }
  }
  return ok;
}

void InputReader::read_sloth(Doc& doc, Value v, const std::string& ptr, bool crd) {
  std::string service(v["service"].as_string());
  if (service.empty()) {
    fail(doc, ptr, "a Sloth spec needs \"service\"");
    return;
  }
  Value slos = v["slos"];
  std::string lp = pointer_join(ptr, "slos");
  if (!slos.is_array() || slos.size() == 0) {
    fail(doc, slos.exists() ? lp : ptr, "a Sloth spec needs \"slos\", a list");
    return;
  }
  size_t i = 0;
  slos.for_each_item([&](Value s) {
    std::string p = pointer_join(lp, i++);
    SloDef def;
    def.shape = Shape::kSloth;
    def.service = service;
    std::string name(s["name"].as_string());
    if (name.empty()) {
      fail(doc, p, "a Sloth SLO needs \"name\"");
      return true;
    }
    def.name = service + "-" + name;  // Sloth's own SLO id
    def.description = std::string(s["description"].as_string());
    if (!s["objective"].is_number()) {
      fail(doc, s["objective"].exists() ? pointer_join(p, "objective") : p, "a Sloth SLO needs \"objective\", a percentage");
      return true;
    }
    def.objective = s["objective"].as_double();
    def.budget = 1.0 - def.objective / 100.0;
    Value sli = s["sli"];
    std::string slp = pointer_join(p, "sli");
    if (sli["raw"].exists()) {
      fail(doc, pointer_join(slp, "raw"), "a raw error-ratio SLI is an average of ratios: give events (" +
                                              std::string(crd ? "errorQuery and totalQuery" : "error_query and total_query") + ")");
      return true;
    }
    if (sli["plugin"].exists()) {
      fail(doc, pointer_join(slp, "plugin"), "Sloth SLI plugins are not read: give events (" +
                                                 std::string(crd ? "errorQuery and totalQuery" : "error_query and total_query") + ")");
      return true;
    }
    const char* error_key = crd ? "errorQuery" : "error_query";
    const char* total_key = crd ? "totalQuery" : "total_query";
    Value events = sli["events"];
    if (!events.is_object() || !events[error_key].is_string() || !events[total_key].is_string()) {
      fail(doc, events.is_object() ? pointer_join(slp, "events") : sli.exists() ? slp : p,
           std::string("a Sloth SLO needs sli.events with ") + error_key + " and " + total_key);
      return true;
    }
    if (s["alerting"].exists() && !read_sloth_alerting(doc, s["alerting"], pointer_join(p, "alerting"), crd, def.alerting)) return true;
    // Sloth's window is set outside the SLO: 30 days (its --default-slo-period), or the
    // sloPeriod of an AlertWindows document in the input (applied once all is read).
    std::string why;
    parse_window("30d", def, why);
    add_slo(doc, std::move(def), p, pointer_join(p, "objective"), p);
    return true;
  });
}

void InputReader::read_sloth_windows(Doc& doc, Value v, const std::string& ptr) {
  std::string sp = pointer_join(ptr, "spec");
  Value spec = v["spec"];
  if (have_sloth_windows_) {
    fail(doc, ptr, "a second Sloth AlertWindows document: give one (its sloPeriod and windows apply to every Sloth SLO of the input)", ErrorCode::kDuplicateKey);
    return;
  }
  if (!spec.is_object()) {
    fail(doc, ptr, "an AlertWindows document needs \"spec\" (sloPeriod, page, ticket)");
    return;
  }
  SloDef probe;
  std::string why;
  std::string period(spec["sloPeriod"].as_string());
  if (!spec["sloPeriod"].is_string() || !parse_window(period, probe, why) || probe.calendar != Calendar::kNone) {
    fail(doc, spec["sloPeriod"].exists() ? pointer_join(sp, "sloPeriod") : sp, "sloPeriod is the SLO period, a duration such as 30d" + (why.empty() ? std::string() : ": " + why));
    return;
  }
  std::vector<AlertRule> rules;
  bool ok = true;
  for (const char* sev : {"page", "ticket"}) {
    for (const char* speed : {"quick", "slow"}) {
      Value w = spec[sev][speed];
      std::string wp = pointer_join(pointer_join(sp, sev), speed);
      AlertRule r;
      r.name = std::string(sev) + "-" + speed;
      r.severity = std::string_view(sev) == "page" ? Severity::kPage : Severity::kTicket;
      r.by_percent = true;
      if (!w.is_object()) {
        fail(doc, spec[sev].is_object() ? pointer_join(sp, sev) : sp, std::string("AlertWindows needs ") + sev + "." + speed + " (errorBudgetPercent, shortWindow, longWindow)");
        ok = false;
        continue;
      }
      Value pct = w["errorBudgetPercent"];
      if (!pct.is_number() || !(pct.as_double() > 0 && pct.as_double() <= 100)) {
        fail(doc, pct.exists() ? pointer_join(wp, "errorBudgetPercent") : wp, "errorBudgetPercent is a percentage of the error budget, above 0 and at most 100", ErrorCode::kInvalidArgument);
        ok = false;
        continue;
      }
      r.budget_percent = pct.as_double();
      for (auto [key, ns, text] : {std::tuple<const char*, int64_t*, std::string*>{"longWindow", &r.long_ns, &r.long_text}, {"shortWindow", &r.short_ns, &r.short_text}}) {
        std::string d(w[key].as_string());
        std::string dwhy;
        auto len = datetime::parse_duration(d, &dwhy);
        if (!w[key].is_string() || !len || *len <= 0) {
          fail(doc, w[key].exists() ? pointer_join(wp, key) : wp, std::string(key) + " is a positive duration such as 1h");
          ok = false;
          continue;
        }
        *ns = *len;
        *text = d;
      }
      if (!ok) continue;
      if (r.short_ns > r.long_ns || r.long_ns > probe.window_ns) {
        fail(doc, pointer_join(wp, "longWindow"), "the windows of " + r.name + " must satisfy shortWindow <= longWindow <= sloPeriod", ErrorCode::kInvalidArgument);
        ok = false;
        continue;
      }
      rules.push_back(std::move(r));
    }
  }
  if (!ok) return;
  have_sloth_windows_ = true;
  sloth_period_ = period;
  sloth_rules_ = std::move(rules);
}

std::optional<int64_t> InputReader::read_time(Doc& doc, Value v, const std::string& ptr) {
  std::string why;
  auto t = parse_time(v, why);
  if (!t) fail(doc, ptr, std::move(why));
  return t;
}

std::optional<double> InputReader::read_count(Doc& doc, Value v, const std::string& ptr, const char* what) {
  std::string why;
  ErrorCode code = ErrorCode::kWrongType;
  auto d = parse_count(v, what, limits_.max_count, why, code);
  if (!d) fail(doc, ptr, std::move(why), code);
  return d;
}

InputReader::Pending& InputReader::pending_for(Doc& doc, std::string_view slo, const std::string& ptr) {
  auto it = pending_.find(std::string(slo));
  if (it != pending_.end()) return it->second;
  Pending& p = pending_[std::string(slo)];
  pending_order_.emplace_back(slo);
  // Where the name was first used, for "no SLO of that name" after reading everything:
  // the line (NDJSON) and the JSON pointer, without re-reading the document.
  p.first_use.source = source_;
  p.first_use.line = static_cast<int64_t>(doc.line);
  p.first_use.column = doc.ndjson ? 1 : 0;
  p.first_use.offset = static_cast<int64_t>(doc.offset);
  p.first_use.message = ptr.empty() ? "" : " (at " + ptr + ")";
  p.use_text = doc.text;
  p.use_offset = doc.offset;
  p.use_line = doc.line;
  p.use_ptr = ptr;
  return p;
}

Error InputReader::located_first_use(const Pending& p) const {
  Error e = p.first_use;
  if (!p.use_text.empty()) {
    auto parsed = policy::JsonSource::parse(p.use_text, source_);
    if (parsed.ok()) {
      Error at = parsed.value().error_at(p.use_ptr, e.code, e.message);
      e.offset = at.offset + static_cast<int64_t>(p.use_offset);
      e.line = at.line + static_cast<int64_t>(p.use_line) - 1;
      e.column = at.column;
    }
  }
  e.source = source_;
  return e;
}

void InputReader::fail_series(const Pending& p, uint32_t line, std::string message, ErrorCode code) {
  count_error();
  if (errors_.size() >= limits_.max_errors) {
    ++suppressed_;
    return;
  }
  Error e;
  if (line > 0) {
    e.source = source_;
    e.line = line;
    e.column = 1;
  } else {
    e = located_first_use(p);
  }
  e.code = code;
  e.message = std::move(message);
  errors_.push_back(std::move(e));
}

bool InputReader::room_for(Doc& doc, size_t n, const std::string& ptr) {
  if (!over_limit_ && samples_ + n <= limits_.max_samples) {
    samples_ += n;
    return true;
  }
  if (!over_limit_) {
    over_limit_ = true;
    fail(doc, ptr, "more than " + std::to_string(limits_.max_samples) + " samples in one evaluation: this one and the rest are not read",
         ErrorCode::kLimitExceeded);
  }
  return false;
}

void InputReader::add_entry(Pending& p, const Entry& e) {
  if (!p.entries.empty() && e.t < p.entries.back().t) p.sorted = false;
  p.entries.push_back(e);
}

bool read_sample(Value v, Sample& out, std::vector<SampleProblem>& problems, const ReadLimits& limits) {
  out.slo = out.time_key = {};
  out.t = 0;
  out.latency = false;
  out.good = out.total = 0;
  out.latencies.clear();  // keeps its memory (InputReader reuses one Sample)
  problems.clear();
  bool named = false;
  auto problem = [&](std::string pointer, std::string message, ErrorCode code = ErrorCode::kWrongType) {
    problems.push_back({std::move(pointer), std::move(message), code, named});
  };
  // The members in one pass (a sample is the hot path of an NDJSON stream): the first of a
  // name counts, as a look-up by name would find it.
  static const char* const kTimeKeys[] = {"t", "time", "timestamp", "ts"};  // in this order of precedence
  struct Members {
    Value slo, time[4], latency, good, bad, total;
    std::vector<std::string_view> unknown;
  } m;
  v.for_each_member([&m](std::string_view k, Value x) {
    Value* slot = k == "slo" ? &m.slo : k == "good" ? &m.good : k == "total" ? &m.total : k == "bad" ? &m.bad
                : k == "latency" ? &m.latency : nullptr;
    for (size_t i = 0; i < 4 && !slot; ++i)
      if (k == kTimeKeys[i]) slot = &m.time[i];
    if (slot) {
      if (!slot->exists()) *slot = x;
    } else if (k != "kind") {
      m.unknown.push_back(k);
    }
    return true;
  });
  bool ok = m.unknown.empty();
  for (std::string_view k : m.unknown)
    problem(pointer_join("", k), "unknown key \"" + std::string(k) + "\" in a sample (expected kind, slo, t (or time, timestamp, ts), good, bad, total, latency)");
  if (m.slo.exists() && !m.slo.is_string()) {
    problem("/slo", "\"slo\" names an SLO (a string)");
    return false;
  }
  out.slo = m.slo.as_string();
  named = true;
  size_t ti = 0;
  while (ti < 4 && !m.time[ti].exists()) ++ti;
  out.time_key = kTimeKeys[ti < 4 ? ti : 0];
  if (ti == 4) {
    problem("", "a sample needs its time: \"t\" (or \"timestamp\"), RFC 3339 or Unix seconds");
    return false;
  }
  std::string why;
  ErrorCode code = ErrorCode::kWrongType;
  auto t = parse_time(m.time[ti], why);
  if (!t) problem(pointer_join("", out.time_key), why);
  if (!t || !ok) return false;
  out.t = *t;
  Value lat = m.latency;
  if (lat.exists()) {
    if (m.good.exists() || m.bad.exists() || m.total.exists()) {
      problem("", "a sample has latencies or counts (good, bad, total), not both");
      return false;
    }
    out.latency = true;
    if (lat.is_array()) {
      size_t i = 0;
      lat.for_each_item([&](Value x) {
        auto d = parse_count(x, "latency", limits.max_count, why, code);
        if (d) {
          out.latencies.push_back(*d);
        } else {
          problem(pointer_join("/latency", i), why, code);
          ok = false;
        }
        ++i;
        return true;
      });
    } else if (auto d = parse_count(lat, "latency", limits.max_count, why, code)) {
      out.latencies.push_back(*d);
    } else {
      problem("/latency", why, code);
      ok = false;
    }
    out.total = static_cast<double>(out.latencies.size());
    return ok;
  }
  Value good = m.good, bad = m.bad, total = m.total;
  if (good.exists() + bad.exists() + total.exists() < 2) {
    problem("", "a sample needs two of \"good\", \"bad\" and \"total\" (or \"latency\")");
    return false;
  }
  std::optional<double> tot, g, b;
  auto count = [&](Value x, const char* key, std::optional<double>& into) {
    if (!x.exists()) return;
    into = parse_count(x, key, limits.max_count, why, code);
    if (!into) problem(pointer_join("", key), why, code);
  };
  count(total, "total", tot);
  count(good, "good", g);
  count(bad, "bad", b);
  if ((total.exists() && !tot) || (good.exists() && !g) || (bad.exists() && !b)) return false;
  if (!tot) tot = *g + *b;
  if (g && *g > *tot) {
    problem("/good", "good events (" + describe(good) + ") exceed the total (" + describe(total) + ")", ErrorCode::kInvalidArgument);
    return false;
  }
  if (b && *b > *tot) {
    problem("/bad", "bad events (" + describe(bad) + ") exceed the total (" + describe(total) + ")", ErrorCode::kInvalidArgument);
    return false;
  }
  if (g && b && *g + *b != *tot) {
    problem("", "good + bad is not the total", ErrorCode::kInvalidArgument);
    return false;
  }
  out.total = *tot;
  out.good = g ? *g : *tot - *b;
  return true;
}

void InputReader::add_sample(Doc& doc, Value v, const std::string& ptr) {
  in_data_ = true;
  thread_local Sample sample;
  thread_local std::vector<SampleProblem> problems;
  const bool ok = read_sample(v, sample, problems, limits_);
  for (SampleProblem& p : problems) {
    current_slo_ = p.named ? std::string(sample.slo) : std::string();
    fail(doc, ptr + p.pointer, std::move(p.message), p.code);
  }
  current_slo_ = std::string(sample.slo);
  if (!ok) return;
  Entry e{sample.t, 0, 0, 0, static_cast<uint32_t>(std::min<size_t>(doc.line, UINT32_MAX)), kNative};
  if (!doc.ndjson) e.line = 0;
  if (sample.latency) {
    if (!room_for(doc, sample.latencies.size(), ptr)) return;
    Pending& p = pending_for(doc, sample.slo, ptr);
    for (double x : sample.latencies) {
      Entry le = e;
      le.flags = kLatency | kNative;
      le.good = x;  // the latency itself until finish() knows the SLO's threshold
      le.total = 1;
      add_entry(p, le);
    }
    return;
  }
  if (!room_for(doc, 1, ptr)) return;
  e.total = sample.total;
  e.good = sample.good;
  e.flags |= kGood | kTotal;
  add_entry(pending_for(doc, sample.slo, ptr), e);
}

void InputReader::read_series(Doc& doc, Value v, const std::string& ptr) {
  in_data_ = true;
  bool ok = true;
  v.for_each_member([&](std::string_view k, Value) {
    static const char* allowed[] = {"slo", "start", "step", "count", "good", "bad", "total"};
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) {
      fail(doc, pointer_join(ptr, k), "unknown key \"" + std::string(k) + "\" in a series (expected slo, start, step, count, good or bad, total)");
      ok = false;
    }
    return true;
  });
  Value slo = v["slo"];
  if (slo.exists() && !slo.is_string()) {
    fail(doc, pointer_join(ptr, "slo"), "\"slo\" names an SLO (a string)");
    return;
  }
  current_slo_ = std::string(slo.as_string());
  auto start = read_time(doc, v["start"], pointer_join(ptr, "start"));
  std::string why;
  std::optional<int64_t> step;
  if (!v["step"].is_string() || !(step = datetime::parse_duration(v["step"].as_string(), &why)) || *step <= 0) {
    fail(doc, pointer_join(ptr, "step"), "\"step\" is a positive duration such as \"1m\"");
    ok = false;
  }
  Value total = v["total"], which = v["good"].exists() ? v["good"] : v["bad"];
  const bool is_good = v["good"].exists();
  const char* which_key = is_good ? "good" : "bad";
  if (!total.exists() || !which.exists() || (v["good"].exists() && v["bad"].exists())) {
    fail(doc, ptr, "a series needs \"total\" and one of \"good\" or \"bad\" (arrays, or numbers with \"count\")");
    return;
  }
  // The count: from "count", else from the arrays, which must agree.
  int64_t count = -1;
  if (v["count"].exists()) {
    if (v["count"].type() != Type::kInt || v["count"].as_int() < 0) {
      fail(doc, pointer_join(ptr, "count"), "\"count\" is a number of samples (an integer >= 0)");
      return;
    }
    count = v["count"].as_int();
  }
  for (auto [val, key] : {std::pair<Value, const char*>{total, "total"}, {which, which_key}}) {
    if (val.is_array()) {
      if (count >= 0 && static_cast<int64_t>(val.size()) != count) {
        fail(doc, pointer_join(ptr, key), "\"" + std::string(key) + "\" has " + std::to_string(val.size()) + " values, not " + std::to_string(count));
        return;
      }
      count = static_cast<int64_t>(val.size());
    } else if (!val.is_number()) {
      fail(doc, pointer_join(ptr, key), "\"" + std::string(key) + "\" is an array of counts, or one count for every sample");
      return;
    }
  }
  if (count < 0) {
    fail(doc, ptr, "a series of constant counts needs \"count\"");
    return;
  }
  if (!start || !ok) return;
  if (count > 0 && (INT64_MAX - *start) / *step < count) {
    fail(doc, pointer_join(ptr, "count"), "the series runs past the year 2262", ErrorCode::kInvalidArgument);
    return;
  }
  if (!room_for(doc, static_cast<size_t>(count), ptr)) return;
  // Values one by one: constants or arrays walked in step.
  std::vector<double> totals, others;
  auto load = [&](Value val, const char* key, std::vector<double>& out) {
    std::string kp = pointer_join(ptr, key);
    out.reserve(static_cast<size_t>(count));
    if (val.is_array()) {
      size_t i = 0;
      val.for_each_item([&](Value x) {
        if (x.is_number()) {
          double d = x.as_double();
          if (d >= 0 && d <= limits_.max_count) {
            out.push_back(d);
            ++i;
            return true;
          }
        }
        (void)read_count(doc, x, pointer_join(kp, i), key);
        out.push_back(0);
        ok = false;
        ++i;
        return true;
      });
    } else if (auto d = read_count(doc, val, kp, key)) {
      out.assign(static_cast<size_t>(count), *d);
    } else {
      ok = false;
    }
  };
  load(total, "total", totals);
  load(which, which_key, others);
  if (!ok) return;
  Pending& p = pending_for(doc, slo.as_string(), ptr);
  const uint32_t line = doc.ndjson ? static_cast<uint32_t>(std::min<size_t>(doc.line, UINT32_MAX)) : 0;
  // The hot loop of a long series: entries written in place (no push_back per point). Its
  // times rise with i (step > 0), so the entries stay sorted when the first is not before
  // the last one already there.
  const size_t before = p.entries.size();
  p.entries.resize(before + static_cast<size_t>(count));
  Entry* out = p.entries.data() + before;
  for (int64_t i = 0; i < count; ++i) {
    double tot = totals[static_cast<size_t>(i)], x = others[static_cast<size_t>(i)];
    if (x > tot) {
      fail(doc, pointer_join(pointer_join(ptr, which_key), static_cast<size_t>(i)),
           std::string(which_key) + " events (" + std::to_string(static_cast<int64_t>(x)) + ") exceed the total at sample " + std::to_string(i),
           ErrorCode::kInvalidArgument);
      continue;
    }
    *out++ = Entry{*start + i * *step, is_good ? x : tot - x, 0, tot, line, kNative | kGood | kTotal};
  }
  p.entries.resize(static_cast<size_t>(out - p.entries.data()));
  if (before > 0 && p.entries.size() > before && p.entries[before].t < p.entries[before - 1].t) p.sorted = false;
}

void InputReader::read_prometheus(Doc& doc, Value v, const std::string& ptr) {
  in_data_ = true;
  bool ok = true;
  v.for_each_member([&](std::string_view k, Value) {
    if (k != "slo" && k != "series" && k != "type" && k != "response") {
      fail(doc, pointer_join(ptr, k), "unknown key \"" + std::string(k) + "\" in a Prometheus SLI (expected slo, series, type, response)");
      ok = false;
    }
    return true;
  });
  Value slo = v["slo"];
  if (slo.exists() && !slo.is_string()) {
    fail(doc, pointer_join(ptr, "slo"), "\"slo\" names an SLO (a string)");
    return;
  }
  current_slo_ = std::string(slo.as_string());
  std::string_view series = v["series"].as_string();
  uint32_t flag = series == "good" ? kGood : series == "bad" ? kBad : series == "total" ? kTotal : 0;
  if (!flag) {
    fail(doc, v["series"].exists() ? pointer_join(ptr, "series") : ptr, "\"series\" says what the response counts: \"good\", \"bad\" or \"total\"");
    ok = false;
  }
  std::string_view type = v["type"].as_string();
  if (type != "counter" && type != "increase") {
    fail(doc, v["type"].exists() ? pointer_join(ptr, "type") : ptr,
         "\"type\" is \"counter\" (cumulative counters; resets are detected) or \"increase\" (events per interval)");
    ok = false;
  }
  const bool counter = type == "counter";
  Value resp = v["response"];
  std::string rp = pointer_join(ptr, "response");
  if (resp["status"].as_string() == "error") {
    fail(doc, pointer_join(rp, "status"), "the Prometheus query failed: " + std::string(resp["error"].as_string("(no message)")));
    return;
  }
  Value data = resp["data"];
  std::string dp = pointer_join(rp, "data");
  if (!data.is_object() || data["resultType"].as_string() != "matrix" || !data["result"].is_array()) {
    fail(doc, data.exists() ? dp : rp, "expected a query_range response: {\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [...]}}");
    return;
  }
  if (!ok) return;
  Pending& p = pending_for(doc, slo.as_string(), ptr);
  std::string resp_ptr = pointer_join(dp, "result");
  size_t si = 0;
  data["result"].for_each_item([&](Value s) {
    std::string sp = pointer_join(resp_ptr, si++);
    Value values = s["values"];
    if (!values.is_array()) {
      fail(doc, s.is_object() ? sp : sp, "a matrix series needs \"values\": [[unix_time, \"value\"], ...]");
      return true;
    }
    std::string vp = pointer_join(sp, "values");
    bool have_prev = false;
    double prev = 0;
    int64_t prev_t = 0;
    size_t i = 0;
    values.for_each_item([&](Value pair) {
      size_t idx = i++;
      if (!pair.is_array() || pair.size() != 2) {
        fail(doc, pointer_join(vp, idx), "a sample is [unix_time, \"value\"]");
        return true;
      }
      Value tv, xv;
      size_t k = 0;
      pair.for_each_item([&](Value x) {
        (k++ == 0 ? tv : xv) = x;
        return true;
      });
      std::string pp = pointer_join(vp, idx);
      auto t = read_time(doc, tv, pointer_join(pp, 0));
      if (!t) return true;
      double x;
      if (xv.is_string()) {
        std::string text(xv.as_string());
        if (!is_plain_number_text(text)) {
          fail(doc, pointer_join(pp, 1),
               "\"" + text + "\" is not a count (NaN and infinities are not event counts; a missing interval is a gap: leave it out)",
               ErrorCode::kInvalidArgument);
          return true;
        }
        char* end = nullptr;
        x = std::strtod(text.c_str(), &end);
        if (end != text.c_str() + text.size() || !std::isfinite(x)) {
          fail(doc, pointer_join(pp, 1), "\"" + text + "\" is not a count", ErrorCode::kInvalidArgument);
          return true;
        }
      } else if (xv.is_number()) {
        x = xv.as_double();
      } else {
        fail(doc, pointer_join(pp, 1), "a sample value is a number in a string, such as \"12\"");
        return true;
      }
      if (x < 0) {
        fail(doc, pointer_join(pp, 1), "a negative count (" + describe(xv) + ")", ErrorCode::kInvalidArgument);
        return true;
      }
      if (x > limits_.max_count) {
        fail(doc, pointer_join(pp, 1), "more than 10^15 events (" + describe(xv) + ")", ErrorCode::kLimitExceeded);
        return true;
      }
      if (have_prev && *t <= prev_t) {
        fail(doc, pointer_join(pp, 0),
             std::string(*t == prev_t ? "a duplicated timestamp" : "a timestamp out of order") + " in a Prometheus series (" +
                 datetime::format_rfc3339(*t) + " after " + datetime::format_rfc3339(prev_t) + ")",
             ErrorCode::kInvalidArgument);
        return true;
      }
      double inc = x;
      if (counter) {
        // The first point of a counter is its baseline; a drop is a reset, after which
        // the counter counted from zero (Prometheus' own rule).
        if (!have_prev) inc = -1;
        else inc = x >= prev ? x - prev : x;
      }
      have_prev = true;
      prev = x;
      prev_t = *t;
      if (inc < 0 || !room_for(doc, 1, pp)) return true;
      Entry e{*t, 0, 0, 0, 0, flag};
      (flag == kGood ? e.good : flag == kBad ? e.bad : e.total) = inc;
      add_entry(p, e);
      return true;
    });
    return true;
  });
}

// A series of events as a series of time slices (OpenSLO Timeslices, RatioTimeslices): one
// point per slice with events, at the slice's end (slices (k*L, (k+1)*L], L = slice_ns, so a
// sample counts in the slice its interval ends in), with total 1 and good 1 or 0 (the slice's
// ratio of good events against slice_target) or the ratio itself. Slices without events are
// left out, as intervals without traffic are: they neither spend nor earn budget. Every window
// then counts slices with the same prefix sums.
static Series to_slices(const Series& s, const SloDef& def) {
  Series out;
  const int64_t len = def.slice_ns;
  size_t i = 0;
  double cg = 0, ct = 0;
  while (i < s.size()) {
    // The slice holding s.t[i]: (k*len, (k+1)*len] with k = ceil(t / len) - 1.
    int64_t k = floor_div(s.t[i] - 1, len);
    int64_t end = k * len + len;
    size_t j = i;
    while (j < s.size() && s.t[j] <= end) ++j;
    double good = s.cum_good[j] - s.cum_good[i], total = s.cum_total[j] - s.cum_total[i];
    i = j;
    if (!(total > 0)) continue;
    double ratio = good / total;
    // Compared as shown (6 decimals), as alerts and thresholds are: 95 of 100 meets 0.95.
    double g = def.budgeting == Budgeting::kTimeslices ? (round6(ratio) >= round6(def.slice_target) ? 1.0 : 0.0) : ratio;
    cg += g;
    ct += 1;
    out.t.push_back(end);
    out.cum_good.push_back(cg);
    out.cum_total.push_back(ct);
  }
  return out;
}

void InputReader::finish() {
  // Samples that named no SLO belong to the only SLO.
  series_.assign(slos_.size(), Series{});
  for (const std::string& name : pending_order_) {
    Pending& p = pending_[name];
    size_t idx;
    if (name.empty()) {
      if (slos_.size() != 1) {
        Error e = located_first_use(p);
        e.code = ErrorCode::kNotFound;
        e.message = (slos_.empty() ? "SLI data but no SLO definition" : "SLI data without \"slo\": name the SLO (there are " + std::to_string(slos_.size()) + ")") + p.first_use.message;
        if (errors_.size() < limits_.max_errors) errors_.push_back(std::move(e));
        continue;
      }
      idx = 0;
    } else {
      auto it = slo_index_.find(name);
      if (it == slo_index_.end()) {
        Error e = located_first_use(p);
        e.code = ErrorCode::kNotFound;
        e.message = "SLI data for \"" + name + "\", but no SLO of that name is defined" + p.first_use.message;
        if (errors_.size() < limits_.max_errors) errors_.push_back(std::move(e));
        continue;
      }
      idx = it->second;
    }
    const SloDef& def = slos_[idx];
    current_slo_ = def.name;
    in_data_ = true;
    std::vector<Entry>& es = p.entries;
    if (!p.sorted) std::stable_sort(es.begin(), es.end(), [](const Entry& a, const Entry& b) { return a.t < b.t; });
    Series& s = series_[idx];
    std::vector<Entry> merged_from_other;  // entries of this name added to a series that had some already
    if (!s.t.empty()) {
      // Data under "" and under the SLO's name: combine (rare; keeps the rules simple).
      merged_from_other.reserve(s.t.size());
      for (size_t i = 0; i < s.t.size(); ++i)
        merged_from_other.push_back(Entry{s.t[i], s.cum_good[i + 1] - s.cum_good[i], 0, s.cum_total[i + 1] - s.cum_total[i], 0, kGood | kTotal | kNative});
      es.insert(es.end(), merged_from_other.begin(), merged_from_other.end());
      std::stable_sort(es.begin(), es.end(), [](const Entry& a, const Entry& b) { return a.t < b.t; });
      s = Series{};
    }
    s.t.reserve(es.size());
    s.cum_good.reserve(es.size() + 1);
    s.cum_total.reserve(es.size() + 1);
    double cg = 0, ct = 0;
    size_t i = 0;
    while (i < es.size()) {
      Entry m = es[i];
      if (m.flags & kLatency) {
        if (!def.latency) {
          fail_series(p, m.line, "latency samples for \"" + def.name + "\", whose SLI is a ratio of events (at line " + std::to_string(m.line) + ")", ErrorCode::kInvalidArgument);
          ++i;
          continue;
        }
        m.good = m.good <= def.threshold ? 1 : 0;
      } else if (def.latency) {
        fail_series(p, m.line, "event counts for \"" + def.name + "\", whose SLI is latency against a threshold (at line " + std::to_string(m.line) + ")", ErrorCode::kInvalidArgument);
        ++i;
        continue;
      }
      size_t j = i + 1;
      bool bad = false;
      for (; j < es.size() && es[j].t == m.t; ++j) {
        const Entry& n = es[j];
        if (((m.flags & kNative) || (n.flags & kNative)) && !((m.flags & kLatency) && (n.flags & kLatency))) {
          std::string where = n.line ? " (line " + std::to_string(n.line) + ")" : m.line ? " (line " + std::to_string(m.line) + ")" : "";
          fail_series(p, n.line ? n.line : m.line, "two samples for \"" + def.name + "\" at " + datetime::format_rfc3339(m.t) + where + ": a duplicated interval would count twice",
                     ErrorCode::kInvalidArgument);
          bad = true;
          continue;
        }
        if (n.flags & kLatency) {
          m.good += def.latency && n.good <= def.threshold ? 1 : 0;
          m.total += 1;
        } else {
          m.good += n.good;
          m.bad += n.bad;
          m.total += n.total;
          m.flags |= n.flags;
        }
      }
      i = j;
      if (bad) continue;
      if (!(m.flags & kLatency)) {
        if (!(m.flags & kTotal)) {
          fail_series(p, m.line, "\"" + def.name + "\" has no total at " + datetime::format_rfc3339(m.t) + " (a Prometheus good or bad series without a total series)", ErrorCode::kInvalidArgument);
          continue;
        }
        if (!(m.flags & kGood) && !(m.flags & kBad)) {
          fail_series(p, m.line, "\"" + def.name + "\" has a total but no good or bad count at " + datetime::format_rfc3339(m.t), ErrorCode::kInvalidArgument);
          continue;
        }
        if (!(m.flags & kNative)) {
          double good = (m.flags & kGood) ? m.good : m.total - m.bad;
          if ((m.flags & kGood) && (m.flags & kBad) && m.good + m.bad != m.total) {
            fail_series(p, m.line, "\"" + def.name + "\": good + bad is not the total at " + datetime::format_rfc3339(m.t), ErrorCode::kInvalidArgument);
            continue;
          }
          if (good > m.total || good < 0) {
            fail_series(p, m.line, "\"" + def.name + "\": " + std::string((m.flags & kGood) ? "good" : "bad") + " events exceed the total at " + datetime::format_rfc3339(m.t),
                       ErrorCode::kInvalidArgument);
            continue;
          }
          m.good = good;
        }
      }
      cg += m.good;
      ct += m.total;
      s.t.push_back(m.t);
      s.cum_good.push_back(cg);
      s.cum_total.push_back(ct);
    }
    std::vector<Entry>().swap(es);  // the entries' memory goes back before the next SLO
    if (def.budgeting != Budgeting::kOccurrences) s = to_slices(s, def);
  }
  current_slo_.clear();
  if (suppressed_) {
    Error e(ErrorCode::kLimitExceeded, std::to_string(suppressed_) + " more errors in the input are not listed (the first " + std::to_string(limits_.max_errors) + " are)");
    e.source = source_;
    errors_.push_back(std::move(e));
  }
}

}  // namespace verdict::budget
