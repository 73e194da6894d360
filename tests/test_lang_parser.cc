// The expression language's parser and checker (core/src/lang/parser.cc, checker.cc):
// precedence, literals, postfix chains, syntax errors at their byte offsets, and the
// errors and warnings the checker finds when a policy loads.
//
// Offsets are 0-based bytes into the expression, counted by hand.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lang/parser.h"
#include "document/shapes.h"
#include "lang/program.h"
#include "time/time.h"
#include "verdict/document.h"
#include "verdict/json_writer.h"

using verdict::DocumentKind;
using verdict::DocumentReader;
using verdict::Error;
using verdict::ErrorCode;
using verdict::lang::Ast;
using verdict::lang::Environment;
using verdict::lang::EvalContext;
using verdict::lang::ExprLimits;
using verdict::lang::Node;
using verdict::lang::NodeKind;
using verdict::lang::Op;
using verdict::lang::StaticType;

namespace {

const char* op_name(Op op) {
  switch (op) {
    case Op::kNone: return "?";
    case Op::kNot: return "!";
    case Op::kNeg: return "-";
    case Op::kOr: return "||";
    case Op::kAnd: return "&&";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kIn: return "in";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
  }
  return "?";
}

// The tree as an S-expression: (op a b), (. base field), ([] base index),
// (.method receiver args...), f(args...), (macro target var body), (? c a b).
std::string show(const Ast& ast, int32_t i) {
  const Node& n = ast.nodes[static_cast<size_t>(i)];
  auto kid = [&](size_t k) { return show(ast, n.kids[k]); };
  switch (n.kind) {
    case NodeKind::kNull: return "null";
    case NodeKind::kBool: return n.b ? "true" : "false";
    case NodeKind::kInt: return std::to_string(n.i);
    case NodeKind::kDouble: {
      std::string out;
      verdict::append_json_double(out, n.d);
      return out;
    }
    case NodeKind::kString: return "'" + n.name + "'";
    case NodeKind::kDuration: return verdict::datetime::format_duration(n.i);
    case NodeKind::kIdent: return n.name;
    case NodeKind::kSelect: return "(. " + kid(0) + " " + n.name + ")";
    case NodeKind::kIndex: return "([] " + kid(0) + " " + kid(1) + ")";
    case NodeKind::kCall: {
      std::string out = n.has_receiver ? "(." + n.name + " " + kid(0) : n.name + "(";
      for (size_t k = n.has_receiver ? 1 : 0; k < n.kids.size(); ++k)
        out += (n.has_receiver || k > 0 ? " " : "") + kid(k);
      return out + ")";
    }
    case NodeKind::kMacro: return "(" + n.name + " " + kid(0) + " " + kid(1) + " " + kid(2) + ")";
    case NodeKind::kUnary: return std::string("(") + op_name(n.op) + " " + kid(0) + ")";
    case NodeKind::kBinary: return std::string("(") + op_name(n.op) + " " + kid(0) + " " + kid(1) + ")";
    case NodeKind::kCond: return "(? " + kid(0) + " " + kid(1) + " " + kid(2) + ")";
    case NodeKind::kList: {
      std::string out = "[";
      for (size_t k = 0; k < n.kids.size(); ++k) out += (k ? " " : "") + kid(k);
      return out + "]";
    }
    case NodeKind::kMap: {
      std::string out = "{";
      for (size_t k = 0; k < n.kids.size(); k += 2)
        out += (k ? ", " : "") + ast.nodes[static_cast<size_t>(n.kids[k])].name + ": " + kid(k + 1);
      return out + "}";
    }
  }
  return "?";
}

// Parses `text`, which must parse, and shows its tree.
std::string tree(std::string_view text) {
  auto ast = verdict::lang::parse_expression(text);
  if (!ast.ok()) return "error: " + ast.error().message + " at " + std::to_string(ast.error().offset);
  return show(ast.value(), ast.value().root);
}

// Parses `text`, which must fail; returns the error.
Error parse_error(std::string_view text) {
  auto ast = verdict::lang::parse_expression(text);
  if (ast.ok()) {
    FAIL("expected a syntax error, got " << show(ast.value(), ast.value().root));
  }
  return ast.error();
}

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

// Compiles `text`, which must fail; returns the error.
Error compile_error(std::string_view text, const Environment& env, const ExprLimits& limits = {}) {
  auto prog = verdict::lang::compile(text, env, limits);
  if (prog.ok()) FAIL("expected a compile error for: " << text);
  return prog.error();
}

// Compiles and evaluates an expression without variables (literals); the result as JSON.
std::string literal(std::string_view text) {
  Environment env;
  auto prog = verdict::lang::compile(text, env, {});
  if (!prog.ok()) return "compile error: " + prog.error().message;
  EvalContext ctx;
  auto v = verdict::lang::evaluate(*prog.value(), ctx);
  if (v.is_error()) return "eval error: " + ctx.errors()[v.err].message;
  return verdict::lang::val_to_json(v);
}

bool contains(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

struct TreeRow {
  const char* text;
  const char* tree;
};

struct ErrorRow {
  const char* text;
  int64_t offset;
  const char* message_part;
};

}  // namespace

// ---------------------------------------------------------------------------
// Precedence and shape

TEST_CASE("binary operators bind by the precedence table", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"a || b && c", "(|| a (&& b c))"},
      {"a && b || c", "(|| (&& a b) c)"},
      {"a && b || c && d", "(|| (&& a b) (&& c d))"},
      {"a || b || c", "(|| (|| a b) c)"},
      {"1 + 2 * 3", "(+ 1 (* 2 3))"},
      {"1 * 2 + 3", "(+ (* 1 2) 3)"},
      {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
      {"1 - 2 - 3", "(- (- 1 2) 3)"},
      {"8 / 4 % 3", "(% (/ 8 4) 3)"},
      {"a < b && c >= d || e != f", "(|| (&& (< a b) (>= c d)) (!= e f))"},
      {"a + 1 > b * 2", "(> (+ a 1) (* b 2))"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(tree(row.text) == row.tree);
  }
}

TEST_CASE("unary operators bind tighter than binary ones", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"-2 * 3", "(* -2 3)"},         // the minus folds into the literal
      {"- 2 * 3", "(* (- 2) 3)"},     // not folded when separated, same precedence
      {"-a * 3", "(* (- a) 3)"},
      {"-a.b", "(- (. a b))"},        // postfix binds tighter than unary
      {"!a == b", "(== (! a) b)"},
      {"!a && b", "(&& (! a) b)"},
      {"!!a", "(! (! a))"},
      {"1 + -2", "(+ 1 -2)"},
      {"1 - -2", "(- 1 -2)"},
      {"-1.5", "-1.5"},
      {"-5m", "-5m"},
      {"!a.exists(x, x)", "(! (exists a x x))"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(tree(row.text) == row.tree);
  }
}

