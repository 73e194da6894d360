// The ChangeRisk kind (docs/change.md): a risk score from factors, a risk class and its
// outcome, delegated auto-approval, gates, change windows (blackout, maintenance),
// conflicts with the other scheduled changes, error-budget gating, the blast radius from
// the CMDB, and the approvals the outcome requires. The steps are in steps.cc, the
// decision's renderers in decision.cc (change_risk.h lists them); here: decide() runs the
// steps in order, and the loader compiles the spec.
#include <string>
#include <vector>

#include "kinds/change/change_risk.h"
#include "kinds/registry.h"
#include "policy/bind.h"
#include "policy/kind.h"
#include "policy/windows.h"

namespace verdict::change {

using json = nlohmann::ordered_json;
using policy::PolicyBuilder;
using policy::pointer_join;

void ChangeRiskPolicy::decide(const policy::DecisionContext& dc, const policy::DecisionInput& in, lang::EvalContext& ctx,
                              policy::Decision& out, std::vector<Error>& errors) const {
  auto& d = static_cast<ChangeDecision&>(out);
  d.clear();
  d.data = static_cast<const ChangeData*>(dc.data);
  d.explained = dc.explain;
  const Change& c = d.change;

  // 1-6: the context, as typed values.
  ChangeOptions options;
  options.servicenow_zone = spec.servicenow_zone;
  if (dc.cmdb) options.servicenow = &dc.cmdb->servicenow_config();
  read_change(in.document, options, d.change, errors);
  blast_radius(c, dc.cmdb, spec.max_depth, d.blast, d.findings);
  find_conflicts(c, d.blast, d.data, d.conflicts, d.findings);
  check_windows(c, d.blast, spec.windows, d.data, d.windows, d.findings);
  check_budget(d.blast.touched, d.data, d.budget, d.findings);
  change_history(c, d.data, spec.history_window, d.history);

  // The variables, as values in the decision's arena.
  lang::Arena& arena = ctx.arena();
  ctx.bind(kChangeVar, policy::bind_change(c, arena));
  ctx.bind(kInputVar, in.document);
  ctx.bind(kBlastVar, bind_blast(c, d.blast, spec.max_items, arena));
  ctx.bind(kConflictsVar, bind_conflicts(d.conflicts, d.data, arena));
  ctx.bind(kBudgetVar, bind_budget(d.budget, arena));
  ctx.bind(kWindowsVar, bind_windows(d.windows, arena));
  ctx.bind(kHistoryVar, bind_history(d.history, arena));
  ctx.bind(kScoreVar, lang::Val::null());
  ctx.bind(kClassVar, lang::Val::null());

  // 7-8: factors, the score and its class; delegated auto-approval.
  d.score = score_factors(*this, ctx, d.factors, dc.explain ? &d.factor_trace : nullptr, errors);
  d.risk_class = risk_class(spec.classes, d.score);
  const RiskClass& rc = spec.classes[d.risk_class];
  ctx.bind(kScoreVar, lang::Val::integer(d.score));
  ctx.bind(kClassVar, lang::Val::str(rc.name));
  d.auto_approved = auto_approve(*this, d.risk_class, ctx, dc.explain ? &d.auto_trace : nullptr, errors);

  // 9-10: gates, the findings' actions, the outcome, the approvals it needs.
  check_gates(*this, ctx, d.findings, dc.explain ? &d.gate_trace : nullptr, errors);
  apply_finding_rules(*this, ctx, d.findings, errors);
  d.outcome_action = final_outcome(d.auto_approved ? kAutoApprove : rc.outcome, d.findings);
  check_approvals(spec, d.outcome_action, c, d.approvals);
}

// ---- loading -----------------------------------------------------------------------------

namespace {

class Loader {
 public:
  Loader(PolicyBuilder& b, ChangeRiskPolicy& p) : b_(b), p_(p) {
    env_.add("change", lang::StaticType::kMap, &shapes::change_schema());
    env_.add("input", lang::StaticType::kDyn);
    env_.add("blast", lang::StaticType::kMap);
    env_.add("conflicts", lang::StaticType::kList);
    env_.add("budget", lang::StaticType::kMap);
    env_.add("windows", lang::StaticType::kMap);
    env_.add("history", lang::StaticType::kMap);
    env_.add("score", lang::StaticType::kDyn);
    env_.add("risk_class", lang::StaticType::kDyn);
  }

