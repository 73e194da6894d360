// The evaluator: a walk over the checked syntax tree. Semantics (docs/language.md):
//  - a missing field reads as null; ordering comparisons with null are false,
//    arithmetic with null is null, `!null` is true, null is false as a condition;
//  - && and || short-circuit and absorb an error when the other side decides (as CEL);
//  - type mismatches at run time, overflow and division by zero are errors, which
//    propagate as values (never exceptions) and make the decision report them;
//  - every node and every macro iteration is a step; max_steps bounds the work.
#include <cmath>
#include <limits>
#include <string>

#include "lang/builtins.h"
#include "lang/program.h"

namespace verdict::lang {

void EvalContext::bind(int32_t slot, Val v) {
  if (slot < 0) return;
  if (static_cast<size_t>(slot) >= slots_.size()) slots_.resize(static_cast<size_t>(slot) + 1);
  slots_[static_cast<size_t>(slot)] = v;
}

void EvalContext::begin_decision(const DecisionSetup& setup) {
  setup_ = setup;
  for (Val& v : slots_) v = Val::null();
  begin_item();
}

void EvalContext::begin_item() {
  arena_.reset();
  errors_.clear();
  reads_.clear();
  steps_ = 0;
}

Val EvalContext::fail(ErrorCode code, std::string message, uint32_t pos) {
  Error e(code, std::move(message));
  e.offset = pos;
  errors_.push_back(std::move(e));
  return Val::error(static_cast<uint32_t>(errors_.size() - 1));
}

namespace {


class Evaluator {
 public:
  Evaluator(const Program& p, EvalContext& ctx) : nodes_(p.ast.nodes), ctx_(ctx) {
    if (ctx_.slots().size() < static_cast<size_t>(p.num_slots)) ctx_.slots().resize(static_cast<size_t>(p.num_slots));
  }

  Val eval(int32_t i) {
    const Node& n = nodes_[static_cast<size_t>(i)];
    if (!ctx_.step()) return limit(n);
    // A long chain of binary operators (1-1-1-...) is a tree as tall as the chain, which the
    // parser's nesting limit does not see: bound the recursion so that the stack (1 MB in Wasm)
    // never overflows; beyond it the evaluation fails with an error instead of a crash.
    DepthGuard guard(depth_);
    if (depth_ > kMaxEvalDepth)
      return ctx_.fail(ErrorCode::kLimitExceeded, "expression too deep to evaluate (more than " + std::to_string(kMaxEvalDepth) + " levels of operators)", n.pos);
    return eval_node(n);
  }

 private:
  static constexpr uint32_t kMaxEvalDepth = 1000;
  struct DepthGuard {
    uint32_t& d;
    explicit DepthGuard(uint32_t& depth) : d(++depth) {}
    ~DepthGuard() { --d; }
  };
  uint32_t depth_ = 0;

