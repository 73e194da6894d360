// The checker: resolves names against the Environment and the builtin registry,
// checks arity and the type errors that are certain from the syntax, compiles
// regex literals once, and assigns slots and explanation paths. Everything it
// rejects is an error at the expression's offset; the policy loader turns that
// into file:line:column.
#include <re2/re2.h>

#include <algorithm>
#include <string>

#include "lang/builtins.h"
#include "time/zone.h"
#include "lang/program.h"

namespace verdict::lang {

const char* static_type_name(StaticType t) {
  switch (t) {
    case StaticType::kDyn: return "any";
    case StaticType::kNull: return "null";
    case StaticType::kBool: return "bool";
    case StaticType::kInt: return "int";
    case StaticType::kDouble: return "double";
    case StaticType::kNumber: return "number";
    case StaticType::kString: return "string";
    case StaticType::kTime: return "timestamp";
    case StaticType::kDuration: return "duration";
    case StaticType::kList: return "list";
    case StaticType::kMap: return "map";
  }
  return "any";
}

int32_t Environment::add(std::string name, StaticType type, const Schema* schema) {
  vars_.push_back({std::move(name), type, schema});
  return static_cast<int32_t>(vars_.size() - 1);
}

int32_t Environment::find(std::string_view name) const {
  for (size_t i = 0; i < vars_.size(); ++i)
    if (vars_[i].name == name) return static_cast<int32_t>(i);
  return -1;
}

namespace {

using S = StaticType;

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggest(std::string_view name, const std::vector<std::string_view>& options) {
  std::string_view best;
  size_t best_d = 3;
  for (auto o : options) {
    size_t d = edit_distance(name, o);
    if (d < best_d) {
      best_d = d;
      best = o;
    }
  }
  return best.empty() ? std::string() : "; did you mean '" + std::string(best) + "'?";
}


bool numeric(S t) { return t == S::kInt || t == S::kDouble || t == S::kNumber; }
bool known(S t) { return t != S::kDyn && t != S::kNull; }

class Checker {
 public:
  Checker(Program& p, const Environment& env, const ExprLimits& limits)
      : p_(p), nodes_(p.ast.nodes), env_(env), limits_(limits) {
    p_.num_slots = static_cast<int32_t>(env.vars().size());
  }

  Status run() {
    check(p_.ast.root, false);
    if (failed_) return err_;
    return Status();
  }

 private:
  Node& at(int32_t i) { return nodes_[static_cast<size_t>(i)]; }

  void fail(ErrorCode code, std::string msg, uint32_t pos) {
    if (failed_) return;
    failed_ = true;
    err_ = Error(code, std::move(msg));
    err_.offset = pos;
  }

  void warn(std::string msg, uint32_t pos) {
    Diagnostic d;
    d.error = Error(ErrorCode::kTypeError, std::move(msg));
    d.error.offset = pos;
    d.warning = true;
    p_.warnings.push_back(std::move(d));
  }

  // The path text of a Select/Index chain rooted at an environment variable, or "".
  std::string path_text(int32_t i) {
    Node& n = at(i);
    if (n.kind == NodeKind::kIdent) return n.slot >= 0 && n.slot < static_cast<int32_t>(env_.vars().size()) ? n.name : "";
    if (n.kind == NodeKind::kSelect) {
      std::string base = path_text(n.kids[0]);
      return base.empty() ? "" : base + "." + n.name;
    }
    if (n.kind == NodeKind::kIndex) {
      std::string base = path_text(n.kids[0]);
      const Node& k = at(n.kids[1]);
      if (base.empty()) return "";
      if (k.kind == NodeKind::kString) return base + "[\"" + k.name + "\"]";
      if (k.kind == NodeKind::kInt) return base + "[" + std::to_string(k.i) + "]";
      return base + "[...]";
    }
    return "";
  }

  void mark_path(int32_t i) {
    std::string text = path_text(i);
    if (text.empty()) return;
    for (size_t k = 0; k < p_.paths.size(); ++k) {
      if (p_.paths[k] == text) {
        at(i).path_id = static_cast<int32_t>(k);
        return;
      }
    }
    p_.paths.push_back(std::move(text));
    at(i).path_id = static_cast<int32_t>(p_.paths.size() - 1);
  }