TEST_CASE("comparisons and in share one level and associate to the left", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"a < b == c", "(== (< a b) c)"},
      {"a == b != c", "(!= (== a b) c)"},
      {"x in xs == true", "(== (in x xs) true)"},
      {"a == b in c", "(in (== a b) c)"},
      {"a + 1 in xs", "(in (+ a 1) xs)"},
      {"a in xs && b in ys", "(&& (in a xs) (in b ys))"},
      {"!a in b", "(in (! a) b)"},
      {"inx in ins", "(in inx ins)"},  // `in` is a whole word
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(tree(row.text) == row.tree);
  }
}

TEST_CASE("the conditional is lowest and associates to the right", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"a ? b : c", "(? a b c)"},
      {"a ? b : c ? d : e", "(? a b (? c d e))"},
      {"a ? b ? c : d : e", "(? a (? b c d) e)"},
      {"a || b ? c + 1 : d", "(? (|| a b) (+ c 1) d)"},
      {"(a ? b : c) ? d : e", "(? (? a b c) d e)"},
      {"a ? [b] : {k: c}", "(? a [b] {k: c})"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(tree(row.text) == row.tree);
  }
}

TEST_CASE("postfix chains of fields, indexes, methods and macros", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"a.b[0][\"c.d\"].e", "(. ([] ([] (. a b) 0) 'c.d') e)"},
      {"a.b.c(1, 2)", "(.c (. a b) 1 2)"},
      {"size(x) + x.size()", "(+ size(x) (.size x))"},
      {"f()", "f()"},
      {"f(1, 'a', g(2))", "f(1 'a' g(2))"},
      {"xs.exists(x, x > 1)", "(exists xs x (> x 1))"},
      {"xs.map(x, x * 2).filter(y, y > 2)", "(filter (map xs x (* x 2)) y (> y 2))"},
      {"m.all(k, m[k] > 0)", "(all m k (> ([] m k) 0))"},
      {"xs.exists_one(x, x)", "(exists_one xs x x)"},
      {"xs.count(x, x)", "(count xs x x)"},
      {"cmdb.owner(incident.ci)", "(.owner cmdb (. incident ci))"},
      {"cmdb.exists('x')", "(.exists cmdb 'x')"},      // a call: no `variable,` first
      {"cmdb.exists(incident.ci)", "(.exists cmdb (. incident ci))"},
      {"xs.exists(x,x)", "(exists xs x x)"},           // a macro: `variable,` first
      {"xs.map( v ,v)", "(map xs v v)"},
      {"[1, 2][0]", "([] [1 2] 0)"},
      {"{a: 1}.a", "(. {a: 1} a)"},
      {"'abc'.size()", "(.size 'abc')"},
      {"(a)", "a"},
      {"a\n  && b", "(&& a b)"},
      {"\ta\r\n.b", "(. a b)"},
      {"now - incident.created > 7d", "(> (- now (. incident created)) 7d)"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(tree(row.text) == row.tree);
  }
}

