// The expression language's syntax tree: a flat vector of nodes, built by the
// parser, annotated by the checker, read by the evaluator. Immutable once compiled.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace re2 { class RE2; }

namespace verdict::lang {

enum class NodeKind : uint8_t {
  kNull, kBool, kInt, kDouble, kString, kDuration,  // literals
  kIdent,      // a variable: incident, now, x (macro variable)
  kSelect,     // kids[0].name
  kIndex,      // kids[0][kids[1]]
  kCall,       // name(kids...) or kids[0].name(kids[1..]) when has_receiver
  kMacro,      // kids[0].name(var, kids[1])   exists, all, filter, map, count, exists_one
  kUnary,      // op kids[0]
  kBinary,     // kids[0] op kids[1]
  kCond,       // kids[0] ? kids[1] : kids[2]
  kList,       // [kids...]
  kMap,        // {key: value, ...}: kids alternate key, value
};

enum class Op : uint8_t {
  kNone,
  kNot, kNeg,
  kOr, kAnd,
  kEq, kNe, kLt, kLe, kGt, kGe, kIn,
  kAdd, kSub, kMul, kDiv, kMod,
};

// Static types known to the checker (kDyn: only known at run time).
enum class StaticType : uint8_t { kDyn, kNull, kBool, kInt, kDouble, kNumber, kString, kTime, kDuration, kList, kMap };
const char* static_type_name(StaticType t);

struct Node {
  NodeKind kind = NodeKind::kNull;
  Op op = Op::kNone;
  bool has_receiver = false;  // kCall: receiver-style (x.f(...)) rather than f(x)
  StaticType type = StaticType::kDyn;  // set by the checker
  uint32_t pos = 0;           // byte offset of the node's first character in the expression
  uint32_t end = 0;           // one past its last character
  std::vector<int32_t> kids;
  std::string name;           // identifier, field, function or macro variable; string literal value
  bool b = false;
  int64_t i = 0;              // int literal, duration literal (ns)
  double d = 0;
  int32_t slot = -1;          // kIdent / kMacro: variable slot
  int32_t fn = -1;            // kCall: builtin id
  std::shared_ptr<const re2::RE2> regex;  // kCall matches(): compiled once at load
  int32_t path_id = -1;       // field path rooted at a variable (for explanations)
};

struct Ast {
  std::vector<Node> nodes;
  int32_t root = -1;
  std::string text;           // the expression source
};

}  // namespace verdict::lang
