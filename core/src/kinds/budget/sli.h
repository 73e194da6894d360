// Error budgets: SLO definitions, SLI series and the math over them (docs/budget.md).
//
// The pipeline of one ErrorBudget evaluation:
//   input bytes --InputReader--> SLO definitions + per-SLO entries (errors positioned)
//               --finalize-----> Series: sorted times and prefix sums of good and total
//               --compute------> SloStatus: compliance, budget, burn rates, alerts
// Every window is a difference of two prefix sums found by binary search, so the cost is
// linear in the samples (reading, one sort when they are out of order) plus O(log n) per
// window. Nothing here throws; nothing reads the clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict::budget {

enum class Severity { kPage, kTicket };

// One multiwindow burn-rate condition: fires when the burn rate over both `long_ns` and
// `short_ns` is above the factor. The factor is given directly (SRE Workbook, Pyrra) or as
// the percentage of the budget that burning for `long_ns` consumes (Sloth):
// factor = budget_percent / 100 * slo_window / long_window.
struct AlertRule {
  std::string name;
  Severity severity = Severity::kPage;
  int64_t long_ns = 0, short_ns = 0;
  std::string long_text, short_text;
  double factor = 0;          // when !by_percent
  double budget_percent = 0;  // when by_percent
  bool by_percent = false;
  double factor_for(int64_t window_ns) const {
    return by_percent ? budget_percent / 100.0 * (static_cast<double>(window_ns) / static_cast<double>(long_ns)) : factor;
  }
};

// The SRE Workbook's defaults for a 30-day window: page 14.4x over 1h and 5m, page 6x over
// 6h and 30m, ticket 3x over 1d and 2h, ticket 1x over 3d and 6h.
std::vector<AlertRule> workbook_alerts();

enum class Calendar { kNone, kWeek, kMonth };

// OpenSLO's budgetingMethod. Occurrences counts events; Timeslices and RatioTimeslices cut
// time into slices of `slice_ns` (aligned to the Unix epoch, each ending at its time) and
// count slices: a slice is good when its ratio of good events is at least `slice_target`
// (Timeslices), or counts its ratio as a fraction of one good slice (RatioTimeslices).
enum class Budgeting { kOccurrences, kTimeslices, kRatioTimeslices };
enum class Shape { kNative, kOpenSlo, kSloth };

// Sloth's `alerting` block of one SLO (plain form: page_alert/ticket_alert; Kubernetes CRD:
// pageAlert/ticketAlert): the name, labels and annotations of the page and ticket alerts Sloth
// generates, and whether each is disabled. A disabled severity never fires for the SLO.
struct SlothAlert {
  bool disabled = false;
  std::vector<std::pair<std::string, std::string>> labels, annotations;  // merged over the block's own
};
struct SlothAlerting {
  bool present = false;
  std::string name;
  SlothAlert page, ticket;
};
const char* shape_name(Shape s);

struct SloDef {
  std::string name;
  std::string service;
  std::string description;
  double objective = 0;      // percent, as shown in the status
  double budget = 0;         // the error budget as a fraction of events: 1 - target
  std::string window_text;   // "30d", "week", "month"
  int64_t window_ns = 0;     // rolling windows; calendar windows: 0
  Calendar calendar = Calendar::kNone;
  bool latency = false;      // samples are latencies against `threshold`
  double threshold = 0;      // a latency at or below it is good
  Shape shape = Shape::kNative;
  std::vector<std::string> warnings;  // e.g. a page alert that can never fire
  SlothAlerting alerting;             // Sloth SLOs
  Budgeting budgeting = Budgeting::kOccurrences;
  int64_t slice_ns = 0;               // Timeslices, RatioTimeslices
  std::string slice_text;             // as written ("1m")
  double slice_target = 0;            // Timeslices: a fraction in (0, 1]
  // Alert rules of the SLO itself (a Sloth AlertWindows document in the input), used instead
  // of the policy's when `own_alerts`.
  bool own_alerts = false;
  std::vector<AlertRule> alerts;
};

// The alert rules that apply to an SLO: its own (Sloth AlertWindows) or the policy's.
inline const std::vector<AlertRule>& rules_for(const SloDef& def, const std::vector<AlertRule>& policy_alerts) {
  return def.own_alerts ? def.alerts : policy_alerts;
}