  // parent_selects: this node is the operand of a Select/Index (so not a path's end).
  S check(int32_t i, bool parent_selects) {
    if (failed_ || i < 0) return S::kDyn;
    S t = check_node(i, parent_selects);
    if (!failed_) at(i).type = t;
    return t;
  }

  S check_node(int32_t i, bool parent_selects) {
    Node& n = at(i);
    switch (n.kind) {
      case NodeKind::kNull: return S::kNull;
      case NodeKind::kBool: return S::kBool;
      case NodeKind::kInt: return S::kInt;
      case NodeKind::kDouble: return S::kDouble;
      case NodeKind::kString: return S::kString;
      case NodeKind::kDuration: return S::kDuration;
      case NodeKind::kIdent: return check_ident(i, parent_selects);
      case NodeKind::kSelect: {
        int32_t base = n.kids[0];
        S bt = check(base, true);
        if (failed_) return S::kDyn;
        const Node& b = at(base);
        if (b.kind == NodeKind::kIdent && b.slot >= 0 && b.slot < static_cast<int32_t>(env_.vars().size())) {
          const Variable& v = env_.vars()[static_cast<size_t>(b.slot)];
          if (v.schema && v.schema->find(n.name) < 0) {
            std::vector<std::string_view> fields;
            std::string open;  // the schema's maps meant for a sender's own fields
            for (const SchemaField& f : *v.schema) {
              fields.push_back(f.name);
              if (f.type != FieldType::kMap) continue;
              if (f.name != "labels" && f.name != "annotations" && f.name != "custom") continue;
              if (!open.empty()) open += ", ";
              open += f.name;
            }
            std::string hint = open.empty() ? std::string() : " (custom fields go under " + open + ")";
            fail(ErrorCode::kUnknownName,
                 "unknown field '" + n.name + "' of " + std::string(v.schema->name()) + suggest(n.name, fields) + hint,
                 static_cast<uint32_t>(n.i));
            return S::kDyn;
          }
        }
        if (known(bt) && bt != S::kMap && bt != S::kDyn) {
          fail(ErrorCode::kTypeError, "cannot read field '" + n.name + "' of " + a_an(static_type_name(bt)), static_cast<uint32_t>(n.i));
          return S::kDyn;
        }
        if (!parent_selects) mark_path(i);
        return S::kDyn;
      }
      case NodeKind::kIndex: {
        S bt = check(n.kids[0], true);
        S kt = check(n.kids[1], false);
        if (failed_) return S::kDyn;
        if (known(bt) && bt != S::kList && bt != S::kMap) {
          fail(ErrorCode::kTypeError, std::string("cannot index ") + a_an(static_type_name(bt)), n.pos);
          return S::kDyn;
        }
        if (known(kt) && kt != S::kInt && kt != S::kString) {
          fail(ErrorCode::kTypeError, std::string("an index must be an int or a string, not ") + static_type_name(kt), at(n.kids[1]).pos);
          return S::kDyn;
        }
        if (!parent_selects) mark_path(i);
        return S::kDyn;
      }
      case NodeKind::kUnary: {
        S ot = check(n.kids[0], false);
        if (failed_) return S::kDyn;
        if (n.op == Op::kNot) {
          if (known(ot) && ot != S::kBool) fail(ErrorCode::kTypeError, std::string("'!' needs a bool, not ") + a_an(static_type_name(ot)), n.pos);
          return S::kBool;
        }
        if (known(ot) && !numeric(ot) && ot != S::kDuration)
          fail(ErrorCode::kTypeError, std::string("'-' needs a number or duration, not ") + a_an(static_type_name(ot)), n.pos);
        return ot == S::kNull ? S::kDyn : ot;
      }
      case NodeKind::kBinary: return check_binary(n);
      case NodeKind::kCond: {
        S ct = check(n.kids[0], false);
        S a = check(n.kids[1], false);
        S b = check(n.kids[2], false);
        if (failed_) return S::kDyn;
        if (known(ct) && ct != S::kBool)
          fail(ErrorCode::kTypeError, std::string("the condition of '?:' must be a bool, not ") + a_an(static_type_name(ct)), at(n.kids[0]).pos);
        return a == b ? a : S::kDyn;
      }
      case NodeKind::kList:
        for (int32_t k : n.kids) check(k, false);
        return S::kList;
      case NodeKind::kMap: {
        for (size_t k = 0; k < n.kids.size(); k += 2) {
          for (size_t j = 0; j < k; j += 2) {
            if (at(n.kids[j]).name == at(n.kids[k]).name) {
              fail(ErrorCode::kDuplicateKey, "duplicate key '" + at(n.kids[k]).name + "' in the map", at(n.kids[k]).pos);
              return S::kMap;
            }
          }
          check(n.kids[k + 1], false);
        }
        return S::kMap;
      }
      case NodeKind::kCall: return check_call(i);
      case NodeKind::kMacro: return check_macro(i);
    }
    return S::kDyn;
  }

