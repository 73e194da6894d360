// Inputs the fuzzers found (tests/fuzz/fuzz_expression.cc): each once made UBSan report
// a signed overflow. They must now be ordinary values or errors.
#include <catch2/catch.hpp>

#include <string>

#include "lang/program.h"

namespace {

verdict::lang::Val run(const char* text, verdict::lang::EvalContext& ctx, bool& compiled) {
  verdict::lang::Environment env;
  auto prog = verdict::lang::compile(text, env, {});
  compiled = prog.ok();
  if (!compiled) return verdict::lang::Val::null();
  ctx.begin_decision();
  return verdict::lang::evaluate(*prog.value(), ctx);
}

}  // namespace

TEST_CASE("fuzz finding: a duration divided by a tiny number is an overflow error", "[lang][regression]") {
  verdict::lang::EvalContext ctx;
  bool compiled = false;
  verdict::lang::Val v = run("1m/-2E-55", ctx, compiled);
  REQUIRE(compiled);
  REQUIRE(v.is_error());
  CHECK(ctx.errors()[v.err].code == verdict::ErrorCode::kEvalError);
  CHECK(ctx.errors()[v.err].message == "integer overflow");
}

TEST_CASE("fuzz finding: negating the smallest int64 twice is an overflow error, not undefined behaviour", "[lang][regression]") {
  verdict::lang::EvalContext ctx;
  bool compiled = false;
  verdict::lang::Val v = run("--9223372036854775808", ctx, compiled);
  REQUIRE(compiled);
  REQUIRE(v.is_error());
  CHECK(ctx.errors()[v.err].message == "integer overflow");
  // One minus is the literal itself.
  v = run("-9223372036854775808", ctx, compiled);
  REQUIRE(compiled);
  REQUIRE(v.k == verdict::lang::VK::kInt);
  CHECK(v.i == INT64_MIN);
}

TEST_CASE("fuzz finding: a chain of 1,500 binary operators is an error, not a stack overflow", "[lang][regression]") {
  verdict::lang::EvalContext ctx;
  bool compiled = false;
  std::string chain = "1";
  for (int i = 0; i < 1500; ++i) chain += "-1";  // 3,001 nodes (the limit is 4,096), 1,500 levels
  verdict::lang::Val v = run(chain.c_str(), ctx, compiled);
  REQUIRE(compiled);
  REQUIRE(v.is_error());
  CHECK(ctx.errors()[v.err].code == verdict::ErrorCode::kLimitExceeded);
  // A long but reasonable chain still evaluates.
  std::string sum = "0";
  for (int i = 0; i < 500; ++i) sum += "+1";
  v = run(sum.c_str(), ctx, compiled);
  REQUIRE(compiled);
  REQUIRE(v.k == verdict::lang::VK::kInt);
  CHECK(v.i == 500);
}
