// `verdict budget`: error budgets of SLOs from their SLI data, with an ErrorBudget policy
// (docs/budget.md). Prints the status as text, or as the error-budget status document
// (--format json) that `verdict change` reads; --svg FILE draws budget remaining over the
// window with the policy's thresholds. The kind renders all three from its typed decision
// (core/src/kinds/budget/status.h); this file only reads the inputs and wires the options.
//
// Several input files are evaluated as one input: they are joined, byte for byte, into
// one JSON array (NDJSON lines and whole documents become its items), so every line and
// column of an error still points into the file it came from. YAML files (OpenSLO and
// Sloth are usually written in YAML) are converted to JSON first by the core's one YAML
// reader (core/src/document/yaml.h), which keeps every value's YAML line and column.
//
// Exit codes: 0 every SLO ok (or without data), 1 some SLO at warning (a burn-rate alert or
// a budget threshold), 2 some budget exhausted or releases frozen, 3 invalid input or
// policy, 4 usage (among them a policy of another kind, or several ErrorBudget policies
// and no -e).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"
#include "document/yaml.h"

namespace verdict::cli {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

struct Part {
  std::string path;
  size_t first_line;  // line of the combined input where this file starts
  bool converted;     // from YAML: positions are in the converted JSON
  const yaml::Positions* yaml = nullptr;  // for a YAML file: where each converted value came from
  size_t line_shift = 0;  // lines put before the file's own (a --series wrapper)
};

// --series SLO:SERIES[:TYPE]=FILE: a raw Prometheus query_range response, wrapped as the
// budget input's Prometheus item (docs/budget.md, "SLI data") on a line of its own, so
// every line and column of the file itself stays as it was, one line down.
bool wrap_series(const std::string& spec, std::string& path, std::string& prefix, std::string& why) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    why = "--series " + spec + ": expected SLO:SERIES[:TYPE]=FILE, such as orders-api:total=total.json";
    return false;
  }
  path = spec.substr(eq + 1);
  std::string what = spec.substr(0, eq);
  std::string type = "increase";
  size_t c2 = what.rfind(':');
  if (c2 != std::string::npos && (what.compare(c2 + 1, std::string::npos, "counter") == 0 || what.compare(c2 + 1, std::string::npos, "increase") == 0)) {
    type = what.substr(c2 + 1);
    what.resize(c2);
  }
  size_t c1 = what.rfind(':');
  std::string series = c1 == std::string::npos ? "" : what.substr(c1 + 1);
  if (c1 == std::string::npos || c1 == 0 || (series != "good" && series != "bad" && series != "total")) {
    why = "--series " + spec + ": say what the response counts: SLO:good, SLO:bad or SLO:total (then :counter or :increase, the default)";
    return false;
  }
  std::string slo = what.substr(0, c1);
  std::string quoted = "\"";
  for (char ch : slo) {
    if (ch == '"' || ch == '\\') quoted += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      why = "--series " + spec + ": an SLO name without control characters";
      return false;
    }
    quoted += ch;
  }
  quoted += '"';
  prefix = "{\"slo\": " + quoted + ", \"series\": \"" + series + "\", \"type\": \"" + type + "\", \"response\":\n";
  return true;
}

// Joins several inputs into one JSON array without moving any line or column.
std::string join_inputs(const std::vector<std::pair<std::string, std::string>>& files, std::vector<Part>& parts) {
  std::string out = "[\n";
  size_t line = 2;
  DocumentReader probe;
  struct Unit { size_t begin, end; };  // a value's bytes in its file
  bool first = true;
  size_t last_end = 0;
  for (const auto& [path, text] : files) {
    parts.push_back({path, line, false});
    std::vector<Unit> units;
    if (probe.is_ndjson(text)) {
      size_t pos = 0;
      while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string::npos ? text.size() : nl;
        size_t e = end;
        while (e > pos && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
        size_t b = pos;
        while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
        if (b < e) units.push_back({b, e});
        pos = nl == std::string::npos ? text.size() : nl + 1;
      }
    } else {
      size_t e = text.size();
      while (e > 0 && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
      if (e > 0) units.push_back({0, e});
    }
    // Copy the file, with a comma right after every unit but the last, so that no byte of
    // any unit moves within its line.
    size_t copied = 0;
    for (size_t k = 0; k < units.size(); ++k) {
      const Unit& u = units[k];
      if (!first) {
        if (k == 0) out.insert(last_end, ",");  // after the last unit of an earlier file
        else out.push_back(',');
      }
      first = false;
      out.append(text, copied, u.begin - copied);
      out.append(text, u.begin, u.end - u.begin);
      last_end = out.size();
      copied = u.end;
    }
    out.append(text, copied, std::string::npos);
    if (out.empty() || out.back() != '\n') out.push_back('\n');
    line += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    if (text.empty() || text.back() != '\n') ++line;
  }
  out += "]\n";
  return out;
}

// A selection error (the policy's kind, its name, several candidates): a usage error.
bool is_usage(const Error& e) {
  return e.code == ErrorCode::kWrongKind || e.code == ErrorCode::kAmbiguous || e.code == ErrorCode::kNotFound;
}

}  // namespace

