// The evaluator (core/src/lang/eval.cc): every operator with ordinary values and
// with null or missing operands, error values and their absorption by && and ||,
// overflow, durations and timestamps, macros, and the missing-field semantics
// that the header comment of eval.cc states.
//
// Each table row is an expression and the expected result: the value as JSON
// (timestamps as RFC 3339 strings, durations like "1h30m"), or "error:<code>" for
// an error value, or "compile:<code>@<offset>" when it does not compile.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "document/shapes.h"
#include "lang/program.h"
#include "time/time.h"
#include "verdict/document.h"

using verdict::DocumentKind;
using verdict::DocumentReader;
using verdict::Error;
using verdict::ErrorCode;
using verdict::lang::Environment;
using verdict::lang::EvalContext;
using verdict::lang::ExprLimits;
using verdict::lang::StaticType;
using verdict::lang::Val;

namespace {

// now for every evaluation below: a Sunday.
constexpr const char* kNow = "2026-03-01T12:00:00Z";

// The document bound to `doc` in most tables.
constexpr const char* kDoc = R"({
  "n": 5, "d": 2.5, "s": "abc", "t": true, "f": false, "nul": null, "zero": 0,
  "big": 9223372036854775807, "neg": -9223372036854775808,
  "xs": [1, 2, 3], "e": [], "strs": ["a", "b"], "m": {"a": 1, "b": 2}, "em": {},
  "items": [{"name": "a", "sev": 1}, {"name": "b", "sev": 3}],
  "nested": [[1, 2], [3]],
  "weird.key": 7, "when": "2026-02-20T12:00:00Z", "ws": "  padded  "
})";

// An incident with few fields: most of what the rules below read is missing.
constexpr const char* kSparseIncident = R"({"id": "INC-1", "title": "DB down", "priority": "P1",
  "labels": {"service": "payments"}, "tags": ["db"]})";

Environment doc_env() {
  Environment env;
  env.add("doc");
  return env;
}

Environment incident_env() {
  Environment env;
  env.add("incident", StaticType::kMap, &verdict::shapes::incident_schema());
  return env;
}

std::string code_name(ErrorCode c) { return verdict::error_code_name(c); }

int64_t now_nanos() {
  auto t = verdict::datetime::parse_rfc3339(kNow);
  REQUIRE(t.has_value());
  return *t;
}

struct Outcome {
  std::string text;  // JSON, "error:<code>" or "compile:<code>@<offset>"
  Error error;       // the error, when there is one
};

Outcome evaluate_full(std::string_view expr, std::string_view json, const Environment& env, const ExprLimits& limits = {},
                      bool set_now = true) {
  Outcome out;
  auto prog = verdict::lang::compile(expr, env, limits);
  if (!prog.ok()) {
    out.error = prog.error();
    out.text = "compile:" + code_name(out.error.code) + "@" + std::to_string(out.error.offset);
    return out;
  }
  DocumentReader reader;
  auto doc = reader.read(json);
  REQUIRE(doc.ok());
  EvalContext ctx(limits);
  verdict::lang::DecisionSetup setup;
  setup.has_now = set_now;
  setup.now = set_now ? now_nanos() : 0;
  ctx.begin_decision(setup);
  ctx.bind(0, doc.value().root());
  Val v = verdict::lang::evaluate(*prog.value(), ctx);
  if (v.is_error()) {
    REQUIRE(v.err < ctx.errors().size());
    out.error = ctx.errors()[v.err];
    out.text = "error:" + code_name(out.error.code);
    return out;
  }
  out.text = verdict::lang::val_to_json(v);
  return out;
}

std::string run(std::string_view expr, std::string_view json = kDoc) { return evaluate_full(expr, json, doc_env()).text; }
std::string run_incident(std::string_view expr, std::string_view json = kSparseIncident) {
  return evaluate_full(expr, json, incident_env()).text;
}

struct Row {
  const char* expr;
  const char* want;
};