  void load(const json& spec) {
    const std::string sp = b_.spec_pointer();
    Spec& s = p_.spec;
    b_.only_keys(spec, sp, {"description", "timezone", "servicenow_timezone", "blast_radius", "history", "factors", "classes",
                            "auto_approve", "approvals", "gates", "windows", "findings"});
    policy::load_zone(b_, spec, sp, "timezone", s.zone);
    policy::load_zone(b_, spec, sp, "servicenow_timezone", s.servicenow_zone);
    if (const json* br = b_.get(spec, sp, "blast_radius", false, json::value_t::object)) {
      std::string p = pointer_join(sp, "blast_radius");
      b_.only_keys(*br, p, {"max_depth", "max_items"});
      if (const json* d = b_.get(*br, p, "max_depth", false, json::value_t::number_unsigned)) {
        if (d->get<uint64_t>() < 1 || d->get<uint64_t>() > 64) b_.fail(pointer_join(p, "max_depth"), ErrorCode::kInvalidPolicy, "max_depth is 1 to 64");
        else s.max_depth = static_cast<uint32_t>(d->get<uint64_t>());
      }
      if (const json* m = b_.get(*br, p, "max_items", false, json::value_t::number_unsigned)) s.max_items = static_cast<size_t>(std::min<uint64_t>(m->get<uint64_t>(), 100000));
    }
    if (const json* h = b_.get(spec, sp, "history", false, json::value_t::object)) {
      std::string p = pointer_join(sp, "history");
      b_.only_keys(*h, p, {"window"});
      if (const json* w = b_.get(*h, p, "window", false, json::value_t::string)) {
        auto d = datetime::parse_duration(w->get<std::string>());
        if (!d || *d <= 0) b_.fail(pointer_join(p, "window"), ErrorCode::kInvalidPolicy, "the history window is a positive duration like \"90d\"");
        else s.history_window = *d;
      }
    }
    if (const json* fs = b_.get(spec, sp, "factors", false, json::value_t::array)) load_factors(*fs, pointer_join(sp, "factors"));
    load_classes(spec, sp);
    if (const json* a = b_.get(spec, sp, "auto_approve", false, json::value_t::object)) {
      std::string p = pointer_join(sp, "auto_approve");
      b_.only_keys(*a, p, {"when", "max_class", "reason"});
      if (const json* w = b_.get(*a, p, "when", true, json::value_t::string)) s.has_delegation = b_.compile(*w, pointer_join(p, "when"), env_, s.delegation_when);
      if (const json* r = b_.get(*a, p, "reason", false, json::value_t::string)) s.delegation_reason = r->get<std::string>();
      if (const json* m = b_.get(*a, p, "max_class", true, json::value_t::string)) {
        bool found = false;
        for (size_t i = 0; i < s.classes.size(); ++i)
          if (s.classes[i].name == m->get<std::string>()) {
            s.delegation_max_class = i;
            found = true;
          }
        if (!found) b_.fail(pointer_join(p, "max_class"), ErrorCode::kUnknownName, "no class of that name in spec.classes");
      } else {
        s.has_delegation = false;
      }
    }
    if (const json* a = b_.get(spec, sp, "approvals", false, json::value_t::object)) load_approvals(*a, pointer_join(sp, "approvals"));
    if (const json* g = b_.get(spec, sp, "gates", false, json::value_t::array)) load_gates(*g, pointer_join(sp, "gates"));
    if (const json* ws = b_.get(spec, sp, "windows", false, json::value_t::object)) {
      std::string wp = pointer_join(sp, "windows");
      for (auto it = ws->begin(); it != ws->end(); ++it) {
        change::ChangeWindow w;
        w.name = it.key();
        w.source = "policy";
        if (change::load_window(b_, it.value(), pointer_join(wp, it.key()), s.zone, w)) s.windows.push_back(std::move(w));
      }
    }
    for (size_t i = 0; i < kDetectedTypes; ++i) s.findings[i].action = default_action(static_cast<FindingType>(i));
    if (const json* f = b_.get(spec, sp, "findings", false, json::value_t::object)) load_findings(*f, pointer_join(sp, "findings"));
  }

 private:
  int action(const json& v, const std::string& p, bool allow_note, bool allow_auto) {
    if (!v.is_string()) {
      b_.fail(p, ErrorCode::kInvalidPolicy, "an action is a string");
      return kPeerReview;
    }
    int a = parse_action(v.get<std::string>(), allow_note, allow_auto);
    if (a == -2) {
      std::string allowed = std::string(allow_note ? "note, " : "") + (allow_auto ? "auto_approve, " : "") + "peer_review, cab_review or deny";
      b_.fail(p, ErrorCode::kInvalidPolicy, "an action is " + allowed);
      return kPeerReview;
    }
    return a;
  }

