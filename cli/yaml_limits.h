// Bounds for converting a YAML document (yaml-cpp, native only) to JSON: `verdict budget`'s
// SLO files and `verdict import alertmanager` (docs/limits.md). yaml-cpp keeps an alias as a
// shared node, so a 370-byte "billion laughs" file is a small graph that expands to 10^9
// nodes, and `a: &x [*x]` is a cycle that a recursive walk follows until the stack runs out.
// The walk counts every node it writes, an alias each time it is expanded, within a budget
// proportional to the file's size, and refuses a node that is its own ancestor or a nesting
// deeper than kMaxDepth. Not thread-safe: one per conversion.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace verdict::cli {

class YamlBudget {
 public:
  static constexpr size_t kMaxDepth = 128;
  // Nodes a file of `text_bytes` may expand to: a file without aliases has fewer nodes than
  // bytes; aliases may repeat what they name a few times over.
  explicit YamlBudget(size_t text_bytes) : nodes_left_(4 * text_bytes + 10000) {}

  // Called on entering each node, with the collections above it; false (and why()) when the
  // conversion must stop: the walk returns at once.
  bool enter(const YAML::Node& n, const std::vector<YAML::Node>& ancestors) {
    if (!why_.empty()) return false;
    if (nodes_left_ == 0) return stop(n, "aliases expand to more than the file's budget of nodes (" + std::to_string(budget_) +
                                             "; a \"billion laughs\" document?)");
    --nodes_left_;
    if (ancestors.size() >= kMaxDepth) return stop(n, "collections nest deeper than " + std::to_string(kMaxDepth) + " levels");
    if (n.IsMap() || n.IsSequence())
      for (const YAML::Node& a : ancestors)
        if (a.is(n)) return stop(n, "an alias refers to a collection that contains it (a cycle)");
    return true;
  }
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  int line() const { return line_; }  // 1-based, 0 when unknown

 private:
  bool stop(const YAML::Node& n, std::string why) {
    why_ = std::move(why);
    line_ = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    return false;
  }
  size_t nodes_left_;
  size_t budget_ = nodes_left_;
  std::string why_;
  int line_ = 0;
};

}  // namespace verdict::cli
