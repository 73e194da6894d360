// `verdict change`: gates change requests with a ChangeRisk policy, for CI and for the
// change advisory board. Output as text, JSON (NDJSON for streams), JUnit XML or GitHub
// workflow annotations, each rendered by the engine from the typed decision; the exit code
// is the worst decision (docs/change.md).
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli/common.h"

namespace verdict::cli {
namespace {

// A policy that is not a ChangeRisk policy, several of them without -e, or an -e that names
// none: the command was given the wrong policy, which is a usage error (exit 4).
bool wrong_policy(const EvalReport& r) {
  if (r.decisions > 0 || r.errors.size() != 1) return false;
  ErrorCode c = r.errors[0].code;
  return c == ErrorCode::kWrongKind || c == ErrorCode::kAmbiguous || c == ErrorCode::kNotFound;
}

}  // namespace

int cmd_change(const ChangeArgs& a) {
  Engine engine;
  std::vector<std::string> data = a.data;
  for (const auto* list : {&a.cmdb, &a.schedule, &a.windows, &a.budget}) data.insert(data.end(), list->begin(), list->end());
  if (int rc = load_bundle(engine, a.policies, data); rc != kExitOk) return rc;
  EvalOptions options;
  options.kind = "ChangeRisk";
  options.policy = a.entry;
  options.now = a.now.empty() ? now_utc() : a.now;  // the CLI, not the core, reads the clock
  options.explain = a.explain;
  if (a.input == "json") options.format = InputFormat::kJson;
  if (a.input == "ndjson") options.format = InputFormat::kNdjson;
  if (a.format == "text") options.output = OutputFormat::kText;
  else if (a.format == "junit") options.output = OutputFormat::kJunit;
  else if (a.format == "github") options.output = OutputFormat::kGithub;
  else options.output = OutputFormat::kJson;

  std::string testcases;  // JUnit: every file's test cases, in one document at the end
  size_t tests = 0, failures = 0, errors = 0;
  auto write = [&](std::string_view out) {
    if (options.output == OutputFormat::kJunit) {
      testcases.append(out);
    } else if (options.output == OutputFormat::kJson) {
      while (!out.empty() && out.back() == '\n') out.remove_suffix(1);
      if (!out.empty()) std::cout << out << "\n";
    } else {
      std::cout << out;
    }
  };
  int worst = kExitOk;
  std::vector<std::string> files = a.inputs.empty() ? std::vector<std::string>{"-"} : a.inputs;
  for (const std::string& path : files) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    options.source = path == "-" ? "stdin" : path;
    // The first output is held back until the policy is known to be the right one: a wrong
    // policy is reported once, on stderr, and nothing else is written.
    std::string held;
    bool first = true;
    options.sink = [&](std::string_view out) {
      if (first) {
        first = false;
        held.assign(out);
        return;
      }
      if (!held.empty()) {
        write(held);
        held.clear();
      }
      write(out);
    };
    EvalReport r = engine.evaluate(text, options);
    if (wrong_policy(r)) {
      std::cerr << "verdict change: " << r.errors[0].message << "\n";
      return kExitUsage;
    }
    if (!held.empty()) write(held);
    for (const auto& e : r.errors) std::cerr << e.to_string() << "\n";
    tests += r.by_class[0] + r.by_class[1] + r.by_class[2] + r.by_class[3];
    failures += r.by_class[static_cast<int>(DecisionClass::kReview)] + r.by_class[static_cast<int>(DecisionClass::kDenied)];
    errors += r.by_class[static_cast<int>(DecisionClass::kError)];
    worst = std::max(worst, exit_code_for(r.worst));
  }
  if (options.output == OutputFormat::kJunit) std::cout << junit_document("verdict change", tests, failures, errors, testcases);
  return worst;
}

}  // namespace verdict::cli
