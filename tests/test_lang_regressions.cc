// Inputs the fuzzers found (tests/fuzz/fuzz_expression.cc): each once made UBSan report
// a signed overflow. They must now be ordinary values or errors.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "lang/program.h"

namespace {

verdict::lang::Val run(const char* text, verdict::lang::EvalContext& ctx, bool& compiled) {
  verdict::lang::Environment env;
  auto prog = verdict::lang::compile(text, env, {});
  compiled = prog.ok();
  if (!compiled) return verdict::lang::Val::null();
  ctx.begin_item();
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

TEST_CASE("fuzz finding: a 10 KB chain of minus operators is a load error, not a stack overflow", "[lang][regression]") {
  // tests/fuzz/regressions/expression-deep-chain.txt: "151151-----111---511---1..." made the
  // evaluator recurse once per operator and overflow the stack under ASan.
  std::string text;
  {
    FILE* f = std::fopen(VERDICT_SOURCE_DIR "/tests/fuzz/regressions/expression-deep-chain.txt", "rb");
    REQUIRE(f != nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  REQUIRE(text.size() > 9000);
  verdict::lang::Environment env;
  auto prog = verdict::lang::compile(text, env, {});
  REQUIRE_FALSE(prog.ok());
  CHECK(prog.error().code == verdict::ErrorCode::kLimitExceeded);
  CHECK(prog.error().message.find("levels high") != std::string::npos);
}