TEST_CASE("lists and maps allow a trailing comma", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"[]", "[]"},
      {"[1]", "[1]"},
      {"[1, 'a', [2],]", "[1 'a' [2]]"},
      {"{}", "{}"},
      {"{a: 1, 'b c': x,}", "{a: 1, b c: x}"},
      {"{\"k\": [1, 2,], j: {}}", "{k: [1 2], j: {}}"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(tree(row.text) == row.tree);
  }
}

TEST_CASE("nodes carry the byte span of their source", "[lang][parser]") {
  auto ast = verdict::lang::parse_expression("  x + 1 ");
  REQUIRE(ast.ok());
  const Node& root = ast.value().nodes[static_cast<size_t>(ast.value().root)];
  CHECK(root.kind == NodeKind::kBinary);
  CHECK(root.pos == 2);
  CHECK(root.end == 7);
  CHECK(root.i == 4);  // the operator
  CHECK(ast.value().text == "  x + 1 ");
}

// ---------------------------------------------------------------------------
// Literals

TEST_CASE("number literals: ints, doubles and exponents", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"0", "0"},
      {"42", "42"},
      {"9223372036854775807", "9223372036854775807"},
      {"3.25", "3.25"},
      {"3.0", "3.0"},
      {"1e3", "1000.0"},
      {"1E3", "1000.0"},
      {"2.5E-1", "0.25"},
      {"1e+2", "100.0"},
      {"-7", "-7"},
      {"-0.5", "-0.5"},
      {"-9223372036854775807 - 1", "-9223372036854775808"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(literal(row.text) == row.tree);
  }
}

TEST_CASE("the smallest int64 is a literal", "[lang][parser]") {
  // The parser folds a minus into the literal "so that -9223372036854775808 ... [is a]
  // literal", but the digits are range-checked before the minus is seen.
  CHECK(literal("-9223372036854775808") == "-9223372036854775808");
}

TEST_CASE("string literals: both quotes, escapes, \\u and raw strings", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"'single'", "\"single\""},
      {"\"double\"", "\"double\""},
      {"''", "\"\""},
      {"'it\\'s'", "\"it's\""},
      {"\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\""},
      {"'a\"b'", "\"a\\\"b\""},
      {"\"a'b\"", "\"a'b\""},
      {"'a\\nb'", "\"a\\nb\""},
      {"'a\\tb'", "\"a\\tb\""},
      {"'a\\rb'", "\"a\\rb\""},
      {"'back\\\\slash'", "\"back\\\\slash\""},
      {"'\\u00e9'", "\"\xC3\xA9\""},
      {"'\\u00E9t\\u00e9'", "\"\xC3\xA9t\xC3\xA9\""},
      {"'\\u20ac'", "\"\xE2\x82\xAC\""},
      {"'h\xC3\xA9llo'", "\"h\xC3\xA9llo\""},  // UTF-8 passes through
      {"r'\\d+'", "\"\\\\d+\""},                 // raw: the backslash stays
      {"R\"a\\b\"", "\"a\\\\b\""},
      {"r'\\n'", "\"\\\\n\""},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(literal(row.text) == row.tree);
  }
}