 public:
  Val eval_node(const Node& n) {
    switch (n.kind) {
      case NodeKind::kNull: return Val::null();
      case NodeKind::kBool: return Val::boolean(n.b);
      case NodeKind::kInt: return Val::integer(n.i);
      case NodeKind::kDouble: return Val::dbl(n.d);
      case NodeKind::kString: return Val::str(n.name);
      case NodeKind::kDuration: return Val::duration(n.i);
      case NodeKind::kIdent: {
        if (n.slot == -2) {
          if (!ctx_.has_now()) return ctx_.fail(ErrorCode::kEvalError, "'now' is not set: give the evaluation a time", n.pos);
          return Val::time(ctx_.now());
        }
        Val v = ctx_.slots()[static_cast<size_t>(n.slot)];
        if (n.path_id >= 0 && ctx_.explain()) ctx_.record(n.path_id, v);
        return v;
      }
      case NodeKind::kSelect: {
        Val base = eval(n.kids[0]);
        if (base.is_error()) return base;
        Val v = base.is_map() ? map_get(base, n.name) : Val::miss();
        if (n.path_id >= 0 && ctx_.explain()) ctx_.record(n.path_id, v);
        return v;
      }
      case NodeKind::kIndex: {
        Val base = eval(n.kids[0]);
        if (base.is_error()) return base;
        Val key = eval(n.kids[1]);
        if (key.is_error()) return key;
        Val v = Val::miss();
        if (base.is_list() && key.k == VK::kInt) {
          if (key.i >= 0) v = list_at(base, static_cast<size_t>(key.i));
        } else if (base.is_map() && key.k == VK::kString) {
          v = map_get(base, key.sv());
        } else if (base.k != VK::kNull && key.k != VK::kNull && (base.is_list() || base.is_map())) {
          return ctx_.fail(ErrorCode::kTypeError, std::string("cannot index ") + a_an(val_type_name(base)) + " with " + a_an(val_type_name(key)), n.pos);
        }
        if (n.path_id >= 0 && ctx_.explain()) ctx_.record(n.path_id, v);
        return v;
      }
      case NodeKind::kUnary: {
        Val v = eval(n.kids[0]);
        if (v.is_error()) return v;
        if (n.op == Op::kNot) {
          if (v.k == VK::kNull) return Val::boolean(true);
          if (v.k != VK::kBool) return ctx_.fail(ErrorCode::kTypeError, std::string("'!' needs a bool, got ") + a_an(val_type_name(v)), n.pos);
          return Val::boolean(!v.b);
        }
        switch (v.k) {
          case VK::kNull: return v;
          case VK::kInt:
            if (v.i == std::numeric_limits<int64_t>::min()) return ctx_.fail(ErrorCode::kEvalError, "integer overflow", n.pos);
            return Val::integer(-v.i);
          case VK::kDouble: return Val::dbl(-v.d);
          case VK::kDuration:
            if (v.i == std::numeric_limits<int64_t>::min()) return ctx_.fail(ErrorCode::kEvalError, "duration overflow", n.pos);
            return Val::duration(-v.i);
          default: return ctx_.fail(ErrorCode::kTypeError, std::string("'-' needs a number, got ") + a_an(val_type_name(v)), n.pos);
        }
      }
      case NodeKind::kBinary: return binary(n);
      case NodeKind::kCond: {
        Val c = eval(n.kids[0]);
        if (c.is_error()) return c;
        if (c.k != VK::kBool && c.k != VK::kNull)
          return ctx_.fail(ErrorCode::kTypeError, std::string("the condition of '?:' is ") + a_an(val_type_name(c)) + ", not a bool", n.pos);
        return eval(truthy(c) ? n.kids[1] : n.kids[2]);
      }
      case NodeKind::kList: {
        ValList& out = ctx_.arena().new_list();
        for (int32_t k : n.kids) {
          Val v = eval(k);
          if (v.is_error()) return v;
          out.push_back(v);
        }
        return built(n, Val::list_of(&out), n.pos);
      }
      case NodeKind::kMap: {
        ValMap& out = ctx_.arena().new_map();
        for (size_t k = 0; k < n.kids.size(); k += 2) {
          Val v = eval(n.kids[k + 1]);
          if (v.is_error()) return v;
          out.emplace_back(nodes_[static_cast<size_t>(n.kids[k])].name, v);
        }
        return built(n, Val::map_of(&out), n.pos);
      }
      case NodeKind::kCall: return call(n);
      case NodeKind::kMacro: return macro(n);
    }
    return Val::null();
  }

 private:
  Val limit(const Node& n) {
    if (!limit_reported_) {
      limit_reported_ = true;
      return ctx_.fail(ErrorCode::kLimitExceeded,
                       "evaluation exceeded " + std::to_string(ctx_.limits().max_steps) + " steps (limit max_steps)", n.pos);
    }
    return Val::error(static_cast<uint32_t>(ctx_.errors().size() - 1));
  }

  uint32_t op_pos(const Node& n) const { return static_cast<uint32_t>(n.i); }

