// The `Rules` kind: named rules over one input document, each a condition and
// the outputs it sets. The generic building block (and what `verdict eval`
// runs); the ITSM kinds build on the same pieces.
//
// spec:
//   input:    the variable the input is bound to ("incident", "change", "alert", "ci",
//             "sli": fields are checked against that document kind; any other name: not).
//             "incident"/"ticket", "change" and "alert" bind the canonical record
//             (document/shapes.h, document/change.h) and `input` the document as it came.
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

#include "cmdb/cmdb.h"
#include "document/change.h"
#include "document/shapes.h"
#include "kinds/registry.h"
#include "policy/bind.h"
#include "policy/kind.h"
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

class RulesDecision : public Decision {
 public:
  struct Matched {
    const Rule* rule;
  };
  struct RuleTrace {
    const Rule* rule;
    bool matched = false;
    std::vector<ReadValue> reads;
    std::string error;
  };
  std::vector<const Rule*> matched;
  std::vector<std::pair<std::string, std::string>> outputs;  // key -> value as JSON
  Outcome out = Outcome::kAllowed;
  std::vector<std::pair<std::string, std::string>> lets;     // explain: key -> value as JSON
  std::vector<RuleTrace> trace;                              // explain: each rule considered

  void clear() override {
    matched.clear();
    outputs.clear();
    out = Outcome::kAllowed;
    lets.clear();
    trace.clear();
  }
  Outcome outcome() const override { return out; }

  void write_json(JsonWriter& w) const override {
    w.begin_object().key("matched").begin_array();
    for (const Rule* r : matched) {
      w.begin_object().key("rule").string(r->name);
      if (!r->reason.empty()) w.key("reason").string(r->reason);
      w.end_object();
    }
    w.end_array().key("outputs").begin_object();
    for (const auto& [k, v] : outputs) w.key(k).raw(v);
    w.end_object().end_object();
  }

  void write_explain(JsonWriter& w) const override {
    w.begin_object().key("let").begin_object();
    for (const auto& [k, v] : lets) w.key(k).raw(v);
    w.end_object().key("rules").begin_array();
    for (const RuleTrace& t : trace) {
      w.begin_object().key("rule").string(t.rule->name).key("when").string(t.rule->when.text).key("matched").boolean(t.matched);
      write_read_values(w, t.reads);
      if (!t.error.empty()) w.key("error").string(t.error);
      w.end_object();
    }
    w.end_array().end_object();
  }

  void write_text(TextOut& o, bool explain) const override {
    o << "  matched:";
    if (matched.empty()) o << " (no rule)";
    for (const Rule* r : matched) {
      o << " " << r->name;
      if (!r->reason.empty()) o << " (" << r->reason << ")";
    }
    o << "\n";
    for (const auto& [k, v] : outputs) o << "  " << k << " = " << v << "\n";
    if (!explain) return;
    for (const auto& [k, v] : lets) o << "  let " << k << " = " << v << "\n";
    for (const RuleTrace& t : trace) {
      o << "  " << (t.matched ? "[x] " : "[ ] ") << t.rule->name << ": " << t.rule->when.text << "\n";
      for (const ReadValue& r : t.reads) o << "        " << r.path << " = " << r.json << "\n";
      if (!t.error.empty()) o << "        error: " << t.error << "\n";
    }
  }
};