TEST_CASE("duration literals: units, compounds and a sign", "[lang][parser]") {
  const std::vector<TreeRow> rows = {
      {"90s", "\"1m30s\""},
      {"15m", "\"15m\""},
      {"4h", "\"4h\""},
      {"7d", "\"7d\""},
      {"1w", "\"7d\""},
      {"500ms", "\"500ms\""},
      {"250us", "\"250us\""},
      {"10ns", "\"10ns\""},
      {"1h30m", "\"1h30m\""},
      {"2d3h4m5s", "\"2d3h4m5s\""},
      {"1s500ms", "\"1.5s\""},
      {"-5m", "\"-5m\""},
      {"-1h30m", "\"-1h30m\""},
      {"0s", "\"0s\""},
      {"1h30m == 90m", "true"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    CHECK(literal(row.text) == row.tree);
  }
}

TEST_CASE("true, false and null are literals", "[lang][parser]") {
  CHECK(literal("true") == "true");
  CHECK(literal("false") == "false");
  CHECK(literal("null") == "null");
  CHECK(tree("[true, false, null]") == "[true false null]");
}

// ---------------------------------------------------------------------------
// Syntax errors

TEST_CASE("syntax errors carry the byte offset of the problem", "[lang][parser]") {
  const std::vector<ErrorRow> rows = {
      {"1 +", 3, "unexpected end of expression"},
      {"", 0, "empty expression"},
      {"a = b", 2, "'=' is not an operator"},
      {"a & b", 2, "'&' is not an operator"},
      {"a | b", 2, "'|' is not an operator"},
      {"'abc", 0, "unterminated string"},
      {"x == \"abc", 5, "unterminated string"},
      {"x == 'a\nb'", 5, "cannot span lines"},
      {"'abc\\", 0, "unterminated string"},
      {"foo(1,", 6, "unexpected end of expression"},
      {"foo(1", 5, "expected ',' or ')' in the argument list"},
      {"'\\q'", 1, "unknown escape '\\q'"},
      {"x.matches('\\d')", 11, "unknown escape '\\d'"},
      {"'\\u00g9'", 5, "invalid \\u escape"},
      {"'\\u00'", 5, "invalid \\u escape"},
      {"99999999999999999999", 0, "out of range"},
      {"x + 9223372036854775808", 4, "out of range"},
      {"1e400", 0, "out of range"},
      {"5x", 0, "invalid duration '5x'"},
      {"a > 5x", 4, "unknown duration unit"},
      {"1h5", 0, "invalid duration '1h5'"},
      {"(1 + 2", 6, "expected ')'"},
      {"[1, 2", 5, "',' or ']'"},
      {"{a: 1", 5, "',' or '}'"},
      {"{a 1}", 3, "':' after the key"},
      {"{1: 2}", 1, "expected a key"},
      {"a.b.", 4, "expected a field or method name after '.'"},
      {"a.1", 2, "expected a field or method name"},
      {"a ? b", 5, "':' of the conditional"},
      {"1 2", 2, "unexpected number after the expression"},
      {"a b", 2, "unexpected 'b' after the expression"},
      {"in", 0, "'in' needs a value on its left"},
      {"x in", 4, "unexpected end of expression"},
      {"xs.exists(y, true", 17, "expected ')'"},
      {"#", 0, "unexpected character '#'"},
      {"a $ b", 2, "unexpected character '$'"},
      {")", 0, "unexpected ')'"},
      {"1 ++ 2", 3, "unexpected '+'"},
      {"a[]", 2, "unexpected ']'"},
      {"a ==", 4, "unexpected end of expression"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    Error e = parse_error(row.text);
    CHECK(e.code == ErrorCode::kSyntaxError);
    CHECK(e.offset == row.offset);
    CHECK_THAT(e.message, Catch::Contains(row.message_part));
  }
}

TEST_CASE("compile reports parse errors with the same offsets", "[lang][parser]") {
  Error e = compile_error("incident.title = 'x'", incident_env());
  CHECK(e.code == ErrorCode::kSyntaxError);
  CHECK(e.offset == 15);
}

// ---------------------------------------------------------------------------
// The checker

TEST_CASE("an unknown variable is unknown_name with a suggestion", "[lang][checker]") {
  Error e = compile_error("incidnt.title == 'x'", incident_env());
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.offset == 0);
  CHECK_THAT(e.message, Catch::Contains("unknown variable 'incidnt'") && Catch::Contains("did you mean 'incident'"));

  e = compile_error("true && nw > incident.created", incident_env());
  CHECK(e.offset == 8);
  CHECK_THAT(e.message, Catch::Contains("did you mean 'now'"));

  e = compile_error("cmdb", incident_env());
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK_THAT(e.message, Catch::Contains("cmdb.ci(id)"));
}

TEST_CASE("an unknown field of an incident is unknown_name at the field", "[lang][checker]") {
  Error e = compile_error("incident.titel == 'x'", incident_env());
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.offset == 9);
  CHECK_THAT(e.message, Catch::Contains("unknown field 'titel'") && Catch::Contains("did you mean 'title'") &&
                            Catch::EndsWith("(custom fields go under labels, annotations, custom)"));

  e = compile_error("incident.priority == 'P1' && incident.affectd_users > 3", incident_env());
  CHECK(e.offset == 38);
  CHECK_THAT(e.message, Catch::Contains("did you mean 'affected_users'"));

  e = compile_error("incident.zzzzzzzz", incident_env());
  CHECK_THAT(e.message, Catch::Contains("labels, annotations, custom"));
  CHECK_THAT(e.message, !Catch::Contains("did you mean"));
}

