// Builtin functions. Conventions, as docs/language.md states them:
//  - a null (missing) receiver or argument gives false for predicates, null for
//    transformations and 0 for sizes, never an error: sparse documents are normal;
//  - a value of the wrong type (not null) is a type error;
//  - strings are UTF-8; size() of a string counts code points.
#include "lang/builtins.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "cmdb/cmdb.h"
#include "lang/program.h"
#include "time/time.h"
#include "time/zone.h"

namespace verdict::lang {
namespace {

using S = StaticType;

Val type_error(EvalContext& ctx, const Node& call, const char* fn, const char* want, const Val& got) {
  return ctx.fail(ErrorCode::kTypeError,
                  std::string(fn) + " expects " + want + ", got " + val_type_name(got), call.pos);
}

bool is_null(const Val& v) { return v.k == VK::kNull; }

// ---- strings ----

Val fn_contains(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  if (is_null(a[0]) || is_null(a[1])) return Val::boolean(false);
  if (a[0].k != VK::kString) return type_error(ctx, c, "contains()", "a string receiver", a[0]);
  if (a[1].k != VK::kString) return type_error(ctx, c, "contains()", "a string argument", a[1]);
  return Val::boolean(a[0].sv().find(a[1].sv()) != std::string_view::npos);
}

Val fn_starts_with(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  if (is_null(a[0]) || is_null(a[1])) return Val::boolean(false);
  if (a[0].k != VK::kString || a[1].k != VK::kString) return type_error(ctx, c, "startsWith()", "strings", a[0].k != VK::kString ? a[0] : a[1]);
  return Val::boolean(a[0].sv().substr(0, a[1].sv().size()) == a[1].sv());
}

Val fn_ends_with(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  if (is_null(a[0]) || is_null(a[1])) return Val::boolean(false);
  if (a[0].k != VK::kString || a[1].k != VK::kString) return type_error(ctx, c, "endsWith()", "strings", a[0].k != VK::kString ? a[0] : a[1]);
  std::string_view s = a[0].sv(), suf = a[1].sv();
  return Val::boolean(s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf);
}

Val fn_matches(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  if (is_null(a[0])) return Val::boolean(false);
  if (a[0].k != VK::kString) return type_error(ctx, c, "matches()", "a string", a[0]);
  // The pattern was compiled when the policy loaded (the checker requires a literal).
  const re2::RE2* re = c.regex.get();
  if (!re) return ctx.fail(ErrorCode::kInternal, "matches() without a compiled pattern", c.pos);
  std::string_view s = a[0].sv();
  // A match may touch every byte: its work is charged by length (1,000 patterns over a 1 MiB
  // title are 16 million steps, not 1,000).
  if (!ctx.charge(s.size()))
    return ctx.fail(ErrorCode::kLimitExceeded, "evaluation exceeded " + std::to_string(ctx.limits().max_steps) + " steps (limit max_steps; a regex match costs a step per 64 bytes)", c.pos);
  return Val::boolean(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re));
}

Val case_map(EvalContext& ctx, const Node& c, const Val& v, bool upper, const char* name) {
  if (is_null(v)) return Val::null();
  if (v.k != VK::kString) return type_error(ctx, c, name, "a string", v);
  std::string& out = ctx.arena().new_string();
  out.assign(v.sv());
  // ASCII only: the same on every target, and what ITSM labels use.
  for (char& ch : out) {
    if (upper && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    if (!upper && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  }
  return Val::str(out);
}

Val fn_lower(EvalContext& ctx, const Node& c, const Val* a, size_t) { return case_map(ctx, c, a[0], false, "lower()"); }
Val fn_upper(EvalContext& ctx, const Node& c, const Val* a, size_t) { return case_map(ctx, c, a[0], true, "upper()"); }

Val fn_trim(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  if (is_null(a[0])) return Val::null();
  if (a[0].k != VK::kString) return type_error(ctx, c, "trim()", "a string", a[0]);
  std::string_view s = a[0].sv();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return Val::str(s);
}

Val fn_split(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  if (is_null(a[0]) || is_null(a[1])) return Val::null();
  if (a[0].k != VK::kString || a[1].k != VK::kString) return type_error(ctx, c, "split()", "strings", a[0].k != VK::kString ? a[0] : a[1]);
  std::string_view s = a[0].sv(), sep = a[1].sv();
  ValList& out = ctx.arena().new_list();
  if (sep.empty()) {
    out.push_back(Val::str(s));
    return Val::list_of(&out);
  }
  size_t start = 0;
  while (true) {
    if (out.size() >= ctx.limits().max_list_size)
      return ctx.fail(ErrorCode::kLimitExceeded, "split() makes more than " + std::to_string(ctx.limits().max_list_size) + " items", c.pos);
    size_t at = s.find(sep, start);
    out.push_back(Val::str(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) break;
    start = at + sep.size();
  }
  return Val::list_of(&out);
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

Val fn_size(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  if (is_null(v)) return Val::integer(0);
  if (v.k == VK::kString) return Val::integer(static_cast<int64_t>(utf8_length(v.sv())));
  if (v.is_list()) return Val::integer(static_cast<int64_t>(list_size(v)));
  if (v.is_map()) return Val::integer(static_cast<int64_t>(map_size(v)));
  return type_error(ctx, c, "size()", "a string, list or map", v);
}

// ---- conversions ----

Val fn_int(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  switch (v.k) {
    case VK::kNull: return Val::null();
    case VK::kInt: return v;
    case VK::kDouble:
      if (!(v.d >= -9.2e18 && v.d <= 9.2e18)) return ctx.fail(ErrorCode::kEvalError, "int() of a double out of range", c.pos);
      return Val::integer(static_cast<int64_t>(v.d));
    case VK::kBool: return Val::integer(v.b ? 1 : 0);
    case VK::kString: {
      std::string_view s = v.sv();
      bool neg = !s.empty() && s[0] == '-';
      if (neg || (!s.empty() && s[0] == '+')) s.remove_prefix(1);
      std::string shown(v.sv().substr(0, 64));
      if (s.empty()) return ctx.fail(ErrorCode::kEvalError, "int() of '" + shown + "': not an integer", c.pos);
      // Accumulate negatively so that the smallest int64 parses too.
      int64_t n = 0;
      for (char ch : s) {
        if (ch < '0' || ch > '9') return ctx.fail(ErrorCode::kEvalError, "int() of '" + shown + "': not an integer", c.pos);
        if (__builtin_mul_overflow(n, 10, &n) || __builtin_sub_overflow(n, ch - '0', &n))
          return ctx.fail(ErrorCode::kEvalError, "int() of '" + shown + "': out of range (64 bits)", c.pos);
      }
      if (!neg && n == INT64_MIN) return ctx.fail(ErrorCode::kEvalError, "int() of '" + shown + "': out of range (64 bits)", c.pos);
      return Val::integer(neg ? n : -n);
    }
    case VK::kTime: return Val::integer(v.i / datetime::kNanosPerSecond);
    case VK::kDuration: return Val::integer(v.i / datetime::kNanosPerSecond);
    default: return type_error(ctx, c, "int()", "a number, string, bool, timestamp or duration", v);
  }
}

Val fn_double(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  switch (v.k) {
    case VK::kNull: return Val::null();
    case VK::kInt: return Val::dbl(static_cast<double>(v.i));
    case VK::kDouble: return v;
    case VK::kString: {
      std::string t(v.sv());
      char* end = nullptr;
      double d = std::strtod(t.c_str(), &end);
      if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(d))
        return ctx.fail(ErrorCode::kEvalError, "double() of '" + t + "': not a finite number", c.pos);
      return Val::dbl(d);
    }
    default: return type_error(ctx, c, "double()", "a number or string", v);
  }
}

Val fn_string(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  if (v.k == VK::kString) return v;
  if (v.k == VK::kNull) return Val::null();
  // Weighed before it is written: a value built from shared parts can be far larger written out.
  if (val_weight(v, ctx.arena()) > ctx.limits().max_string_bytes)
    return ctx.fail(ErrorCode::kLimitExceeded, "string() of a value longer than " + std::to_string(ctx.limits().max_string_bytes) + " bytes (limit max_string_bytes)", c.pos);
  std::string& out = ctx.arena().new_string();
  if (v.k == VK::kTime) out = datetime::format_rfc3339(v.i);
  else if (v.k == VK::kDuration) out = datetime::format_duration(v.i);
  else out = val_to_json(v);
  if (out.size() > ctx.limits().max_string_bytes)  // a large document weighs little before it is written
    return ctx.fail(ErrorCode::kLimitExceeded, "string() of a value longer than " + std::to_string(ctx.limits().max_string_bytes) + " bytes (limit max_string_bytes)", c.pos);
  return Val::str(out);
}

Val fn_timestamp(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  if (is_null(v)) return Val::null();
  if (v.k == VK::kTime) return v;
  int64_t ns;
  if (v.k == VK::kInt) {
    if (__builtin_mul_overflow(v.i, datetime::kNanosPerSecond, &ns)) return ctx.fail(ErrorCode::kEvalError, "timestamp() out of range", c.pos);
    return Val::time(ns);
  }
  if (v.k != VK::kString) return type_error(ctx, c, "timestamp()", "an RFC 3339 string or Unix seconds", v);
  std::string why;
  auto t = datetime::parse_rfc3339(v.sv(), &why);
  if (!t) return ctx.fail(ErrorCode::kEvalError, "timestamp('" + std::string(v.sv().substr(0, 64)) + "'): " + why, c.pos);
  return Val::time(*t);
}

Val fn_duration(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  if (is_null(v)) return Val::null();
  if (v.k == VK::kDuration) return v;
  int64_t ns;
  if (v.k == VK::kInt) {
    if (__builtin_mul_overflow(v.i, datetime::kNanosPerSecond, &ns)) return ctx.fail(ErrorCode::kEvalError, "duration() out of range", c.pos);
    return Val::duration(ns);
  }
  if (v.k != VK::kString) return type_error(ctx, c, "duration()", "a string like '15m' or seconds", v);
  std::string why;
  auto d = datetime::parse_duration(v.sv(), &why);
  if (!d) return ctx.fail(ErrorCode::kEvalError, "duration('" + std::string(v.sv().substr(0, 64)) + "'): " + why, c.pos);
  return Val::duration(*d);
}

// ---- numbers ----

Val min_max(EvalContext& ctx, const Node& c, const Val* a, size_t n, bool want_max) {
  // min(list) or min(a, b, ...)
  bool over_list = n == 1 && a[0].is_list();
  size_t count = over_list ? list_size(a[0]) : n;
  Val best = Val::null();
  for (size_t i = 0; i < count; ++i) {
    if (!ctx.step()) return ctx.fail(ErrorCode::kLimitExceeded, "evaluation exceeded " + std::to_string(ctx.limits().max_steps) + " steps (limit max_steps)", c.pos);
    const Val v = over_list ? list_at(a[0], i) : a[i];
    if (is_null(v)) continue;
    if (!v.is_number() && v.k != VK::kDuration && v.k != VK::kTime)
      return type_error(ctx, c, want_max ? "max()" : "min()", "numbers, durations or timestamps", v);
    if (best.k == VK::kNull) {
      best = v;
      continue;
    }
    if (best.is_number() != v.is_number() || (!v.is_number() && best.k != v.k))
      return type_error(ctx, c, want_max ? "max()" : "min()", "values of one type", v);
    bool greater = v.is_number() ? v.num() > best.num() : v.i > best.i;
    bool less = v.is_number() ? v.num() < best.num() : v.i < best.i;
    if (want_max ? greater : less) best = v;
  }
  return best;
}

Val fn_min(EvalContext& ctx, const Node& c, const Val* a, size_t n) { return min_max(ctx, c, a, n, false); }
Val fn_max(EvalContext& ctx, const Node& c, const Val* a, size_t n) { return min_max(ctx, c, a, n, true); }

Val fn_abs(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  const Val& v = a[0];
  if (is_null(v)) return Val::null();
  if (v.k == VK::kInt) {
    if (v.i == INT64_MIN) return ctx.fail(ErrorCode::kEvalError, "abs() overflows", c.pos);
    return Val::integer(v.i < 0 ? -v.i : v.i);
  }
  if (v.k == VK::kDouble) return Val::dbl(std::fabs(v.d));
  if (v.k == VK::kDuration) {
    if (v.i == INT64_MIN) return ctx.fail(ErrorCode::kEvalError, "abs() overflows", c.pos);
    return Val::duration(v.i < 0 ? -v.i : v.i);
  }
  return type_error(ctx, c, "abs()", "a number or duration", v);
}

// ---- time ----

Val time_field(EvalContext& ctx, const Node& c, const Val* a, size_t n, int which, const char* name) {
  if (is_null(a[0])) return Val::null();
  if (a[0].k != VK::kTime) return type_error(ctx, c, name, "a timestamp", a[0]);
  datetime::Zone zone;
  if (n > 1) {
    if (is_null(a[1])) return Val::null();
    if (a[1].k != VK::kString) return type_error(ctx, c, name, "a time zone string like 'Europe/Berlin' or '+01:00'", a[1]);
    std::string why;
    auto z = datetime::Zone::parse(a[1].sv(), &why);
    if (!z) return ctx.fail(ErrorCode::kEvalError, why, c.pos);
    zone = *z;
  }
  datetime::CivilTime t = datetime::civil_in(a[0].i, zone);
  switch (which) {
    case 0: return Val::integer(t.year);
    case 1: return Val::integer(t.month);
    case 2: return Val::integer(t.day);
    case 3: return Val::integer(t.hour);
    case 4: return Val::integer(t.minute);
    default: return Val::integer(t.weekday);
  }
}

Val fn_year(EvalContext& x, const Node& c, const Val* a, size_t n) { return time_field(x, c, a, n, 0, "year()"); }
Val fn_month(EvalContext& x, const Node& c, const Val* a, size_t n) { return time_field(x, c, a, n, 1, "month()"); }
Val fn_day(EvalContext& x, const Node& c, const Val* a, size_t n) { return time_field(x, c, a, n, 2, "day()"); }
Val fn_hour(EvalContext& x, const Node& c, const Val* a, size_t n) { return time_field(x, c, a, n, 3, "hour()"); }
Val fn_minute(EvalContext& x, const Node& c, const Val* a, size_t n) { return time_field(x, c, a, n, 4, "minute()"); }
Val fn_weekday(EvalContext& x, const Node& c, const Val* a, size_t n) { return time_field(x, c, a, n, 5, "weekday()"); }

// ---- CMDB ----

const CmdbIndex::Item* cmdb_item(EvalContext& ctx, const Node& c, const Val& id, Val& err, const char* name) {
  if (is_null(id)) return nullptr;
  if (id.k != VK::kString) {
    err = type_error(ctx, c, name, "a configuration item id (string)", id);
    return nullptr;
  }
  if (!ctx.cmdb()) return nullptr;
  return ctx.cmdb()->find(id.sv());
}

Val item_map(EvalContext& ctx, const CmdbIndex::Item& item, const Val* depth = nullptr) {
  ValMap& m = ctx.arena().new_map();
  m.emplace_back("id", Val::str(item.id));
  m.emplace_back("name", Val::str(item.name));
  m.emplace_back("class", Val::str(item.ci_class));
  m.emplace_back("owner", item.owner.empty() ? Val::null() : Val::str(item.owner));
  m.emplace_back("tier", item.tier ? Val::integer(item.tier) : Val::null());
  m.emplace_back("environment", item.environment.empty() ? Val::null() : Val::str(item.environment));
  m.emplace_back("service", item.service.empty() ? Val::null() : Val::str(item.service));
  if (depth) m.emplace_back("depth", *depth);
  return Val::map_of(&m);
}

Val fn_cmdb_ci(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.ci()");
  if (err.is_error()) return err;
  return item ? item_map(ctx, *item) : Val::null();
}

Val fn_cmdb_owner(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.owner()");
  if (err.is_error()) return err;
  return item && !item->owner.empty() ? Val::str(item->owner) : Val::null();
}

Val fn_cmdb_tier(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.tier()");
  if (err.is_error()) return err;
  return item && item->tier ? Val::integer(item->tier) : Val::null();
}

Val id_list(EvalContext& ctx, const Node& c, const std::vector<uint32_t>& idx) {
  ValList& out = ctx.arena().new_list();
  if (idx.size() > ctx.limits().max_list_size)
    return ctx.fail(ErrorCode::kLimitExceeded, "more than " + std::to_string(ctx.limits().max_list_size) + " related items", c.pos);
  for (uint32_t i : idx) out.push_back(Val::str(ctx.cmdb()->items()[i].id));
  return Val::list_of(&out);
}

Val fn_cmdb_dependents(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.dependents()");
  if (err.is_error()) return err;
  if (!item) return Val::list_of(&ctx.arena().new_list());
  return id_list(ctx, c, item->dependents);
}

Val fn_cmdb_dependencies(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.dependencies()");
  if (err.is_error()) return err;
  if (!item) return Val::list_of(&ctx.arena().new_list());
  return id_list(ctx, c, item->depends_on);
}

Val fn_cmdb_blast_radius(EvalContext& ctx, const Node& c, const Val* a, size_t n) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.blast_radius()");
  if (err.is_error()) return err;
  ValList& out = ctx.arena().new_list();
  if (!item) return Val::list_of(&out);
  uint32_t depth = ctx.limits().max_blast_depth;
  if (n > 1) {
    if (a[1].k != VK::kInt || a[1].i < 1) return type_error(ctx, c, "cmdb.blast_radius()", "a positive depth", a[1]);
    depth = static_cast<uint32_t>(std::min<int64_t>(a[1].i, depth));
  }
  int64_t start = ctx.cmdb()->index_of(item->id);
  auto reached = ctx.cmdb()->blast_radius(static_cast<uint32_t>(start), depth);
  if (reached.size() > ctx.limits().max_list_size)
    return ctx.fail(ErrorCode::kLimitExceeded, "blast radius of more than " + std::to_string(ctx.limits().max_list_size) + " items", c.pos);
  for (const auto& r : reached) {
    Val d = Val::integer(r.depth);
    out.push_back(item_map(ctx, ctx.cmdb()->items()[r.item], &d));
  }
  return Val::list_of(&out);
}

Val fn_cmdb_exists(EvalContext& ctx, const Node& c, const Val* a, size_t) {
  Val err = Val::null();
  const CmdbIndex::Item* item = cmdb_item(ctx, c, a[0], err, "cmdb.exists()");
  if (err.is_error()) return err;
  return Val::boolean(item != nullptr);
}

const S kAny = S::kDyn;

std::vector<Builtin> make_registry() {
  return {
      {"contains", true, 1, 1, S::kString, {S::kString, kAny, kAny}, S::kBool, "string.contains(string) -> bool", fn_contains},
      {"startsWith", true, 1, 1, S::kString, {S::kString, kAny, kAny}, S::kBool, "string.startsWith(string) -> bool", fn_starts_with},
      {"endsWith", true, 1, 1, S::kString, {S::kString, kAny, kAny}, S::kBool, "string.endsWith(string) -> bool", fn_ends_with},
      {"matches", true, 1, 1, S::kString, {S::kString, kAny, kAny}, S::kBool, "string.matches(regex literal) -> bool", fn_matches},
      {"matches", false, 2, 2, kAny, {S::kString, S::kString, kAny}, S::kBool, "matches(string, regex literal) -> bool", fn_matches},
      {"lower", true, 0, 0, S::kString, {kAny, kAny, kAny}, S::kString, "string.lower() -> string", fn_lower},
      {"lower", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kString, "lower(string) -> string", fn_lower},
      {"upper", true, 0, 0, S::kString, {kAny, kAny, kAny}, S::kString, "string.upper() -> string", fn_upper},
      {"upper", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kString, "upper(string) -> string", fn_upper},
      {"trim", true, 0, 0, S::kString, {kAny, kAny, kAny}, S::kString, "string.trim() -> string", fn_trim},
      {"split", true, 1, 1, S::kString, {S::kString, kAny, kAny}, S::kList, "string.split(string) -> list", fn_split},
      {"size", true, 0, 0, kAny, {kAny, kAny, kAny}, S::kInt, "(string|list|map).size() -> int", fn_size},
      {"size", false, 1, 1, kAny, {kAny, kAny, kAny}, S::kInt, "size(string|list|map) -> int", fn_size},
      {"int", false, 1, 1, kAny, {kAny, kAny, kAny}, S::kInt, "int(number|string|bool|timestamp|duration) -> int", fn_int},
      {"double", false, 1, 1, kAny, {kAny, kAny, kAny}, S::kDouble, "double(number|string) -> double", fn_double},
      {"string", false, 1, 1, kAny, {kAny, kAny, kAny}, S::kString, "string(any) -> string", fn_string},
      {"timestamp", false, 1, 1, kAny, {kAny, kAny, kAny}, S::kTime, "timestamp(string|int) -> timestamp", fn_timestamp},
      {"duration", false, 1, 1, kAny, {kAny, kAny, kAny}, S::kDuration, "duration(string|int) -> duration", fn_duration},
      {"min", false, 1, 8, kAny, {kAny, kAny, kAny}, kAny, "min(list) or min(a, b, ...) -> number|duration|timestamp", fn_min},
      {"max", false, 1, 8, kAny, {kAny, kAny, kAny}, kAny, "max(list) or max(a, b, ...) -> number|duration|timestamp", fn_max},
      {"abs", false, 1, 1, kAny, {kAny, kAny, kAny}, kAny, "abs(number|duration) -> number|duration", fn_abs},
      {"year", true, 0, 1, S::kTime, {S::kString, kAny, kAny}, S::kInt, "timestamp.year([zone]) -> int", fn_year},
      {"month", true, 0, 1, S::kTime, {S::kString, kAny, kAny}, S::kInt, "timestamp.month([zone]) -> int (1-12)", fn_month},
      {"day", true, 0, 1, S::kTime, {S::kString, kAny, kAny}, S::kInt, "timestamp.day([zone]) -> int (1-31)", fn_day},
      {"hour", true, 0, 1, S::kTime, {S::kString, kAny, kAny}, S::kInt, "timestamp.hour([zone]) -> int (0-23)", fn_hour},
      {"minute", true, 0, 1, S::kTime, {S::kString, kAny, kAny}, S::kInt, "timestamp.minute([zone]) -> int (0-59)", fn_minute},
      {"weekday", true, 0, 1, S::kTime, {S::kString, kAny, kAny}, S::kInt, "timestamp.weekday([zone]) -> int (0 = Sunday)", fn_weekday},
      {"cmdb.ci", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kMap, "cmdb.ci(id) -> map {id, name, class, owner, tier, environment, service} or null", fn_cmdb_ci},
      {"cmdb.owner", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kString, "cmdb.owner(id) -> string or null", fn_cmdb_owner},
      {"cmdb.tier", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kInt, "cmdb.tier(id) -> int or null", fn_cmdb_tier},
      {"cmdb.exists", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kBool, "cmdb.exists(id) -> bool", fn_cmdb_exists},
      {"cmdb.dependents", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kList, "cmdb.dependents(id) -> list of ids that depend on it directly", fn_cmdb_dependents},
      {"cmdb.dependencies", false, 1, 1, kAny, {S::kString, kAny, kAny}, S::kList, "cmdb.dependencies(id) -> list of ids it depends on directly", fn_cmdb_dependencies},
      {"cmdb.blast_radius", false, 1, 2, kAny, {S::kString, S::kInt, kAny}, S::kList, "cmdb.blast_radius(id[, max_depth]) -> list of maps {id, ..., depth}", fn_cmdb_blast_radius},
  };
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> registry = make_registry();
  return registry;
}

int32_t find_builtin(std::string_view name, bool receiver) {
  const auto& r = builtins();
  for (size_t i = 0; i < r.size(); ++i)
    if (r[i].receiver == receiver && name == r[i].name) return static_cast<int32_t>(i);
  return -1;
}

std::vector<const Builtin*> builtins_named(std::string_view name) {
  std::vector<const Builtin*> out;
  for (const auto& b : builtins())
    if (name == b.name) out.push_back(&b);
  return out;
}

}  // namespace verdict::lang
