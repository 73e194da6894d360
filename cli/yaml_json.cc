#include "cli/yaml_json.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/yaml_limits.h"

namespace verdict::cli {

bool YamlPositions::find(int64_t line, int64_t column, int64_t& yaml_line, int64_t& yaml_column) const {
  if (line < 1 || static_cast<size_t>(line) > lines_.size()) return false;
  const std::vector<Mark>& marks = lines_[static_cast<size_t>(line) - 1];
  auto it = std::upper_bound(marks.begin(), marks.end(), static_cast<size_t>(std::max<int64_t>(column, 0)),
                             [](size_t c, const Mark& m) { return c < m.column; });
  if (it == marks.begin()) return false;
  --it;
  yaml_line = it->yaml_line;
  yaml_column = it->yaml_column;
  return true;
}

void YamlPositions::add(size_t line, size_t column, int yaml_line, int yaml_column) {
  if (lines_.size() < line) lines_.resize(line);
  lines_[line - 1].push_back({column, yaml_line, yaml_column});  // columns rise within a line
}

namespace {

using json = nlohmann::json;

struct Writer {
  std::string& out;
  YamlPositions& positions;
  YamlBudget& budget;
  size_t line;        // the converted line being written
  size_t line_start;  // its offset in `out`
  std::string error;  // a repeated key: "line:column: message"

  void mark(const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    if (m.line >= 0) positions.add(line, out.size() - line_start + 1, m.line + 1, m.column + 1);
  }
  void string(const std::string& s) {
    // Invalid UTF-8 becomes U+FFFD (the reader would refuse it anyway; dump() would throw).
    out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  }

  // YAML scalars as JSON: quoted ones stay strings; plain ones become null, booleans and
  // numbers when they read as such (YAML 1.2 core schema).
  void scalar(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!") return string(s);  // quoted
    if (s == "null" || s == "~" || s.empty()) { out += "null"; return; }
    if (s == "true" || s == "True") { out += "true"; return; }
    if (s == "false" || s == "False") { out += "false"; return; }
    if (s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
      char* end = nullptr;
      errno = 0;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (end == s.c_str() + s.size() && errno != ERANGE) { out += std::to_string(i); return; }  // beyond 64 bits: a double
      double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size()) { out += json(d).dump(); return; }
    }
    string(s);
  }

  bool value(const YAML::Node& n, std::vector<YAML::Node>& ancestors) {
    if (!budget.enter(n, ancestors)) return false;
    mark(n);
    switch (n.Type()) {
      case YAML::NodeType::Map: {
        out += '{';
        ancestors.push_back(n);
        std::unordered_set<std::string> keys;
        bool first = true;
        for (const auto& kv : n) {
          if (!first) out += ',';
          first = false;
          std::string key = kv.first.as<std::string>();
          if (!keys.insert(key).second) {
            const YAML::Mark m = kv.first.Mark();
            error = std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": the key \"" + key + "\" is given twice";
            return false;
          }
          mark(kv.first);
          string(key);
          out += ':';
          if (!value(kv.second, ancestors)) return false;
        }
        ancestors.pop_back();
        out += '}';
        return true;
      }
      case YAML::NodeType::Sequence: {
        out += '[';
        ancestors.push_back(n);
        bool first = true;
        for (const auto& x : n) {
          if (!first) out += ',';
          first = false;
          if (!value(x, ancestors)) return false;
        }
        ancestors.pop_back();
        out += ']';
        return true;
      }
      case YAML::NodeType::Scalar: scalar(n); return true;
      default: out += "null"; return true;
    }
  }
};

}  // namespace

bool yaml_to_ndjson(const std::string& text, const std::string& path, std::string& out, YamlPositions& positions, std::string& error) {
  try {
    YamlBudget budget(text.size());
    size_t line = 1;
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) continue;
      Writer w{out, positions, budget, line, out.size(), {}};
      std::vector<YAML::Node> ancestors;
      if (!w.value(doc, ancestors)) {
        error = path + ":" + (w.error.empty() ? std::to_string(budget.line()) + ": " + budget.why() : w.error);
        return false;
      }
      out += "\n";
      ++line;
    }
    return true;
  } catch (const YAML::Exception& e) {
    error = path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg;
    return false;
  }
}

}  // namespace verdict::cli