  void load_factors(const json& fs, const std::string& fp) {
    for (size_t i = 0; i < fs.size(); ++i) {
      const json& f = fs[i];
      std::string p = pointer_join(fp, i);
      if (!f.is_object()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "a factor is {\"name\": ..., \"when\": ..., \"points\": ...}");
        continue;
      }
      b_.only_keys(f, p, {"name", "when", "points", "reason", "description"});
      Factor out;
      if (const json* n = b_.get(f, p, "name", true, json::value_t::string)) out.name = n->get<std::string>();
      if (const json* r = b_.get(f, p, "reason", false, json::value_t::string)) out.reason = r->get<std::string>();
      if (const json* w = b_.get(f, p, "when", false, json::value_t::string)) out.has_when = b_.compile(*w, pointer_join(p, "when"), env_, out.when);
      auto pt = f.find("points");
      if (pt == f.end()) b_.fail(p, ErrorCode::kInvalidPolicy, "missing \"points\"");
      else if (pt->is_number()) {
        out.points = pt->get<double>();
        if (out.points < -100 || out.points > 100) b_.fail(pointer_join(p, "points"), ErrorCode::kInvalidPolicy, "points are -100 to 100");
      } else if (pt->is_string()) {
        out.points_expr = b_.compile(*pt, pointer_join(p, "points"), env_, out.points_program);
      } else {
        b_.fail(pointer_join(p, "points"), ErrorCode::kInvalidPolicy, "points are a number or an expression (a string)");
      }
      for (const Factor& other : p_.spec.factors)
        if (!out.name.empty() && other.name == out.name) b_.fail(pointer_join(p, "name"), ErrorCode::kDuplicateKey, "another factor has this name");
      p_.spec.factors.push_back(std::move(out));
    }
  }

