// The builtin functions (core/src/lang/builtins.cc): strings, conversions, numbers,
// time, and the cmdb.* functions over a CmdbIndex. The convention in the header of
// builtins.cc: a null (missing) receiver or argument gives false for predicates,
// null for transformations and 0 for sizes; a value of the wrong type is a type error.
//
// Each table row is an expression and the expected result: the value as JSON, or
// "error:<code>" for an error value, or "compile:<code>@<offset>".
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cmdb/cmdb.h"
#include "lang/program.h"
#include "time/time.h"
#include "verdict/document.h"

using verdict::CmdbIndex;
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

constexpr const char* kNow = "2026-03-01T12:00:00Z";

constexpr const char* kDoc = R"({
  "n": 5, "d": 2.5, "s": "abc", "t": true, "nul": null, "neg": -9223372036854775808,
  "xs": [3, 1, 2], "strs": ["b", "a"], "m": {"a": 1, "b": 2}, "e": [],
  "mixed": [3, null, 1.5], "name": "h\u00e9llo", "ci": "api"
})";

// A small native CMDB: db <- api <- web <- report, and db <- batch.
constexpr const char* kCmdb = R"({"kind": "cmdb", "items": [
  {"id": "db", "name": "Payments DB", "class": "database", "tier": 1, "owner": "dba-team",
   "environment": "production", "service": "payments", "depends_on": []},
  {"id": "api", "name": "Payments API", "class": "service", "tier": 1, "owner": "payments-team",
   "environment": "production", "service": "payments", "depends_on": ["db"]},
  {"id": "web", "name": "Checkout", "class": "service", "tier": 2, "owner": "web-team",
   "environment": "production", "depends_on": ["api"]},
  {"id": "batch", "name": "Batch", "class": "job", "depends_on": ["db"]},
  {"id": "report", "name": "Reports", "class": "job", "tier": 3, "owner": "data", "depends_on": ["web"]}
]})";

Environment doc_env() {
  Environment env;
  env.add("doc");
  return env;
}

std::string code_name(ErrorCode c) { return verdict::error_code_name(c); }

struct Outcome {
  std::string text;
  Error error;
};

Outcome evaluate_full(std::string_view expr, std::string_view json, const ExprLimits& limits = {},
                      const CmdbIndex* index = nullptr) {
  Outcome out;
  auto prog = verdict::lang::compile(expr, doc_env(), limits);
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
  setup.has_now = true;
  setup.now = *verdict::datetime::parse_rfc3339(kNow);
  setup.cmdb = index;
  ctx.begin_decision(setup);
  ctx.bind(0, doc.value().root());
  Val v = verdict::lang::evaluate(*prog.value(), ctx);
  if (v.is_error()) {
    out.error = ctx.errors()[v.err];
    out.text = "error:" + code_name(out.error.code);
    return out;
  }
  out.text = verdict::lang::val_to_json(v);
  return out;
}

std::string run(std::string_view expr, std::string_view json = kDoc) { return evaluate_full(expr, json).text; }

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

// The index over kCmdb, built once.
const CmdbIndex& cmdb() {
  static CmdbIndex* index = [] {
    auto* idx = new CmdbIndex();
    DocumentReader reader;
    auto doc = reader.read(kCmdb);
    if (!doc.ok()) return idx;
    (void)idx->add(std::move(doc).value(), "cmdb.json");
    idx->finalize();
    return idx;
  }();
  return *index;
}

std::string run_cmdb(std::string_view expr, const ExprLimits& limits = {}) {
  return evaluate_full(expr, kDoc, limits, &cmdb()).text;
}

}  // namespace

// ---------------------------------------------------------------------------
// Strings

TEST_CASE("contains startsWith and endsWith", "[lang][builtins]") {
  check_rows({
      {"'hello'.contains('ell')", "true"},
      {"'hello'.contains('xyz')", "false"},
      {"'hello'.contains('')", "true"},
      {"doc.s.contains('b')", "true"},
      {"'hello'.startsWith('he')", "true"},
      {"'hello'.startsWith('lo')", "false"},
      {"'hello'.startsWith('')", "true"},
      {"'he'.startsWith('hello')", "false"},
      {"'hello'.endsWith('lo')", "true"},
      {"'abc'.endsWith('abcd')", "false"},
      {"'abc'.endsWith('')", "true"},
      {"doc.missing.contains('a')", "false"},
      {"doc.nul.startsWith('a')", "false"},
      {"doc.missing.endsWith('a')", "false"},
      {"'a'.contains(doc.missing)", "false"},
      {"'a'.startsWith(doc.missing)", "false"},
      {"'a'.endsWith(doc.missing)", "false"},
      {"doc.n.contains('a')", "error:type_error"},
      {"doc.s.contains(doc.n)", "error:type_error"},
      {"doc.xs.startsWith('a')", "error:type_error"},
      {"doc.s.endsWith(doc.t)", "error:type_error"},
  });
}

