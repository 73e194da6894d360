// `verdict budget`: error budgets of SLOs from their SLI data, with an ErrorBudget policy
// (docs/budget.md). Prints the status as text, or as the error-budget status document
// (--format json) that `verdict change` reads; --svg FILE draws budget remaining over the
// window with the policy's thresholds. The kind renders all three from its typed decision
// (core/src/kinds/budget/status.h); this file only reads the inputs and wires the options.
//
// Several input files are evaluated as one input: they are joined, byte for byte, into
// one JSON array (NDJSON lines and whole documents become its items), so every line and
// column of an error still points into the file it came from. YAML files (OpenSLO and
// Sloth are usually written in YAML) are converted to JSON with yaml-cpp first.
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
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/common.h"
#include "cli/yaml_limits.h"

namespace verdict::cli {
namespace {

using json = nlohmann::ordered_json;

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// YAML scalars as JSON: quoted ones stay strings; plain ones become null, booleans and
// numbers when they read as such (YAML 1.2 core schema).
// Aliases, cycles and depth are bounded by `budget` (yaml_limits.h).
json yaml_to_json(const YAML::Node& n, YamlBudget& budget, std::vector<YAML::Node>& ancestors) {
  if (!budget.enter(n, ancestors)) return nullptr;
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      ancestors.push_back(n);
      for (const auto& kv : n) {
        if (!budget.ok()) break;
        o[kv.first.as<std::string>()] = yaml_to_json(kv.second, budget, ancestors);
      }
      ancestors.pop_back();
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      ancestors.push_back(n);
      for (const auto& x : n) {
        if (!budget.ok()) break;
        a.push_back(yaml_to_json(x, budget, ancestors));
      }
      ancestors.pop_back();
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted
      if (s == "null" || s == "~" || s.empty()) return nullptr;
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      if (!s.empty() && s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
        char* end = nullptr;
        errno = 0;
        long long i = std::strtoll(s.c_str(), &end, 10);
        if (end == s.c_str() + s.size() && errno != ERANGE) return i;  // beyond 64 bits: a double
        double d = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size()) return d;
      }
      return s;
    }
    default: return nullptr;
  }
}

// One YAML file (one or more documents) as NDJSON: a JSON line per document.
bool yaml_to_ndjson(const std::string& text, const std::string& path, std::string& out) {
  try {
    YamlBudget budget(text.size());
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) continue;
      std::vector<YAML::Node> ancestors;
      json j = yaml_to_json(doc, budget, ancestors);
      if (!budget.ok()) {
        std::cerr << path << ":" << budget.line() << ": " << budget.why() << "\n";
        return false;
      }
      // Invalid UTF-8 in a YAML string becomes U+FFFD (the reader would refuse it anyway);
      // dump() would throw otherwise.
      out += j.dump(-1, ' ', false, json::error_handler_t::replace);
      out += "\n";
    }
    return true;
  } catch (const YAML::Exception& e) {
    std::cerr << path << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": invalid YAML: " << e.msg << "\n";
    return false;
  }
}

struct Part {
  std::string path;
  size_t first_line;  // line of the combined input where this file starts
  bool converted;     // from YAML: positions are in the converted JSON
};

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
  std::vector<std::string> inputs = opt.inputs.empty() ? std::vector<std::string>{"-"} : opt.inputs;
  for (const std::string& path : inputs) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
      std::string converted;
      if (!yaml_to_ndjson(text, path, converted)) return kExitInvalid;
      text = std::move(converted);
    }
    files.emplace_back(path == "-" ? "stdin" : path, std::move(text));
  }
  std::vector<Part> parts;
  std::string input;
  if (files.size() == 1) {
    input = std::move(files[0].second);
    parts.push_back({files[0].first, 1, false});
  } else {
    input = join_inputs(files, parts);
  }
  for (auto& p : parts) p.converted = ends_with(p.path, ".yaml") || ends_with(p.path, ".yml");

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
      e.line = e.line - static_cast<int64_t>(in->first_line) + 1;
      e.offset = -1;
    } else if (files.size() > 1 && e.source == "input") {
      e.source = "the inputs";
    }
    for (const Part& p : parts)
      if (p.converted && p.path == e.source) e.message += " (in the JSON converted from this YAML file)";
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