  void load_classes(const json& spec, const std::string& sp) {
    const json* cs = b_.get(spec, sp, "classes", true, json::value_t::array);
    if (!cs) {
      p_.spec.classes.push_back({"unclassified", false, 0, kCabReview});
      return;
    }
    std::string cp = pointer_join(sp, "classes");
    if (cs->empty()) b_.fail(cp, ErrorCode::kInvalidPolicy, "give at least one class");
    double last = -1;
    for (size_t i = 0; i < cs->size(); ++i) {
      const json& c = (*cs)[i];
      std::string p = pointer_join(cp, i);
      RiskClass rc;
      if (!c.is_object()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "a class is {\"name\": ..., \"below\": N, \"outcome\": ...}");
        continue;
      }
      b_.only_keys(c, p, {"name", "below", "outcome", "description"});
      if (const json* n = b_.get(c, p, "name", true, json::value_t::string)) rc.name = n->get<std::string>();
      if (auto o = c.find("outcome"); o != c.end()) rc.outcome = action(*o, pointer_join(p, "outcome"), false, true);
      else b_.fail(p, ErrorCode::kInvalidPolicy, "missing \"outcome\"");
      if (auto bl = c.find("below"); bl != c.end()) {
        if (!bl->is_number()) b_.fail(pointer_join(p, "below"), ErrorCode::kInvalidPolicy, "\"below\" is a score (a number)");
        else {
          rc.has_below = true;
          rc.below = bl->get<double>();
          if (rc.below <= last) b_.fail(pointer_join(p, "below"), ErrorCode::kInvalidPolicy, "classes go from low to high: \"below\" must grow");
          if (rc.below <= 0 || rc.below > 100) b_.fail(pointer_join(p, "below"), ErrorCode::kInvalidPolicy, "\"below\" is a score above 0 and at most 100");
          last = rc.below;
        }
      } else if (i + 1 != cs->size()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "only the last class has no \"below\"");
      }
      if (i + 1 == cs->size() && rc.has_below)
        b_.fail(pointer_join(p, "below"), ErrorCode::kInvalidPolicy, "the last class takes every score up to 100: leave out \"below\"");
      p_.spec.classes.push_back(std::move(rc));
    }
    if (p_.spec.classes.empty()) p_.spec.classes.push_back({"unclassified", false, 0, kCabReview});
  }

  void load_approvals(const json& a, const std::string& ap) {
    b_.only_keys(a, ap, {"peer_review", "cab_review"});
    for (int outcome : {kPeerReview, kCabReview}) {
      const json* list = b_.get(a, ap, action_name(outcome), false, json::value_t::array);
      if (!list) continue;
      std::string lp = pointer_join(ap, action_name(outcome));
      for (size_t i = 0; i < list->size(); ++i) {
        const json& r = (*list)[i];
        std::string p = pointer_join(lp, i);
        if (!r.is_object()) {
          b_.fail(p, ErrorCode::kInvalidPolicy, "an approval is {\"count\": N, \"from\": [roles or teams]}");
          continue;
        }
        b_.only_keys(r, p, {"count", "from", "description"});
        Requirement req;
        if (const json* c = b_.get(r, p, "count", false, json::value_t::number_unsigned)) {
          req.count = static_cast<int64_t>(c->get<uint64_t>());
          if (req.count < 1) b_.fail(pointer_join(p, "count"), ErrorCode::kInvalidPolicy, "count is at least 1");
        }
        if (const json* f = b_.get(r, p, "from", true, json::value_t::array)) {
          for (size_t k = 0; k < f->size(); ++k) {
            if ((*f)[k].is_string()) req.from.push_back((*f)[k].get<std::string>());
            else b_.fail(pointer_join(pointer_join(p, "from"), k), ErrorCode::kInvalidPolicy, "a role or team is a string");
          }
          if (f->empty()) b_.fail(pointer_join(p, "from"), ErrorCode::kInvalidPolicy, "name at least one role or team");
        }
        p_.spec.approvals[outcome].push_back(std::move(req));
      }
    }
  }

  void load_gates(const json& gs, const std::string& gp) {
    for (size_t i = 0; i < gs.size(); ++i) {
      const json& g = gs[i];
      std::string p = pointer_join(gp, i);
      if (!g.is_object()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "a gate is {\"name\": ..., \"when\": ..., \"action\": ..., \"message\": ...}");
        continue;
      }
      b_.only_keys(g, p, {"name", "when", "action", "message", "description"});
      Gate out;
      if (const json* n = b_.get(g, p, "name", true, json::value_t::string)) out.name = n->get<std::string>();
      if (const json* m = b_.get(g, p, "message", true, json::value_t::string)) out.message = m->get<std::string>();
      if (auto a = g.find("action"); a != g.end()) out.action = action(*a, pointer_join(p, "action"), true, false);
      else b_.fail(p, ErrorCode::kInvalidPolicy, "missing \"action\"");
      if (const json* w = b_.get(g, p, "when", true, json::value_t::string)) b_.compile(*w, pointer_join(p, "when"), env_, out.when);
      p_.spec.gates.push_back(std::move(out));
    }
  }

  void load_findings(const json& f, const std::string& fp) {
    for (auto it = f.begin(); it != f.end(); ++it) {
      std::string p = pointer_join(fp, it.key());
      std::optional<FindingType> type = detected_type(it.key());
      if (!type) {
        std::string names;
        for (size_t i = 0; i < kDetectedTypes; ++i) names += std::string(names.empty() ? "" : ", ") + finding_type_name(static_cast<FindingType>(i));
        b_.fail(p, ErrorCode::kUnknownName, "no finding type \"" + it.key() + "\" (there are " + names + ")", true);
        continue;
      }
      FindingRule& rule = p_.spec.findings[static_cast<size_t>(*type)];
      const json& v = it.value();
      if (v.is_string()) {
        rule.action = action(v, p, true, false);
        continue;
      }
      if (!v.is_object()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "a finding's rule is an action, or {\"action\": ..., \"except\": [...]}");
        continue;
      }
      b_.only_keys(v, p, {"action", "except", "description"});
      if (auto a = v.find("action"); a != v.end()) rule.action = action(*a, pointer_join(p, "action"), true, false);
      if (const json* ex = b_.get(v, p, "except", false, json::value_t::array)) {
        std::string ep = pointer_join(p, "except");
        for (size_t i = 0; i < ex->size(); ++i) {
          const json& e = (*ex)[i];
          std::string xp = pointer_join(ep, i);
          if (!e.is_object()) {
            b_.fail(xp, ErrorCode::kInvalidPolicy, "an exception is {\"when\": ..., \"action\": ..., \"reason\": ...}");
            continue;
          }
          b_.only_keys(e, xp, {"when", "action", "reason"});
          Exception out;
          if (const json* w = b_.get(e, xp, "when", true, json::value_t::string)) b_.compile(*w, pointer_join(xp, "when"), env_, out.when);
          if (auto a = e.find("action"); a != e.end()) out.action = action(*a, pointer_join(xp, "action"), true, false);
          else b_.fail(xp, ErrorCode::kInvalidPolicy, "missing \"action\"");
          if (const json* r = b_.get(e, xp, "reason", true, json::value_t::string)) out.reason = r->get<std::string>();
          rule.except.push_back(std::move(out));
        }
      }
    }
  }

  PolicyBuilder& b_;
  ChangeRiskPolicy& p_;
  lang::Environment env_;
};

}  // namespace

std::unique_ptr<policy::CompiledPolicy> load_change_risk(const json& spec, PolicyBuilder& b) {
  auto p = std::make_unique<ChangeRiskPolicy>();
  Loader loader(b, *p);
  loader.load(spec);
  return p;
}

}  // namespace verdict::change

namespace verdict::kinds {

policy::KindInfo change_risk_kind() {
  return {"ChangeRisk", "change", "a change request",
          {policy::Format::kJson, policy::Format::kText, policy::Format::kJunit, policy::Format::kGithub},
          change::load_change_risk, [] { return std::unique_ptr<policy::KindData>(std::make_unique<change::ChangeData>()); }};
}

}  // namespace verdict::kinds