TEST_CASE("lower and upper change ASCII letters only", "[lang][builtins]") {
  check_rows({
      {"'HeLLo'.lower()", "\"hello\""},
      {"'HeLLo'.upper()", "\"HELLO\""},
      {"lower('ABC')", "\"abc\""},
      {"upper('abc-1_z')", "\"ABC-1_Z\""},
      {"'\\u00c9COLE'.lower()", "\"\xC3\x89" "cole\""},    // É stays
      {"'stra\\u00dfe'.upper()", "\"STRA\xC3\x9F" "E\""},  // ß stays
      {"doc.missing.lower()", "null"},
      {"upper(doc.nul)", "null"},
      {"doc.n.lower()", "error:type_error"},
  });
}

TEST_CASE("trim removes ASCII whitespace at both ends", "[lang][builtins]") {
  check_rows({
      {"'  a b \\t\\n'.trim()", "\"a b\""},
      {"'\\r\\nx'.trim()", "\"x\""},
      {"'   '.trim()", "\"\""},
      {"'none'.trim()", "\"none\""},
      {"doc.missing.trim()", "null"},
      {"doc.n.trim()", "error:type_error"},
  });
}

TEST_CASE("split", "[lang][builtins]") {
  check_rows({
      {"'a,b,,c'.split(',')", "[\"a\",\"b\",\"\",\"c\"]"},
      {"'a::b'.split('::')", "[\"a\",\"b\"]"},
      {"',a,'.split(',')", "[\"\",\"a\",\"\"]"},
      {"'abc'.split('')", "[\"abc\"]"},
      {"''.split(',')", "[\"\"]"},
      {"'abc'.split(',')", "[\"abc\"]"},
      {"'a b'.split(' ').size()", "2"},
      {"doc.missing.split(',')", "null"},
      {"doc.n.split(',')", "error:type_error"},
      {"'a,b'.split(doc.n)", "error:type_error"},
  });
}

TEST_CASE("size counts code points of strings and items of lists and maps", "[lang][builtins]") {
  check_rows({
      {"'h\\u00e9llo'.size()", "5"},
      {"size('h\\u00e9llo')", "5"},
      {"doc.name.size()", "5"},
      {"size('')", "0"},
      {"'\\u65e5\\u672c\\u8a9e'.size()", "3"},
      {"'\xF0\x9F\x98\x80'.size()", "1"},  // an emoji, 4 bytes
      {"size([1, 2])", "2"},
      {"size([])", "0"},
      {"size({a: 1})", "1"},
      {"doc.xs.size()", "3"},
      {"size(doc.m)", "2"},
      {"size(doc.missing)", "0"},
      {"doc.nul.size()", "0"},
      {"size(doc.n)", "error:type_error"},
      {"size(1)", "error:type_error"},  // compiles: size() takes any type statically
      {"size(true)", "error:type_error"},
  });
}

TEST_CASE("matches is a partial match unless anchored", "[lang][builtins]") {
  check_rows({
      {"'abc123'.matches(r'\\d+')", "true"},
      {"'abc'.matches('b')", "true"},
      {"'abc'.matches('^b')", "false"},
      {"'abc'.matches('b$')", "false"},
      {"'abc'.matches('^abc$')", "true"},
      {"'abcd'.matches('^abc$')", "false"},
      {"matches('abc', 'c$')", "true"},
      {"matches(doc.s, '^a')", "true"},
      {"'ABC'.matches('(?i)abc')", "true"},
      {"'ABC'.matches('abc')", "false"},
      {"'h\\u00e9llo'.matches('^h.llo$')", "true"},  // . is one code point
      {"'a\\nb'.matches('^b')", "false"},           // ^ is the start of the text
      {"'a\\nb'.matches('(?m)^b')", "true"},
      {"'INC-1234'.matches(r'^INC-\\d{4}$')", "true"},
      {"''.matches('')", "true"},
      {"doc.missing.matches('a')", "false"},
      {"matches(doc.nul, 'a')", "false"},
      {"doc.n.matches('5')", "error:type_error"},
  });
}

// ---------------------------------------------------------------------------
// Conversions