  S check_ident(int32_t i, bool parent_selects) {
    Node& n = at(i);
    // Macro variables shadow the environment, innermost first.
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->first == n.name) {
        n.slot = it->second;
        return S::kDyn;
      }
    }
    if (n.name == "now") {
      n.slot = -2;  // read from the context
      return S::kTime;
    }
    int32_t slot = env_.find(n.name);
    if (slot < 0) {
      std::vector<std::string_view> names;
      for (const auto& v : env_.vars()) names.push_back(v.name);
      names.push_back("now");
      std::string known_names;
      for (auto nm : names) known_names += (known_names.empty() ? "" : ", ") + std::string(nm);
      std::string extra = n.name == "cmdb" ? " ('cmdb' is only used as cmdb.ci(id), cmdb.owner(id), ...)" : "";
      fail(ErrorCode::kUnknownName, "unknown variable '" + n.name + "'" + suggest(n.name, names) + extra + " (variables: " + known_names + ")", n.pos);
      return S::kDyn;
    }
    n.slot = slot;
    if (!parent_selects) mark_path(i);
    return env_.vars()[static_cast<size_t>(slot)].type;
  }

  S check_binary(Node& n) {
    S a = check(n.kids[0], false);
    S b = check(n.kids[1], false);
    if (failed_) return S::kDyn;
    uint32_t op_pos = static_cast<uint32_t>(n.i);
    auto mismatch = [&](const char* what) {
      fail(ErrorCode::kTypeError, std::string("cannot ") + what + " " + a_an(static_type_name(a)) + " and " + a_an(static_type_name(b)), op_pos);
    };
    switch (n.op) {
      case Op::kAnd:
      case Op::kOr:
        if (known(a) && a != S::kBool) fail(ErrorCode::kTypeError, std::string("'&&' and '||' need bools, the left side is ") + a_an(static_type_name(a)), at(n.kids[0]).pos);
        else if (known(b) && b != S::kBool) fail(ErrorCode::kTypeError, std::string("'&&' and '||' need bools, the right side is ") + a_an(static_type_name(b)), at(n.kids[1]).pos);
        return S::kBool;
      case Op::kEq:
      case Op::kNe:
        if (known(a) && known(b) && a != b && !(numeric(a) && numeric(b)))
          warn("comparing " + a_an(static_type_name(a)) + " with " + a_an(static_type_name(b)) + " is always " + (n.op == Op::kEq ? "false" : "true"), op_pos);
        return S::kBool;
      case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
        if (known(a) && known(b) && !(numeric(a) && numeric(b)) && a != b) mismatch("order");
        else if (known(a) && (a == S::kBool || a == S::kList || a == S::kMap)) fail(ErrorCode::kTypeError, std::string("cannot order ") + a_an(static_type_name(a)), op_pos);
        return S::kBool;
      case Op::kIn:
        if (known(b) && b != S::kList && b != S::kMap && b != S::kString)
          fail(ErrorCode::kTypeError, std::string("'in' needs a list, map or string on its right, not ") + a_an(static_type_name(b)), op_pos);
        return S::kBool;
      case Op::kAdd:
        if (!known(a) || !known(b)) return S::kDyn;
        if (a == S::kInt && b == S::kInt) return S::kInt;
        if (numeric(a) && numeric(b)) return S::kDouble;
        if (a == S::kString && b == S::kString) return S::kString;
        if (a == S::kList && b == S::kList) return S::kList;
        if (a == S::kDuration && b == S::kDuration) return S::kDuration;
        if ((a == S::kTime && b == S::kDuration) || (a == S::kDuration && b == S::kTime)) return S::kTime;
        mismatch("add");
        return S::kDyn;
      case Op::kSub:
        if (!known(a) || !known(b)) return S::kDyn;
        if (a == S::kInt && b == S::kInt) return S::kInt;
        if (numeric(a) && numeric(b)) return S::kDouble;
        if (a == S::kTime && b == S::kTime) return S::kDuration;
        if (a == S::kTime && b == S::kDuration) return S::kTime;
        if (a == S::kDuration && b == S::kDuration) return S::kDuration;
        mismatch("subtract");
        return S::kDyn;
      case Op::kMul:
        if (!known(a) || !known(b)) return S::kDyn;
        if (a == S::kInt && b == S::kInt) return S::kInt;
        if (numeric(a) && numeric(b)) return S::kDouble;
        if ((a == S::kDuration && numeric(b)) || (numeric(a) && b == S::kDuration)) return S::kDuration;
        mismatch("multiply");
        return S::kDyn;
      case Op::kDiv:
        if (!known(a) || !known(b)) return S::kDyn;
        if (numeric(a) && numeric(b)) return S::kDouble;
        if (a == S::kDuration && b == S::kDuration) return S::kDouble;
        if (a == S::kDuration && numeric(b)) return S::kDuration;
        mismatch("divide");
        return S::kDyn;
      case Op::kMod:
        if (!known(a) || !known(b)) return S::kDyn;
        if (a == S::kInt && b == S::kInt) return S::kInt;
        mismatch("take the remainder of");
        return S::kDyn;
      default:
        return S::kDyn;
    }
  }

