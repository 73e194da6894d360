// The one registry of builtin functions: names, signatures and implementations.
// The checker validates calls against it and the evaluator dispatches through it,
// so the two cannot disagree. docs/language.md lists the same table.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "lang/ast.h"
#include "lang/value.h"

namespace verdict::lang {

class EvalContext;

// Implementation: args[0] is the receiver for receiver-style functions.
using BuiltinFn = Val (*)(EvalContext& ctx, const Node& call, const Val* args, size_t nargs);

struct Builtin {
  const char* name;        // "contains", "size", "cmdb.blast_radius"
  bool receiver;           // called as x.name(...) (the receiver is args[0])
  uint8_t min_args;        // not counting the receiver
  uint8_t max_args;
  StaticType receiver_type;  // kDyn: any
  StaticType arg_types[3];   // kDyn: any
  StaticType result;
  const char* signature;   // for docs and messages: "string.contains(string) -> bool"
  BuiltinFn fn;
};

const std::vector<Builtin>& builtins();
// -1 when there is no such function in that style.
int32_t find_builtin(std::string_view name, bool receiver);
// All signatures with this name (for "did you mean" messages).
std::vector<const Builtin*> builtins_named(std::string_view name);

}  // namespace verdict::lang