TEST_CASE("int converts numbers strings bools durations and timestamps", "[lang][builtins]") {
  check_rows({
      {"int('42')", "42"},
      {"int('-7')", "-7"},
      {"int('+5')", "5"},
      {"int('007')", "7"},
      {"int('123456789012345678')", "123456789012345678"},
      {"int(3.9)", "3"},
      {"int(-3.9)", "-3"},
      {"int(doc.d)", "2"},
      {"int(true)", "1"},
      {"int(false)", "0"},
      {"int(90s)", "90"},
      {"int(1500ms)", "1"},
      {"int(timestamp('1970-01-01T00:01:00Z'))", "60"},
      {"int(doc.n)", "5"},
      {"int(doc.missing)", "null"},
      {"int('x')", "error:eval_error"},
      {"int('')", "error:eval_error"},
      {"int('-')", "error:eval_error"},
      {"int('1.5')", "error:eval_error"},
      {"int(' 1')", "error:eval_error"},
      {"int('1e3')", "error:eval_error"},
      {"int(1e19)", "error:eval_error"},
      {"int(doc.xs)", "error:type_error"},
  });
  Outcome o = evaluate_full("int('x')", kDoc);
  CHECK(o.error.offset == 0);
  CHECK_THAT(o.error.message, Catch::Contains("int() of 'x': not an integer"));
}

TEST_CASE("int parses every int64 written in decimal", "[lang][builtins]") {
  // 19 digits that fit in 64 bits, and the smallest int64; one more is out of range.
  check_rows({
      {"int('1000000000000000000')", "1000000000000000000"},
      {"int('9223372036854775807')", "9223372036854775807"},
      {"int('-9223372036854775808')", "-9223372036854775808"},
      {"int('9223372036854775808')", "error:eval_error"},
  });
}

TEST_CASE("double converts numbers and strings", "[lang][builtins]") {
  check_rows({
      {"double(3)", "3.0"},
      {"double(doc.n)", "5.0"},
      {"double(2.5)", "2.5"},
      {"double('2.5')", "2.5"},
      {"double('-1e3')", "-1000.0"},
      {"double('7')", "7.0"},
      {"double(doc.missing)", "null"},
      {"double('x')", "error:eval_error"},
      {"double('')", "error:eval_error"},
      {"double('1.5x')", "error:eval_error"},
      {"double('inf')", "error:eval_error"},
      {"double('nan')", "error:eval_error"},
      {"double('1e999')", "error:eval_error"},
      {"double(true)", "error:type_error"},
      {"double(1h)", "error:type_error"},
  });
}

TEST_CASE("string converts scalars and writes lists and maps as JSON", "[lang][builtins]") {
  check_rows({
      {"string(42)", "\"42\""},
      {"string(-7)", "\"-7\""},
      {"string(2.5)", "\"2.5\""},
      {"string(1.0)", "\"1.0\""},
      {"string(true)", "\"true\""},
      {"string('x')", "\"x\""},
      {"string(doc.s)", "\"abc\""},
      {"string(doc.missing)", "null"},
      {"string([1, 'a'])", "\"[1,\\\"a\\\"]\""},
      {"string(doc.m)", "\"{\\\"a\\\":1,\\\"b\\\":2}\""},
      {"'n=' + string(doc.n)", "\"n=5\""},
  });
}

TEST_CASE("string of a duration or a timestamp is its text without JSON quotes", "[lang][builtins]") {
  // Not the JSON string (which would put quotes inside: `took "1h30m"`).
  check_rows({
      {"string(1h30m)", "\"1h30m\""},
      {"string(timestamp('2026-03-01T12:00:00Z'))", "\"2026-03-01T12:00:00Z\""},
      {"'took ' + string(90s)", "\"took 1m30s\""},
  });
}

TEST_CASE("timestamp and duration convert strings and seconds", "[lang][builtins]") {
  check_rows({
      {"timestamp('2026-03-01T12:00:00Z')", "\"2026-03-01T12:00:00Z\""},
      {"timestamp(1772366400)", "\"2026-03-01T12:00:00Z\""},
      {"timestamp(now) == now", "true"},
      {"duration('1h30m')", "\"1h30m\""},
      {"duration('-5m')", "\"-5m\""},
      {"duration('500ms')", "\"500ms\""},
      {"duration(90)", "\"1m30s\""},
      {"duration(1h) == 1h", "true"},
      {"duration(doc.missing)", "null"},
      {"duration('5x')", "error:eval_error"},
      {"duration('')", "error:eval_error"},
      {"duration('1.5h')", "error:eval_error"},
      {"duration('h')", "error:eval_error"},
      {"duration(true)", "error:type_error"},
      {"duration(2.5)", "error:type_error"},
  });
}