  S check_call(int32_t i) {
    Node& n = at(i);
    std::string name = n.name;
    bool receiver = n.has_receiver;
    // cmdb.f(x): a namespace call, not a method on a variable named cmdb.
    if (receiver && at(n.kids[0]).kind == NodeKind::kIdent && at(n.kids[0]).name == "cmdb" && env_.find("cmdb") < 0) {
      if (!env_.cmdb) {
        fail(ErrorCode::kUnknownName, "cmdb functions are not available here", n.pos);
        return S::kDyn;
      }
      name = "cmdb." + name;
      receiver = false;
      n.kids.erase(n.kids.begin());
      n.has_receiver = false;
      n.name = name;
    }
    if (name == "has" && !receiver) {
      if (n.kids.size() != 1 || (at(n.kids[0]).kind != NodeKind::kSelect && at(n.kids[0]).kind != NodeKind::kIndex)) {
        fail(ErrorCode::kTypeError, "has() takes one field, as in has(incident.labels.team)", n.pos);
        return S::kBool;
      }
      check(n.kids[0], false);
      n.fn = -3;  // special form
      return S::kBool;
    }
    int32_t fn = find_builtin(name, receiver);
    if (fn < 0) {
      auto others = builtins_named(name);
      if (!others.empty()) {
        fail(ErrorCode::kUnknownName,
             std::string("'") + name + "' is written " + others[0]->signature + (receiver ? "" : " (call it on a value)"),
             static_cast<uint32_t>(n.i));
      } else {
        std::vector<std::string_view> all;
        for (const auto& b : builtins()) all.push_back(b.name);
        fail(ErrorCode::kUnknownName, "unknown function '" + name + "'" + suggest(name, all), static_cast<uint32_t>(n.i));
      }
      return S::kDyn;
    }
    const Builtin& b = builtins()[static_cast<size_t>(fn)];
    size_t nargs = n.kids.size() - (receiver ? 1 : 0);
    if (nargs < b.min_args || nargs > b.max_args) {
      std::string want = b.min_args == b.max_args ? std::to_string(b.min_args)
                                                  : std::to_string(b.min_args) + " to " + std::to_string(b.max_args);
      fail(ErrorCode::kTypeError,
           std::string(b.signature) + ": takes " + want + " argument" + (b.max_args == 1 ? "" : "s") + ", got " + std::to_string(nargs),
           static_cast<uint32_t>(n.i));
      return S::kDyn;
    }
    n.fn = fn;
    for (size_t k = 0; k < n.kids.size(); ++k) {
      S t = check(n.kids[k], false);
      if (failed_) return S::kDyn;
      S want;
      if (receiver && k == 0) want = b.receiver_type;
      else want = b.arg_types[std::min<size_t>(k - (receiver ? 1 : 0), 2)];
      if (want != S::kDyn && known(t) && t != want && !(numeric(want) && numeric(t))) {
        fail(ErrorCode::kTypeError,
             std::string(b.signature) + ": " + (receiver && k == 0 ? "the receiver" : "argument " + std::to_string(k + (receiver ? 0 : 1))) +
                 " is " + a_an(static_type_name(t)) + ", not " + a_an(static_type_name(want)),
             at(n.kids[k]).pos);
        return S::kDyn;
      }
    }
    if (name == "matches") {
      const Node& pat = at(n.kids[1]);
      if (pat.kind != NodeKind::kString) {
        fail(ErrorCode::kTypeError, "matches() needs a string literal pattern, so that it compiles once when the policy loads", pat.pos);
        return S::kBool;
      }
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_max_mem(limits_.max_regex_memory);
      auto re = std::make_shared<RE2>(pat.name, opts);
      if (!re->ok()) {
        std::string why = re->error();
        if (re->error_code() == RE2::ErrorPatternTooLarge)
          fail(ErrorCode::kLimitExceeded, "regex is too large (limit: " + std::to_string(limits_.max_regex_memory) + " bytes of RE2 program memory)", pat.pos);
        else
          fail(ErrorCode::kInvalidRegex, "invalid regex: " + why + " (RE2 syntax)", pat.pos);
        return S::kBool;
      }
      n.regex = std::move(re);
    }
    // The zone of year(), month(), day(), hour(), minute() and weekday(): a literal name is
    // checked here, so that a misspelt "Europe/Berln" is a load error at its position, not
    // an error of every decision.
    if (receiver && n.kids.size() == 2 && b.receiver_type == S::kTime && b.arg_types[0] == S::kString) {
      const Node& zone = at(n.kids[1]);
      std::string why;
      if (zone.kind == NodeKind::kString && !datetime::Zone::parse(zone.name, &why)) {
        fail(ErrorCode::kTypeError,
             std::string(b.signature) + ": '" + zone.name + "' is not a time zone (a UTC offset like '+01:00' or an IANA name like 'Europe/Berlin'): " + why,
             zone.pos);
        return S::kDyn;
      }
    }
    return b.result;
  }