class RulesPolicy : public CompiledPolicy {
 public:
  std::unique_ptr<Decision> new_decision() const override { return std::make_unique<RulesDecision>(); }

  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override {
    RulesDecision& d = static_cast<RulesDecision&>(out);
    d.clear();
    // A known document is read through the one shape mapping (its canonical record);
    // `input` is the document as it came.
    if (record_ == Record::kIncident) {
      thread_local shapes::Record incident(shapes::incident_schema());
      // A ServiceNow date that does not read (a display value without the instance's zone)
      // is an input error, as a change's is.
      std::vector<std::string> problems;
      shapes::map_incident(in.document, incident, dc.cmdb ? &dc.cmdb->servicenow_config() : nullptr, &problems);
      for (auto& p : problems) errors.push_back(Error(ErrorCode::kInvalidArgument, std::move(p)));
      ctx.bind(0, bind_record(incident, ctx.arena()));
      ctx.bind(input_slot_, in.document);
    } else if (record_ == Record::kChange) {
      // The change's own problems (a time without a zone) are input errors, as in ChangeRisk.
      thread_local shapes::Change change;
      std::vector<shapes::FieldProblem> problems;
      shapes::ChangeOptions options;
      if (dc.cmdb) options.servicenow = &dc.cmdb->servicenow_config();
      shapes::map_change(in.document, change, problems, options);
      for (const auto& p : problems)
        errors.push_back(Error(ErrorCode::kInvalidArgument, (p.field.empty() ? std::string("input") : "input field " + p.field) + ": " + p.message));
      ctx.bind(0, bind_change(change, ctx.arena()));
      ctx.bind(input_slot_, in.document);
    } else if (record_ == Record::kAlert) {
      thread_local shapes::Record alert(shapes::alert_schema());
      std::string why = shapes::map_alert(in.document, alert);
      if (!why.empty()) errors.push_back(Error(ErrorCode::kWrongType, why));
      ctx.bind(0, bind_record(alert, ctx.arena()));
      ctx.bind(input_slot_, in.document);
    } else {
      ctx.bind(0, in.document);
    }

    for (size_t i = 0; i < lets_.size(); ++i) {
      lang::Val v = evaluate(lets_[i].expr, ctx, errors);
      ctx.bind(let_slot_ + static_cast<int32_t>(i), v);
      if (dc.explain) d.lets.emplace_back(lets_[i].key, lang::val_to_json(v));
    }

    // Outputs: defaults, then each matching rule in order (later rules override in "all").
    std::vector<std::pair<std::string_view, lang::Val>> outputs;
    auto set_output = [&](std::string_view key, const lang::Val& v) {
      for (auto& [k, old] : outputs)
        if (k == key) {
          old = v;
          return;
        }
      outputs.emplace_back(key, v);
    };
    for (const Output& o : defaults_) set_output(o.key, evaluate(o.expr, ctx, errors));

    for (const Rule& rule : rules_) {
      size_t reads_before = ctx.reads().size();
      size_t errors_before = errors.size();
      lang::Val w = evaluate(rule.when, ctx, errors);
      bool hit = lang::truthy(w);
      if (dc.explain) {
        RulesDecision::RuleTrace t{&rule, hit, {}, {}};
        copy_reads(*rule.when.program, ctx, reads_before, t.reads);
        if (errors.size() > errors_before) t.error = errors.back().message;
        d.trace.push_back(std::move(t));
      }
      if (!hit) continue;
      d.matched.push_back(&rule);
      for (const Output& o : rule.set) set_output(o.key, evaluate(o.expr, ctx, errors));
      if (first_) break;
    }
    for (const auto& [k, v] : outputs) {
      d.outputs.emplace_back(std::string(k), lang::val_to_json(v));
      if (k == "outcome" && v.k == lang::VK::kString) {
        if (v.sv() == "deny" || v.sv() == "denied") d.out = Outcome::kDenied;
        else if (v.sv() == "review" || v.sv() == "needs_review") d.out = Outcome::kReview;
      }
    }
  }

  std::string input_ = "input";
  // A known document is bound as its canonical record (incident/ticket, change, alert), the
  // document as given as `input`.
  enum class Record { kNone, kIncident, kChange, kAlert };
  Record record_ = Record::kNone;
  int32_t input_slot_ = -1;  // `input`, when record_
  int32_t let_slot_ = 1;     // the first let's slot
  std::vector<Output> lets_;
  std::vector<Output> defaults_;
  std::vector<Rule> rules_;
  bool first_ = true;
};

}  // namespace

namespace {

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
  env.add(p->input_, lang::StaticType::kDyn, shapes::schema_for_variable(p->input_));
  if (p->input_ == "incident" || p->input_ == "ticket") p->record_ = RulesPolicy::Record::kIncident;
  if (p->input_ == "change") p->record_ = RulesPolicy::Record::kChange;
  if (p->input_ == "alert") p->record_ = RulesPolicy::Record::kAlert;
  if (p->record_ != RulesPolicy::Record::kNone) p->input_slot_ = env.add("input");
  p->let_slot_ = static_cast<int32_t>(env.vars().size());
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

}  // namespace
}  // namespace verdict::policy

namespace verdict::kinds {

policy::KindInfo rules_kind() {
  return {"Rules", "", "a document", {policy::Format::kJson, policy::Format::kText}, policy::load_rules, nullptr};
}

}  // namespace verdict::kinds