// Samples of one SLO, sorted by time, as prefix sums: cum_x[i] = sum of the first i samples.
struct Series {
  std::vector<int64_t> t;
  std::vector<double> cum_good{0.0}, cum_total{0.0};
  size_t size() const { return t.size(); }
  struct Sums { double good = 0, total = 0; size_t samples = 0; };
  // Sums over the samples with from < t <= to.
  Sums sum(int64_t from, int64_t to) const;
};

// The sizes and limits of one read.
struct ReadLimits {
  size_t max_errors = 100;          // further errors are counted in one last error
  size_t max_samples = 12000000;    // samples per evaluation (all SLOs); beyond: an error
  double max_count = 1e15;          // events in one interval
};

// ---- one SLI sample: the one mapping of a sample -----------------------------------------

// A native SLI sample (docs/budget.md, "SLI data") as the kind reads it. InputReader reads
// every sample through read_sample(); `verdict read` can summarise samples with it, so both
// see the same SLO name, time and counts.
struct Sample {
  std::string_view slo;        // "" when the sample names none (it belongs to the only SLO)
  std::string_view time_key;   // the member that held the time: "t", "time", "timestamp" or "ts"
  int64_t t = 0;               // the end of its interval, ns since the epoch
  bool latency = false;        // latencies, one event each (good by the SLO's threshold)
  double good = 0, total = 0;  // counts (bad = total - good); latency: total = latencies.size()
  std::vector<double> latencies;
};

// What is wrong with a sample, at `pointer` below it ("" for the sample itself).
struct SampleProblem {
  std::string pointer;
  std::string message;
  ErrorCode code = ErrorCode::kWrongType;
  bool named = false;  // found once the sample's "slo" was read (the error counts against it)
};

// Reads `v` as a native sample into `out` (its views point into `v`). False when it is not a
// valid sample; `problems` then says why, in the order found.
bool read_sample(Value v, Sample& out, std::vector<SampleProblem>& problems, const ReadLimits& limits = {});

// Reads one budget input: a JSON document or an NDJSON stream of items (docs/budget.md,
// "The input"): SLO definitions (native, OpenSLO v1 SLO, Sloth prometheus/v1), native
// samples, native series and Prometheus query_range responses.
class InputReader {
 public:
  InputReader(DocumentReader& reader, std::string source, const std::vector<AlertRule>& alerts, ReadLimits limits = {});

  // Reads all of `input`. Errors are collected (see errors()); reading goes on after one.
  void read(std::string_view input);
  // Sorts, merges and checks each SLO's entries and builds its series. After read().
  void finish();

  const std::vector<SloDef>& slos() const { return slos_; }
  const Series& series(size_t i) const { return series_[i]; }
  size_t input_errors(size_t i) const { return slo_errors_[i]; }
  std::vector<Error>& errors() { return errors_; }
  // Documents of a valid input that were read but not used (OpenSLO AlertPolicy, ...), each
  // with why: not errors, but nothing the user gave is dropped silently.
  const std::vector<std::string>& notes() const { return notes_; }

  // Entry flags.
  static constexpr uint32_t kGood = 1, kBad = 2, kTotal = 4, kNative = 8, kLatency = 16;
  struct Entry {
    int64_t t;
    double good, bad, total;
    uint32_t line;   // NDJSON line of a native sample (0: not known)
    uint32_t flags;
  };

 private:
  struct Doc;  // the document being read, for positions on the error path
  struct Pending {
    std::vector<Entry> entries;
    bool sorted = true;
    Error first_use;  // where samples first named this SLO (for "no such SLO")
    // The document and JSON pointer of that first use, located on the error path only.
    std::string_view use_text;
    size_t use_offset = 0, use_line = 1;
    std::string use_ptr;
  };