  Val logic(const Node& n, bool is_and) {
    Val a = eval(n.kids[0]);
    auto as_bool = [&](const Val& v, int& out) -> bool {  // out: 0 false, 1 true, 2 error
      if (v.is_error()) { out = 2; return true; }
      if (v.k == VK::kNull) { out = 0; return true; }
      if (v.k == VK::kBool) { out = v.b ? 1 : 0; return true; }
      return false;
    };
    int av;
    if (!as_bool(a, av)) {
      return ctx_.fail(ErrorCode::kTypeError, std::string(is_and ? "'&&'" : "'||'") + " needs bools, the left side is " + a_an(val_type_name(a)), op_pos(n));
    }
    if (is_and && av == 0) return Val::boolean(false);
    if (!is_and && av == 1) return Val::boolean(true);
    Val b = eval(n.kids[1]);
    int bv;
    if (!as_bool(b, bv)) {
      return ctx_.fail(ErrorCode::kTypeError, std::string(is_and ? "'&&'" : "'||'") + " needs bools, the right side is " + a_an(val_type_name(b)), op_pos(n));
    }
    if (is_and && bv == 0) return Val::boolean(false);
    if (!is_and && bv == 1) return Val::boolean(true);
    if (av == 2) return a;
    if (bv == 2) return b;
    return Val::boolean(is_and);
  }

