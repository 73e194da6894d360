// Shared by the commands of the verdict CLI.
#pragma once

#include <string>
#include <vector>

#include "verdict/engine.h"

namespace verdict::cli {

constexpr int kExitOk = 0;
constexpr int kExitReview = 1;
constexpr int kExitDenied = 2;
constexpr int kExitInvalid = 3;
constexpr int kExitUsage = 4;

// ": No such file or directory" from errno (set to 0 before the call that failed), or "".
std::string os_reason();

// Reads a file ("-": stdin). On failure `why` says why. Reads no more than max_input_bytes()
// from any file, pipe or special file (a regular file larger than that is refused unread).
bool read_file(const std::string& path, std::string& out, std::string& why);
// Appends what is left on `fd` to `out`, up to max_input_bytes() in all (`size_hint`: the
// size expected, 0 if unknown); over the limit it fails (`out` emptied) with a message that
// names `name`. read_file() and the stdin streams read through it.
bool read_to_end(int fd, std::string& out, size_t size_hint, const std::string& name, std::string& why);
// A pipe on `fd` gets a 1 MiB buffer (F_SETPIPE_SZ, within /proc/sys/fs/pipe-max-size) instead
// of 64 KiB: a writer fills it 16 times less often, so reading up to the input limit takes 16
// times fewer reads and wake-ups (refusing 128 MiB of zeros on standard input took 2,048 of
// them, 1.4-1.9 s on a loaded machine). Anything else, or a refusal, is left as it is.
void widen_pipe(int fd);
// Makes room for `needed` bytes of input in `out` (doubling, but never beyond
// max_input_bytes() + 1, and in 2 MiB pages where the system has them).
void grow_input(std::string& out, size_t needed);
// The exit code for the last read_file() failure: kExitInvalid when the input was over the
// limit, kExitUsage when it could not be opened or read.
int read_failure_exit();
// Sets what read_failure_exit() answers (for readers other than read_file: the stdin streams).
void set_read_limited(bool limited);
// The most one input file, policy or data file may hold (--max-input-bytes; docs/limits.md).
constexpr size_t kDefaultMaxInputBytes = size_t{128} << 20;
void set_max_input_bytes(size_t n);
size_t max_input_bytes();

// Loads policy and data files into the engine, printing problems to stderr.
// Returns kExitOk, kExitInvalid (a file with errors) or kExitUsage (a missing file).
int load_bundle(Engine& engine, const std::vector<std::string>& policies, const std::vector<std::string>& data);

int exit_code_for(DecisionClass c);
// The exit code of an evaluation: a policy of the wrong kind, or several that could be
// meant (kWrongKind, kAmbiguous), is a usage error; otherwise the worst decision's class.
int exit_code_for(const EvalReport& r);

// The current time as RFC 3339 UTC: the CLI, not the core, reads the clock.
std::string now_utc();

// `verdict change` (cmd_change.cc).
struct ChangeArgs {
  std::vector<std::string> policies, cmdb, schedule, windows, budget, data, inputs;
  std::string entry, now, format = "text", input = "auto";
  bool explain = false;
};
int cmd_change(const ChangeArgs& args);

// `verdict test` (test_runner.cc): runs *.test.json files found in `paths` (files or folders).
struct TestArgs {
  std::vector<std::string> paths;  // default: policies/
  std::string run;                 // RE2 searched in "FILE: CASE NAME" ("" : every case)
  bool verbose = false;            // every case with its time, not only failures
  std::string format = "text";     // text, json or junit
  std::string output;              // -o FILE ("": stdout)
  bool coverage = false;           // report the parts of each policy no case exercised
  double threshold = -1;           // --threshold N: fail below N% coverage (< 0: none)
  std::vector<std::string> allow_paths;  // folders test files may name files in, besides the current one
};
int run_tests(const TestArgs& args);

// `verdict budget` (cli/cmd_budget.cc): error budgets with an ErrorBudget policy.
struct BudgetOptions {
  std::vector<std::string> policies;
  std::vector<std::string> inputs;  // SLO definitions and SLI data ('-': stdin)
  std::vector<std::string> series;  // --series SLO:SERIES[:TYPE]=FILE: raw query_range responses
  std::string entry;                // the policy to use, when several are loaded
  std::string now;                  // RFC 3339; the caller fills in the clock
  std::string format = "text";      // text or json (the error-budget status document)
  std::string svg;                  // write the burn-down chart here
  bool explain = false;
};
int cmd_budget(const BudgetOptions& options);

// `verdict alerts` (cmd_alerts.cc): AlertDedup over alert streams.
struct AlertsArgs {
  std::vector<std::string> policies, data, inputs;
  std::string entry, now, state, input = "auto", summary = "text";
  std::string format = "json";  // json (NDJSON, one record a line) or text (alerts_text.h)
  bool quiet = false;
  bool event_times = false;   // --event-times: no receipt clock (events at their startsAt)
  bool source_given = false;  // --source: the input's name in error positions ("" for none)
  std::string source;
};
int cmd_alerts(const AlertsArgs& args);

// `verdict fmt` (cmd_fmt.cc): canonical formatting of policy files (docs/fmt.md).
struct FmtArgs {
  std::vector<std::string> paths;  // files or folders ('-' or none: stdin)
  bool check = false;              // print a unified diff per unformatted file, exit 1
  bool write = false;              // rewrite unformatted files in place
  bool list = false;               // print the names of unformatted files
};
int cmd_fmt(const FmtArgs& args);

// `verdict import alertmanager FILE.yml` (cmd_import.cc): TriageRouting + AlertDedup policies.
// It fails (exit 3) on anything it cannot convert; `allow_lossy` lets through what
// Alertmanager accepts but verdict does not convert, each listed on stderr.
int cmd_import_alertmanager(const std::string& file, const std::string& name, const std::string& out, bool allow_lossy);

}  // namespace verdict::cli
