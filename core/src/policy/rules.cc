// The `Rules` kind: named rules over one input document, each a condition and
// the outputs it sets. The generic building block (and what `verdict eval`
// runs); the ITSM kinds build on the same pieces.
//
// spec:
//   input:    the variable the input is bound to ("incident", "change", "alert", "ci",
//             "sli": fields are checked against that document kind; any other name: not)
//   let:      {name: expression}, computed in order once per decision; later ones and
//             the rules can use earlier ones by name
//   rules:    [{name, when, set: {key: expression}, reason}], in order
//   mode:     "first" (default: the first matching rule decides) or "all"
//   defaults: {key: expression}, outputs before any rule sets them
//
// decision: {"matched": [{"rule", "reason"}], "outputs": {...}}
// An output named "outcome" with value "deny" / "review" sets the exit code class.
#include <string>
#include <vector>

#include "policy/kinds.h"
#include "verdict/json_writer.h"

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;

struct Output {
  std::string key;
  Expr expr;
};

struct Rule {
  std::string name;
  std::string reason;
  Expr when;
  std::vector<Output> set;
};

class RulesPolicy : public CompiledPolicy {
 public:
  const char* kind() const override { return "Rules"; }
  std::string input_name() const override { return input_; }

  Outcome decide(const EvalRequest& req, lang::EvalContext& ctx, JsonWriter& decision, JsonWriter* explain,
                 std::vector<Error>& errors) const override {
    ctx.begin_decision();
    ctx.set_explain(req.explain);
    ctx.set_cmdb(req.cmdb);
    if (req.has_now) ctx.set_now(req.now);
    else ctx.clear_now();  // never the time of an earlier decision
    ctx.bind(0, req.input);

    if (explain) explain->begin_object().key("let").begin_object();
    for (size_t i = 0; i < lets_.size(); ++i) {
      lang::Val v = evaluate(lets_[i].expr, ctx, errors);
      ctx.bind(static_cast<int32_t>(i + 1), v);
      if (explain) {
        explain->key(lets_[i].key);
        lang::write_val(*explain, v);
      }
    }
    if (explain) explain->end_object().key("rules").begin_array();

    // Outputs: defaults, then each matching rule in order (later rules override in "all").
    std::vector<std::pair<std::string_view, lang::Val>> outputs;
    auto set_output = [&](std::string_view key, const lang::Val& v) {
      for (auto& [k, old] : outputs)
        if (k == key) { old = v; return; }
      outputs.emplace_back(key, v);
    };
    for (const Output& d : defaults_) set_output(d.key, evaluate(d.expr, ctx, errors));

    std::vector<const Rule*> matched;
    for (const Rule& rule : rules_) {
      size_t reads_before = ctx.reads().size();
      size_t errors_before = errors.size();
      lang::Val w = evaluate(rule.when, ctx, errors);
      bool hit = lang::truthy(w);
      if (explain) {
        explain->begin_object().key("rule").string(rule.name).key("when").string(rule.when.text).key("matched").boolean(hit);
        write_reads(*explain, *rule.when.program, ctx, reads_before);
        if (errors.size() > errors_before) explain->key("error").string(errors.back().message);
        explain->end_object();
      }
      if (!hit) continue;
      matched.push_back(&rule);
      for (const Output& o : rule.set) set_output(o.key, evaluate(o.expr, ctx, errors));
      if (first_) break;
    }
    if (explain) explain->end_array().end_object();

    decision.begin_object().key("matched").begin_array();
    for (const Rule* r : matched) {
      decision.begin_object().key("rule").string(r->name);
      if (!r->reason.empty()) decision.key("reason").string(r->reason);
      decision.end_object();
    }
    decision.end_array().key("outputs").begin_object();
    Outcome outcome = Outcome::kAllowed;
    for (const auto& [k, v] : outputs) {
      decision.key(k);
      lang::write_val(decision, v);
      if (k == "outcome" && v.k == lang::VK::kString) {
        if (v.sv() == "deny" || v.sv() == "denied") outcome = Outcome::kDenied;
        else if (v.sv() == "review" || v.sv() == "needs_review") outcome = Outcome::kReview;
      }
    }
    decision.end_object().end_object();
    return outcome;
  }

  std::string input_ = "input";
  std::vector<Output> lets_;
  std::vector<Output> defaults_;
  std::vector<Rule> rules_;
  bool first_ = true;

};

}  // namespace

void write_reads(JsonWriter& w, const lang::Program& program, const lang::EvalContext& ctx, size_t from) {
  if (ctx.reads().size() <= from) return;
  w.key("values").begin_object();
  std::vector<int32_t> seen;
  for (size_t i = from; i < ctx.reads().size(); ++i) {
    const auto& r = ctx.reads()[i];
    bool dup = false;
    for (int32_t s : seen) dup = dup || s == r.path_id;
    if (dup) continue;
    seen.push_back(r.path_id);
    w.key(program.paths[static_cast<size_t>(r.path_id)]);
    lang::write_val(w, r.value);
  }
  w.end_object();
}