  // -1, 0, 1; or 2 when the two cannot be ordered.
  static int order(const Val& a, const Val& b) {
    if (a.is_number() && b.is_number()) {
      if (a.k == VK::kInt && b.k == VK::kInt) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      double x = a.num(), y = b.num();
      if (std::isnan(x) || std::isnan(y)) return 2;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.k != b.k) return 2;
    switch (a.k) {
      case VK::kString: {
        int c = a.sv().compare(b.sv());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      case VK::kTime:
      case VK::kDuration: return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      default: return 2;
    }
  }

  Val binary(const Node& n) {
    if (n.op == Op::kAnd) return logic(n, true);
    if (n.op == Op::kOr) return logic(n, false);
    Val a = eval(n.kids[0]);
    if (a.is_error()) return a;
    Val b = eval(n.kids[1]);
    if (b.is_error()) return b;
    switch (n.op) {
      case Op::kEq:
      case Op::kNe: {
        // The work of a comparison is the bytes it may touch (the smaller side).
        if (!scalar(a) && !scalar(b) && !ctx_.charge(std::min(val_weight(a, ctx_.arena()), val_weight(b, ctx_.arena()))))
          return limit(n);
        bool eq = val_equal(a, b);
        return Val::boolean(n.op == Op::kEq ? eq : !eq);
      }
      case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: {
        if (a.k == VK::kNull || b.k == VK::kNull) return Val::boolean(false);
        int c = order(a, b);
        if (c == 2) {
          if (a.is_number() && b.is_number()) return Val::boolean(false);  // NaN
          return ctx_.fail(ErrorCode::kTypeError, std::string("cannot order ") + a_an(val_type_name(a)) + " and " + a_an(val_type_name(b)), op_pos(n));
        }
        bool r = n.op == Op::kLt ? c < 0 : n.op == Op::kLe ? c <= 0 : n.op == Op::kGt ? c > 0 : c >= 0;
        return Val::boolean(r);
      }
      case Op::kIn: return in(n, a, b);
      default: return arith(n, a, b);
    }
  }

  Val in(const Node& n, const Val& a, const Val& b) {
    if (b.k == VK::kNull) return Val::boolean(false);
    if (b.is_list()) {
      size_t size = list_size(b);
      if (!scalar(a) && !ctx_.charge(val_weight(b, ctx_.arena()))) return limit(n);
      for (size_t k = 0; k < size; ++k) {
        if (!ctx_.step()) return limit(n);
        if (val_equal(a, list_at(b, k))) return Val::boolean(true);
      }
      return Val::boolean(false);
    }
    if (b.is_map()) {
      if (a.k != VK::kString) return Val::boolean(false);
      bool found = false;
      map_get(b, a.sv(), &found);
      return Val::boolean(found);
    }
    if (b.k == VK::kString) {
      if (a.k == VK::kNull) return Val::boolean(false);
      if (a.k != VK::kString) return ctx_.fail(ErrorCode::kTypeError, std::string("'in' a string needs a string on its left, not ") + a_an(val_type_name(a)), op_pos(n));
      if (!ctx_.charge(b.s.n)) return limit(n);
      return Val::boolean(b.sv().find(a.sv()) != std::string_view::npos);
    }
    return ctx_.fail(ErrorCode::kTypeError, std::string("'in' needs a list, map or string on its right, not ") + a_an(val_type_name(b)), op_pos(n));
  }

  static bool scalar(const Val& v) { return v.k != VK::kString && v.k != VK::kList && v.k != VK::kMap && v.k != VK::kDoc; }

  // A list or map just built: within max_value_bytes as written (items that are themselves
  // built values count with all they hold: ten levels of a reused list are 10^10 items).
  Val built(const Node&, Val v, uint32_t pos) {
    uint64_t w = val_weight(v, ctx_.arena());
    if (w > ctx_.limits().max_value_bytes)
      return ctx_.fail(ErrorCode::kLimitExceeded,
                       std::string(v.k == VK::kMap ? "a map" : "a list") + " of more than " + std::to_string(ctx_.limits().max_value_bytes) +
                           " bytes as JSON (limit max_value_bytes)",
                       pos);
    return v;
  }

  Val overflow(const Node& n) { return ctx_.fail(ErrorCode::kEvalError, "integer overflow", op_pos(n)); }

  Val arith(const Node& n, const Val& a, const Val& b) {
    // Concatenating a string with a missing field treats the field as "" (so that
    // `title + " " + description` works on sparse documents); otherwise null propagates.
    if (n.op == Op::kAdd && ((a.k == VK::kString && b.k == VK::kNull) || (a.k == VK::kNull && b.k == VK::kString)))
      return a.k == VK::kString ? a : b;
    if (a.k == VK::kNull || b.k == VK::kNull) return Val::null();
    const char* name = n.op == Op::kAdd ? "add" : n.op == Op::kSub ? "subtract" : n.op == Op::kMul ? "multiply" : n.op == Op::kDiv ? "divide" : "take the remainder of";
    auto mismatch = [&] {
      return ctx_.fail(ErrorCode::kTypeError, std::string("cannot ") + name + " " + a_an(val_type_name(a)) + " and " + a_an(val_type_name(b)), op_pos(n));
    };
    int64_t r;
    if (a.k == VK::kInt && b.k == VK::kInt) {
      switch (n.op) {
        case Op::kAdd: if (__builtin_add_overflow(a.i, b.i, &r)) return overflow(n); return Val::integer(r);
        case Op::kSub: if (__builtin_sub_overflow(a.i, b.i, &r)) return overflow(n); return Val::integer(r);
        case Op::kMul: if (__builtin_mul_overflow(a.i, b.i, &r)) return overflow(n); return Val::integer(r);
        case Op::kDiv:
          if (b.i == 0) return ctx_.fail(ErrorCode::kEvalError, "division by zero", op_pos(n));
          return Val::dbl(static_cast<double>(a.i) / static_cast<double>(b.i));
        case Op::kMod:
          if (b.i == 0) return ctx_.fail(ErrorCode::kEvalError, "remainder by zero", op_pos(n));
          if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1) return overflow(n);
          return Val::integer(a.i % b.i);
        default: return mismatch();
      }
    }
    if (a.is_number() && b.is_number()) {
      double x = a.num(), y = b.num();
      switch (n.op) {
        case Op::kAdd: return finite(n, x + y);
        case Op::kSub: return finite(n, x - y);
        case Op::kMul: return finite(n, x * y);
        case Op::kDiv:
          if (y == 0) return ctx_.fail(ErrorCode::kEvalError, "division by zero", op_pos(n));
          return finite(n, x / y);
        default: return mismatch();
      }
    }
    if (n.op == Op::kAdd && a.k == VK::kString && b.k == VK::kString) {
      if (a.s.n + b.s.n > ctx_.limits().max_string_bytes)
        return ctx_.fail(ErrorCode::kLimitExceeded, "string longer than " + std::to_string(ctx_.limits().max_string_bytes) + " bytes", op_pos(n));
      std::string& s = ctx_.arena().new_string();
      s.reserve(a.s.n + b.s.n);
      s.append(a.sv()).append(b.sv());
      return Val::str(s);
    }
    if (n.op == Op::kAdd && a.is_list() && b.is_list()) {
      size_t total = list_size(a) + list_size(b);
      if (total > ctx_.limits().max_list_size)
        return ctx_.fail(ErrorCode::kLimitExceeded, "list longer than " + std::to_string(ctx_.limits().max_list_size) + " items", op_pos(n));
      ValList& out = ctx_.arena().new_list();
      for (size_t k = 0; k < list_size(a); ++k) out.push_back(list_at(a, k));
      for (size_t k = 0; k < list_size(b); ++k) out.push_back(list_at(b, k));
      return built(n, Val::list_of(&out), op_pos(n));
    }
    // Time and durations.
    bool at = a.k == VK::kTime, ad = a.k == VK::kDuration, bt = b.k == VK::kTime, bd = b.k == VK::kDuration;
    switch (n.op) {
      case Op::kAdd:
        if ((at && bd) || (ad && bt)) { if (__builtin_add_overflow(a.i, b.i, &r)) return overflow(n); return Val::time(r); }
        if (ad && bd) { if (__builtin_add_overflow(a.i, b.i, &r)) return overflow(n); return Val::duration(r); }
        break;
      case Op::kSub:
        if (at && bt) { if (__builtin_sub_overflow(a.i, b.i, &r)) return overflow(n); return Val::duration(r); }
        if (at && bd) { if (__builtin_sub_overflow(a.i, b.i, &r)) return overflow(n); return Val::time(r); }
        if (ad && bd) { if (__builtin_sub_overflow(a.i, b.i, &r)) return overflow(n); return Val::duration(r); }
        break;
      case Op::kMul:
        if ((ad && b.k == VK::kInt) || (a.k == VK::kInt && bd)) {  // exact in nanoseconds
          if (__builtin_mul_overflow(a.i, b.i, &r)) return overflow(n);
          return Val::duration(r);
        }
        if ((ad && b.is_number()) || (a.is_number() && bd)) {
          double f = ad ? b.num() : a.num();
          double v = static_cast<double>(ad ? a.i : b.i) * f;
          if (!(std::fabs(v) < 9.2e18)) return overflow(n);
          return Val::duration(static_cast<int64_t>(v));
        }
        break;
      case Op::kDiv:
        if (ad && bd) {
          if (b.i == 0) return ctx_.fail(ErrorCode::kEvalError, "division by a zero duration", op_pos(n));
          return Val::dbl(static_cast<double>(a.i) / static_cast<double>(b.i));
        }
        if (ad && b.k == VK::kInt) {  // exact in nanoseconds (truncated)
          if (b.i == 0) return ctx_.fail(ErrorCode::kEvalError, "division by zero", op_pos(n));
          if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1) return overflow(n);
          return Val::duration(a.i / b.i);
        }
        if (ad && b.is_number()) {
          if (b.num() == 0) return ctx_.fail(ErrorCode::kEvalError, "division by zero", op_pos(n));
          double v = static_cast<double>(a.i) / b.num();
          if (!(std::fabs(v) < 9.2e18)) return overflow(n);
          return Val::duration(static_cast<int64_t>(v));
        }
        break;
      default:
        break;
    }
    return mismatch();
  }