  S check_macro(int32_t i) {
    Node& n = at(i);
    S tt = check(n.kids[0], false);
    if (failed_) return S::kDyn;
    if (known(tt) && tt != S::kList && tt != S::kMap) {
      fail(ErrorCode::kTypeError, n.name + "() works on a list or a map, not " + a_an(static_type_name(tt)), static_cast<uint32_t>(n.i));
      return S::kDyn;
    }
    Node& var = at(n.kids[1]);
    if (env_.find(var.name) >= 0 || var.name == "now") {
      fail(ErrorCode::kTypeError, "the macro variable '" + var.name + "' hides a variable of the policy: pick another name", var.pos);
      return S::kDyn;
    }
    var.slot = p_.num_slots++;
    n.slot = var.slot;
    scopes_.emplace_back(var.name, var.slot);
    S body = check(n.kids[2], false);
    scopes_.pop_back();
    if (failed_) return S::kDyn;
    const std::string& m = n.name;
    if (m == "exists" || m == "all" || m == "exists_one" || m == "filter" || m == "count") {
      if (known(body) && body != S::kBool) {
        fail(ErrorCode::kTypeError, m + "() needs a condition (a bool), not " + a_an(static_type_name(body)), at(n.kids[2]).pos);
        return S::kDyn;
      }
    }
    if (m == "exists" || m == "all" || m == "exists_one") return S::kBool;
    if (m == "count") return S::kInt;
    return S::kList;  // filter, map
  }

  Program& p_;
  std::vector<Node>& nodes_;
  const Environment& env_;
  const ExprLimits& limits_;
  std::vector<std::pair<std::string, int32_t>> scopes_;
  Error err_;
  bool failed_ = false;
};

}  // namespace

Result<std::shared_ptr<const Program>> compile(std::string_view text, const Environment& env, const ExprLimits& limits) {
  auto ast = parse_expression(text, limits.parse);
  if (!ast.ok()) return ast.error();
  auto program = std::make_shared<Program>();
  program->ast = std::move(ast).value();
  Checker checker(*program, env, limits);
  Status st = checker.run();
  if (!st.ok()) return st.error();
  return std::shared_ptr<const Program>(std::move(program));
}

}  // namespace verdict::lang