int cmd_budget(const BudgetOptions& opt) {
  Engine engine;
  if (int rc = load_bundle(engine, opt.policies, {}); rc != kExitOk) return rc;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::unique_ptr<yaml::Positions>> yaml;  // per file: null unless YAML
  std::vector<std::string> inputs = opt.inputs.empty() && opt.series.empty() ? std::vector<std::string>{"-"} : opt.inputs;
  for (const std::string& path : inputs) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    yaml.emplace_back();
    if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
      auto converted = yaml::to_ndjson(text);
      if (!converted.ok()) {
        Error e = converted.error();
        e.source = path == "-" ? "stdin" : path;
        std::cerr << e.to_string() << " [" << error_code_name(e.code) << "]\n";
        return kExitInvalid;
      }
      yaml.back() = std::make_unique<yaml::Positions>(std::move(converted.value().positions));
      text = std::move(converted.value().ndjson);
    }
    files.emplace_back(path == "-" ? "stdin" : path, std::move(text));
  }
  const size_t plain_files = files.size();
  for (const std::string& spec : opt.series) {
    std::string path, prefix, text, why;
    if (!wrap_series(spec, path, prefix, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    files.emplace_back(path == "-" ? "stdin" : path, prefix + text + "}\n");
    yaml.emplace_back();
  }
  std::vector<Part> parts;
  std::string input;
  if (files.size() == 1 && plain_files == 1) {
    input = std::move(files[0].second);
    parts.push_back({files[0].first, 1, false});
  } else {
    input = join_inputs(files, parts);
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i].converted = yaml[i] != nullptr;
    parts[i].yaml = yaml[i].get();
    parts[i].line_shift = i >= plain_files ? 1 : 0;
  }

  EvalOptions options;
  options.policy = opt.entry;
  options.kind = "ErrorBudget";
  options.now = opt.now;
  options.source = files.size() == 1 ? parts[0].path : "input";
  options.explain = opt.explain;
  options.decision_only = true;  // the status document (or the text) alone
  options.output = opt.format == "json" ? OutputFormat::kJson : OutputFormat::kText;
  EvalReport r = engine.evaluate(input, options);
  if (r.decisions == 0) {  // no decision: the policy could not be chosen, or `now` is invalid
    bool usage = false;
    for (const Error& e : r.errors) {
      usage = usage || is_usage(e);
      std::cerr << (is_usage(e) ? "verdict: " + e.message : e.to_string()) << " [" << error_code_name(e.code) << "]\n";
    }
    return usage ? kExitUsage : kExitInvalid;
  }
  // Errors, placed in the file they came from.
  for (Error e : r.errors) {
    if (files.size() > 1 && e.source == "input" && e.line > 0) {
      const Part* in = &parts[0];
      for (const Part& p : parts)
        if (static_cast<size_t>(e.line) >= p.first_line) in = &p;
      e.source = in->path;
      e.line = e.line - static_cast<int64_t>(in->first_line) + 1 - static_cast<int64_t>(in->line_shift);
      if (e.line < 1) {  // on the wrapper's own line: the --series response as a whole
        e.line = 1;
        e.column = 1;
      }
      e.offset = -1;
    } else if (files.size() > 1 && e.source == "input") {
      e.source = "the inputs";
    }
    // An error in a YAML file: at the YAML line and column of the value it is about.
    for (const Part& p : parts) {
      if (!p.converted || p.path != e.source) continue;
      yaml::Position at;
      if (e.line > 0 && p.yaml->find(e.line, e.column, at)) {
        e.line = at.line;
        e.column = at.column;
      } else {
        e.line = 0;  // no position in the YAML file: the file alone
        e.column = 0;
      }
      e.offset = -1;
    }
    std::cerr << e.to_string() << " [" << error_code_name(e.code) << "]\n";
  }
  std::cout << r.json;
  if (opt.format == "json") std::cout << "\n";
  if (!opt.svg.empty()) {
    // The chart is the same decision rendered as SVG (its errors were reported above).
    options.output = OutputFormat::kSvg;
    options.explain = false;
    EvalReport chart = engine.evaluate(input, options);
    errno = 0;
    std::ofstream f(opt.svg, std::ios::binary);
    f << chart.json;
    if (!f) {
      std::cerr << "verdict: cannot write " << opt.svg << os_reason() << "\n";
      return kExitUsage;
    }
  }
  return exit_code_for(r.worst);
}

}  // namespace verdict::cli