  Val finite(const Node& n, double v) {
    if (!std::isfinite(v)) return ctx_.fail(ErrorCode::kEvalError, "the result is not a finite number", op_pos(n));
    return Val::dbl(v);
  }

  Val call(const Node& n) {
    if (n.fn == -3) {  // has(field)
      const Node& f = nodes_[static_cast<size_t>(n.kids[0])];
      Val base = eval(f.kids[0]);
      if (base.is_error()) return base;
      bool found = false;
      if (f.kind == NodeKind::kSelect) {
        map_get(base, f.name, &found);
      } else {
        Val key = eval(f.kids[1]);
        if (key.is_error()) return key;
        if (base.is_map() && key.k == VK::kString) map_get(base, key.sv(), &found);
        else if (base.is_list() && key.k == VK::kInt) found = key.i >= 0 && static_cast<size_t>(key.i) < list_size(base);
      }
      return Val::boolean(found);
    }
    const Builtin& b = builtins()[static_cast<size_t>(n.fn)];
    Val args[8];
    size_t count = n.kids.size();
    if (count > 8) count = 8;
    for (size_t k = 0; k < count; ++k) {
      args[k] = eval(n.kids[k]);
      if (args[k].is_error()) return args[k];
    }
    return b.fn(ctx_, n, args, count);
  }