void check_rows(const std::vector<Row>& rows, std::string_view json = kDoc) {
  for (const auto& row : rows) {
    INFO("expression: " << row.expr);
    CHECK(run(row.expr, json) == row.want);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Equality and ordering

TEST_CASE("equality across ints and doubles and of lists and maps", "[lang][eval]") {
  check_rows({
      {"1 == 1", "true"},
      {"1 == 1.0", "true"},
      {"1.0 == 1", "true"},
      {"1 != 2", "true"},
      {"doc.n == 5.0", "true"},
      {"doc.d == 2.5", "true"},
      {"'a' == 'a'", "true"},
      {"'a' == 'A'", "false"},
      {"true == true", "true"},
      {"doc.t != doc.f", "true"},
      {"null == null", "true"},
      {"doc.nul == null", "true"},
      {"doc.missing == null", "true"},
      {"doc.missing == doc.nul", "true"},
      {"doc.missing != null", "false"},
      {"doc.n == null", "false"},
      {"doc.s == 1", "false"},
      {"doc.n == '5'", "false"},
      {"[1, 2] == [1, 2]", "true"},
      {"[1, 2] == [2, 1]", "false"},
      {"[1, 2] == [1, 2, 3]", "false"},
      {"[1] == [1.0]", "true"},
      {"[] == []", "true"},
      {"doc.xs == [1, 2, 3]", "true"},
      {"doc.e == []", "true"},
      {"doc.nested == [[1, 2], [3]]", "true"},
      {"{a: 1, b: 2} == {b: 2, a: 1}", "true"},
      {"{a: 1} == {a: 1.0}", "true"},
      {"{a: 1} == {a: 2}", "false"},
      {"{a: 1} == {b: 1}", "false"},
      {"doc.m == {a: 1, b: 2}", "true"},
      {"doc.m == {a: 1}", "false"},
      {"doc.em == {}", "true"},
      {"doc.items[0] == {name: 'a', sev: 1}", "true"},
      {"[1] == {a: 1}", "false"},
      {"1h == 60m", "true"},
      {"1h == 1", "false"},
  });
}

TEST_CASE("equality of a duration with an int is only a warning", "[lang][eval]") {
  // `1h == 1` compiles (== across types is false, not an error) with a warning.
  auto prog = verdict::lang::compile("1h == 1", doc_env(), {});
  REQUIRE(prog.ok());
  CHECK(prog.value()->warnings.size() == 1);
}

TEST_CASE("ordering of numbers strings durations and timestamps", "[lang][eval]") {
  check_rows({
      {"1 < 2", "true"},
      {"2 <= 2", "true"},
      {"3 > 2", "true"},
      {"2 >= 3", "false"},
      {"2.5 > 2", "true"},
      {"1 <= 1.0", "true"},
      {"doc.n > doc.d", "true"},
      {"doc.big > doc.neg", "true"},
      {"'a' < 'b'", "true"},
      {"'abc' < 'abd'", "true"},
      {"'B' < 'a'", "true"},  // bytewise
      {"'' < 'a'", "true"},
      {"1h > 30m", "true"},
      {"-5m < 0s", "true"},
      {"timestamp('2026-01-01T00:00:00Z') < now", "true"},
      {"now >= now", "true"},
  });
}

TEST_CASE("ordering with null or a missing field is false in every direction", "[lang][eval]") {
  check_rows({
      {"doc.missing > 10", "false"},
      {"doc.missing < 10", "false"},
      {"doc.missing >= 10", "false"},
      {"doc.missing <= 10", "false"},
      {"10 > doc.missing", "false"},
      {"10 <= doc.missing", "false"},
      {"doc.nul >= 0", "false"},
      {"null < null", "false"},
      {"doc.missing > 'a'", "false"},
      {"now - doc.missing > 1h", "false"},
  });
}

TEST_CASE("ordering values of different types at run time is a type_error", "[lang][eval]") {
  check_rows({
      {"doc.s > 1", "error:type_error"},
      {"doc.n < 'a'", "error:type_error"},
      {"doc.t < doc.f", "error:type_error"},
      {"doc.xs < doc.xs", "error:type_error"},
      {"doc.m > doc.m", "error:type_error"},
      {"doc.n > 1h", "error:type_error"},
  });
  Outcome o = evaluate_full("doc.s > 1", kDoc, doc_env());
  CHECK(o.error.offset == 6);
  CHECK_THAT(o.error.message, Catch::Contains("cannot order"));
}

// ---------------------------------------------------------------------------
// Logic

TEST_CASE("&& and || on bools and nulls", "[lang][eval]") {
  check_rows({
      {"true && true", "true"},
      {"true && false", "false"},
      {"false || true", "true"},
      {"false || false", "false"},
      {"doc.t && !doc.f", "true"},
      {"doc.missing && true", "false"},
      {"true && doc.missing", "false"},
      {"doc.missing || true", "true"},
      {"doc.missing || false", "false"},
      {"doc.missing || doc.nul", "false"},
      {"!doc.missing", "true"},
      {"!null", "true"},
      {"!doc.nul", "true"},
      {"!true", "false"},
      {"!doc.t", "false"},
  });
}

TEST_CASE("&& absorbs an error when the other side is false", "[lang][eval]") {
  check_rows({
      {"(1 / 0 > 0) && false", "false"},
      {"false && (1 / 0 > 0)", "false"},
      {"(doc.s > 1) && false", "false"},
      {"(1 / 0 > 0) && doc.missing", "false"},
      {"(1 / 0 > 0) && true", "error:eval_error"},
      {"true && (1 / 0 > 0)", "error:eval_error"},
      {"(1 / 0 > 0) && (doc.s > 1)", "error:eval_error"},  // the first error is the one reported
  });
}

TEST_CASE("|| absorbs an error when the other side is true", "[lang][eval]") {
  check_rows({
      {"(1 / 0 > 0) || true", "true"},
      {"true || (1 / 0 > 0)", "true"},
      {"(doc.s > 1) || doc.t", "true"},
      {"(1 / 0 > 0) || false", "error:eval_error"},
      {"false || (1 / 0 > 0)", "error:eval_error"},
      {"(1 / 0 > 0) || doc.missing", "error:eval_error"},
  });
}

TEST_CASE("&& and || with a non-bool operand are type errors unless short-circuited", "[lang][eval]") {
  check_rows({
      {"doc.n && true", "error:type_error"},
      {"true && doc.n", "error:type_error"},
      {"false && doc.n", "false"},
      {"true || doc.s", "true"},
      {"false || doc.s", "error:type_error"},
      {"!doc.n", "error:type_error"},
      {"!doc.xs", "error:type_error"},
  });
}

TEST_CASE("the conditional picks a branch and evaluates only that one", "[lang][eval]") {
  check_rows({
      {"true ? 1 : 2", "1"},
      {"false ? 1 : 2", "2"},
      {"doc.n > 3 ? 'big' : 'small'", "\"big\""},
      {"doc.missing ? 1 : 2", "2"},
      {"doc.nul ? 1 : 2", "2"},
      {"false ? 1 / 0 : 2", "2"},
      {"true ? 1 : 1 / 0", "1"},
      {"doc.n ? 1 : 2", "error:type_error"},
      {"(1 / 0 > 1) ? 1 : 2", "error:eval_error"},
      {"doc.t ? doc.xs : doc.m", "[1,2,3]"},
  });
}

// ---------------------------------------------------------------------------
// Arithmetic

TEST_CASE("arithmetic on ints and doubles", "[lang][eval]") {
  check_rows({
      {"1 + 2", "3"},
      {"7 - 10", "-3"},
      {"6 * 7", "42"},
      {"7 / 2", "3.5"},
      {"3 / 2 == 1.5", "true"},
      {"4 / 2", "2.0"},
      {"-4 / 2", "-2.0"},
      {"7 % 3", "1"},
      {"-7 % 3", "-1"},
      {"7 % -3", "1"},
      {"1.5 + 1", "2.5"},
      {"0.1 + 0.2", "0.30000000000000004"},
      {"2 * 1.5", "3.0"},
      {"doc.n * doc.d", "12.5"},
      {"doc.n - 10", "-5"},
      {"-doc.n", "-5"},
      {"-doc.d", "-2.5"},
      {"--doc.n", "5"},
      {"doc.big - 1", "9223372036854775806"},
      {"doc.neg + 1", "-9223372036854775807"},
      {"1 + 2 * 3 - 4 / 2", "5.0"},
      {"(1 + 2) * 3", "9"},
  });
}

TEST_CASE("string and list concatenation", "[lang][eval]") {
  check_rows({
      {"'ab' + 'cd'", "\"abcd\""},
      {"doc.s + '!'", "\"abc!\""},
      {"'' + ''", "\"\""},
      {"[1] + [2, 3]", "[1,2,3]"},
      {"doc.xs + [4]", "[1,2,3,4]"},
      {"doc.xs + doc.e", "[1,2,3]"},
      {"[] + []", "[]"},
      {"doc.strs + ['c']", "[\"a\",\"b\",\"c\"]"},
  });
}

TEST_CASE("arithmetic with null is null except string plus null", "[lang][eval]") {
  check_rows({
      {"doc.missing + 1", "null"},
      {"1 + doc.missing", "null"},
      {"doc.missing - 1", "null"},
      {"doc.missing * 2", "null"},
      {"doc.missing / 2", "null"},
      {"doc.missing % 2", "null"},
      {"doc.missing / 0", "null"},
      {"doc.nul * 3.5", "null"},
      {"-doc.missing", "null"},
      {"doc.missing + doc.missing", "null"},
      {"doc.missing + 1h", "null"},
      {"now - doc.missing", "null"},
      {"doc.xs + doc.missing", "null"},
      {"doc.s + doc.missing", "\"abc\""},
      {"doc.missing + doc.s", "\"abc\""},
      {"'x' + null", "\"x\""},
      {"null + 'x'", "\"x\""},
      {"doc.s + ' ' + doc.missing + '!'", "\"abc !\""},
  });
}

TEST_CASE("integer overflow is an error", "[lang][eval]") {
  check_rows({
      {"9223372036854775807 + 1", "error:eval_error"},
      {"doc.big + 1", "error:eval_error"},
      {"doc.neg - 1", "error:eval_error"},
      {"doc.big * 2", "error:eval_error"},
      {"doc.neg * -1", "error:eval_error"},
      {"-doc.neg", "error:eval_error"},
      {"doc.neg % -1", "error:eval_error"},
      {"1e308 * 10", "error:eval_error"},
      {"-1e308 - 1e308", "error:eval_error"},
  });
  Outcome o = evaluate_full("doc.big + 1", kDoc, doc_env());
  CHECK(o.error.offset == 8);
  CHECK_THAT(o.error.message, Catch::Contains("integer overflow"));
  o = evaluate_full("doc.neg % -1", kDoc, doc_env());
  CHECK(o.error.offset == 8);
}

TEST_CASE("division and remainder by zero are errors", "[lang][eval]") {
  check_rows({
      {"1 / 0", "error:eval_error"},
      {"1.0 / 0", "error:eval_error"},
      {"1 / 0.0", "error:eval_error"},
      {"doc.zero / doc.zero", "error:eval_error"},
      {"1 % 0", "error:eval_error"},
      {"doc.n % doc.zero", "error:eval_error"},
      {"1h / 0", "error:eval_error"},
      {"1h / 0s", "error:eval_error"},
      {"0 / 5", "0.0"},
  });
  Outcome o = evaluate_full("doc.n / doc.zero", kDoc, doc_env());
  CHECK(o.error.offset == 6);
  CHECK_THAT(o.error.message, Catch::Contains("division by zero"));
  o = evaluate_full("doc.n % doc.zero", kDoc, doc_env());
  CHECK_THAT(o.error.message, Catch::Contains("remainder by zero"));
}

TEST_CASE("arithmetic on the wrong types at run time is a type_error", "[lang][eval]") {
  check_rows({
      {"doc.s - 1", "error:type_error"},
      {"doc.s + 1", "error:type_error"},
      {"doc.t + 1", "error:type_error"},
      {"doc.xs + 1", "error:type_error"},
      {"doc.m + doc.m", "error:type_error"},
      {"doc.d % 2", "error:type_error"},
      {"doc.s * 2", "error:type_error"},
      {"-doc.s", "error:type_error"},
      {"now + doc.n", "error:type_error"},
  });
  Outcome o = evaluate_full("doc.s - 1", kDoc, doc_env());
  CHECK(o.error.offset == 6);
  CHECK_THAT(o.error.message, Catch::Contains("cannot subtract a string and an int"));
}

// ---------------------------------------------------------------------------
// in

TEST_CASE("in over lists maps strings and null", "[lang][eval]") {
  check_rows({
      {"2 in [1, 2, 3]", "true"},
      {"4 in doc.xs", "false"},
      {"2.0 in doc.xs", "true"},
      {"'a' in doc.strs", "true"},
      {"'c' in doc.strs", "false"},
      {"[1] in [[1], [2]]", "true"},
      {"{a: 1} in [{a: 1}]", "true"},
      {"null in [null]", "true"},
      {"doc.missing in [null]", "true"},
      {"doc.missing in [1]", "false"},
      {"1 in []", "false"},
      {"'a' in doc.m", "true"},
      {"'c' in doc.m", "false"},
      {"'a' in {a: 0}", "true"},
      {"1 in doc.m", "false"},
      {"'bc' in 'abc'", "true"},
      {"'x' in doc.s", "false"},
      {"'' in 'abc'", "true"},
      {"doc.missing in 'abc'", "false"},
      {"1 in doc.missing", "false"},
      {"'a' in doc.nul", "false"},
      {"1 in doc.s", "error:type_error"},
      {"1 in doc.n", "error:type_error"},
      {"'a' in doc.t", "error:type_error"},
  });
}

// ---------------------------------------------------------------------------
// Fields and indexes

TEST_CASE("fields and indexes over documents and built values", "[lang][eval]") {
  check_rows({
      {"doc.m.a", "1"},
      {"doc.m['b']", "2"},
      {"doc['weird.key']", "7"},
      {"doc.xs[0]", "1"},
      {"doc.xs[2]", "3"},
      {"doc.xs[3]", "null"},
      {"doc.xs[-1]", "null"},
      {"doc.items[1].name", "\"b\""},
      {"doc.nested[0][1]", "2"},
      {"doc.m.zz", "null"},
      {"doc.missing.deeper.still", "null"},
      {"doc.missing[0]", "null"},
      {"doc.xs[doc.missing]", "null"},
      {"doc.m[doc.missing]", "null"},
      {"doc.s.foo", "null"},  // a field of a scalar reads as missing, as in the document layer
      {"[10, 20][1]", "20"},
      {"[10, 20][2]", "null"},
      {"{a: 1}.a", "1"},
      {"{a: {b: 2}}['a'].b", "2"},
      {"{a: 1}.b", "null"},
      {"doc.xs['a']", "error:type_error"},
      {"doc.m[0]", "error:type_error"},
      {"doc.xs", "[1,2,3]"},
      {"doc.m", "{\"a\":1,\"b\":2}"},
      {"doc.nul", "null"},
      {"doc.missing", "null"},
  });
}

// ---------------------------------------------------------------------------
// Missing fields (the incident kind)

TEST_CASE("a missing field reads as null and conditions on it are false", "[lang][eval]") {
  const std::vector<Row> rows = {
      {"incident.labels.team == null", "true"},
      {"incident.labels.team != null", "false"},
      {"has(incident.labels.team)", "false"},
      {"has(incident.labels.service)", "true"},
      {"has(incident.labels)", "true"},
      {"has(incident.custom)", "false"},
      {"has(incident.custom.x)", "false"},
      {"has(incident.tags[0])", "true"},
      {"has(incident.tags[1])", "false"},
      {"has(incident.labels['service'])", "true"},
      {"!(incident.affected_users > 10)", "true"},
      {"incident.affected_users > 10", "false"},
      {"incident.affected_users <= 10", "false"},
      {"incident.affected_users + 1", "null"},
      {"incident.labels.team == 'x'", "false"},
      {"incident.labels.team != 'x'", "true"},
      {"incident.labels.team in ['a', 'b']", "false"},
      {"'x' in incident.components", "false"},
      {"incident.title + ' ' + incident.description", "\"DB down \""},
      {"size(incident.components)", "0"},
      {"incident.components.exists(c, c == 'x')", "false"},
      {"incident.components.all(c, c == 'x')", "true"},
      {"incident.labels.team.startsWith('a')", "false"},
      {"incident.labels.team.lower()", "null"},
      {"incident.description.contains('x')", "false"},
      {"now - timestamp(incident.created) > 1h", "false"},
      {"incident.labels.team == null && incident.priority == 'P1'", "true"},
      {"incident.labels.service == 'payments'", "true"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.expr);
    CHECK(run_incident(row.expr) == row.want);
  }
}

TEST_CASE("an explicit null is present for has() but reads like a missing field", "[lang][eval]") {
  check_rows({
      {"has(doc.nul)", "true"},
      {"has(doc.missing)", "false"},
      {"has(doc.m.a)", "true"},
      {"has(doc['weird.key'])", "true"},
      {"has(doc.s.foo)", "false"},
      {"doc.nul == doc.missing", "true"},
  });
}

// ---------------------------------------------------------------------------
// Durations and timestamps

TEST_CASE("duration arithmetic and comparisons", "[lang][eval]") {
  check_rows({
      {"1h > 30m", "true"},
      {"2 * 15m == 30m", "true"},
      {"15m * 2", "\"30m\""},
      {"1.5 * 1h", "\"1h30m\""},
      {"1h / 30m", "2.0"},
      {"1h / 30m == 2.0", "true"},
      {"1h / 2", "\"30m\""},
      {"1h / 4.0", "\"15m\""},
      {"1h + 30m", "\"1h30m\""},
      {"1h - 2h", "\"-1h\""},
      {"-(1h)", "\"-1h\""},
      {"90m == 1h30m", "true"},
      {"7d == 1w", "true"},
      {"1h + 1ms", "\"1h0.001s\""},
      {"15000w + 15000w", "error:eval_error"},
      {"1h + doc.n", "error:type_error"},
  });
}

TEST_CASE("timestamps: parsing, arithmetic and comparisons", "[lang][eval]") {
  check_rows({
      {"now", "\"2026-03-01T12:00:00Z\""},
      {"timestamp('2026-03-01T12:00:00Z') + 1h", "\"2026-03-01T13:00:00Z\""},
      {"1h + timestamp('2026-03-01T12:00:00Z')", "\"2026-03-01T13:00:00Z\""},
      {"timestamp('2026-03-01T12:00:00Z') - 1d", "\"2026-02-28T12:00:00Z\""},
      {"timestamp('2024-03-01T00:00:00Z') - 1d", "\"2024-02-29T00:00:00Z\""},
      {"timestamp('2026-03-02T00:00:00Z') - timestamp('2026-03-01T12:00:00Z')", "\"12h\""},
      {"timestamp('2026-03-01T12:00:00Z') - timestamp('2026-03-02T00:00:00Z')", "\"-12h\""},
      {"now - timestamp('2026-02-20T12:00:00Z') > 7d", "true"},
      {"now - timestamp(doc.when)", "\"9d\""},
      {"now - timestamp(doc.when) > 10d", "false"},
      {"timestamp('2026-03-01T13:00:00+01:00') == timestamp('2026-03-01T12:00:00Z')", "true"},
      {"timestamp('2026-03-01T07:00:00-05:00')", "\"2026-03-01T12:00:00Z\""},
      {"timestamp('2026-03-01T12:00:00.5Z')", "\"2026-03-01T12:00:00.5Z\""},
      {"timestamp('2026-03-01T12:00:00.123456789Z')", "\"2026-03-01T12:00:00.123456789Z\""},
      {"timestamp('2026-03-01t12:00:00z')", "\"2026-03-01T12:00:00Z\""},
      {"timestamp('2024-02-29T00:00:00Z')", "\"2024-02-29T00:00:00Z\""},
      {"timestamp(0)", "\"1970-01-01T00:00:00Z\""},
      {"timestamp(-1)", "\"1969-12-31T23:59:59Z\""},
      {"timestamp(doc.missing)", "null"},
      {"now + 15000w", "error:eval_error"},
      {"now - now", "\"0s\""},
  });
}

TEST_CASE("a timestamp without a zone or with an impossible date is an error", "[lang][eval]") {
  check_rows({
      {"timestamp('2026-03-01T12:00:00')", "error:eval_error"},
      {"timestamp('2025-02-29T00:00:00Z')", "error:eval_error"},
      {"timestamp('2026-02-30T00:00:00Z')", "error:eval_error"},
      {"timestamp('2026-04-31T00:00:00Z')", "error:eval_error"},
      {"timestamp('2026-13-01T00:00:00Z')", "error:eval_error"},
      {"timestamp('2026-03-01T24:00:00Z')", "error:eval_error"},
      {"timestamp('2026-03-01T12:00:00+0100')", "\"2026-03-01T11:00:00Z\""},
      {"timestamp('2026-03-01T12:00:00Z junk')", "error:eval_error"},
      {"timestamp('2026-03-01')", "error:eval_error"},
      {"timestamp('yesterday')", "error:eval_error"},
      {"timestamp(doc.s)", "error:eval_error"},
      {"timestamp(true)", "error:type_error"},
  });
  Outcome o = evaluate_full("timestamp('2026-03-01T12:00:00')", kDoc, doc_env());
  CHECK_THAT(o.error.message, Catch::Contains("no zone"));
  o = evaluate_full("timestamp('2025-02-29T00:00:00Z')", kDoc, doc_env());
  CHECK_THAT(o.error.message, Catch::Contains("February 29"));
}

TEST_CASE("timestamps outside the 64-bit nanosecond range are errors", "[lang][eval]") {
  // int64 nanoseconds cover 1677-09-21 to 2262-04-11.
  check_rows({
      {"timestamp('0001-01-01T00:00:00Z')", "error:eval_error"},
      {"timestamp('9999-12-31T23:59:59Z')", "error:eval_error"},
      {"timestamp('1677-09-21T00:00:00Z')", "error:eval_error"},
      {"timestamp('2262-04-12T00:00:00Z')", "error:eval_error"},
      {"timestamp('1700-01-01T00:00:00Z')", "\"1700-01-01T00:00:00Z\""},
      {"timestamp('2262-04-10T00:00:00Z')", "\"2262-04-10T00:00:00Z\""},
  });
}

TEST_CASE("now without a time given is an error", "[lang][eval]") {
  Outcome o = evaluate_full("now > timestamp(0)", kDoc, doc_env(), {}, /*set_now=*/false);
  CHECK(o.text == "error:eval_error");
  CHECK(o.error.offset == 0);
  CHECK_THAT(o.error.message, Catch::Contains("'now' is not set"));
}

TEST_CASE("civil time fields in UTC and at an offset", "[lang][eval]") {
  // 2026-03-01 is a Sunday. At +01:00, 23:30Z is 00:30 on Monday the 2nd.
  const std::string t = "timestamp('2026-03-01T23:30:00Z')";
  const std::vector<std::pair<std::string, std::string>> rows = {
      {t + ".weekday()", "0"},
      {t + ".weekday('+01:00')", "1"},
      {t + ".hour()", "23"},
      {t + ".hour('+01:00')", "0"},
      {t + ".day()", "1"},
      {t + ".day('+01:00')", "2"},
      {t + ".minute()", "30"},
      {t + ".minute('+05:45')", "15"},
      {t + ".hour('+05:45')", "5"},
      {t + ".hour('-05:00')", "18"},
      {t + ".hour('-05:30')", "18"},
      {t + ".hour('UTC')", "23"},
      {t + ".hour('Z')", "23"},
      {t + ".hour('UTC+2')", "1"},
      {t + ".hour('+14:00')", "13"},
      {t + ".month()", "3"},
      {t + ".year()", "2026"},
      {"timestamp('2025-12-31T23:30:00Z').year('+01:00')", "2026"},
      {"timestamp('2025-12-31T23:30:00Z').month('+01:00')", "1"},
      {"timestamp('2026-03-02T00:30:00Z').weekday('-01:00')", "0"},
      {"timestamp('1969-12-31T23:59:59Z').weekday()", "3"},
      {"now.weekday()", "0"},
      {"now.hour() >= 9 && now.hour() < 17", "true"},
      {"doc.missing.hour()", "null"},
      {t + ".hour('bogus')", "compile:type_error@39"},  // a literal zone is checked at load
      {t + ".hour('+15:00')", "compile:type_error@39"},
      {t + ".hour(doc.s)", "error:eval_error"},  // a zone known only at run time
      {"doc.s.hour()", "error:type_error"},
  };
  for (const auto& [expr, want] : rows) {
    INFO("expression: " << expr);
    CHECK(run(expr) == want);
  }
}

// ---------------------------------------------------------------------------
// Macros

TEST_CASE("macros over document arrays", "[lang][eval]") {
  check_rows({
      {"doc.xs.exists(x, x > 2)", "true"},
      {"doc.xs.exists(x, x > 3)", "false"},
      {"doc.xs.all(x, x > 0)", "true"},
      {"doc.xs.all(x, x > 1)", "false"},
      {"doc.xs.exists_one(x, x > 2)", "true"},
      {"doc.xs.exists_one(x, x > 1)", "false"},
      {"doc.xs.exists_one(x, x > 5)", "false"},
      {"doc.xs.filter(x, x % 2 == 1)", "[1,3]"},
      {"doc.xs.map(x, x * 10)", "[10,20,30]"},
      {"doc.xs.count(x, x >= 2)", "2"},
      {"doc.items.filter(i, i.sev > 2).map(i, i.name)", "[\"b\"]"},
      {"doc.items.exists(i, i.name == 'a' && i.sev == 1)", "true"},
      {"doc.items.map(i, i)", "[{\"name\":\"a\",\"sev\":1},{\"name\":\"b\",\"sev\":3}]"},
      {"doc.items.exists(i, i.missing)", "false"},  // a null condition is false
      {"doc.items.all(i, i.missing)", "false"},
      {"doc.items.count(i, i.missing)", "0"},
  });
}

TEST_CASE("macros over built lists and empty lists", "[lang][eval]") {
  check_rows({
      {"[1, 2, 3].map(x, x * x)", "[1,4,9]"},
      {"['a', 'b'].exists(s, s == 'b')", "true"},
      {"[].exists(x, true)", "false"},
      {"[].all(x, false)", "true"},
      {"[].map(x, x)", "[]"},
      {"[].filter(x, true)", "[]"},
      {"[].count(x, true)", "0"},
      {"doc.e.exists(x, true)", "false"},
      {"doc.e.all(x, false)", "true"},
      {"doc.e.map(x, x)", "[]"},
      {"(doc.xs + [4, 5]).filter(x, x > 3)", "[4,5]"},
      {"doc.xs.map(x, x * 2).filter(y, y > 2).count(z, true)", "2"},
  });
}

TEST_CASE("macros over maps iterate the keys", "[lang][eval]") {
  check_rows({
      {"doc.m.map(k, k)", "[\"a\",\"b\"]"},
      {"doc.m.map(k, doc.m[k])", "[1,2]"},
      {"doc.m.exists(k, k == 'b')", "true"},
      {"doc.m.all(k, k.size() == 1)", "true"},
      {"doc.m.count(k, true)", "2"},
      {"doc.m.filter(k, doc.m[k] > 1)", "[\"b\"]"},
      {"{x: 1, y: 2}.filter(k, k != 'x')", "[\"y\"]"},
      {"{}.all(k, false)", "true"},
      {"doc.em.exists(k, true)", "false"},
  });
}

TEST_CASE("macros over null or a missing field", "[lang][eval]") {
  check_rows({
      {"doc.missing.exists(x, true)", "false"},
      {"doc.missing.all(x, false)", "true"},
      {"doc.missing.exists_one(x, true)", "false"},
      {"doc.missing.count(x, true)", "0"},
      {"doc.missing.filter(x, true)", "[]"},
      {"doc.missing.map(x, x)", "[]"},
      {"doc.nul.exists(x, true)", "false"},
  });
}

TEST_CASE("nested macros", "[lang][eval]") {
  check_rows({
      {"doc.items.exists(i, doc.xs.exists(x, x == i.sev))", "true"},
      {"doc.items.all(i, doc.xs.exists(x, x == i.sev))", "true"},
      {"doc.nested.map(l, l.map(x, x + 1))", "[[2,3],[4]]"},
      {"doc.nested.exists(l, l.all(x, x > 2))", "true"},
      {"doc.nested.map(l, l.count(x, x > 1))", "[1,1]"},
      {"[1, 2].map(x, [10, 20].map(y, x * y))", "[[10,20],[20,40]]"},
      {"doc.m.map(k, doc.xs.filter(x, x <= doc.m[k]))", "[[1],[1,2]]"},
  });
}

TEST_CASE("errors inside macro bodies", "[lang][eval]") {
  check_rows({
      // exists: a true element decides, whatever the errors around it.
      {"[0, 1].exists(x, 1 / x > 0.5)", "true"},
      {"[1, 0].exists(x, 1 / x > 5)", "error:eval_error"},
      // all: a false element decides.
      {"[0, 1].all(x, 1 / x > 5)", "false"},
      {"[0, 1].all(x, 1 / x > 0)", "error:eval_error"},
      // the others report the error.
      {"[0, 1].exists_one(x, 1 / x > 0)", "error:eval_error"},
      {"[0, 1].count(x, 1 / x > 0)", "error:eval_error"},
      {"[0, 1].filter(x, 1 / x > 0)", "error:eval_error"},
      {"[0].map(x, 1 / x)", "error:eval_error"},
      {"[1, 2].map(x, x > 1 ? 1 / 0 : x)", "error:eval_error"},
  });
  Outcome o = evaluate_full("[0].map(x, 1 / x)", kDoc, doc_env());
  CHECK(o.error.offset == 13);
}

TEST_CASE("a macro body that is not a condition is a type_error at run time", "[lang][eval]") {
  check_rows({
      {"doc.xs.exists(x, x)", "error:type_error"},
      {"doc.xs.all(x, 'yes')", "compile:type_error@14"},
      {"doc.strs.filter(s, s)", "error:type_error"},
      {"doc.xs.count(x, x + 1)", "error:type_error"},
      {"doc.n.exists(x, true)", "error:type_error"},
      {"doc.s.map(x, x)", "error:type_error"},
  });
  Outcome o = evaluate_full("doc.xs.exists(x, x)", kDoc, doc_env());
  CHECK(o.error.offset == 17);
  CHECK_THAT(o.error.message, Catch::Contains("needs a condition"));
  o = evaluate_full("doc.n.exists(x, true)", kDoc, doc_env());
  CHECK(o.error.offset == 6);
}

// ---------------------------------------------------------------------------
// The context

TEST_CASE("an EvalContext is reused across decisions", "[lang][eval]") {
  auto prog = verdict::lang::compile("doc.xs.map(x, doc.s + string(x))", doc_env(), {});
  REQUIRE(prog.ok());
  DocumentReader reader;
  auto a = reader.read(R"({"s": "a", "xs": [1, 2]})");
  REQUIRE(a.ok());
  DocumentReader reader2;
  auto b = reader2.read(R"({"s": "b", "xs": [3]})");
  REQUIRE(b.ok());
  EvalContext ctx;
  for (int round = 0; round < 3; ++round) {
    ctx.begin_decision({});
    ctx.bind(0, a.value().root());
    CHECK(verdict::lang::val_to_json(verdict::lang::evaluate(*prog.value(), ctx)) == "[\"a1\",\"a2\"]");
    ctx.begin_decision({});
    ctx.bind(0, b.value().root());
    CHECK(verdict::lang::val_to_json(verdict::lang::evaluate(*prog.value(), ctx)) == "[\"b3\"]");
    CHECK(ctx.errors().empty());
  }
}

TEST_CASE("errors are values with their position and do not stop other evaluations", "[lang][eval]") {
  auto prog = verdict::lang::compile("doc.n / doc.zero", doc_env(), {});
  REQUIRE(prog.ok());
  DocumentReader reader;
  auto doc = reader.read(kDoc);
  REQUIRE(doc.ok());
  EvalContext ctx;
  ctx.begin_decision({});
  ctx.bind(0, doc.value().root());
  Val v = verdict::lang::evaluate(*prog.value(), ctx);
  REQUIRE(v.is_error());
  REQUIRE(ctx.errors().size() == 1);
  CHECK(ctx.errors()[0].code == ErrorCode::kEvalError);
  CHECK(ctx.errors()[0].offset == 6);
  CHECK(verdict::lang::val_to_json(v) == "null");
  ctx.begin_decision({});
  CHECK(ctx.errors().empty());
}

TEST_CASE("explain records the field paths read and their values", "[lang][eval]") {
  auto prog = verdict::lang::compile("incident.priority == 'P1' && incident.affected_users > 10", incident_env(), {});
  REQUIRE(prog.ok());
  DocumentReader reader;
  auto doc = reader.read(kSparseIncident);
  REQUIRE(doc.ok());
  EvalContext ctx;
  verdict::lang::DecisionSetup setup;
  setup.explain = true;
  ctx.begin_decision(setup);
  ctx.bind(0, doc.value().root());
  Val v = verdict::lang::evaluate(*prog.value(), ctx);
  CHECK(verdict::lang::val_to_json(v) == "false");
  REQUIRE(ctx.reads().size() == 2);
  CHECK(prog.value()->paths[static_cast<size_t>(ctx.reads()[0].path_id)] == "incident.priority");
  CHECK(verdict::lang::val_to_json(ctx.reads()[0].value) == "\"P1\"");
  CHECK(prog.value()->paths[static_cast<size_t>(ctx.reads()[1].path_id)] == "incident.affected_users");
  CHECK(ctx.reads()[1].value.missing);
}

// ---------------------------------------------------------------------------
// Behaviour we believe is wrong (see the report)

TEST_CASE("negating or taking abs of the smallest duration is an overflow error", "[lang][eval]") {
  // -15250w - 172036s - 854775808ns is exactly INT64_MIN nanoseconds; its negation
  // does not fit, as for ints (-doc.neg is an error).
  check_rows({
      {"-15250w - 172036s - 854775808ns", "\"-106751d23h47m16.854775808s\""},
      {"-(-15250w - 172036s - 854775808ns)", "error:eval_error"},
      {"abs(-15250w - 172036s - 854775808ns)", "error:eval_error"},
  });
}

TEST_CASE("multiplying a long duration by an int is exact", "[lang][eval]") {
  // duration * int goes through a double, which drops nanoseconds beyond 2^53 (~104 days).
  check_rows({
      {"(1000d + 1ns) * 2 == 2000d + 2ns", "true"},
      {"(1000d + 1ns) * 1", "\"1000d0.000000001s\""},
      {"2 * (1000d + 1ns)", "\"2000d0.000000002s\""},
  });
}