TEST_CASE("labels annotations and custom of an incident are open maps", "[lang][checker]") {
  for (const char* text : {"incident.labels.anything == 'x'", "incident.annotations.runbook_url != null",
                           "incident.custom.deeply.nested.field > 1", "incident.labels['k8s.namespace'] == 'pay'",
                           "incident['not_a_field']", "incident.title.size() > 0"}) {
    INFO("expression: " << text);
    auto prog = verdict::lang::compile(text, incident_env(), {});
    CHECK(prog.ok());
  }
}

TEST_CASE("a variable of an unknown kind has no field check", "[lang][checker]") {
  auto prog = verdict::lang::compile("doc.whatever.you.like == 1", doc_env(), {});
  CHECK(prog.ok());
}

TEST_CASE("an unknown function is unknown_name with a suggestion", "[lang][checker]") {
  Error e = compile_error("sise(doc.xs)", doc_env());
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.offset == 0);
  CHECK_THAT(e.message, Catch::Contains("unknown function 'sise'") && Catch::Contains("did you mean 'size'"));

  e = compile_error("doc.s.startswith('a')", doc_env());
  CHECK(e.offset == 6);
  CHECK_THAT(e.message, Catch::Contains("did you mean 'startsWith'"));

  e = compile_error("cmdb.nope('x')", doc_env());
  CHECK(e.offset == 5);
  CHECK_THAT(e.message, Catch::Contains("unknown function 'cmdb.nope'"));
}

TEST_CASE("a function called in the wrong style says how it is written", "[lang][checker]") {
  Error e = compile_error("trim(doc.s)", doc_env());
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.offset == 0);
  CHECK_THAT(e.message, Catch::Contains("string.trim()") && Catch::Contains("call it on a value"));

  e = compile_error("doc.s.int()", doc_env());
  CHECK(e.offset == 6);
  CHECK_THAT(e.message, Catch::Contains("int(number|string|bool|timestamp|duration)"));
}

TEST_CASE("cmdb functions can be turned off", "[lang][checker]") {
  Environment env = doc_env();
  env.cmdb = false;
  Error e = compile_error("cmdb.owner(doc.ci) == 'x'", env);
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.offset == 0);
  CHECK_THAT(e.message, Catch::Contains("not available"));
}

