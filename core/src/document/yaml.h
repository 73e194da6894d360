// YAML to JSON, the one reader of YAML in verdict: `verdict budget`'s OpenSLO and Sloth
// files, `verdict import alertmanager`'s configuration, and YAML input through the engine
// (InputFormat::kYaml: the C ABI's VERDICT_EVAL_YAML, the JS package). Each YAML document
// becomes one JSON line (NDJSON), and the YAML line and column of every key and value is
// kept, so that an error found in the converted JSON is reported at the YAML text's own
// position (Positions::find), and a problem named by a JSON pointer too (Positions::value_at).
//
//   auto r = verdict::yaml::to_ndjson(text);
//   if (!r.ok()) return r.error();          // "12:3: the key \"service\" is given twice"
//   use(r.value().ndjson);                  // one JSON line per YAML document
//
// yaml-cpp parses (it reports errors by throwing: caught here, never out of this file; the
// Wasm build compiles this file and yaml-cpp with -fwasm-exceptions, DEVELOPERS.md). A
// YAML alias is a shared node, so a 370-byte "billion laughs" file expands to 10^9 nodes
// and `a: &x [*x]` is a cycle: the walk counts every node it writes (an alias each time it is
// expanded) within a budget proportional to the text's size, refuses a node that is its own
// ancestor, and nesting deeper than kMaxDepth (docs/limits.md). A key given twice in one
// mapping is an error at the second key (Alertmanager's and Sloth's Go readers refuse it too).
// Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "verdict/result.h"

namespace verdict::yaml {

constexpr size_t kMaxDepth = 128;  // collections inside collections

// How plain scalars become JSON.
enum class Scalars {
  kTyped,  // YAML 1.2 core schema: null, true/false, integers and floats; quoted stay strings
  kText,   // every scalar is its text as a string, null stays null (as Go's yaml.v2 fills string fields)
};

struct Options {
  Scalars scalars = Scalars::kTyped;
  bool pointers = false;  // also keep positions by JSON pointer (Positions::value_at, key_at)
};

struct Position {
  int64_t line = 0, column = 0;  // 1-based; 0 when unknown
};

// Where each key and value of the converted JSON came from.
class Positions {
 public:
  // The YAML position of the value or key that starts at, or most closely before, `column`
  // of converted `line` (both 1-based). False when the line has none.
  bool find(int64_t line, int64_t column, Position& yaml) const;
  // By JSON pointer ("/route/routes/0/receiver") into document `doc` (0-based, counting the
  // converted lines): the value's position, or the key's that names it. Needs Options::pointers.
  bool value_at(size_t doc, const std::string& pointer, Position& yaml) const;
  bool key_at(size_t doc, const std::string& pointer, Position& yaml) const;

  // Recorded by the conversion: columns rise within a line.
  void add(size_t line, size_t column, Position yaml);
  void add_value(size_t doc, const std::string& pointer, Position yaml);
  void add_key(size_t doc, const std::string& pointer, Position yaml);

 private:
  struct Mark {
    size_t column;
    Position yaml;
  };
  std::vector<std::vector<Mark>> lines_;  // by converted line - 1, by column
  std::vector<std::map<std::string, Position>> values_, keys_;  // by document, by pointer
};

struct Converted {
  std::string ndjson;  // one line (ending "\n") per YAML document; empty documents are skipped
  size_t documents = 0;
  Positions positions;
};

// Errors (their line and column in the YAML text; the caller sets `source`):
// kInvalidYaml (yaml-cpp's message), kDuplicateKey, kTooDeep, kLimitExceeded (aliases beyond
// the budget, an alias cycle), kWrongType (a key that is a collection).
Result<Converted> to_ndjson(std::string_view text, const Options& options = {});

// "~" and "/" escaped as in a JSON pointer (RFC 6901).
std::string escape_pointer_token(std::string_view key);

}  // namespace verdict::yaml