TEST_CASE("timestamp and duration of out-of-range seconds are errors", "[lang][builtins]") {
  // Seconds times 10^9 must fit in 64 bits (no wrap-around to 1969 or to -1s).
  check_rows({
      {"timestamp(9223372036854775807)", "error:eval_error"},
      {"duration(9223372036854775807)", "error:eval_error"},
      {"duration(10000000000)", "error:eval_error"},
  });
}

// ---------------------------------------------------------------------------
// Numbers

TEST_CASE("min and max over arguments or a list", "[lang][builtins]") {
  check_rows({
      {"min(3, 1, 2)", "1"},
      {"max(3, 1, 2)", "3"},
      {"max([1, 5, 2])", "5"},
      {"min(doc.xs)", "1"},
      {"max(doc.xs)", "3"},
      {"min(1, 2.5)", "1"},
      {"max(1, 2.5)", "2.5"},
      {"max(doc.mixed)", "3"},  // nulls are skipped
      {"min(doc.mixed)", "1.5"},
      {"max(doc.missing, 3)", "3"},
      {"max(7)", "7"},
      {"max([])", "null"},
      {"min(doc.missing)", "null"},
      {"max(1h, 30m)", "\"1h\""},
      {"min(now, now - 1h)", "\"2026-03-01T11:00:00Z\""},
      {"min('a', 'b')", "error:type_error"},
      {"max(1, 1h)", "error:type_error"},
      {"max(now, 1h)", "error:type_error"},
      {"max(doc.strs)", "error:type_error"},
  });
}

TEST_CASE("min and max see every item of a long list", "[lang][builtins]") {
  // Not only the first 64.
  std::string list = "[";
  for (int i = 0; i < 100; ++i) list += (i ? "," : "") + std::to_string(i);
  list += "]";
  INFO("list of 0..99");
  CHECK(run("max(" + list + ")") == "99");
  CHECK(run("min(" + list + ".map(x, 99 - x))") == "0");
}

TEST_CASE("abs", "[lang][builtins]") {
  check_rows({
      {"abs(-5)", "5"},
      {"abs(5)", "5"},
      {"abs(-2.5)", "2.5"},
      {"abs(-1h)", "\"1h\""},
      {"abs(doc.missing)", "null"},
      {"abs(doc.neg)", "error:eval_error"},
      {"abs('a')", "error:type_error"},
  });
}

TEST_CASE("time fields take a UTC offset argument", "[lang][builtins]") {
  check_rows({
      {"now.hour()", "12"},
      {"now.hour('+01:00')", "13"},
      {"now.year('-13:00')", "2026"},
      {"now.day('-13:00')", "28"},
      {"now.month('-13:00')", "2"},
      {"now.minute('+00:30')", "30"},
      {"now.weekday('GMT')", "0"},
  });
}

TEST_CASE("a null argument of a transformation gives null", "[lang][builtins]") {
  // builtins.cc: "a null (missing) receiver or argument gives ... null for
  // transformations". split() and the time fields raise a type error instead.
  check_rows({
      {"'a,b'.split(doc.missing)", "null"},
      {"now.hour(doc.missing)", "null"},
      {"now.weekday(doc.nul)", "null"},
  });
}

// ---------------------------------------------------------------------------
// CMDB

TEST_CASE("the test CMDB indexes cleanly", "[lang][builtins][cmdb]") {
  CHECK(cmdb().size() == 5);
  CHECK(cmdb().problems().empty());
}

TEST_CASE("cmdb.ci gives a map of the item", "[lang][builtins][cmdb]") {
  const std::vector<Row> rows = {
      {"cmdb.ci('api')",
       R"({"id":"api","name":"Payments API","class":"service","owner":"payments-team","tier":1,"environment":"production","service":"payments"})"},
      {"cmdb.ci('batch')",
       R"({"id":"batch","name":"Batch","class":"job","owner":null,"tier":null,"environment":null,"service":null})"},
      {"cmdb.ci('api').owner", "\"payments-team\""},
      {"cmdb.ci(doc.ci).tier", "1"},
      {"cmdb.ci('Payments API').id", "\"api\""},  // by name when no id matches
      {"cmdb.ci('nope')", "null"},
      {"cmdb.ci('nope').owner", "null"},
      {"cmdb.ci(doc.missing)", "null"},
      {"cmdb.ci(doc.n)", "error:type_error"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.expr);
    CHECK(run_cmdb(row.expr) == row.want);
  }
}