TEST_CASE("a wrong number of arguments is a type_error at the function name", "[lang][checker]") {
  const std::vector<ErrorRow> rows = {
      {"'a'.contains()", 4, "takes 1 argument, got 0"},
      {"'a'.contains('a', 'b')", 4, "takes 1 argument, got 2"},
      {"size(1, 2)", 0, "takes 1 argument, got 2"},
      {"size()", 0, "takes 1 argument, got 0"},
      {"doc.s.lower(1)", 6, "takes 0 arguments, got 1"},
      {"now.hour('+01:00', 2)", 4, "takes 0 to 1 argument, got 2"},
      {"cmdb.blast_radius()", 5, "got 0"},
      {"min()", 0, "takes 1 to 8 arguments, got 0"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    Error e = compile_error(row.text, doc_env());
    CHECK(e.code == ErrorCode::kTypeError);
    CHECK(e.offset == row.offset);
    CHECK_THAT(e.message, Catch::Contains(row.message_part));
  }
}

TEST_CASE("type errors that are certain from the syntax are compile errors", "[lang][checker]") {
  const std::vector<ErrorRow> rows = {
      {"'a' > 3", 4, "cannot order a string and an int"},
      {"'a' - 1", 4, "cannot subtract a string and an int"},
      {"'a' + 1", 4, "cannot add a string and an int"},
      {"now + 5", 4, "cannot add a timestamp and an int"},
      {"1h > 3", 3, "cannot order"},
      {"5.0 % 2", 4, "remainder"},
      {"1h % 2", 3, "remainder"},
      {"[1] < [2]", 4, "cannot order a list"},
      {"true < false", 5, "cannot order a bool"},
      {"1 && true", 0, "the left side is an int"},
      {"true || 'x'", 8, "the right side is a string"},
      {"!'a'", 0, "'!' needs a bool"},
      {"-'a'", 0, "'-' needs a number or duration"},
      {"1 ? 2 : 3", 0, "the condition of '?:' must be a bool"},
      {"1 in 2", 2, "'in' needs a list, map or string"},
      {"'abc'[0]", 0, "cannot index a string"},
      {"[1][true]", 4, "an index must be an int or a string"},
      {"'abc'.foo", 6, "cannot read field 'foo'"},
      {"now.year", 4, "cannot read field"},
      {"'a'.startsWith(1)", 15, "argument 1 is an int, not a string"},
      {"[1].contains('a')", 0, "the receiver is a list"},
      {"'x'.hour()", 0, "the receiver is a string, not a timestamp"},
      {"now.hour(1)", 9, "argument 1 is an int"},
      {"cmdb.ci(1)", 8, "argument 1 is an int"},
      {"5.exists(x, true)", 2, "works on a list or a map"},
      {"[1].exists(x, 1)", 14, "exists() needs a condition (a bool), not an int"},
      {"[1].filter(x, 'a')", 14, "filter() needs a condition"},
      {"[1].all(x, x + 1 == 2 ? 'y' : 'n')", 11, "all() needs a condition"},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    Error e = compile_error(row.text, doc_env());
    CHECK(e.code == ErrorCode::kTypeError);
    CHECK(e.offset == row.offset);
    CHECK_THAT(e.message, Catch::Contains(row.message_part));
  }
}

TEST_CASE("operands of unknown type are checked at run time, not at load", "[lang][checker]") {
  // size(1) is certain from the syntax but size() accepts any type statically; the
  // error comes when the expression runs (see test_lang_builtins.cc).
  for (const char* text : {"size(1) > 0", "doc.x > 3", "doc.x - 1", "doc.x + 'a'", "doc.x && true", "!doc.x",
                           "doc.x ? 1 : 2", "doc.x in doc.y", "doc.x.exists(y, y)", "int(doc.x) + 1",
                           "null > 1", "null + 1", "-null", "!null"}) {
    INFO("expression: " << text);
    auto prog = verdict::lang::compile(text, doc_env(), {});
    CHECK(prog.ok());
  }
}

TEST_CASE("matches needs a string literal pattern and a valid regex", "[lang][checker]") {
  Error e = compile_error("doc.s.matches(doc.p)", doc_env());
  CHECK(e.code == ErrorCode::kTypeError);
  CHECK(e.offset == 14);
  CHECK_THAT(e.message, Catch::Contains("string literal"));

  e = compile_error("doc.s.matches('a' + 'b')", doc_env());
  CHECK(e.code == ErrorCode::kTypeError);
  CHECK(e.offset == 14);

  e = compile_error("doc.s.matches('(')", doc_env());
  CHECK(e.code == ErrorCode::kInvalidRegex);
  CHECK(e.offset == 14);  // the pattern literal
  CHECK_THAT(e.message, Catch::Contains("missing )"));

  e = compile_error("matches(doc.s, '[')", doc_env());
  CHECK(e.code == ErrorCode::kInvalidRegex);
  CHECK(e.offset == 15);

  e = compile_error("doc.s.size() > 1 && doc.s.matches(r'a{2,1}')", doc_env());
  CHECK(e.code == ErrorCode::kInvalidRegex);
  CHECK(e.offset == 34);

  for (const char* ok : {"doc.s.matches(r'^\\d+$')", "matches(doc.s, 'a|b')", "doc.s.matches(\"(?i)abc\")"}) {
    INFO("expression: " << ok);
    auto prog = verdict::lang::compile(ok, doc_env(), {});
    CHECK(prog.ok());
  }
}

TEST_CASE("the matches regex is compiled once when the expression compiles", "[lang][checker]") {
  auto prog = verdict::lang::compile("doc.s.matches('b+')", doc_env(), {});
  REQUIRE(prog.ok());
  bool found = false;
  for (const Node& n : prog.value()->ast.nodes)
    if (n.kind == NodeKind::kCall && n.name == "matches") found = n.regex != nullptr;
  CHECK(found);
}

TEST_CASE("macro variables shadow outer macro variables but not policy variables", "[lang][checker]") {
  Error e = compile_error("doc.xs.exists(doc, true)", doc_env());
  CHECK(e.code == ErrorCode::kTypeError);
  CHECK(e.offset == 14);
  CHECK_THAT(e.message, Catch::Contains("hides a variable"));

  e = compile_error("doc.xs.exists(now, true)", doc_env());
  CHECK(e.offset == 14);
  CHECK_THAT(e.message, Catch::Contains("hides a variable"));

  // Out of its macro, the variable is unknown.
  e = compile_error("[1].exists(x, true) && x == 1", doc_env());
  CHECK(e.code == ErrorCode::kUnknownName);
  CHECK(e.offset == 23);

  // The same name in a nested macro is the inner one; siblings may reuse a name.
  CHECK(literal("[1, 2].exists(x, [3].exists(x, x == 3))") == "true");
  CHECK(literal("[1, 2].map(x, [10].map(x, x))") == "[[10],[10]]");
  CHECK(literal("[1].exists(x, x == 1) && [2].exists(x, x == 2)") == "true");
  CHECK(literal("[1, 2].map(x, [10, 20].map(y, x * y))") == "[[10,20],[20,40]]");
}

TEST_CASE("has takes exactly one field selection", "[lang][checker]") {
  for (const char* ok : {"has(doc.a)", "has(doc.a.b)", "has(doc['a'])", "has(doc.xs[0])", "!has(doc.a)"}) {
    INFO("expression: " << ok);
    auto prog = verdict::lang::compile(ok, doc_env(), {});
    CHECK(prog.ok());
  }
  for (const char* bad : {"has(doc)", "has(1)", "has(doc.a, doc.b)", "has()", "has(doc.a.size())"}) {
    INFO("expression: " << bad);
    Error e = compile_error(bad, doc_env());
    CHECK(e.code == ErrorCode::kTypeError);
    CHECK(e.offset == 0);
    CHECK_THAT(e.message, Catch::Contains("has() takes one field"));
  }
}

TEST_CASE("a macro without a variable first does not load", "[lang][checker]") {
  for (const char* text : {"doc.xs.exists(1, true)", "doc.xs.exists(y)", "doc.xs.map()", "doc.xs.filter(x > 1)",
                           "doc.xs.all('a', true)"}) {
    INFO("expression: " << text);
    auto prog = verdict::lang::compile(text, doc_env(), {});
    CHECK_FALSE(prog.ok());
  }
}

TEST_CASE("a macro without a variable first says how a macro is written", "[lang][checker]") {
  // Since `name(` is a macro only when `variable,` follows (so that cmdb.exists(id) is a
  // call), these are "unknown function 'exists'", which hides what is wrong.
  for (const char* text : {"doc.xs.exists(1, true)", "doc.xs.exists(y)", "doc.xs.filter(x > 1)"}) {
    INFO("expression: " << text);
    Error e = compile_error(text, doc_env());
    CHECK_THAT(e.message, Catch::Contains("variable name first"));
  }
}

TEST_CASE("a map literal may not repeat a key", "[lang][checker]") {
  Error e = compile_error("{a: 1, 'a': 2}", doc_env());
  CHECK(e.code == ErrorCode::kDuplicateKey);
  CHECK(e.offset == 7);
}

TEST_CASE("comparisons that are always false or true are warnings", "[lang][checker]") {
  auto prog = verdict::lang::compile("'a' == 1", doc_env(), {});
  REQUIRE(prog.ok());
  REQUIRE(prog.value()->warnings.size() == 1);
  const auto& w = prog.value()->warnings[0];
  CHECK(w.warning);
  CHECK(w.error.offset == 4);
  CHECK_THAT(w.error.message, Catch::Contains("always false"));

  prog = verdict::lang::compile("doc.x > 1 && now != 'yesterday'", doc_env(), {});
  REQUIRE(prog.ok());
  REQUIRE(prog.value()->warnings.size() == 1);
  CHECK(prog.value()->warnings[0].error.offset == 17);
  CHECK_THAT(prog.value()->warnings[0].error.message, Catch::Contains("always true"));

  for (const char* quiet : {"1 == 1.0", "doc.x == 1", "null == 1", "doc.x == null", "1h == 60m", "[1] == [1]"}) {
    INFO("expression: " << quiet);
    auto p = verdict::lang::compile(quiet, doc_env(), {});
    REQUIRE(p.ok());
    CHECK(p.value()->warnings.empty());
  }
}

TEST_CASE("the checker records static result types", "[lang][checker]") {
  struct Row {
    const char* text;
    StaticType type;
  };
  const std::vector<Row> rows = {
      {"1 + 2", StaticType::kInt},       {"1 + 2.0", StaticType::kDouble}, {"3 / 2", StaticType::kDouble},
      {"'a' + 'b'", StaticType::kString}, {"doc.x == 1", StaticType::kBool}, {"now - now", StaticType::kDuration},
      {"now + 1h", StaticType::kTime},   {"1h / 30m", StaticType::kDouble}, {"doc.x", StaticType::kDyn},
      {"doc.xs.map(x, x)", StaticType::kList}, {"doc.xs.count(x, x > 1)", StaticType::kInt},
      {"size(doc.x)", StaticType::kInt}, {"doc.x + 1", StaticType::kDyn},
  };
  for (const auto& row : rows) {
    INFO("expression: " << row.text);
    auto prog = verdict::lang::compile(row.text, doc_env(), {});
    REQUIRE(prog.ok());
    CHECK(prog.value()->result_type() == row.type);
  }
}

TEST_CASE("field paths read are recorded for explanations", "[lang][checker]") {
  auto prog = verdict::lang::compile("incident.labels.team == 'a' || incident.labels.team == 'b' || incident.priority == 'P1'",
                                     incident_env(), {});
  REQUIRE(prog.ok());
  CHECK(prog.value()->paths == std::vector<std::string>{"incident.labels.team", "incident.priority"});

  prog = verdict::lang::compile("incident.labels['k8s.namespace'] == 'x' && incident.tags[0] == 'y'", incident_env(), {});
  REQUIRE(prog.ok());
  CHECK(prog.value()->paths == std::vector<std::string>{"incident.labels[\"k8s.namespace\"]", "incident.tags[0]"});
}

TEST_CASE("error messages name the problem in words", "[lang][checker]") {
  // A sampler of messages users see, to keep them readable.
  CHECK_THAT(compile_error("a = b", doc_env()).message, Catch::Contains("write '=='"));
  CHECK_THAT(compile_error("a & b", doc_env()).message, Catch::Contains("write '&&'"));
  CHECK_THAT(compile_error("'\\d'", doc_env()).message, Catch::Contains("raw string r'...'"));
  CHECK(contains(compile_error("doc.x > 1 && doc.y = 2", doc_env()).message, "'=' is not an operator"));
}
