// YAML to JSON for `verdict budget` (OpenSLO and Sloth files are usually YAML): each YAML
// document becomes one JSON line, and the YAML line and column of every key and value is
// kept, so an error the engine finds in the converted JSON is reported at the YAML file's
// own position (docs/budget.md, "verdict budget"). yaml-cpp (native only); aliases, cycles
// and depth are bounded by YamlBudget (yaml_limits.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace verdict::cli {

// Where each key and value of the converted JSON came from.
class YamlPositions {
 public:
  // The YAML position (1-based) of the value or key that starts at, or most closely before,
  // `column` of converted `line` (both 1-based). False when the line has none.
  bool find(int64_t line, int64_t column, int64_t& yaml_line, int64_t& yaml_column) const;
  void add(size_t line, size_t column, int yaml_line, int yaml_column);

 private:
  struct Mark {
    size_t column;
    int yaml_line, yaml_column;
  };
  std::vector<std::vector<Mark>> lines_;  // by converted line - 1, by column
};

// One YAML file (one or more documents) as NDJSON. False with `error` ("path:line:column:
// message") when the YAML is invalid, a key repeats, or the alias limits are reached.
bool yaml_to_ndjson(const std::string& text, const std::string& path, std::string& out, YamlPositions& positions, std::string& error);

}  // namespace verdict::cli
