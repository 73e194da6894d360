// Limits of the expression language (ParseLimits, ExprLimits): every limit gives a
// kLimitExceeded error, at load or as an error value, and nothing hangs or crashes.
// No test here asserts a time: the work is bounded by steps, sizes and RE2's design.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lang/program.h"
#include "verdict/document.h"

using verdict::DocumentReader;
using verdict::Error;
using verdict::ErrorCode;
using verdict::lang::Environment;
using verdict::lang::EvalContext;
using verdict::lang::ExprLimits;
using verdict::lang::Val;

namespace {

Environment doc_env() {
  Environment env;
  env.add("doc");
  return env;
}

// {"xs": [0, 1, ..., n-1]}
std::string list_doc(int n) {
  std::string out = "{\"xs\": [";
  for (int i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(i);
  return out + "]}";
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

Error compile_error(std::string_view text, const ExprLimits& limits = {}) {
  auto prog = verdict::lang::compile(text, doc_env(), limits);
  if (prog.ok()) FAIL("expected a compile error");
  return prog.error();
}

struct Outcome {
  bool is_error = false;
  std::string json;
  Error error;
  size_t error_count = 0;
  uint64_t steps = 0;
};

Outcome eval(std::string_view text, std::string_view json, const ExprLimits& limits) {
  Outcome out;
  auto prog = verdict::lang::compile(text, doc_env(), limits);
  REQUIRE(prog.ok());
  DocumentReader reader;
  auto doc = reader.read(json);
  REQUIRE(doc.ok());
  EvalContext ctx(limits);
  ctx.begin_decision({});
  ctx.bind(0, doc.value().root());
  Val v = verdict::lang::evaluate(*prog.value(), ctx);
  out.steps = ctx.steps();
  out.error_count = ctx.errors().size();
  if (v.is_error()) {
    out.is_error = true;
    out.error = ctx.errors()[v.err];
  } else {
    out.json = verdict::lang::val_to_json(v);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Evaluation steps

TEST_CASE("a nested macro beyond max_steps is a limit_exceeded error value", "[lang][limits]") {
  ExprLimits limits;
  limits.max_steps = 1000;
  Outcome o = eval("doc.xs.exists(x, doc.xs.exists(y, x + y < 0))", list_doc(200), limits);
  REQUIRE(o.is_error);
  CHECK(o.error.code == ErrorCode::kLimitExceeded);
  CHECK_THAT(o.error.message, Catch::Contains("1000 steps"));
  CHECK(o.error_count == 1);  // reported once, not once per iteration
  CHECK(o.steps <= 1010);     // it stopped, it did not walk the 40,000 pairs
}

TEST_CASE("max_steps bounds work that would otherwise take very long", "[lang][limits]") {
  // 200^3 = 8,000,000 iterations with the default limit of 100,000 steps.
  Outcome o = eval("doc.xs.map(x, doc.xs.map(y, doc.xs.map(z, x + y + z))).size()", list_doc(200), ExprLimits{});
  REQUIRE(o.is_error);
  CHECK(o.error.code == ErrorCode::kLimitExceeded);
  CHECK(o.steps <= 100010);
}

TEST_CASE("a limit error is not absorbed by || or && or by exists", "[lang][limits]") {
  ExprLimits limits;
  limits.max_steps = 1000;
  for (const char* text : {"doc.xs.exists(x, doc.xs.exists(y, x + y < 0)) || true",
                           "doc.xs.exists(x, doc.xs.exists(y, x + y < 0)) && false",
                           "[1, 2].exists(i, i == 2 || doc.xs.exists(x, doc.xs.exists(y, x + y < 0)))"}) {
    INFO("expression: " << text);
    Outcome o = eval(text, list_doc(200), limits);
    REQUIRE(o.is_error);
    CHECK(o.error.code == ErrorCode::kLimitExceeded);
  }
}

TEST_CASE("in over a long list counts steps", "[lang][limits]") {
  ExprLimits limits;
  limits.max_steps = 100;
  Outcome o = eval("5000 in doc.xs", list_doc(1000), limits);
  REQUIRE(o.is_error);
  CHECK(o.error.code == ErrorCode::kLimitExceeded);

  limits.max_steps = 2000;
  o = eval("5000 in doc.xs", list_doc(1000), limits);
  CHECK(o.json == "false");
}

TEST_CASE("the step count starts again with each decision", "[lang][limits]") {
  ExprLimits limits;
  limits.max_steps = 50;
  auto prog = verdict::lang::compile("doc.xs.count(x, x > 5)", doc_env(), limits);
  REQUIRE(prog.ok());
  DocumentReader reader;
  auto doc = reader.read(list_doc(10));
  REQUIRE(doc.ok());
  EvalContext ctx(limits);
  ctx.begin_decision({});
  ctx.bind(0, doc.value().root());
  for (int i = 0; i < 5; ++i) {
    ctx.begin_item();
    Val v = verdict::lang::evaluate(*prog.value(), ctx);
    REQUIRE_FALSE(v.is_error());
    CHECK(verdict::lang::val_to_json(v) == "4");
    CHECK(ctx.steps() < 50);
  }
}

// ---------------------------------------------------------------------------
// Parse limits

TEST_CASE("an expression longer than max_expression_bytes is limit_exceeded at 0", "[lang][limits]") {
  std::string big = "1" + repeat(" + 1", 5000);  // 20,001 bytes > 16,384
  Error e = compile_error(big);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  CHECK(e.offset == 0);
  CHECK_THAT(e.message, Catch::Contains("16384"));

  ExprLimits limits;
  limits.parse.max_expression_bytes = 10;
  e = compile_error("1234567890 + 1", limits);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  auto ok = verdict::lang::compile("123456 + 1", doc_env(), limits);
  CHECK(ok.ok());
}

TEST_CASE("nesting deeper than max_depth is limit_exceeded without a crash", "[lang][limits]") {
  for (size_t depth : {100u, 1000u, 100000u}) {
    INFO("parentheses: " << depth);
    std::string text = std::string(depth, '(') + "1" + std::string(depth, ')');
    ExprLimits limits;
    limits.parse.max_expression_bytes = text.size() + 1;
    Error e = compile_error(text, limits);
    CHECK(e.code == ErrorCode::kLimitExceeded);
    CHECK_THAT(e.message, Catch::Contains("nests deeper"));
  }
  for (const std::string& text : {std::string(1000, '!') + "true", std::string(1000, '[') + std::string(1000, ']'),
                           repeat("-", 1000) + "doc.x", repeat("doc.x ? 1 : ", 1000) + "2",
                           repeat("[1].map(x, ", 500) + "1" + std::string(500, ')')}) {
    INFO("expression of " << text.size() << " bytes starting " << text.substr(0, 20));
    Error e = compile_error(text);
    CHECK(e.code == ErrorCode::kLimitExceeded);
  }
}

TEST_CASE("a chain of operators higher than max_height is limit_exceeded, 255 operators evaluate", "[lang][limits]") {
  // The evaluator walks the tree recursively: the height bounds its stack (1 MB in Wasm).
  auto ok = verdict::lang::compile("1" + repeat(" + 1", 255), doc_env(), {});
  REQUIRE(ok.ok());
  verdict::lang::EvalContext ctx;
  verdict::lang::Val v = verdict::lang::evaluate(*ok.value(), ctx);
  CHECK(v.k == verdict::lang::VK::kInt);
  CHECK(v.i == 256);
  for (const std::string& text : {"1" + repeat(" + 1", 256), "true" + repeat(" || false", 300), "1" + repeat("-1", 3000)}) {
    INFO("expression of " << text.size() << " bytes starting " << text.substr(0, 20));
    Error e = compile_error(text);
    CHECK(e.code == ErrorCode::kLimitExceeded);
    CHECK_THAT(e.message, Catch::Contains("more than 256 levels high"));
  }
}

TEST_CASE("moderate nesting compiles", "[lang][limits]") {
  auto prog = verdict::lang::compile("((((((((((1))))))))))", doc_env(), {});
  CHECK(prog.ok());
  prog = verdict::lang::compile("[[[[[[[[[[1]]]]]]]]]]", doc_env(), {});
  CHECK(prog.ok());
  prog = verdict::lang::compile(repeat("!", 40) + "true", doc_env(), {});
  CHECK(prog.ok());
}

TEST_CASE("max_depth counts levels of nesting the user wrote", "[lang][limits]") {
  // With max_depth = 64, 60 nested parentheses are 60 levels (not 4 x 60 levels of the
  // parser's recursion), so they load.
  for (size_t depth : {16u, 32u, 60u}) {
    INFO("nested parentheses: " << depth);
    auto prog = verdict::lang::compile(std::string(depth, '(') + "1" + std::string(depth, ')'), doc_env(), {});
    CHECK(prog.ok());
  }
  auto lists = verdict::lang::compile(std::string(20, '[') + std::string(20, ']'), doc_env(), {});
  CHECK(lists.ok());
}

TEST_CASE("more nodes than max_nodes is limit_exceeded", "[lang][limits]") {
  // Five list literals of 1,000 items joined by +: about 5,000 nodes, a shallow tree.
  std::string list = "[" + repeat("1,", 999) + "1]";
  std::string text = list + repeat(" + " + list, 4);
  Error e = compile_error(text);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  CHECK_THAT(e.message, Catch::Contains("4096 nodes"));

  ExprLimits limits;
  limits.parse.max_nodes = 5;
  e = compile_error("1 + 2 + 3 + 4", limits);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  CHECK(verdict::lang::compile("1 + 2", doc_env(), limits).ok());
}

TEST_CASE("a list literal longer than max_list_literal is limit_exceeded at its bracket", "[lang][limits]") {
  std::string items = "[0";
  for (int i = 1; i <= 1000; ++i) items += "," + std::to_string(i);
  items += "]";  // 1,001 items
  Error e = compile_error("x in " + items);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  CHECK(e.offset == 5);
  CHECK_THAT(e.message, Catch::Contains("1000 items"));

  ExprLimits limits;
  limits.parse.max_list_literal = 3;
  CHECK(verdict::lang::compile("[1, 2, 3]", doc_env(), limits).ok());
  e = compile_error("[1, 2, 3, 4]", limits);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  CHECK(e.offset == 0);
}

// ---------------------------------------------------------------------------
// Sizes built during evaluation

TEST_CASE("lists built beyond max_list_size are limit_exceeded", "[lang][limits]") {
  ExprLimits limits;
  limits.max_list_size = 5;
  const std::string doc = list_doc(10);
  for (const char* text : {"doc.xs.filter(x, true)", "doc.xs.map(x, x)", "'a,b,c,d,e,f'.split(',')",
                           "[1, 2, 3] + [4, 5, 6]", "doc.xs + []"}) {
    INFO("expression: " << text);
    Outcome o = eval(text, doc, limits);
    REQUIRE(o.is_error);
    CHECK(o.error.code == ErrorCode::kLimitExceeded);
  }
  // Exactly at the limit is fine.
  for (const char* text : {"doc.xs.filter(x, x < 5)", "[1, 2, 3, 4, 5].map(x, x)", "'a,b,c,d,e'.split(',')",
                           "[1, 2] + [3, 4, 5]"}) {
    INFO("expression: " << text);
    Outcome o = eval(text, doc, limits);
    CHECK_FALSE(o.is_error);
  }
}

TEST_CASE("strings built beyond max_string_bytes are limit_exceeded", "[lang][limits]") {
  ExprLimits limits;
  limits.max_string_bytes = 8;
  Outcome o = eval("'abcde' + 'fghij'", "{}", limits);
  REQUIRE(o.is_error);
  CHECK(o.error.code == ErrorCode::kLimitExceeded);
  o = eval("'abcd' + 'efgh'", "{}", limits);
  CHECK(o.json == "\"abcdefgh\"");
}

// ---------------------------------------------------------------------------
// Regular expressions

TEST_CASE("a regex beyond max_regex_memory is rejected at load", "[lang][limits]") {
  ExprLimits limits;
  limits.max_regex_memory = 4096;
  Error e = compile_error("doc.s.matches('[a-z]{1000}')", limits);
  CHECK(e.code == ErrorCode::kLimitExceeded);
  CHECK(e.offset == 14);
  CHECK_THAT(e.message, Catch::Contains("4096"));

  // With the default budget the same pattern is fine.
  CHECK(verdict::lang::compile("doc.s.matches('[a-z]{1000}')", doc_env(), {}).ok());

  // RE2 refuses huge repetitions outright.
  for (const char* text : {"doc.s.matches('(a{1000}){1000}')", "doc.s.matches('[a-z]{10000}')"}) {
    INFO("expression: " << text);
    Error big = compile_error(text, limits);
    CHECK((big.code == ErrorCode::kLimitExceeded || big.code == ErrorCode::kInvalidRegex));
    CHECK(big.offset == 14);
  }
}

TEST_CASE("matching is linear in the input: no catastrophic backtracking", "[lang][limits]") {
  std::string s(100000, 'a');
  s += '!';
  std::string doc = "{\"s\": \"" + s + "\"}";
  Outcome o = eval("doc.s.matches('(a+)+$')", doc, ExprLimits{});
  CHECK(o.json == "false");
  o = eval("doc.s.matches('^(a|aa)+$')", doc, ExprLimits{});
  CHECK(o.json == "false");
  o = eval("doc.s.matches('(a+)+!$')", doc, ExprLimits{});
  CHECK(o.json == "true");
}
