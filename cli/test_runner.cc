// `verdict test`: policy tests, in the spirit of `opa test`. A test file
// (NAME.test.json, kind PolicyTest; docs/policy-tests.md) names the policies and data
// to load, a default `now`, and cases: an input, optionally its own `now` and policy,
// and the expected values of decision fields by path. Prints each failure with a
// readable diff and ends with "N passed, M failed".
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "cli/common.h"
#include "cli/coverage.h"
#include "policy/json_source.h"
#include "policy/render.h"

namespace verdict::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// ---- what a test file may name (docs/limits.md, "Test files") -----------------------------
// A test file comes from a policy author, who is only partly trusted: the files it names
// (policies, data, inputFile) must lie inside the current directory or a --allow-path folder,
// after symbolic links are resolved, and not under a hidden folder or file (.git, .ssh, .env)
// of it. Anything else is refused unread, so nothing of it can reach a message (a test file
// once read /etc/hostname and printed its first bytes in the parse error).
std::vector<fs::path> g_allowed_roots;

void set_allowed_roots(const std::vector<std::string>& extra) {
  g_allowed_roots.clear();
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec) g_allowed_roots.push_back(fs::weakly_canonical(cwd, ec));
  for (const auto& a : extra) {
    fs::path root = fs::weakly_canonical(fs::absolute(a, ec), ec);
    if (!ec) g_allowed_roots.push_back(root);
  }
}

// Whether `p` (canonical) lies inside `root` (canonical) and not under a hidden part of it.
bool inside(const fs::path& p, const fs::path& root) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty()) continue;  // a trailing separator
    if (q == p.end() || *q != *r) return false;
  }
  for (; q != p.end(); ++q) {
    const std::string part = q->string();
    if (!part.empty() && part[0] == '.') return false;
  }
  return true;
}

// read_file() of a file named by a test file (`name`, relative to the test file's folder
// `dir`), when it is allowed.
bool read_named(const fs::path& dir, const std::string& name, std::string& out, std::string& why) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(dir / name, ec), ec);
  bool ok = !ec && std::any_of(g_allowed_roots.begin(), g_allowed_roots.end(), [&](const fs::path& r) { return inside(p, r); });
  if (!ok) {
    out.clear();
    why = "\"" + name + "\" is outside the folders a test file may read (the current directory and --allow-path, not " +
          "their hidden parts): refused, not read";
    return false;
  }
  return read_file((dir / name).string(), out, why);
}

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

// What one case did: its name, its time, and the differences (none: it passed).
struct CaseResult {
  std::string name;
  double seconds = 0;
  std::vector<std::string> diffs;
};