TEST_CASE("cmdb.owner tier and exists", "[lang][builtins][cmdb]") {
  const std::vector<Row> rows = {
      {"cmdb.owner('api')", "\"payments-team\""},
      {"cmdb.owner('batch')", "null"},
      {"cmdb.owner('nope')", "null"},
      {"cmdb.owner(doc.ci) == 'payments-team'", "true"},
      {"cmdb.tier('web')", "2"},
      {"cmdb.tier('batch')", "null"},
      {"cmdb.tier('nope')", "null"},
      {"cmdb.tier('api') <= 1", "true"},
      {"cmdb.tier('nope') <= 1", "false"},
      {"cmdb.exists('db')", "true"},
      {"cmdb.exists('nope')", "false"},
      {"cmdb.exists(doc.missing)", "false"},
      {"cmdb.exists(doc.n)", "error:type_error"},
      {"cmdb.owner(doc.missing)", "null"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.expr);
    CHECK(run_cmdb(row.expr) == row.want);
  }
}

TEST_CASE("cmdb.dependents and cmdb.dependencies list direct ids", "[lang][builtins][cmdb]") {
  const std::vector<Row> rows = {
      {"cmdb.dependents('db')", "[\"api\",\"batch\"]"},
      {"cmdb.dependents('api')", "[\"web\"]"},
      {"cmdb.dependents('report')", "[]"},
      {"cmdb.dependencies('api')", "[\"db\"]"},
      {"cmdb.dependencies('db')", "[]"},
      {"cmdb.dependents('nope')", "[]"},
      {"cmdb.dependencies('nope')", "[]"},
      {"cmdb.dependents(doc.missing)", "[]"},
      {"'web' in cmdb.dependents('api')", "true"},
      {"cmdb.dependents('db').size()", "2"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.expr);
    CHECK(run_cmdb(row.expr) == row.want);
  }
}

TEST_CASE("cmdb.blast_radius walks dependents with their depth", "[lang][builtins][cmdb]") {
  const std::vector<Row> rows = {
      {"cmdb.blast_radius('db').map(r, r.id + '@' + string(r.depth))", "[\"api@1\",\"batch@1\",\"web@2\",\"report@3\"]"},
      {"cmdb.blast_radius('db', 1).map(r, r.id)", "[\"api\",\"batch\"]"},
      {"cmdb.blast_radius('db', 2).size()", "3"},
      {"cmdb.blast_radius('db', 100).size()", "4"},
      {"cmdb.blast_radius('web')",
       R"([{"id":"report","name":"Reports","class":"job","owner":"data","tier":3,"environment":null,"service":null,"depth":1}])"},
      {"cmdb.blast_radius('report')", "[]"},
      {"cmdb.blast_radius('nope')", "[]"},
      {"cmdb.blast_radius(doc.missing)", "[]"},
      {"cmdb.blast_radius('db').exists(r, r.tier == 1)", "true"},
      {"cmdb.blast_radius('db').filter(r, r.owner == null).map(r, r.id)", "[\"batch\"]"},
      {"cmdb.blast_radius('db', 0)", "error:type_error"},
      {"cmdb.blast_radius('db', -1)", "error:type_error"},
      {"cmdb.blast_radius('db', 1.5)", "error:type_error"},  // numbers pass the static check
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.expr);
    CHECK(run_cmdb(row.expr) == row.want);
  }
}

TEST_CASE("cmdb.blast_radius stops at max_blast_depth", "[lang][builtins][cmdb]") {
  ExprLimits limits;
  limits.max_blast_depth = 2;
  CHECK(run_cmdb("cmdb.blast_radius('db').map(r, r.id)", limits) == "[\"api\",\"batch\",\"web\"]");
  CHECK(run_cmdb("cmdb.blast_radius('db', 10).size()", limits) == "3");
  CHECK(run_cmdb("cmdb.blast_radius('db', 1).size()", limits) == "2");
}

TEST_CASE("without a CMDB the cmdb functions find nothing", "[lang][builtins][cmdb]") {
  check_rows({
      {"cmdb.exists('db')", "false"},
      {"cmdb.ci('db')", "null"},
      {"cmdb.owner('db')", "null"},
      {"cmdb.tier('db')", "null"},
      {"cmdb.dependents('db')", "[]"},
      {"cmdb.blast_radius('db')", "[]"},
  });
}