std::unique_ptr<CompiledPolicy> load_rules(const json& spec, PolicyBuilder& b) {
  auto p = std::make_unique<RulesPolicy>();
  const std::string sp = b.spec_pointer();
  b.only_keys(spec, sp, {"input", "let", "rules", "mode", "defaults"});
  if (const json* in = b.get(spec, sp, "input", false, json::value_t::string)) {
    p->input_ = in->get<std::string>();
    bool ident = !p->input_.empty() && !(p->input_[0] >= '0' && p->input_[0] <= '9');
    for (char c : p->input_) ident = ident && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    if (!ident || p->input_ == "now" || p->input_ == "cmdb")
      b.fail(pointer_join(sp, "input"), ErrorCode::kInvalidPolicy, "\"input\" names a variable: letters, digits and '_', not \"now\" or \"cmdb\"");
  }
  if (const json* mode = b.get(spec, sp, "mode", false, json::value_t::string)) {
    if (*mode == "all") p->first_ = false;
    else if (*mode != "first") b.fail(pointer_join(sp, "mode"), ErrorCode::kInvalidPolicy, "mode is \"first\" or \"all\"");
  }
  lang::Environment env;
  env.add(p->input_, lang::StaticType::kDyn, kind_for_variable(p->input_));
  if (const json* lets = b.get(spec, sp, "let", false, json::value_t::object)) {
    for (auto it = lets->begin(); it != lets->end(); ++it) {
      std::string ptr = pointer_join(pointer_join(sp, "let"), it.key());
      Output o;
      o.key = it.key();
      if (env.find(o.key) >= 0 || o.key == "now") {
        b.fail(ptr, ErrorCode::kInvalidPolicy, "\"" + o.key + "\" is already a variable", true);
        continue;
      }
      // A let sees the input and the lets before it.
      if (b.compile(it.value(), ptr, env, o.expr)) p->lets_.push_back(std::move(o));
      env.add(it.key());
    }
  }
  if (const json* defaults = b.get(spec, sp, "defaults", false, json::value_t::object)) {
    for (auto it = defaults->begin(); it != defaults->end(); ++it) {
      Output o;
      o.key = it.key();
      if (b.compile(it.value(), pointer_join(pointer_join(sp, "defaults"), it.key()), env, o.expr)) p->defaults_.push_back(std::move(o));
    }
  }
  const json* rules = b.get(spec, sp, "rules", true, json::value_t::array);
  if (rules) {
    for (size_t i = 0; i < rules->size(); ++i) {
      const json& r = (*rules)[i];
      std::string rp = pointer_join(pointer_join(sp, "rules"), i);
      if (!r.is_object()) {
        b.fail(rp, ErrorCode::kInvalidPolicy, "a rule is an object with name, when and set");
        continue;
      }
      b.only_keys(r, rp, {"name", "when", "set", "reason", "description"});
      Rule rule;
      if (const json* n = b.get(r, rp, "name", true, json::value_t::string)) rule.name = n->get<std::string>();
      for (const Rule& other : p->rules_)
        if (!rule.name.empty() && other.name == rule.name)
          b.fail(pointer_join(rp, "name"), ErrorCode::kInvalidPolicy, "another rule is already named \"" + rule.name + "\"");
      if (const json* reason = b.get(r, rp, "reason", false, json::value_t::string)) rule.reason = reason->get<std::string>();
      auto when = r.find("when");
      if (when == r.end()) {
        b.fail(rp, ErrorCode::kInvalidPolicy, "missing \"when\"");
        continue;
      }
      bool ok = b.compile(*when, pointer_join(rp, "when"), env, rule.when);
      if (ok && rule.when.program->result_type() != lang::StaticType::kBool &&
          rule.when.program->result_type() != lang::StaticType::kDyn)
        b.fail(pointer_join(rp, "when"), ErrorCode::kTypeError,
               std::string("\"when\" must be a condition (a bool), this is a ") + lang::static_type_name(rule.when.program->result_type()));
      if (const json* set = b.get(r, rp, "set", false, json::value_t::object)) {
        for (auto it = set->begin(); it != set->end(); ++it) {
          Output o;
          o.key = it.key();
          if (b.compile(it.value(), pointer_join(pointer_join(rp, "set"), it.key()), env, o.expr)) rule.set.push_back(std::move(o));
        }
      }
      // Lint: in "first" mode, every rule after one that always matches is unreachable.
      if (p->first_) {
        for (const Rule& prev : p->rules_) {
          if (prev.when.program && (prev.when.text == "true" || prev.when.text == "1 == 1")) {
            b.warnings.push_back(b.error(rp, ErrorCode::kInvalidPolicy, "rule \"" + rule.name + "\" is unreachable: rule \"" + prev.name + "\" before it always matches"));
            break;
          }
        }
      }
      p->rules_.push_back(std::move(rule));
    }
  }
  return p;
}

}  // namespace verdict::policy
