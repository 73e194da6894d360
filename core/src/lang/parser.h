#pragma once

#include <string_view>

#include "lang/ast.h"
#include "verdict/result.h"

namespace verdict::lang {

struct ParseLimits {
  size_t max_expression_bytes = 16384;  // source text of one expression
  size_t max_nodes = 4096;              // syntax tree nodes of one expression
  size_t max_depth = 64;                // nesting of sub-expressions
  size_t max_height = 256;              // height of the syntax tree (bounds the evaluator's recursion)
  size_t max_list_literal = 1000;       // items in one list literal
};

// Parses one expression. Errors carry the byte offset in `text` (kSyntaxError, kLimitExceeded).
Result<Ast> parse_expression(std::string_view text, const ParseLimits& limits = {});

}  // namespace verdict::lang
