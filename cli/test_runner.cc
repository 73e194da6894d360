// `verdict test`: policy tests, in the spirit of `opa test`. A test file
// (NAME.test.json, kind PolicyTest; docs/policy-tests.md) names the policies and data
// to load, a default `now`, and cases: an input, optionally its own `now` and policy,
// and the expected values of decision fields by path. Prints each failure with a
// readable diff and ends with "N passed, M failed".
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace verdict::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// Resolves "outputs.team", "matched[0].rule", "outputs[\"k.x\"]" inside `root`.
const json* resolve(const json& root, const std::string& path, std::string& why) {
  const json* cur = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    std::string key;
    bool index = false;
    size_t idx = 0;
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) {
        why = "unclosed '[' in path";
        return nullptr;
      }
      std::string inside = path.substr(i + 1, close - i - 1);
      if (!inside.empty() && (inside[0] == '"' || inside[0] == '\'')) {
        key = inside.substr(1, inside.size() - 2);
      } else {
        index = true;
        idx = static_cast<size_t>(std::strtoull(inside.c_str(), nullptr, 10));
      }
      i = close + 1;
    } else {
      size_t end = path.find_first_of(".[", i);
      key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? path.size() : end;
    }
    if (index) {
      if (!cur->is_array() || idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    } else {
      if (!cur->is_object() || !cur->contains(key)) return nullptr;
      cur = &(*cur)[key];
    }
  }
  return cur;
}