// One test file: its cases, or the problems that kept it from running.
struct FileResult {
  std::string file;
  std::vector<std::string> problems;
  std::vector<CaseResult> cases;
  size_t skipped = 0;  // cases that --run did not select
  size_t passed() const {
    return static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) { return c.diffs.empty(); }));
  }
  size_t failed() const { return cases.size() - passed(); }
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
void run_alert_stream_case(const json& c, const json& spec, const fs::path& dir, std::vector<std::string>& diffs,
                           Coverage* coverage) {
  Engine engine;
  std::string why;
  std::vector<std::string> loaded_policies;
  for (const char* key : {"policies", "data"}) {
    for (const auto& entry : spec.value(key, json::array())) {
      std::string body;
      if (!entry.is_string() || !read_named(dir, entry.get<std::string>(), body, why)) {
        diffs.push_back("cannot read " + entry.dump() + (why.empty() ? "" : ": " + why));
        return;
      }
      const bool is_policy = std::string(key) == "policies";
      LoadReport r = is_policy ? engine.load_policies(body, entry.get<std::string>()) : engine.load_data(body, entry.get<std::string>());
      if (is_policy && coverage)
        for (auto& n : coverage->add_file((dir / entry.get<std::string>()).lexically_normal().string(), body)) loaded_policies.push_back(n);
      if (!r.ok()) {
        diffs.push_back("did not load " + entry.dump());
        return;
      }
    }
  }
  // The policy the stream runs: the one named, or the one AlertDedup policy loaded.
  std::string covered_policy = c.value("policy", spec.value("policy", ""));
  if (coverage && covered_policy.empty())
    for (const auto& n : loaded_policies)
      if (coverage->kind_of(n) == "AlertDedup") covered_policy = covered_policy.empty() ? n : "\n";  // "\n": several
  json steps = c.contains("steps") ? c["steps"] : json::array({{{"now", c.value("now", "")}, {"events", c["events"]}}});
  std::vector<json> lines;
  for (const auto& step : steps) {
    AlertOptions options;
    options.policy = c.value("policy", spec.value("policy", ""));
    options.now = step.value("now", "");
    options.format = InputFormat::kNdjson;
    // Coverage reads routes and windows from the explain trace; a case that does not ask for
    // explain is compared without its "muted" lines (the other explain fields are extra keys).
    options.explain = c.value("explain", false) || coverage != nullptr;
    const bool keep_muted = c.value("explain", false);
    std::string input;
    for (const auto& ev : step.value("events", json::array())) input += (ev.is_string() ? ev.get<std::string>() : ev.dump()) + "\n";
    AlertReport r = engine.alerts_push(input, options);
    size_t start = 0;
    while (start < r.json.size()) {
      size_t end = r.json.find('\n', start);
      if (end == std::string::npos) end = r.json.size();
      json line = json::parse(r.json.substr(start, end - start), nullptr, false);
      if (line.is_discarded()) diffs.push_back("the engine wrote a line that is not JSON");
      else if (coverage) coverage->record_alert_line(covered_policy, line);
      if (keep_muted || !line.is_object() || line.value("type", "") != "muted") lines.push_back(line);
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

// Runs the cases of one test file that `selected` accepts.
FileResult run_file(const fs::path& file, const std::function<bool(const std::string&)>& selected, Coverage* coverage) {
  FileResult out;
  out.file = file.string();
  std::string text, why;
  if (!read_file(file.string(), text, why)) {
    out.problems.push_back(why);
    return out;
  }
  // Read as policies are (depth limit, positioned errors) before nlohmann's parser: a test file
  // nested 100,000 deep once crashed the run (its recursive writer), now it is refused at once.
  auto checked = policy::JsonSource::parse(text, file.string());
  if (!checked.ok()) {
    out.problems.push_back(checked.error().to_string());
    return out;
  }
  json doc = json::parse(text, nullptr, false, true);
  if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "PolicyTest" || !doc.contains("spec")) {
    out.problems.push_back("not a PolicyTest document (apiVersion verdict/v1, kind PolicyTest, spec)");
    return out;
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
    out.problems = problems;
    return out;
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
      if (!read_named(dir, name, body, why)) {
        out.problems.push_back(why);
        loaded = false;
        continue;
      }
      LoadReport r = is_policy ? engine.load_policies(body, name) : engine.load_data(body, name);
      if (is_policy && coverage) coverage->add_file((dir / name).lexically_normal().string(), body);
      for (const auto& e : r.errors) out.problems.push_back(e.to_string());
      loaded = loaded && r.ok();
    }
  };
  load(spec.value("policies", json::array()), true);
  load(spec.value("data", json::array()), false);
  if (!loaded) {
    out.problems.push_back("the policies or data did not load");
    return out;
  }
  const std::string default_now = spec.value("now", "");
  const std::string default_policy = spec.value("policy", "");
  const json cases = spec.value("cases", json::array());
  for (size_t i = 0; i < cases.size(); ++i) {
    const json& c = cases[i];
    std::string name = c.value("name", "case " + std::to_string(i + 1));
    if (!selected(name)) {
      ++out.skipped;
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    auto finish = [&](std::vector<std::string> diffs) {
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      out.cases.push_back({name, took.count(), std::move(diffs)});
    };
    std::vector<std::string> diffs;
    if (c.contains("events") || c.contains("steps")) {  // an AlertDedup stream case
      run_alert_stream_case(c, spec, dir, diffs, coverage);
      finish(std::move(diffs));
      continue;
    }
    std::string input;
    if (c.contains("input")) {
      input = c["input"].dump();
    } else if (c.contains("inputFile")) {
      if (!read_named(dir, c["inputFile"].get<std::string>(), input, why)) diffs.push_back(why);
    } else {
      diffs.push_back("the case has no input (input or inputFile)");
    }
    EvalOptions options;
    options.policy = c.value("policy", default_policy);
    options.now = c.value("now", default_now);
    // Coverage reads what the evaluation touched from its explain trace.
    options.explain = c.value("explain", false) || coverage != nullptr;
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
      for (const json& d : decisions) {
        if (d.is_discarded()) diffs.push_back("the engine returned invalid JSON");
        else if (coverage) coverage->record_decision(d);
      }
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
    finish(std::move(diffs));
  }
  return out;
}

std::string millis(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", seconds * 1000);
  return buf;
}

// Text for people: failures with their diffs (every case with -v, with its time), a line per
// file, the totals.
void write_text(const std::vector<FileResult>& results, bool verbose, std::ostream& out) {
  size_t passed = 0, failed = 0, skipped = 0;
  for (const FileResult& f : results) {
    for (const auto& p : f.problems) out << f.file << ": " << p << "\n";
    for (const CaseResult& c : f.cases) {
      if (c.diffs.empty()) {
        if (verbose) out << "  PASS " << c.name << " (" << millis(c.seconds) << ")\n";
        continue;
      }
      out << "  FAIL " << c.name << " (" << f.file << (verbose ? ", " + millis(c.seconds) : std::string()) << ")\n";
      for (const auto& d : c.diffs) out << "       " << d << "\n";
    }
    if (f.problems.empty()) {
      out << f.file << ": " << f.passed() << " passed, " << f.failed() << " failed";
      if (f.skipped) out << ", " << f.skipped << " skipped";
      out << "\n";
    }
    passed += f.passed();
    failed += f.failed() + (f.problems.empty() ? 0 : 1);
    skipped += f.skipped;
  }
  if (results.empty()) out << "no *.test.json files found\n";
  out << passed << " passed, " << failed << " failed";
  if (skipped) out << ", " << skipped << " skipped";
  out << "\n";
}

// JSON for machines: {"files": [{"file", "passed", "failed", "skipped", "problems",
// "cases": [{"name", "ok", "seconds", "failures"}]}], "passed", "failed", "skipped"}.
void write_json(const std::vector<FileResult>& results, const Coverage* coverage, std::ostream& out) {
  json doc = {{"files", json::array()}};
  size_t passed = 0, failed = 0, skipped = 0;
  for (const FileResult& f : results) {
    json cases = json::array();
    for (const CaseResult& c : f.cases)
      cases.push_back({{"name", c.name}, {"ok", c.diffs.empty()}, {"seconds", c.seconds}, {"failures", c.diffs}});
    doc["files"].push_back({{"file", f.file}, {"passed", f.passed()}, {"failed", f.failed()}, {"skipped", f.skipped},
                            {"problems", f.problems}, {"cases", cases}});
    passed += f.passed();
    failed += f.failed() + (f.problems.empty() ? 0 : 1);
    skipped += f.skipped;
  }
  doc["passed"] = passed;
  doc["failed"] = failed;
  doc["skipped"] = skipped;
  if (coverage) doc["coverage"] = coverage->to_json();
  out << doc.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

// JUnit XML, which CI systems read: a <testsuite> per test file, a <testcase> per case; a
// file that could not run is one <testcase> with an <error>.
void write_junit(const std::vector<FileResult>& results, std::ostream& out) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"verdict test\">\n";
  for (const FileResult& f : results) {
    double total = 0;
    for (const CaseResult& c : f.cases) total += c.seconds;
    x += "  <testsuite name=\"";
    policy::append_xml(x, f.file);
    x += "\" tests=\"" + std::to_string(f.problems.empty() ? f.cases.size() : 1) + "\" failures=\"" +
         std::to_string(f.failed()) + "\" errors=\"" + std::to_string(f.problems.empty() ? 0 : 1) + "\" skipped=\"" +
         std::to_string(f.skipped) + "\" time=\"" + std::to_string(total) + "\">\n";
    if (!f.problems.empty()) {
      std::string all;
      for (const auto& p : f.problems) all += p + "\n";
      x += "    <testcase name=\"(the test file)\" classname=\"";
      policy::append_xml(x, f.file);
      x += "\"><error message=\"the test file did not run\">";
      policy::append_xml(x, all);
      x += "</error></testcase>\n";
    }
    for (const CaseResult& c : f.cases) {
      x += "    <testcase name=\"";
      policy::append_xml(x, c.name);
      x += "\" classname=\"";
      policy::append_xml(x, f.file);
      x += "\" time=\"" + std::to_string(c.seconds) + "\"";
      if (c.diffs.empty()) {
        x += "/>\n";
        continue;
      }
      std::string all;
      for (const auto& d : c.diffs) all += d + "\n";
      x += "><failure message=\"";
      policy::append_xml(x, c.diffs.front());
      x += "\">";
      policy::append_xml(x, all);
      x += "</failure></testcase>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  out << x;
}

}  // namespace

int run_tests(const TestArgs& args) {
  for (const auto& a : args.allow_paths) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      std::cerr << "verdict test: --allow-path " << a << ": not a folder\n";
      return kExitUsage;
    }
  }
  set_allowed_roots(args.allow_paths);
  std::vector<fs::path> files;
  for (const auto& p : args.paths.empty() ? std::vector<std::string>{"policies"} : args.paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      std::cerr << "verdict: cannot open " << p << ": " << (ec ? ec.message() : "No such file or directory") << "\n";
      return kExitUsage;
    }
    collect(p, files);
  }
  std::sort(files.begin(), files.end());
  // --run: an RE2 pattern searched in "FILE: CASE NAME", so that it selects files or cases.
  std::unique_ptr<RE2> run;
  if (!args.run.empty()) {
    RE2::Options o;
    o.set_log_errors(false);
    run = std::make_unique<RE2>(args.run, o);
    if (!run->ok()) {
      std::cerr << "verdict test: --run: invalid regular expression: " << run->error() << "\n";
      return kExitUsage;
    }
  }
  std::unique_ptr<Coverage> coverage = args.coverage || args.threshold >= 0 ? std::make_unique<Coverage>() : nullptr;
  std::vector<FileResult> results;
  size_t failed = 0, ran = 0;
  for (const auto& f : files) {
    const std::string file = f.string();
    results.push_back(run_file(f, [&](const std::string& name) { return !run || RE2::PartialMatch(file + ": " + name, *run); },
                               coverage.get()));
    failed += results.back().failed() + (results.back().problems.empty() ? 0 : 1);
    ran += results.back().cases.size();
  }
  std::ofstream file_out;
  if (!args.output.empty()) {
    errno = 0;
    file_out.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file_out) {
      std::cerr << "verdict: cannot write " << args.output << ": " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
  }
  std::ostream& out = args.output.empty() ? std::cout : file_out;
  if (args.format == "json") {
    write_json(results, coverage.get(), out);
  } else if (args.format == "junit") {
    write_junit(results, out);
    if (coverage) coverage->write_text(std::cerr);  // JUnit has no place for it
  } else {
    write_text(results, args.verbose, out);
    if (coverage) coverage->write_text(out);
  }
  out.flush();
  if (!out) {
    std::cerr << "verdict: cannot write " << (args.output.empty() ? "the output" : args.output) << "\n";
    return kExitInvalid;
  }
  // A selection that runs nothing is a mistake (a typo in --run), not a pass.
  if (run && ran == 0 && failed == 0) {
    std::cerr << "verdict test: --run " << args.run << " selects no case\n";
    return kExitInvalid;
  }
  if (coverage && args.threshold >= 0 && coverage->percent() < args.threshold) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "verdict test: coverage %.1f%% is below the threshold of %g%%\n", coverage->percent(), args.threshold);
    std::cerr << buf;
    return kExitInvalid;
  }
  return failed == 0 && !files.empty() ? kExitOk : kExitInvalid;
}

}  // namespace verdict::cli
