// The ChangeRisk kind (docs/change.md): a risk score from factors, a risk class and its
// outcome, delegated auto-approval, gates, change windows (blackout, maintenance),
// conflicts with the other scheduled changes, error-budget gating, the blast radius from
// the CMDB, and the approvals the outcome requires.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kinds/change/change.h"
#include "cmdb/cmdb.h"
#include "time/time.h"
#include "kinds/registry.h"
#include "policy/kind.h"
#include "document/shapes.h"
#include "policy/legacy.h"
#include "policy/windows.h"
#include "verdict/json_writer.h"

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;

// Outcomes in increasing order of severity; "note" findings are listed but change nothing.
enum Action : int { kNote = -1, kAutoApprove = 0, kPeerReview = 1, kCabReview = 2, kDeny = 3 };

const char* action_name(int a) {
  switch (a) {
    case kNote: return "note";
    case kAutoApprove: return "auto_approve";
    case kPeerReview: return "peer_review";
    case kCabReview: return "cab_review";
    default: return "deny";
  }
}

int parse_action(const std::string& s, bool allow_note, bool allow_auto) {
  if (s == "note" && allow_note) return kNote;
  if (s == "auto_approve" && allow_auto) return kAutoApprove;
  if (s == "peer_review") return kPeerReview;
  if (s == "cab_review") return kCabReview;
  if (s == "deny") return kDeny;
  return -2;
}

// The findings verdict detects itself, with the action each gets unless the policy says otherwise.
struct FindingType {
  const char* name;
  int default_action;
};
const FindingType kFindingTypes[] = {
    {"same_item", kCabReview},         // another scheduled change on the same item overlaps
    {"related_item", kPeerReview},     // a change on a parent or child item (one dependency away) overlaps
    {"double_booked", kPeerReview},    // the assignee has another change at the same time
    {"outside_maintenance", kCabReview},  // a target has maintenance windows and the change is not inside one
    {"blackout", kDeny},               // a target is in a blackout window
    {"related_blackout", kCabReview},  // an item in the blast radius or a dependency is in a blackout window
    {"budget_exhausted", kDeny},       // a service the change touches has no error budget left
    {"budget_freeze", kDeny},          // the error-budget policy froze releases of a touched service
    {"budget_burning", kPeerReview},   // a touched service burns its budget fast enough to page or ticket
    {"unknown_target", kPeerReview},   // a target is not in the CMDB
    {"no_targets", kCabReview},        // the change names no target items
};
constexpr size_t kNumFindingTypes = sizeof(kFindingTypes) / sizeof(kFindingTypes[0]);

size_t finding_index(const std::string& name) {
  for (size_t i = 0; i < kNumFindingTypes; ++i)
    if (name == kFindingTypes[i].name) return i;
  return kNumFindingTypes;
}

struct Exception {
  Expr when;
  int action = kPeerReview;
  std::string reason;
};

struct FindingRule {
  int action = kPeerReview;
  std::vector<Exception> except;
};

struct Factor {
  std::string name, reason;
  bool has_when = false;
  Expr when;
  bool points_expr = false;
  double points = 0;
  Expr points_program;
};

struct RiskClass {
  std::string name;
  bool has_below = false;
  double below = 0;
  int outcome = kPeerReview;
};

struct Requirement {
  int64_t count = 1;
  std::vector<std::string> from;  // roles or teams (case-insensitive)
};

struct Gate {
  std::string name, message;
  Expr when;
  int action = kCabReview;
};

struct Spec {
  int offset = 0;
  int servicenow_offset = 0;
  uint32_t max_depth = 6;
  size_t max_items = 50;
  int64_t history_window = 90LL * 24 * 3600 * datetime::kNanosPerSecond;
  std::vector<Factor> factors;
  std::vector<RiskClass> classes;
  bool has_delegation = false;
  Expr delegation_when;
  size_t delegation_max_class = 0;
  std::string delegation_reason;
  std::vector<Requirement> approvals[4];  // by outcome
  std::vector<Gate> gates;
  std::vector<change::ChangeWindow> windows;
  FindingRule findings[kNumFindingTypes];
};

// Variables, in environment order.
enum Slot : int32_t { kChangeVar, kInputVar, kBlastVar, kConflictsVar, kBudgetVar, kWindowsVar, kHistoryVar, kScoreVar, kClassVar };