bool same(const json& a, const json& b) {
  // Compare as unordered JSON: key order of objects does not matter; 1 == 1.0.
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

std::string show(const json& v) {
  std::string s = v.dump();
  return s.size() > 400 ? s.substr(0, 400) + "..." : s;
}

struct Totals {
  size_t passed = 0, failed = 0;
};

void collect(const fs::path& p, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    for (auto it = fs::recursive_directory_iterator(p, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const std::string name = it->path().filename().string();
      if (it->is_regular_file() && name.size() > 10 && name.substr(name.size() - 10) == ".test.json") out.push_back(it->path());
    }
  } else {
    out.push_back(p);
  }
}

// ---- AlertDedup stream cases (docs/alerts.md, "Policy tests") ----------------------------
// A case with "events" (and "now") or "steps" ([{"now", "events"}]) pushes each step's events
// as NDJSON (an event given as a string is a raw line, e.g. broken JSON) into a fresh engine,
// in order, and compares the output lines with "expect": an array with one object per line,
// each holding the fields to check; "expectStats" checks fields of the policy's statistics.
void run_alert_stream_case(const json& c, const json& spec, const fs::path& dir, std::vector<std::string>& diffs) {
  Engine engine;
  std::string why;
  for (const char* key : {"policies", "data"}) {
    for (const auto& entry : spec.value(key, json::array())) {
      std::string body;
      if (!entry.is_string() || !read_file((dir / entry.get<std::string>()).string(), body, why)) {
        diffs.push_back("cannot read " + entry.dump());
        return;
      }
      LoadReport r = std::string(key) == "policies" ? engine.load_policies(body, entry.get<std::string>())
                                                    : engine.load_data(body, entry.get<std::string>());
      if (!r.ok()) {
        diffs.push_back("did not load " + entry.dump());
        return;
      }
    }
  }
  json steps = c.contains("steps") ? c["steps"] : json::array({{{"now", c.value("now", "")}, {"events", c["events"]}}});
  std::vector<json> lines;
  for (const auto& step : steps) {
    AlertOptions options;
    options.policy = c.value("policy", spec.value("policy", ""));
    options.now = step.value("now", "");
    options.format = InputFormat::kNdjson;
    std::string input;
    for (const auto& ev : step.value("events", json::array())) input += (ev.is_string() ? ev.get<std::string>() : ev.dump()) + "\n";
    AlertReport r = engine.alerts_push(input, options);
    size_t start = 0;
    while (start < r.json.size()) {
      size_t end = r.json.find('\n', start);
      if (end == std::string::npos) end = r.json.size();
      json line = json::parse(r.json.substr(start, end - start), nullptr, false);
      if (line.is_discarded()) diffs.push_back("the engine wrote a line that is not JSON");
      lines.push_back(line);
      start = end + 1;
    }
  }
  const json expect = c.value("expect", json::array());
  if (expect.size() != lines.size()) {
    std::string all;
    for (const auto& l : lines) all += "\n         " + show(l);
    diffs.push_back("expected " + std::to_string(expect.size()) + " output lines, got " + std::to_string(lines.size()) + ":" + all);
  }
  for (size_t i = 0; i < expect.size() && i < lines.size(); ++i) {
    for (auto it = expect[i].begin(); it != expect[i].end(); ++it) {
      std::string rwhy;
      const json* got = resolve(lines[i], it.key(), rwhy);
      if (!got) diffs.push_back("line " + std::to_string(i + 1) + " " + it.key() + ": expected " + show(it.value()) + ", missing in " + show(lines[i]));
      else if (!same(*got, it.value()))
        diffs.push_back("line " + std::to_string(i + 1) + " " + it.key() + ": expected " + show(it.value()) + ", got " + show(*got));
    }
  }
  if (c.contains("expectStats")) {
    json stats = json::parse(engine.alerts_stats(), nullptr, false);
    const json* s = stats.is_discarded() || stats["streams"].empty() ? nullptr : &stats["streams"][0];
    for (auto it = c["expectStats"].begin(); it != c["expectStats"].end(); ++it) {
      std::string rwhy;
      const json* got = s ? resolve(*s, it.key(), rwhy) : nullptr;
      if (!got) diffs.push_back("stats " + it.key() + ": missing");
      else if (!same(*got, it.value())) diffs.push_back("stats " + it.key() + ": expected " + show(it.value()) + ", got " + show(*got));
    }
  }
}

// Runs one test file. Returns false when the file itself is broken.
bool run_file(const fs::path& file, bool verbose, Totals& totals) {
  std::string text, why;
  if (!read_file(file.string(), text, why)) {
    std::cout << file.string() << ": " << why << "\n";
    ++totals.failed;
    return false;
  }
  json doc = json::parse(text, nullptr, false, true);
  if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "PolicyTest" || !doc.contains("spec")) {
    std::cout << file.string() << ": not a PolicyTest document (apiVersion verdict/v1, kind PolicyTest, spec)\n";
    ++totals.failed;
    return false;
  }
  const json& spec = doc["spec"];
  // A misspelt key would silently disable a check: reject unknown keys.
  std::vector<std::string> problems;
  if (doc.value("apiVersion", "") != "verdict/v1") problems.push_back("apiVersion must be \"verdict/v1\"");
  auto only = [&](const json& obj, const std::string& where, std::initializer_list<const char*> allowed) {
    if (!obj.is_object()) {
      problems.push_back(where + " must be an object");
      return;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || it.key() == a;
      if (!ok) problems.push_back("unknown key \"" + it.key() + "\" in " + where);
    }
  };
  only(doc, "the test file", {"apiVersion", "kind", "metadata", "spec"});
  only(spec, "spec", {"policies", "data", "now", "policy", "cases", "description"});
  // Bad-input files exist to prove that errors are positioned: there, every expected error
  // names its line and column, not only its code.
  const bool bad_inputs = file.filename() == "bad-inputs.test.json";
  if (spec.contains("cases") && spec["cases"].is_array()) {
    for (size_t i = 0; i < spec["cases"].size(); ++i) {
      const json& c = spec["cases"][i];
      only(c, "case " + std::to_string(i + 1),
           {"name", "description", "input", "inputFile", "now", "policy", "expect", "expectErrors", "explain",
            "events", "steps", "expectStats", "records", "record"});
      if (!bad_inputs || !c.is_object()) continue;
      auto ee = c.find("expectErrors");
      if (ee == c.end() || !ee->is_array()) continue;
      for (const auto& w : *ee)
        if (!w.is_object() || !w.contains("code") || !w.contains("line") || !w.contains("column"))
          problems.push_back("case " + std::to_string(i + 1) +
                             ": in a bad-inputs file each expected error names its code, line and column (" + w.dump() + ")");
    }
  } else {
    problems.push_back("spec.cases must be an array of cases");
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::cout << file.string() << ": " << p << "\n";
    ++totals.failed;
    return false;
  }
  fs::path dir = file.parent_path();
  Engine engine;
  // Files are named as the test file writes them (relative to it), so that positions
  // in results do not depend on the directory verdict runs from.
  bool loaded = true;
  auto load = [&](const json& list, bool is_policy) {
    for (const auto& entry : list) {
      if (!entry.is_string()) continue;
      std::string name = entry.get<std::string>(), body;
      if (!read_file((dir / name).string(), body, why)) {
        std::cout << file.string() << ": " << why << "\n";
        loaded = false;
        continue;
      }
      LoadReport r = is_policy ? engine.load_policies(body, name) : engine.load_data(body, name);
      for (const auto& e : r.errors) std::cout << e.to_string() << "\n";
      loaded = loaded && r.ok();
    }
  };
  load(spec.value("policies", json::array()), true);
  load(spec.value("data", json::array()), false);
  if (!loaded) {
    std::cout << file.string() << ": the policies or data did not load\n";
    ++totals.failed;
    return false;
  }
  const std::string default_now = spec.value("now", "");
  const std::string default_policy = spec.value("policy", "");
  size_t passed = 0, failed = 0;
  const json cases = spec.value("cases", json::array());
  for (size_t i = 0; i < cases.size(); ++i) {
    const json& c = cases[i];
    std::string name = c.value("name", "case " + std::to_string(i + 1));
    std::vector<std::string> diffs;
    if (c.contains("events") || c.contains("steps")) {  // an AlertDedup stream case
      run_alert_stream_case(c, spec, dir, diffs);
      if (diffs.empty()) {
        ++passed;
        if (verbose) std::cout << "  PASS " << name << "\n";
      } else {
        ++failed;
        std::cout << "  FAIL " << name << " (" << file.string() << ")\n";
        for (const auto& d : diffs) std::cout << "       " << d << "\n";
      }
      continue;
    }
    std::string input;
    if (c.contains("input")) {
      input = c["input"].dump();
    } else if (c.contains("inputFile")) {
      if (!read_file((dir / c["inputFile"].get<std::string>()).string(), input, why)) diffs.push_back(why);
    } else {
      diffs.push_back("the case has no input (input or inputFile)");
    }
    EvalOptions options;
    options.policy = c.value("policy", default_policy);
    options.now = c.value("now", default_now);
    options.explain = c.value("explain", false);
    options.format = InputFormat::kJson;
    options.source = name;
    json result;
    if (diffs.empty()) {
      EvalReport r = engine.evaluate(input, options);
      // An API envelope (a webhook, a Table API answer, an array) is one decision per record,
      // one per line: "records" checks how many, "record" picks the one `expect` is about.
      std::vector<json> decisions;
      for (size_t at = 0; at < r.json.size();) {
        size_t end = r.json.find('\n', at);
        if (end == std::string::npos) end = r.json.size();
        if (end > at) decisions.push_back(json::parse(r.json.substr(at, end - at), nullptr, false));
        at = end + 1;
      }
      for (const json& d : decisions)
        if (d.is_discarded()) diffs.push_back("the engine returned invalid JSON");
      if (c.contains("records") && c["records"] != json(decisions.size()))
        diffs.push_back("records: expected " + show(c["records"]) + ", got " + std::to_string(decisions.size()));
      const size_t pick = c.value("record", size_t{0});
      if (!diffs.empty() || (decisions.empty() && c.value("records", -1) == 0)) {
        // nothing more to compare
      } else if (pick >= decisions.size()) {
        diffs.push_back("record " + std::to_string(pick) + ": the input gave " + std::to_string(decisions.size()) + " decisions");
      } else if (decisions.size() > 1 && !c.contains("record")) {
        diffs.push_back("the input holds " + std::to_string(decisions.size()) +
                        " records (an API envelope): say which one the case expects with \"record\"");
      } else {
        result = decisions[pick];
      }
    }
    if (diffs.empty() && !result.is_null()) {
      bool want_errors = c.contains("expectErrors");
      const json& errs = result["errors"];
      if (!want_errors && !errs.empty()) {
        for (const auto& e : errs) diffs.push_back("unexpected error: " + e.value("message", "") + " [" + e.value("code", "") + "]");
      }
      if (want_errors) {
        const json& want = c["expectErrors"];
        if (want.is_array()) {
          // Each expected error: a code ("type_error"), or an object naming the code and where
          // it is ({"code", "source", "line", "column", "message": a substring}); every named
          // part must match one error.
          for (const auto& w : want) {
            bool found = false;
            for (const auto& e : errs) {
              if (!e.is_object()) continue;
              auto field = [&](const char* k) -> const json* {
                auto it = e.find(k);
                return it == e.end() ? nullptr : &*it;
              };
              const json* code = field("code");
              if (w.is_string()) {
                found = found || (code && *code == w);
                continue;
              }
              if (!w.is_object()) continue;
              bool ok = true;
              for (auto it = w.begin(); it != w.end() && ok; ++it) {
                const json* got = field(it.key().c_str());
                if (it.key() == "message") {
                  ok = got && got->is_string() && it.value().is_string() &&
                       got->get<std::string>().find(it.value().get<std::string>()) != std::string::npos;
                } else {
                  ok = got && same(*got, it.value());
                }
              }
              found = found || ok;
            }
            if (!found) diffs.push_back("expected an error " + show(w) + ", got " + show(errs));
          }
        } else if (want.is_boolean() && want.get<bool>() != !errs.empty()) {
          diffs.push_back(std::string("expected ") + (want.get<bool>() ? "errors" : "no errors") + ", got " + show(errs));
        }
      }
      const json expect = c.value("expect", json::object());
      for (auto it = expect.begin(); it != expect.end(); ++it) {
        std::string path = it.key();
        const json* base = &result["decision"];
        if (path.rfind("$.", 0) == 0) {
          base = &result;
          path = path.substr(2);
        }
        std::string rwhy;
        const json* got = resolve(*base, path, rwhy);
        if (!got) {
          diffs.push_back(it.key() + ": expected " + show(it.value()) + ", but the decision has no such field" + (rwhy.empty() ? "" : " (" + rwhy + ")"));
        } else if (!same(*got, it.value())) {
          diffs.push_back(it.key() + ": expected " + show(it.value()) + ", got " + show(*got));
        }
      }
    }
    if (diffs.empty()) {
      ++passed;
      if (verbose) std::cout << "  PASS " << name << "\n";
    } else {
      ++failed;
      std::cout << "  FAIL " << name << " (" << file.string() << ")\n";
      for (const auto& d : diffs) std::cout << "       " << d << "\n";
    }
  }
  std::cout << file.string() << ": " << passed << " passed, " << failed << " failed\n";
  totals.passed += passed;
  totals.failed += failed;
  return true;
}

}  // namespace

int run_tests(const std::vector<std::string>& paths, bool verbose) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      std::cerr << "verdict: no such file or folder: " << p << "\n";
      return kExitUsage;
    }
    collect(p, files);
  }
  std::sort(files.begin(), files.end());
  Totals totals;
  for (const auto& f : files) run_file(f, verbose, totals);
  if (files.empty()) std::cout << "no *.test.json files found\n";
  std::cout << totals.passed << " passed, " << totals.failed << " failed\n";
  return totals.failed == 0 && !files.empty() ? kExitOk : kExitInvalid;
}

}  // namespace verdict::cli
