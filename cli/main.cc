// verdict: the command line. `verdict --help` lists the commands.
//
// Exit codes (shared by every command, for CI):
//   0  ok (for decisions: allowed / approved; for test and lint: all passed)
//   1  needs review or approval
//   2  denied
//   3  invalid input or failure (a document, policy or test that did not pass)
//   4  usage error (unknown option, missing file)
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/input.h"
#include "serve/bundle_cmd.h"
#include "serve/serve.h"
#include "cli/conventions.h"
#include "verdict/engine.h"

namespace verdict::cli {
namespace {

std::string clip(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

int cmd_read(const std::vector<std::string>& files, const std::string& format, const std::string& input, bool values,
             const std::string* source_name) {
  Engine engine;
  ReadOptions options;
  if (input == "json") options.format = InputFormat::kJson;
  if (input == "ndjson") options.format = InputFormat::kNdjson;
  options.include_values = values;
  int rc = kExitOk;
  std::vector<std::string> inputs = files.empty() ? std::vector<std::string>{"-"} : files;
  for (const std::string& path : inputs) {
    std::string data, why;
    if (!read_file(path, data, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    options.source = source_name ? *source_name : (path == "-" ? "stdin" : path);
    ReadReport report = engine.read(data, options);
    if (!report.ok()) rc = kExitInvalid;
    if (format == "json") {
      std::cout << report.json << "\n";
      continue;
    }
    std::cout << options.source << ": " << report.read << " document" << (report.read == 1 ? "" : "s") << " read as "
              << (report.format == InputFormat::kNdjson ? "NDJSON" : "JSON");
    if (report.failed) std::cout << ", " << report.failed << " failed";
    std::cout << "\n";
    for (const auto& d : report.documents) {
      std::cout << "  line " << d.line;
      if (!d.record.empty()) std::cout << " " << d.record;
      std::cout << "  " << d.kind;
      if (!d.id.empty()) std::cout << "  " << d.id;
      if (!d.title.empty()) std::cout << "  \"" << clip(d.title, 60) << "\"";
      if (!d.service.empty()) std::cout << "  service=" << d.service;
      std::cout << "  (" << d.fields << " fields, " << d.bytes << " bytes)\n";
    }
    for (const auto& e : report.errors) std::cerr << "  error: " << e.to_string() << "\n";
  }
  return rc;
}

int cmd_lint(const std::vector<std::string>& files, const std::string& format) {
  Engine engine;
  int rc = kExitOk;
  size_t errors = 0, warnings = 0;
  for (const std::string& path : files) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    LoadReport r = engine.lint(text, path);
    if (format == "json") {
      std::cout << r.json << "\n";
    } else {
      for (const auto& e : r.errors) std::cout << e.to_string() << " [error: " << error_code_name(e.code) << "]\n";
      for (const auto& w : r.warnings) std::cout << w.to_string() << " [warning]\n";
    }
    errors += r.errors.size();
    warnings += r.warnings.size();
    if (!r.ok()) rc = kExitInvalid;
  }
  if (format != "json")
    std::cerr << files.size() << " file" << (files.size() == 1 ? "" : "s") << " checked: " << errors << " error"
              << (errors == 1 ? "" : "s") << ", " << warnings << " warning" << (warnings == 1 ? "" : "s") << "\n";
  return rc;
}

int cmd_eval(const std::vector<std::string>& policies, const std::vector<std::string>& data,
             const std::vector<std::string>& inputs, const EvalOptions& base, const std::string& format, bool now_given,
             const std::string* source_name) {
  Engine engine;
  if (int rc = load_bundle(engine, policies, data); rc != kExitOk) return rc;
  EvalOptions options = base;
  if (!now_given) options.now = now_utc();  // the CLI, not the core, reads the clock
  // The engine renders each decision from its typed form, through the policy's kind.
  options.output = format == "json" ? OutputFormat::kJson : OutputFormat::kText;
  int worst = kExitOk;
  std::vector<std::string> files = inputs.empty() ? std::vector<std::string>{"-"} : inputs;
  for (const std::string& path : files) {
    options.source = source_name ? *source_name : (path == "-" ? "stdin" : path);
    // Decisions are written as they are made, so a stream of any length runs in bounded memory.
    options.sink = [&](std::string_view out) {
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      if (format == "json" && (out.empty() || out.back() != '\n')) std::cout << "\n";
    };
    std::string text, why;
    if (is_open_stream(path) && !engine.decides_on_whole_input(options)) {
      // A pipe: NDJSON is decided line by line as it arrives (cli/input.h).
      bool streamed = false;
      int rc = eval_stream(engine, options, text, streamed, why);
      if (rc < 0) {
        std::cerr << "verdict: " << why << "\n";
        return read_failure_exit();
      }
      worst = std::max(worst, rc);
      if (streamed) continue;
    } else if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    EvalReport r = engine.evaluate(text, options);
    worst = std::max(worst, exit_code_for(r));
  }
  return worst;
}

}  // namespace
}  // namespace verdict::cli

namespace verdict::cli {
int run(int argc, char** argv);
}

// Nothing escapes: an exception (a bug, or memory exhausted) is a clear message and exit 3.
int main(int argc, char** argv) {
  try {
    return verdict::cli::run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "verdict: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "verdict: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "verdict: internal error\n";
  }
  return verdict::cli::kExitInvalid;
}

int verdict::cli::run(int argc, char** argv) {
  using namespace verdict::cli;
  buffer_stdout();
  CLI::App app{"verdict: policy and triage engine for IT service management"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("verdict ") + verdict::version());
  size_t max_input = kDefaultMaxInputBytes;
  app.add_option("--max-input-bytes", max_input,
                 "The most one input, policy, data or state file may hold, standard input and special files included "
                 "(default 128 MiB; docs/limits.md)");

  // read
  std::vector<std::string> read_files;
  std::string read_format = "text", read_input = "auto", source_name;
  bool values = false;
  auto* read = app.add_subcommand("read", "Read JSON documents or NDJSON streams and print what the engine read");
  read->add_option("files", read_files, "Input files ('-' or none: stdin)");
  read->add_option("--format", read_format, "Output: text for people, json for machines")->check(CLI::IsMember({"text", "json"}));
  read->add_option("--input", read_input, "Input format: auto (detect NDJSON), json or ndjson")->check(CLI::IsMember({"auto", "json", "ndjson"}));
  read->add_flag("--values", values, "With --format json: include each document's canonical JSON");
  auto* source_opt = read->add_option("--source", source_name, "Name for the input in error positions (default: the file name; '' for none)");

  // lint
  std::vector<std::string> lint_files;
  std::string lint_format = "text";
  auto* lint = app.add_subcommand("lint", "Check policy files statically; prints file:line:column: message for each problem");
  lint->add_option("files", lint_files, "Policy files")->required();
  lint->add_option("--format", lint_format, "Output: text or json")->check(CLI::IsMember({"text", "json"}));

  // eval
  std::vector<std::string> eval_policies, eval_data, eval_inputs;
  verdict::EvalOptions eval_options;
  std::string eval_format = "text", eval_input = "auto";
  auto* eval = app.add_subcommand("eval", "Evaluate a policy on documents (JSON or NDJSON, files or stdin)");
  eval->add_option("-p,--policy", eval_policies, "Policy file to load (repeat for several)")->required()->expected(1)->allow_extra_args(false)->take_all();
  eval->add_option("-d,--data", eval_data, "Data file: the CMDB, native, ServiceNow or Backstage (repeat for several)")->expected(1)->allow_extra_args(false)->take_all();
  eval->add_option("-e,--entry", eval_options.policy, "Name of the policy to evaluate (when several are loaded)");
  auto* now_opt = eval->add_option("--now", eval_options.now, "The time of the decision, RFC 3339 (default: the clock)");
  eval->add_flag("--explain", eval_options.explain, "Show the rules considered and the values that decided");
  eval->add_option("--format", eval_format, "Output: text or json (NDJSON for streams)")->check(CLI::IsMember({"text", "json"}));
  eval->add_option("--input", eval_input, "Input format: auto, json or ndjson")->check(CLI::IsMember({"auto", "json", "ndjson"}));
  eval->add_option("inputs", eval_inputs, "Input files ('-' or none: stdin)");
  std::string eval_source;
  auto* eval_source_opt = eval->add_option("--source", eval_source, "Name for the input in error positions (default: the file name; '' for none)");

  // triage: eval for TriageRouting policies
  auto* triage = app.add_subcommand("triage", "Triage incidents, tickets and alerts with a TriageRouting policy (like eval)");
  triage->add_option("-p,--policy", eval_policies, "TriageRouting policy file (repeat for several)")->required()->expected(1)->allow_extra_args(false)->take_all();
  triage->add_option("-d,--data", eval_data, "Data file: the CMDB (repeat for several)")->expected(1)->allow_extra_args(false)->take_all();
  triage->add_option("-e,--entry", eval_options.policy, "Name of the policy (when several are loaded)");
  auto* triage_now = triage->add_option("--now", eval_options.now, "The time of the decision, RFC 3339 (default: the clock)");
  triage->add_flag("--explain", eval_options.explain, "Show every route tried, its matchers and the values they saw");
  triage->add_option("--format", eval_format, "Output: text or json (NDJSON for streams)")->check(CLI::IsMember({"text", "json"}));
  triage->add_option("--input", eval_input, "Input format: auto, json or ndjson")->check(CLI::IsMember({"auto", "json", "ndjson"}));
  triage->add_option("inputs", eval_inputs, "Incidents, tickets or alerts: files ('-' or none: stdin)");

  // change
  ChangeArgs change_args;
  auto* change = app.add_subcommand("change", "Gate change requests with a ChangeRisk policy (for CI and the CAB); exit 0 approved, 1 needs approval, 2 denied");
  change->add_option("-p,--policy", change_args.policies, "ChangeRisk policy file (repeat for several)")->required()->expected(1)->allow_extra_args(false)->take_all();
  change->add_option("--cmdb", change_args.cmdb, "CMDB file: native, ServiceNow or Backstage (repeat for several)")->expected(1)->allow_extra_args(false)->take_all();
  change->add_option("--schedule", change_args.schedule, "Scheduled changes (and change history): JSON or NDJSON (repeat for several)")->expected(1)->allow_extra_args(false)->take_all();
  change->add_option("--windows", change_args.windows, "Change windows file: blackout and maintenance windows (repeat for several)")->expected(1)->allow_extra_args(false)->take_all();
  change->add_option("--budget", change_args.budget, "Error-budget status (the JSON of 'verdict budget --format json')")->expected(1)->allow_extra_args(false)->take_all();
  change->add_option("-d,--data", change_args.data, "Any other data file (detected by content)")->expected(1)->allow_extra_args(false)->take_all();
  change->add_option("-e,--entry", change_args.entry, "Name of the policy (when several are loaded)");
  change->add_option("--now", change_args.now, "The time of the decision, RFC 3339 (default: the clock)");
  change->add_flag("--explain", change_args.explain, "Show every factor, gate and window with the values that decided");
  change->add_option("--format", change_args.format, "Output: text, json (NDJSON for streams), junit (JUnit XML) or github (workflow annotations)")
      ->check(CLI::IsMember({"text", "json", "junit", "github"}));
  change->add_option("--input", change_args.input, "Input format: auto, json or ndjson")->check(CLI::IsMember({"auto", "json", "ndjson"}));
  change->add_option("inputs", change_args.inputs, "Change requests: native, ServiceNow change_request or pipeline JSON; files ('-' or none: stdin)");
  // budget
  BudgetOptions budget_options;
  auto* budget = app.add_subcommand("budget", "Error budgets of SLOs from SLI data with an ErrorBudget policy (docs/budget.md)");
  budget->add_option("-p,--policy", budget_options.policies, "ErrorBudget policy file (repeat for several)")
      ->required()->expected(1)->allow_extra_args(false)->take_all();
  budget->add_option("-e,--entry", budget_options.entry, "Name of the policy (when several are loaded)");
  auto* budget_now = budget->add_option("--now", budget_options.now, "The end of every window, RFC 3339 (default: the clock)");
  budget->add_option("--format", budget_options.format, "Output: text, or json (the error-budget status document)")->check(CLI::IsMember({"text", "json"}));
  budget->add_option("--svg", budget_options.svg, "Write a chart of budget remaining over the window, with the policy's thresholds");
  budget->add_flag("--explain", budget_options.explain, "Show each threshold of the policy and the values it saw");
  budget->add_option("--series", budget_options.series, "A raw Prometheus query_range response: SLO:good|bad|total[:counter|:increase]=FILE (repeat for several)")
      ->expected(1)->allow_extra_args(false)->take_all();
  budget->add_option("inputs", budget_options.inputs, "SLO definitions and SLI data: JSON, NDJSON or YAML files ('-' or none: stdin)");

  // test
  TestArgs test_args;
  auto* test = app.add_subcommand("test", "Run policy tests (*.test.json files): pass/fail counts and a diff per failure");
  test->add_option("paths", test_args.paths, "Test files or folders (default: policies/)");
  test->add_flag("-v,--verbose", test_args.verbose, "List every case with its time, not only failures");
  test->add_option("--run", test_args.run, "Run only the cases whose 'FILE: NAME' this RE2 regular expression finds");
  test->add_option("--format", test_args.format, "Output: text, json or junit (JUnit XML)")->check(CLI::IsMember({"text", "json", "junit"}));
  test->add_option("-o,--output", test_args.output, "Write the report to this file instead of stdout");
  test->add_flag("--coverage", test_args.coverage, "Report the rules, routes, factors, gates, windows, inhibit rules and burn-rate alerts no case exercised");
  test->add_option("--allow-path", test_args.allow_paths, "A folder whose files test files may read, besides the current directory (repeatable)")
      ->expected(1)->allow_extra_args(false)->take_all();
  test->add_option("--threshold", test_args.threshold, "With --coverage: exit 3 when coverage is below this percentage")->check(CLI::Range(0.0, 100.0));

  // alerts: AlertDedup over alert streams (cmd_alerts.cc)
  AlertsArgs alerts_args;
  auto* alerts = app.add_subcommand("alerts", "Deduplicate, group, inhibit, silence and rate-limit alert streams with an AlertDedup policy");
  alerts->add_option("-p,--policy", alerts_args.policies, "AlertDedup policy file (repeat for several)")->required()->expected(1)->allow_extra_args(false);
  alerts->add_option("-d,--data", alerts_args.data, "Data file: the CMDB, for dependency inhibition (repeat for several)")->expected(1)->allow_extra_args(false);
  alerts->add_option("-e,--entry", alerts_args.entry, "Name of the AlertDedup policy (when several are loaded)");
  alerts->add_option("--now", alerts_args.now, "Receipt time of the input, RFC 3339; group notifications due by then are flushed (default: the wall clock when read, without the flush)");
  alerts->add_flag("--event-times", alerts_args.event_times, "Without --now: events without \"at\" are at their startsAt (replaying a recorded stream), not at the wall clock")->excludes("--now");
  alerts->add_option("--state", alerts_args.state, "State file: read before (when it exists) and written after the stream");
  alerts->add_option("--input", alerts_args.input, "Input format: auto, json or ndjson")->check(CLI::IsMember({"auto", "json", "ndjson"}));
  alerts->add_option("--format", alerts_args.format, "Output: json (NDJSON, one record a line; the default) or text for people")->check(CLI::IsMember({"text", "json"}));
  alerts->add_option("--summary", alerts_args.summary, "Summary: text (on stderr) or json (also as the last stdout line)")->check(CLI::IsMember({"text", "json"}));
  alerts->add_flag("-q,--quiet", alerts_args.quiet, "No summary or progress on stderr");
  auto* alerts_source = alerts->add_option("--source", alerts_args.source, "Name for the input in error positions (default: the file name; '' for none)");
  alerts->add_option("inputs", alerts_args.inputs, "Alert events: Alertmanager webhook, API arrays, PagerDuty Events v2, NDJSON ('-' or none: stdin)");

  // import alertmanager: an Alertmanager configuration to policies (cmd_import.cc)
  std::string import_file, import_name = "alertmanager", import_out;
  auto* import_cmd = app.add_subcommand("import", "Convert another tool's configuration into verdict policies");
  auto* import_am = import_cmd->add_subcommand("alertmanager", "Alertmanager YAML to TriageRouting + AlertDedup policies (a JSON array)");
  import_am->add_option("file", import_file, "alertmanager.yml")->required();
  import_am->add_option("--name", import_name, "Base name of the policies (NAME-routing, NAME-dedup)");
  import_am->add_option("-o,--output", import_out, "Write the policies here (default: stdout); the report goes to stderr");
  bool import_lossy = false;
  import_am->add_flag("--allow-lossy", import_lossy, "Import even when what Alertmanager accepts cannot all be converted (receiver integrations, global settings): each loss is listed on stderr");
  import_cmd->require_subcommand(1);

  // serve: the decision service (serve/, docs/serve.md)
  verdict::serve::ServeOptions serve_options;
  auto* serve = verdict::serve::add_command(app, serve_options);
  verdict::serve::BundleCommand bundle_cmd;  // bundle keygen|sign|verify: signed bundles for serve
  auto* bundle = verdict::serve::add_bundle_command(app, bundle_cmd);
  // fmt: canonical formatting of policy files (cmd_fmt.cc)
  FmtArgs fmt_args;
  auto* fmt = app.add_subcommand("fmt", "Format policy and policy-test files canonically (comments kept); --check for CI, -w to rewrite");
  fmt->add_option("paths", fmt_args.paths, "Files, or folders (their *.json verdict documents, tests included); '-' or none: stdin");
  fmt->add_flag("--check", fmt_args.check, "Print a unified diff for each file that is not formatted and exit 1; change nothing");
  fmt->add_flag("-w,--write", fmt_args.write, "Rewrite the files that are not formatted, in place");
  fmt->add_flag("-l,--list", fmt_args.list, "Print the names of the files that are not formatted (or, with -w, were rewritten)");

  // version, help, completion: the conventions every command shares (conventions.cc)
  std::string version_format = "text";
  auto* version_cmd = app.add_subcommand("version", "Print the version, the C ABI version, the time zone data (tzdata) compiled in and build information");
  version_cmd->add_option("--format", version_format, "Output: text or json")->check(CLI::IsMember({"text", "json"}));
  std::vector<std::string> help_words;
  auto* help_cmd = app.add_subcommand("help", "Print the help of verdict or of a command: verdict help COMMAND");
  help_cmd->add_option("command", help_words, "The command (and subcommand), e.g. 'triage' or 'import alertmanager'");
  std::string completion_shell;
  auto* completion_cmd = app.add_subcommand("completion", "Print a shell completion script: verdict completion bash|zsh|fish");
  completion_cmd->add_option("shell", completion_shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  // -o FILE on every command that prints results (test and import alertmanager have their own).
  std::string output_path;
  for (CLI::App* c : {read, lint, eval, triage, change, budget, alerts, fmt})
    c->add_option("-o,--output", output_path, "Write the results to this file instead of stdout");

  app.footer(
      "Exit codes: 0 ok/allowed, 1 needs review/approval, 2 denied, 3 invalid input or failed, 4 usage error.\n"
      "Run 'verdict COMMAND --help' for a command's options.");

  if (auto rc = check_command(app, argc, argv)) return *rc;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (explain_unknown_option(app, argc, argv)) return kExitUsage;
    app.exit(e);
    return kExitUsage;
  }
  if (version_cmd->parsed()) return cmd_version(version_format);
  if (help_cmd->parsed()) return cmd_help(app, help_words);
  if (completion_cmd->parsed()) return cmd_completion(app, completion_shell);
  if (int rc = redirect_output(output_path); rc != kExitOk) return rc;

  set_max_input_bytes(max_input);
  if (read->parsed()) return cmd_read(read_files, read_format, read_input, values, source_opt->count() ? &source_name : nullptr);
  if (lint->parsed()) return cmd_lint(lint_files, lint_format);
  if (eval->parsed() || triage->parsed()) {
    bool now_given = eval->parsed() ? now_opt->count() > 0 : triage_now->count() > 0;
    if (triage->parsed()) eval_options.kind = "TriageRouting";  // another kind is a usage error (exit 4)
    if (eval_input == "json") eval_options.format = verdict::InputFormat::kJson;
    if (eval_input == "ndjson") eval_options.format = verdict::InputFormat::kNdjson;
    return cmd_eval(eval_policies, eval_data, eval_inputs, eval_options, eval_format, now_given,
                    eval->parsed() && eval_source_opt->count() ? &eval_source : nullptr);
  }
  if (change->parsed()) return cmd_change(change_args);
  if (budget->parsed()) {
    if (!budget_now->count()) budget_options.now = now_utc();  // the CLI, not the core, reads the clock
    return cmd_budget(budget_options);
  }
  if (alerts->parsed()) {
    alerts_args.source_given = alerts_source->count() > 0;
    return cmd_alerts(alerts_args);
  }
  if (serve->parsed()) return verdict::serve::run(serve_options);
  if (bundle->parsed()) return verdict::serve::run_bundle_command(bundle_cmd);
  if (import_am->parsed()) return cmd_import_alertmanager(import_file, import_name, import_out, import_lossy);
  if (fmt->parsed()) return cmd_fmt(fmt_args);
  if (test->parsed()) return run_tests(test_args);
  return kExitUsage;
}