struct Finding {
  std::string type, name, message;
  int action = kPeerReview;
  std::string item, other;  // details: the item, the other change
  std::string exception;    // the exception that changed the action
  bool fixed = false;       // the action comes from the window itself, not from spec.findings
};

// Points are written as integers when they are whole ("25", not "25.0").
void write_points(JsonWriter& w, double p) {
  if (std::floor(p) == p && std::fabs(p) < 1e15) w.number(static_cast<int64_t>(p));
  else w.number(p);
}

// A number as JSON writes it (the same digits natively and in Wasm).
std::string number_text(double x) {
  JsonWriter w;
  w.number(x);
  return std::string(w.view());
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class ChangeRiskPolicy : public CompiledPolicy {
 public:
  std::unique_ptr<Decision> new_decision() const override { return std::make_unique<JsonTextDecision>(); }

  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override {
    auto& d = static_cast<JsonTextDecision&>(out);
    d.clear();
    EvalRequest req = legacy_request(dc, in);
    req.changes = static_cast<const change::ChangeData*>(dc.data);
    thread_local DocumentReader scratch;
    req.scratch = &scratch;
    d.out = decide_json(req, ctx, d.decision, dc.explain ? &d.explain : nullptr, errors);
  }

  Spec spec;

  Outcome decide_json(const EvalRequest& req, lang::EvalContext& ctx, JsonWriter& decision, JsonWriter* explain,
                 std::vector<Error>& errors) const {
    // 1. The canonical change.
    change::Change c;
    std::vector<change::FieldProblem> problems;
    change::CanonicalOptions copt;
    copt.servicenow_offset = spec.servicenow_offset;
    bool is_change = !change::change_shape(req.input).empty();
    change::canonicalize(req.input, c, problems, copt);
    if (!is_change && req.input.is_object())
      problems.push_back({"", "this is not a change request (a native change has \"kind\": \"change\"; a ServiceNow record "
                              "sys_class_name \"change_request\"; a pipeline change \"repository\" and \"deploy_window\")"});
    if (!c.has_start) problems.push_back({c.source == "servicenow" ? "start_date" : c.source == "pipeline" ? "deploy_window.start" : "start",
                                          "the change has no start time; windows and conflicts need it"});
    if (!c.has_end) problems.push_back({c.source == "servicenow" ? "end_date" : c.source == "pipeline" ? "deploy_window.end" : "end",
                                        "the change has no end time; windows and conflicts need it"});
    for (const auto& p : problems)
      errors.push_back(Error(ErrorCode::kInvalidArgument, (p.field.empty() ? std::string("input") : "input field " + p.field) + ": " + p.message));
    bool timed = c.has_start && c.has_end && c.end > c.start;
    const change::ChangeData* data = req.changes;

    std::vector<Finding> findings;
    JsonWriter ctxw;  // the variables, as one document
    ctxw.begin_object();
    ctxw.key("change");
    change::write_change(c, ctxw);

    // 2. Targets and blast radius.
    const CmdbIndex* cmdb = req.cmdb;
    std::vector<int64_t> target_index(c.targets.size(), -1);
    for (size_t i = 0; i < c.targets.size(); ++i) {
      if (cmdb) target_index[i] = cmdb->index_of(c.targets[i]);
      if (target_index[i] < 0)
        findings.push_back({"unknown_target", "", "target " + c.targets[i] + " is not in the CMDB: its blast radius is unknown",
                            kFindingTypes[finding_index("unknown_target")].default_action, c.targets[i], "", ""});
    }
    if (c.targets.empty())
      findings.push_back({"no_targets", "", "the change names no target items: its blast radius cannot be assessed",
                          kFindingTypes[finding_index("no_targets")].default_action, "", "", ""});
    struct Hit {
      uint32_t depth;
      uint32_t via;  // index into c.targets
    };
    std::map<uint32_t, Hit> reached;  // item index -> smallest depth
    if (cmdb) {
      for (size_t t = 0; t < c.targets.size(); ++t) {
        if (target_index[t] < 0) continue;
        for (const auto& r : cmdb->blast_radius(static_cast<uint32_t>(target_index[t]), spec.max_depth)) {
          auto [it, fresh] = reached.emplace(r.item, Hit{r.depth, static_cast<uint32_t>(t)});
          if (!fresh && r.depth < it->second.depth) it->second = Hit{r.depth, static_cast<uint32_t>(t)};
        }
      }
      for (size_t t = 0; t < c.targets.size(); ++t)
        if (target_index[t] >= 0) reached.erase(static_cast<uint32_t>(target_index[t]));
    }
    std::vector<std::pair<uint32_t, Hit>> blast(reached.begin(), reached.end());
    std::sort(blast.begin(), blast.end(), [&](const auto& a, const auto& b) {
      if (a.second.depth != b.second.depth) return a.second.depth < b.second.depth;
      return cmdb->items()[a.first].id < cmdb->items()[b.first].id;
    });
    std::vector<std::string> services;  // services the blast radius reaches
    auto add_service = [&](const std::string& s) {
      if (!s.empty() && !contains(services, s)) services.push_back(s);
    };
    int64_t min_tier = 0;
    auto note_tier = [&](int tier) {
      if (tier > 0 && (min_tier == 0 || tier < min_tier)) min_tier = tier;
    };
    auto is_service_class = [](const std::string& cls) {
      return cls == "service" || cls == "application" || cls == "business_service" || cls == "cmdb_ci_service" || cls == "component";
    };
    // Services the change itself touches: its services, its targets' services, targets that are services.
    std::vector<std::string> touched = c.services;
    for (size_t t = 0; t < c.targets.size(); ++t) {
      if (target_index[t] < 0) continue;
      const auto& item = cmdb->items()[static_cast<size_t>(target_index[t])];
      note_tier(item.tier);
      if (!item.service.empty() && !contains(touched, item.service)) touched.push_back(item.service);
      if (item.service.empty() && is_service_class(item.ci_class) && !contains(touched, item.id)) touched.push_back(item.id);
    }
    uint32_t max_depth = 0;
    for (const auto& [idx, hit] : blast) {
      const auto& item = cmdb->items()[idx];
      note_tier(item.tier);
      max_depth = std::max(max_depth, hit.depth);
      add_service(item.service.empty() && is_service_class(item.ci_class) ? item.id : item.service);
    }
    ctxw.key("blast").begin_object();
    ctxw.key("targets").begin_array();
    for (size_t t = 0; t < c.targets.size(); ++t) {
      ctxw.begin_object().key("name").string(c.targets[t]).key("found").boolean(target_index[t] >= 0);
      if (target_index[t] >= 0) {
        const auto& item = cmdb->items()[static_cast<size_t>(target_index[t])];
        ctxw.key("id").string(item.id).key("class").string(item.ci_class).key("tier");
        if (item.tier > 0) ctxw.number(item.tier);
        else ctxw.null();
        ctxw.key("service").string(item.service).key("owner").string(item.owner);
      }
      ctxw.end_object();
    }
    ctxw.end_array();
    ctxw.key("count").number(static_cast<int64_t>(blast.size()));
    ctxw.key("max_depth").number(static_cast<int64_t>(max_depth));
    ctxw.key("min_tier");
    if (min_tier > 0) ctxw.number(min_tier);
    else ctxw.null();
    ctxw.key("services").begin_array();
    for (const auto& s : services) ctxw.string(s);
    ctxw.end_array();
    ctxw.key("items").begin_array();
    for (size_t i = 0; i < blast.size() && i < spec.max_items; ++i) {
      const auto& item = cmdb->items()[blast[i].first];
      ctxw.begin_object().key("id").string(item.id).key("class").string(item.ci_class).key("tier");
      if (item.tier > 0) ctxw.number(item.tier);
      else ctxw.null();
      ctxw.key("service").string(item.service).key("depth").number(static_cast<int64_t>(blast[i].second.depth));
      ctxw.key("via").string(c.targets[blast[i].second.via]).end_object();
    }
    ctxw.end_array();
    ctxw.key("truncated").boolean(blast.size() > spec.max_items);
    ctxw.end_object();

    // 3. Conflicts with other scheduled changes.
    ctxw.key("conflicts").begin_array();
    if (timed && data) {
      std::set<std::pair<std::string, uint32_t>> seen;  // (type, change)
      std::vector<uint32_t> hits;
      auto record = [&](const char* type, uint32_t other, const std::string& item, const std::string& relation) {
        const change::Change& o = data->changes()[other];
        if (!o.id.empty() && o.id == c.id) return;  // the change itself, listed in the schedule
        if (!seen.insert({type, other}).second) return;
        std::string msg;
        std::string when = datetime::format_rfc3339(o.start) + " to " + datetime::format_rfc3339(o.end);
        if (std::string(type) == "same_item") msg = "change " + o.id + " is scheduled on " + item + " at an overlapping time (" + when + ")";
        else if (std::string(type) == "related_item")
          msg = "change " + o.id + " is scheduled on " + item + ", " + relation + " of a target, at an overlapping time (" + when + ")";
        else msg = "the assignee " + c.assignee + " is also assigned change " + o.id + " at an overlapping time (" + when + ")";
        findings.push_back({type, "", msg, kFindingTypes[finding_index(type)].default_action, item, o.id, ""});
        ctxw.begin_object().key("type").string(type).key("change").string(o.id).key("title").string(o.title);
        ctxw.key("item").string(item).key("relation").string(relation);
        ctxw.key("start").string(datetime::format_rfc3339(o.start)).key("end").string(datetime::format_rfc3339(o.end));
        ctxw.key("assignee").string(o.assignee).end_object();
      };
      auto keys_of = [&](const std::string& written, int64_t idx) {
        std::vector<std::string> keys{written};
        if (idx >= 0) {
          const auto& item = cmdb->items()[static_cast<size_t>(idx)];
          if (!contains(keys, item.id)) keys.push_back(item.id);
          if (!item.name.empty() && !contains(keys, item.name)) keys.push_back(item.name);
        }
        return keys;
      };
      for (size_t t = 0; t < c.targets.size(); ++t) {
        for (const auto& k : keys_of(c.targets[t], target_index[t])) {
          hits.clear();
          data->overlapping_on_target(k, c.start, c.end, hits);
          std::sort(hits.begin(), hits.end());
          for (uint32_t h : hits) record("same_item", h, c.targets[t], "");
        }
      }
      if (cmdb) {
        for (size_t t = 0; t < c.targets.size(); ++t) {
          if (target_index[t] < 0) continue;
          const auto& item = cmdb->items()[static_cast<size_t>(target_index[t])];
          auto related = [&](const std::vector<uint32_t>& list, const char* relation) {
            for (uint32_t r : list) {
              const auto& other = cmdb->items()[r];
              if (contains(c.targets, other.id) || contains(c.targets, other.name)) continue;
              for (const auto& k : keys_of(other.id, r)) {
                hits.clear();
                data->overlapping_on_target(k, c.start, c.end, hits);
                std::sort(hits.begin(), hits.end());
                for (uint32_t h : hits) record("related_item", h, other.id, relation);
              }
            }
          };
          related(item.depends_on, "a dependency");
          related(item.dependents, "a dependent");
        }
      }
      if (!c.assignee.empty()) {
        hits.clear();
        data->overlapping_for_assignee(c.assignee, c.start, c.end, hits);
        std::sort(hits.begin(), hits.end());
        for (uint32_t h : hits) record("double_booked", h, "", "");
      }
    }
    ctxw.end_array();

    // 4. Windows.
    std::vector<const change::ChangeWindow*> windows;
    for (const auto& w : spec.windows) windows.push_back(&w);
    if (data)
      for (const auto& w : data->windows()) windows.push_back(&w);
    auto item_in_scope = [&](const change::Scope& s, int64_t idx, const std::string& written) {
      if (s.all) return true;
      if (contains(s.items, written)) return true;
      if (idx < 0) return false;
      const auto& item = cmdb->items()[static_cast<size_t>(idx)];
      return contains(s.items, item.id) || (!item.name.empty() && contains(s.items, item.name)) || contains(s.services, item.service) ||
             contains(s.classes, item.ci_class) || (item.tier > 0 && contains(s.tiers, static_cast<int64_t>(item.tier)));
    };
    ctxw.key("windows").begin_object();
    std::vector<std::string_view> written;  // a data window named like a policy window is not a second key
    for (const auto* w : windows) {
      bool applies = w->scope.all;
      for (size_t t = 0; t < c.targets.size() && !applies; ++t) applies = item_in_scope(w->scope, target_index[t], c.targets[t]);
      for (const auto& s : c.services) applies = applies || contains(w->scope.services, s);
      bool overlaps = timed && w->when.overlaps(c.start, c.end);
      bool covers = timed && w->when.covers(c.start, c.end);
      if (!contains(written, std::string_view(w->name))) {
        written.push_back(w->name);
        ctxw.key(w->name).begin_object().key("type").string(w->type).key("applies").boolean(applies);
        ctxw.key("overlaps").boolean(overlaps).key("covers").boolean(covers).end_object();
      }
      if (!timed) continue;
      if (w->type == "blackout" && overlaps) {
        if (applies) {
          findings.push_back({"blackout", w->name,
                              w->message.empty() ? "scheduled in the blackout window " + w->name : w->message + " (blackout window " + w->name + ")",
                              w->action.empty() ? kFindingTypes[finding_index("blackout")].default_action : parse_action(w->action, true, true), "",
                              "", "", !w->action.empty()});
        } else if (cmdb) {
          // Related items: the blast radius (what the change can break), not the targets'
          // dependencies (a change does not affect what it depends on).
          std::string related;
          for (const auto& [idx, hit] : blast)
            if (related.empty() && item_in_scope(w->scope, idx, cmdb->items()[idx].id)) related = cmdb->items()[idx].id;
          if (!related.empty())
            findings.push_back({"related_blackout", w->name,
                                "the related item " + related + " is in the blackout window " + w->name + " during the change",
                                kFindingTypes[finding_index("related_blackout")].default_action, related, "", ""});
        }
      }
    }
    if (timed) {
      // Each target with maintenance windows of its own must be inside one of them.
      for (size_t t = 0; t < c.targets.size(); ++t) {
        bool has = false, inside = false;
        std::string names;
        for (const auto* w : windows) {
          if (w->type != "maintenance" || !item_in_scope(w->scope, target_index[t], c.targets[t])) continue;
          has = true;
          names += (names.empty() ? "" : ", ") + w->name;
          inside = inside || w->when.covers(c.start, c.end);
        }
        if (has && !inside)
          findings.push_back({"outside_maintenance", "", c.targets[t] + " is changed outside its maintenance windows (" + names + ")",
                              kFindingTypes[finding_index("outside_maintenance")].default_action, c.targets[t], "", ""});
      }
    }
    ctxw.end_object();

    // 5. Error budgets of the services the change touches.
    ctxw.key("budget").begin_object();
    {
      bool exhausted = false, freeze = false, burning = false, any_remaining = false;
      double min_remaining = 0;
      std::vector<std::string> actions;
      ctxw.key("services").begin_array();
      if (data) {
        for (const auto& b : data->budget()) {
          if (!contains(touched, b.service)) continue;
          bool ex = b.status == "exhausted" || (b.remaining && *b.remaining <= 0);
          bool burn = b.burn_state == "page" || b.burn_state == "ticket";
          ctxw.begin_object().key("service").string(b.service).key("slo").string(b.slo).key("status").string(b.status);
          ctxw.key("burn_state").string(b.burn_state).key("budget_remaining");
          if (b.remaining) ctxw.number(*b.remaining);
          else ctxw.null();
          ctxw.key("freeze").boolean(b.freeze).key("actions").begin_array();
          for (const auto& a : b.actions) {
            ctxw.string(a);
            if (!contains(actions, a)) actions.push_back(a);
          }
          ctxw.end_array().end_object();
          if (b.remaining && (!any_remaining || *b.remaining < min_remaining)) {
            min_remaining = *b.remaining;
            any_remaining = true;
          }
          std::string remain = b.remaining ? number_text(*b.remaining * 100) + "%" : std::string("unknown");
          if (b.freeze)
            findings.push_back({"budget_freeze", b.slo, "releases of " + b.service + " are frozen by its error-budget policy (SLO " + b.slo + ", budget remaining " + remain + ")",
                                kFindingTypes[finding_index("budget_freeze")].default_action, b.service, "", ""});
          if (ex)
            findings.push_back({"budget_exhausted", b.slo, "the error budget of " + b.service + " is exhausted (SLO " + b.slo + ", budget remaining " + remain + ")",
                                kFindingTypes[finding_index("budget_exhausted")].default_action, b.service, "", ""});
          else if (burn)
            findings.push_back({"budget_burning", b.slo, b.service + " burns its error budget fast (" + b.burn_state + " burn rate, SLO " + b.slo + ")",
                                kFindingTypes[finding_index("budget_burning")].default_action, b.service, "", ""});
          exhausted = exhausted || ex;
          freeze = freeze || b.freeze;
          burning = burning || burn;
        }
      }
      ctxw.end_array();
      ctxw.key("exhausted").boolean(exhausted).key("freeze").boolean(freeze).key("burning").boolean(burning);
      ctxw.key("min_remaining");
      if (any_remaining) ctxw.number(min_remaining);
      else ctxw.null();
      ctxw.key("actions").begin_array();
      for (const auto& a : actions) ctxw.string(a);
      ctxw.end_array();
    }
    ctxw.end_object();

    // 6. History: failure rates of the team and the assignee before the change.
    ctxw.key("history").begin_object();
    ctxw.key("window").string(datetime::format_duration(spec.history_window));
    auto write_history = [&](const char* key, const std::string& who, bool team) {
      ctxw.key(key).begin_object();
      change::ChangeData::History h;
      if (data && timed && !who.empty())
        h = team ? data->team_history(who, c.start - spec.history_window, c.start) : data->assignee_history(who, c.start - spec.history_window, c.start);
      ctxw.key("finished").number(h.finished).key("failed").number(h.failed).key("failure_rate");
      if (h.finished > 0) ctxw.number(static_cast<double>(h.failed) / static_cast<double>(h.finished));
      else ctxw.null();
      ctxw.end_object();
    };
    write_history("team", c.team, true);
    write_history("assignee", c.assignee, false);
    ctxw.end_object();
    ctxw.end_object();

    DocumentReader local;
    DocumentReader& reader = req.scratch ? *req.scratch : local;
    auto doc = reader.read(ctxw.view());
    if (!doc.ok()) {
      Error e = doc.error();
      e.message = "internal: the change context does not read back: " + e.message;
      errors.push_back(std::move(e));
      decision.begin_object().end_object();
      return Outcome::kDenied;
    }
    Value vars = doc.value().root();

    ctx.bind(kChangeVar, vars.get("change"));
    ctx.bind(kInputVar, req.input);
    ctx.bind(kBlastVar, vars.get("blast"));
    ctx.bind(kConflictsVar, vars.get("conflicts"));
    ctx.bind(kBudgetVar, vars.get("budget"));
    ctx.bind(kWindowsVar, vars.get("windows"));
    ctx.bind(kHistoryVar, vars.get("history"));
    ctx.bind(kScoreVar, lang::Val::null());
    ctx.bind(kClassVar, lang::Val::null());

    if (explain) explain->begin_object();
    std::vector<std::string> reasons;

    // 7. Factors and the score.
    struct Applied {
      const Factor* f;
      double points;
    };
    std::vector<Applied> applied;
    double total = 0;
    if (explain) explain->key("factors").begin_array();
    for (const Factor& f : spec.factors) {
      size_t reads_from = ctx.reads().size();
      bool on = true;
      if (f.has_when) on = lang::truthy(evaluate(f.when, ctx, errors));
      double points = 0;
      bool ok = true;
      if (on) {
        if (f.points_expr) {
          lang::Val v = evaluate(f.points_program, ctx, errors);
          if (v.is_number() && std::isfinite(v.num())) points = v.num();
          else if (v.k == lang::VK::kNull) points = 0;
          else {
            ok = false;
            if (!v.is_error())
              errors.push_back(locate(f.points_program, Error(ErrorCode::kTypeError, "points must be a number, not " + lang::a_an(lang::val_type_name(v)))));
          }
        } else {
          points = f.points;
        }
        if (ok && points != 0) {
          applied.push_back({&f, points});
          total += points;
        }
      }
      if (explain) {
        explain->begin_object().key("name").string(f.name).key("applies").boolean(on && ok).key("points");
        write_points(*explain, on && ok ? points : 0.0);
        if (f.has_when) write_reads(*explain, *f.when.program, ctx, reads_from);
        explain->end_object();
      }
    }
    if (explain) explain->end_array();
    int64_t score = static_cast<int64_t>(std::llround(std::clamp(total, 0.0, 100.0)));
    size_t cls = spec.classes.size() - 1;
    for (size_t i = 0; i < spec.classes.size(); ++i)
      if (!spec.classes[i].has_below || static_cast<double>(score) < spec.classes[i].below) {
        cls = i;
        break;
      }
    const RiskClass& rc = spec.classes[cls];
    int outcome = rc.outcome;
    reasons.push_back("risk " + std::to_string(score) + "/100: " + rc.name + " (" + action_name(rc.outcome) + ")");
    ctx.bind(kScoreVar, lang::Val::integer(score));
    ctx.bind(kClassVar, lang::Val::str(rc.name));

    // 8. Delegated auto-approval.
    bool delegated = false;
    if (spec.has_delegation && cls <= spec.delegation_max_class) {
      size_t reads_from = ctx.reads().size();
      delegated = lang::truthy(evaluate(spec.delegation_when, ctx, errors));
      if (explain) {
        explain->key("auto_approve").begin_object().key("eligible").boolean(true).key("applies").boolean(delegated);
        write_reads(*explain, *spec.delegation_when.program, ctx, reads_from);
        explain->end_object();
      }
      if (delegated) {
        outcome = kAutoApprove;
        reasons.push_back("auto-approved: " + (spec.delegation_reason.empty() ? std::string("delegated approval") : spec.delegation_reason));
      }
    } else if (explain && spec.has_delegation) {
      explain->key("auto_approve").begin_object().key("eligible").boolean(false).key("applies").boolean(false).end_object();
    }

    // 9. Gates.
    if (explain) explain->key("gates").begin_array();
    for (const Gate& g : spec.gates) {
      size_t reads_from = ctx.reads().size();
      bool on = lang::truthy(evaluate(g.when, ctx, errors));
      if (on) findings.push_back({"gate", g.name, g.message, g.action, "", "", ""});
      if (explain) {
        explain->begin_object().key("name").string(g.name).key("applies").boolean(on);
        write_reads(*explain, *g.when.program, ctx, reads_from);
        explain->end_object();
      }
    }
    if (explain) explain->end_array();

    // 10. The policy's actions for the findings, with their exceptions.
    for (Finding& f : findings) {
      if (f.type == "gate") continue;
      const FindingRule& rule = spec.findings[finding_index(f.type)];
      if (!f.fixed) f.action = rule.action;
      for (const Exception& ex : rule.except) {
        if (lang::truthy(evaluate(ex.when, ctx, errors))) {
          f.action = ex.action;
          f.exception = ex.reason;
          break;
        }
      }
    }
    for (const Finding& f : findings) {
      if (f.action > outcome) outcome = f.action;
    }

    // 11. Approvals.
    const std::vector<Requirement>* required = (outcome == kPeerReview || outcome == kCabReview) ? &spec.approvals[outcome] : nullptr;
    bool satisfied = required && !required->empty();
    struct Met {
      const Requirement* r;
      std::vector<std::string> by;
    };
    std::vector<Met> met;
    if (required) {
      for (const Requirement& r : *required) {
        Met m{&r, {}};
        for (const auto& a : c.approvals) {
          if (!c.author.empty() && iequal(a.user, c.author)) continue;  // nobody approves their own change
          bool role_ok = false;
          for (const auto& f : r.from) role_ok = role_ok || iequal(f, a.role);
          if (role_ok && !contains(m.by, a.user)) m.by.push_back(a.user);
        }
        if (static_cast<int64_t>(m.by.size()) < r.count) satisfied = false;
        met.push_back(std::move(m));
      }
    }
    const char* status = outcome == kDeny ? "denied" : outcome == kAutoApprove ? "approved" : satisfied ? "approved" : "needs_approval";

    // 12. The decision.
    decision.begin_object();
    decision.key("status").string(status);
    decision.key("outcome").string(action_name(outcome));
    decision.key("change").begin_object();
    decision.key("id");
    if (c.id.empty()) decision.null();
    else decision.string(c.id);
    decision.key("title").string(c.title).key("type").string(c.type).key("source").string(c.source);
    decision.key("start");
    if (c.has_start) decision.string(datetime::format_rfc3339(c.start));
    else decision.null();
    decision.key("end");
    if (c.has_end) decision.string(datetime::format_rfc3339(c.end));
    else decision.null();
    decision.key("targets").begin_array();
    for (const auto& t : c.targets) decision.string(t);
    decision.end_array();
    decision.key("services").begin_array();
    for (const auto& s : touched) decision.string(s);
    decision.end_array().end_object();
    decision.key("risk").begin_object().key("score").number(score).key("class").string(rc.name);
    decision.key("class_outcome").string(action_name(rc.outcome)).key("auto_approved").boolean(delegated);
    decision.key("factors").begin_array();
    for (const Applied& a : applied) {
      decision.begin_object().key("name").string(a.f->name).key("points");
      write_points(decision, a.points);
      if (!a.f->reason.empty()) decision.key("reason").string(a.f->reason);
      decision.end_object();
    }
    decision.end_array().end_object();
    decision.key("findings").begin_array();
    for (const Finding& f : findings) {
      decision.begin_object().key("type").string(f.type);
      if (!f.name.empty()) decision.key("name").string(f.name);
      decision.key("action").string(action_name(f.action)).key("message").string(f.message);
      if (!f.item.empty()) decision.key("item").string(f.item);
      if (!f.other.empty()) decision.key("change").string(f.other);
      if (!f.exception.empty()) decision.key("exception").string(f.exception);
      decision.end_object();
      reasons.push_back(std::string(action_name(f.action)) + ": " + f.message + (f.exception.empty() ? "" : " (" + f.exception + ")"));
    }
    decision.end_array();
    decision.key("approvals").begin_object().key("required").begin_array();
    for (const Met& m : met) {
      decision.begin_object().key("count").number(m.r->count).key("from").begin_array();
      for (const auto& f : m.r->from) decision.string(f);
      decision.end_array().key("by").begin_array();
      for (const auto& u : m.by) decision.string(u);
      decision.end_array().key("missing").number(std::max<int64_t>(0, m.r->count - static_cast<int64_t>(m.by.size()))).end_object();
    }
    decision.end_array().key("satisfied").boolean(outcome == kAutoApprove || satisfied).end_object();
    decision.key("blast_radius").raw(vars.get("blast").to_json());
    decision.key("budget").raw(vars.get("budget").get("services").to_json());
    decision.key("reasons").begin_array();
    for (const auto& r : reasons) decision.string(r);
    decision.end_array();
    decision.end_object();

    if (explain) {
      explain->key("classes").begin_array();
      for (const RiskClass& k : spec.classes) {
        explain->begin_object().key("name").string(k.name).key("below");
        if (k.has_below) explain->number(k.below);
        else explain->null();
        explain->key("outcome").string(action_name(k.outcome)).end_object();
      }
      explain->end_array();
      explain->key("context").raw(ctxw.view());
      explain->end_object();
    }
    return outcome == kDeny ? Outcome::kDenied : std::string(status) == "approved" ? Outcome::kAllowed : Outcome::kReview;
  }
};

// ---- loading -----------------------------------------------------------------------------

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
    load_offset(b_, spec, sp, "timezone", s.offset);
    load_offset(b_, spec, sp, "servicenow_timezone", s.servicenow_offset);
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
        if (change::load_window(b_, it.value(), pointer_join(wp, it.key()), s.offset, w)) s.windows.push_back(std::move(w));
      }
    }
    for (size_t i = 0; i < kNumFindingTypes; ++i) s.findings[i].action = kFindingTypes[i].default_action;
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
      size_t idx = finding_index(it.key());
      if (idx == kNumFindingTypes) {
        std::string names;
        for (const auto& t : kFindingTypes) names += std::string(names.empty() ? "" : ", ") + t.name;
        b_.fail(p, ErrorCode::kUnknownName, "no finding type \"" + it.key() + "\" (there are " + names + ")", true);
        continue;
      }
      FindingRule& rule = p_.spec.findings[idx];
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

std::unique_ptr<CompiledPolicy> load_change_risk(const json& spec, PolicyBuilder& b) {
  auto p = std::make_unique<ChangeRiskPolicy>();
  Loader loader(b, *p);
  loader.load(spec);
  return p;
}

}  // namespace verdict::policy

namespace verdict::kinds {

policy::KindInfo change_risk_kind() {
  return {"ChangeRisk", "change", "a change request",
          {policy::Format::kJson, policy::Format::kText, policy::Format::kJunit, policy::Format::kGithub},
          policy::load_change_risk, [] { return std::unique_ptr<policy::KindData>(std::make_unique<change::ChangeData>()); }};
}

}  // namespace verdict::kinds