  void read_item(Doc& doc, Value v, const std::string& ptr, bool top);
  void read_native_slo(Doc& doc, Value v, const std::string& ptr);
  void read_openslo(Doc& doc, Value v, const std::string& ptr);
  void read_openslo_slo(Doc& doc, Value v, const std::string& ptr);
  void read_openslo_sli(Doc& doc, Value v, const std::string& ptr);
  // An OpenSLO indicator's spec: ratioMetric (false) or thresholdMetric (true); nullopt after
  // an error.
  std::optional<bool> read_indicator(Doc& doc, Value ind, const std::string& ip);
  // An OpenSLO SLO's objective as written, and where its parts are (for errors).
  struct OpenSloObjective {
    std::string ptr, objective_ptr, window_ptr, item_ptr;
    bool has_op = false;
    std::string op;
    bool has_value = false;
    double value = 0;
  };
  void finish_openslo(Doc& doc, SloDef def, bool latency, const OpenSloObjective& o);
  void read_sloth(Doc& doc, Value v, const std::string& ptr, bool crd);
  bool read_sloth_alerting(Doc& doc, Value a, const std::string& ap, bool crd, SlothAlerting& out);
  void read_sloth_windows(Doc& doc, Value v, const std::string& ptr);
  // After the whole input: indicatorRefs resolved, Sloth AlertWindows applied.
  void resolve(std::string_view input);
  void add_sample(Doc& doc, Value v, const std::string& ptr);
  void read_series(Doc& doc, Value v, const std::string& ptr);
  void read_prometheus(Doc& doc, Value v, const std::string& ptr);
  // Checks and adds a definition (objective range, window against the alert windows).
  void add_slo(Doc& doc, SloDef def, const std::string& ptr, const std::string& objective_ptr, const std::string& window_ptr);
  bool parse_window(std::string_view text, SloDef& def, std::string& why) const;
  Pending& pending_for(Doc& doc, std::string_view slo, const std::string& ptr);
  void add_entry(Pending& p, const Entry& e);
  // Whether `n` more samples fit the limit; reports the first overflow at `ptr`.
  bool room_for(Doc& doc, size_t n, const std::string& ptr);
  void fail(Doc& doc, const std::string& ptr, std::string message, ErrorCode code = ErrorCode::kWrongType);
  void fail_plain(std::string message, ErrorCode code = ErrorCode::kWrongType);
  // An error about a series found after reading (a duplicated interval, a missing total):
  // at the sample's NDJSON line when known, else where the SLO's data was first given.
  void fail_series(const Pending& p, uint32_t line, std::string message, ErrorCode code = ErrorCode::kInvalidArgument);
  Error located_first_use(const Pending& p) const;
  void count_error();
  std::optional<int64_t> read_time(Doc& doc, Value v, const std::string& ptr);
  std::optional<double> read_count(Doc& doc, Value v, const std::string& ptr, const char* what);

  // OpenSLO SLIs by name (true: a thresholdMetric), SLOs waiting for theirs, and a Sloth
  // AlertWindows document (its period and rules apply to every Sloth SLO of the input).
  std::unordered_map<std::string, bool> openslo_slis_;
  struct WaitingSlo {
    SloDef def;
    OpenSloObjective objective;
    std::string ref, ref_ptr;
    std::string_view text;  // the document it came from, for positions
    size_t offset = 0, line = 1;
    bool ndjson = false;
  };
  std::vector<WaitingSlo> waiting_;
  bool have_sloth_windows_ = false;
  std::string sloth_period_;
  std::vector<AlertRule> sloth_rules_;
  std::vector<std::string> notes_;

  DocumentReader& reader_;
  std::string source_;
  const std::vector<AlertRule>& alerts_;
  ReadLimits limits_;
  std::vector<SloDef> slos_;
  std::unordered_map<std::string, size_t> slo_index_;
  std::unordered_map<std::string, Pending> pending_;  // by SLO name ("" : the only SLO)
  std::vector<std::string> pending_order_;
  std::vector<Series> series_;
  std::vector<size_t> slo_errors_;
  std::vector<Error> errors_;
  size_t suppressed_ = 0;
  size_t samples_ = 0;          // entries read, against limits_.max_samples
  bool over_limit_ = false;
  std::string current_slo_;  // for counting errors per SLO
  bool in_data_ = false;     // reading SLI data (not a definition)
};

// Where `now` falls and which window counts.
struct WindowSpan {
  int64_t start = 0;   // exclusive
  int64_t end = 0;     // inclusive (now)
  int64_t length = 0;  // the window's length (a calendar period's full length)
};
WindowSpan window_span(const SloDef& slo, int64_t now);

// Rounds for output: fractions and rates to 6 decimals (exact in both builds).
double round6(double x);

}  // namespace verdict::budget