  Val macro(const Node& n) {
    Val target = eval(n.kids[0]);
    if (target.is_error()) return target;
    const std::string& m = n.name;
    size_t slot = static_cast<size_t>(n.slot);
    bool is_filter = m == "filter", is_map = m == "map";
    ValList* out = (is_filter || is_map) ? &ctx_.arena().new_list() : nullptr;
    int64_t count = 0;
    bool any_error = false;
    Val first_error;
    if (target.k == VK::kNull) {
      if (out) return Val::list_of(out);
      if (m == "all") return Val::boolean(true);
      if (m == "count") return Val::integer(0);
      return Val::boolean(false);
    }
    if (!target.is_list() && !target.is_map())
      return ctx_.fail(ErrorCode::kTypeError, m + "() works on a list or a map, not " + a_an(val_type_name(target)), static_cast<uint32_t>(n.i));
    // Over a map, the variable takes each key (as in CEL).
    std::vector<Val>* keys = nullptr;
    size_t size;
    if (target.is_map()) {
      keys = &ctx_.arena().new_list();
      map_each(target, [&](std::string_view k, const Val&) {
        keys->push_back(Val::str(k));
        return true;
      });
      size = keys->size();
    } else {
      size = list_size(target);
    }
    for (size_t k = 0; k < size; ++k) {
      if (!ctx_.step()) return limit(n);
      Val item = keys ? (*keys)[k] : list_at(target, k);
      ctx_.slots()[slot] = item;
      Val r = eval(n.kids[2]);
      if (is_map) {
        if (r.is_error()) return r;
        if (out->size() >= ctx_.limits().max_list_size)
          return ctx_.fail(ErrorCode::kLimitExceeded, "map() makes more than " + std::to_string(ctx_.limits().max_list_size) + " items", n.pos);
        out->push_back(r);
        continue;
      }
      if (r.is_error()) {
        if (!any_error) first_error = r;
        any_error = true;
        continue;
      }
      if (r.k != VK::kBool && r.k != VK::kNull)
        return ctx_.fail(ErrorCode::kTypeError, m + "() needs a condition, got a " + std::string(val_type_name(r)), nodes_[static_cast<size_t>(n.kids[2])].pos);
      bool t = truthy(r);
      if (m == "exists" && t) return Val::boolean(true);
      if (m == "all" && !t) return Val::boolean(false);
      if (t) {
        ++count;
        if (is_filter) {
          if (out->size() >= ctx_.limits().max_list_size)
            return ctx_.fail(ErrorCode::kLimitExceeded, "filter() keeps more than " + std::to_string(ctx_.limits().max_list_size) + " items", n.pos);
          out->push_back(item);
        }
      }
    }
    if (any_error && m != "count" && !is_filter) return first_error;
    if (any_error) return first_error;
    if (m == "exists") return Val::boolean(false);
    if (m == "all") return Val::boolean(true);
    if (m == "exists_one") return Val::boolean(count == 1);
    if (m == "count") return Val::integer(count);
    return built(n, Val::list_of(out), n.pos);
  }

  const std::vector<Node>& nodes_;
  EvalContext& ctx_;
  bool limit_reported_ = false;
};

}  // namespace

Val evaluate(const Program& program, EvalContext& ctx) {
  Evaluator ev(program, ctx);
  return ev.eval(program.ast.root);
}

}  // namespace verdict::lang
