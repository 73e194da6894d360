// The steps of a ChangeRisk decision (change_risk.h): typed values in, typed values out.
#include <algorithm>
#include <cmath>

#include "kinds/change/change_risk.h"
#include "policy/bind.h"
#include "verdict/json_writer.h"

namespace verdict::change {

namespace {

struct FindingTypeInfo {
  const char* name;
  int default_action;
};
constexpr FindingTypeInfo kFindingTypes[] = {
    {"same_item", kCabReview},         {"related_item", kPeerReview},    {"double_booked", kPeerReview},
    {"outside_maintenance", kCabReview}, {"blackout", kDeny},            {"related_blackout", kCabReview},
    {"budget_exhausted", kDeny},       {"budget_freeze", kDeny},         {"budget_burning", kPeerReview},
    {"unknown_target", kPeerReview},   {"no_targets", kCabReview},       {"gate", kCabReview},
};
static_assert(sizeof(kFindingTypes) / sizeof(kFindingTypes[0]) == kDetectedTypes + 1, "one entry per FindingType");

template <typename T, typename U>
bool contains(const std::vector<T>& v, const U& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A number as JSON writes it (the same digits natively and in Wasm).
std::string number_text(double x) {
  JsonWriter w;
  w.number(x);
  return std::string(w.view());
}

Finding detected(FindingType type, std::string name, std::string message, std::string item = {}, std::string other = {}) {
  Finding f;
  f.type = type;
  f.name = std::move(name);
  f.message = std::move(message);
  f.action = default_action(type);
  f.item = std::move(item);
  f.other = std::move(other);
  return f;
}

bool is_service_class(const std::string& cls) {
  return cls == "service" || cls == "application" || cls == "business_service" || cls == "cmdb_ci_service" || cls == "component";
}

// Whether window scope `s` takes in the target written `written` (CMDB item `idx`, or -1).
bool item_in_scope(const Scope& s, const CmdbIndex* cmdb, int64_t idx, std::string_view written) {
  if (s.all) return true;
  if (contains(s.items, written)) return true;
  if (idx < 0 || !cmdb) return false;
  const auto& item = cmdb->items()[static_cast<size_t>(idx)];
  return contains(s.items, item.id) || (!item.name.empty() && contains(s.items, item.name)) || contains(s.services, item.service) ||
         contains(s.classes, item.ci_class) || (item.tier > 0 && contains(s.tiers, static_cast<int64_t>(item.tier)));
}

lang::Val optional_tier(int tier) { return tier > 0 ? lang::Val::integer(tier) : lang::Val::null(); }

lang::Val time_text(int64_t t, lang::Arena& arena) {
  std::string& s = arena.new_string();
  s = datetime::format_rfc3339(t);
  return lang::Val::str(s);
}

lang::Val finite_or_null(double x) { return std::isfinite(x) ? lang::Val::dbl(x) : lang::Val::null(); }

// The reads `program` made in [from, to), appended to `out` once per path.
void append_reads(const lang::Program& program, const lang::EvalContext& ctx, size_t from, size_t to,
                  std::vector<policy::ReadValue>& out) {
  for (size_t i = from; i < to && i < ctx.reads().size(); ++i) {
    const auto& r = ctx.reads()[i];
    const std::string& path = program.paths[static_cast<size_t>(r.path_id)];
    bool dup = false;
    for (const policy::ReadValue& x : out) dup = dup || x.path == path;
    if (!dup) out.push_back({path, lang::val_to_json(r.value)});
  }
}

}  // namespace

const char* action_name(int a) {
  switch (a) {
    case kNote: return "note";
    case kAutoApprove: return "auto_approve";
    case kPeerReview: return "peer_review";
    case kCabReview: return "cab_review";
    default: return "deny";
  }
}

int parse_action(std::string_view s, bool allow_note, bool allow_auto) {
  if (s == "note" && allow_note) return kNote;
  if (s == "auto_approve" && allow_auto) return kAutoApprove;
  if (s == "peer_review") return kPeerReview;
  if (s == "cab_review") return kCabReview;
  if (s == "deny") return kDeny;
  return -2;
}

const char* finding_type_name(FindingType t) { return kFindingTypes[static_cast<size_t>(t)].name; }

int default_action(FindingType t) { return kFindingTypes[static_cast<size_t>(t)].default_action; }

std::optional<FindingType> detected_type(std::string_view name) {
  for (size_t i = 0; i < kDetectedTypes; ++i)
    if (name == kFindingTypes[i].name) return static_cast<FindingType>(i);
  return std::nullopt;
}

// ---- 1. the change ---------------------------------------------------------------------

void read_change(Value input, const ChangeOptions& options, Change& c, std::vector<Error>& errors) {
  std::vector<FieldProblem> problems;
  bool is_change = !shapes::map_change(input, c, problems, options).empty();
  if (!is_change && input.is_object())
    problems.push_back({"", "this is not a change request (a native change has \"kind\": \"change\"; a ServiceNow record "
                            "sys_class_name \"change_request\"; a pipeline change \"repository\" and \"deploy_window\")"});
  if (!c.has_start) problems.push_back({std::string(shapes::start_field(c)), "the change has no start time; windows and conflicts need it"});
  if (!c.has_end) problems.push_back({std::string(shapes::end_field(c)), "the change has no end time; windows and conflicts need it"});
  for (const auto& p : problems)
    errors.push_back(Error(ErrorCode::kInvalidArgument, (p.field.empty() ? std::string("input") : "input field " + p.field) + ": " + p.message));
}

// ---- 2. blast radius ---------------------------------------------------------------------

void BlastRadius::clear() {
  cmdb = nullptr;
  targets.clear();
  items.clear();
  max_depth = 0;
  min_tier = 0;
  services.clear();
  touched.clear();
}

void blast_radius(const Change& c, const CmdbIndex* cmdb, uint32_t max_depth, BlastRadius& b, std::vector<Finding>& findings) {
  b.clear();
  b.cmdb = cmdb;
  b.targets.assign(c.targets.size(), -1);
  for (size_t t = 0; t < c.targets.size(); ++t) {
    if (cmdb) b.targets[t] = cmdb->index_of(c.targets[t]);
    if (b.targets[t] < 0)
      findings.push_back(detected(FindingType::kUnknownTarget, "", "target " + c.targets[t] + " is not in the CMDB: its blast radius is unknown",
                                  c.targets[t]));
  }
  if (c.targets.empty())
    findings.push_back(detected(FindingType::kNoTargets, "", "the change names no target items: its blast radius cannot be assessed"));
  auto note_tier = [&](int tier) {
    if (tier > 0 && (b.min_tier == 0 || tier < b.min_tier)) b.min_tier = tier;
  };
  // Services the change itself touches: its services, its targets' services, targets that are services.
  for (const std::string& s : c.services) b.touched.push_back(s);
  if (!cmdb) return;
  const auto& items = cmdb->items();
  for (size_t t = 0; t < c.targets.size(); ++t) {
    if (b.targets[t] < 0) continue;
    const auto& item = items[static_cast<size_t>(b.targets[t])];
    note_tier(item.tier);
    if (!item.service.empty() && !contains(b.touched, item.service)) b.touched.push_back(item.service);
    if (item.service.empty() && is_service_class(item.ci_class) && !contains(b.touched, item.id)) b.touched.push_back(item.id);
  }
  // Every item reached from any target, once, at its smallest depth (the first target reaching
  // it there); the targets themselves are not their own blast radius.
  for (size_t t = 0; t < c.targets.size(); ++t) {
    if (b.targets[t] < 0) continue;
    for (const auto& r : cmdb->blast_radius(static_cast<uint32_t>(b.targets[t]), max_depth))
      b.items.push_back({r.item, r.depth, static_cast<uint32_t>(t)});
  }
  std::sort(b.items.begin(), b.items.end(), [](const BlastItem& x, const BlastItem& y) {
    if (x.item != y.item) return x.item < y.item;
    return x.depth != y.depth ? x.depth < y.depth : x.via < y.via;
  });
  b.items.erase(std::unique(b.items.begin(), b.items.end(), [](const BlastItem& x, const BlastItem& y) { return x.item == y.item; }),
                b.items.end());
  b.items.erase(std::remove_if(b.items.begin(), b.items.end(), [&](const BlastItem& x) { return contains(b.targets, static_cast<int64_t>(x.item)); }),
                b.items.end());
  std::sort(b.items.begin(), b.items.end(), [&](const BlastItem& x, const BlastItem& y) {
    if (x.depth != y.depth) return x.depth < y.depth;
    const std::string& a = items[x.item].id;
    const std::string& o = items[y.item].id;
    return a != o ? a < o : x.item < y.item;
  });
  for (const BlastItem& hit : b.items) {
    const auto& item = items[hit.item];
    note_tier(item.tier);
    b.max_depth = std::max(b.max_depth, hit.depth);
    const std::string& s = item.service.empty() && is_service_class(item.ci_class) ? item.id : item.service;
    if (!s.empty() && !contains(b.services, s)) b.services.push_back(s);
  }
}

lang::Val bind_blast(const Change& c, const BlastRadius& b, size_t max_items, lang::Arena& arena) {
  using lang::Val;
  lang::ValList& targets = arena.new_list();
  for (size_t t = 0; t < c.targets.size(); ++t) {
    lang::ValMap& m = arena.new_map();
    bool found = t < b.targets.size() && b.targets[t] >= 0;
    m.emplace_back("name", Val::str(c.targets[t]));
    m.emplace_back("found", Val::boolean(found));
    if (found) {
      const auto& item = b.cmdb->items()[static_cast<size_t>(b.targets[t])];
      m.emplace_back("id", Val::str(item.id));
      m.emplace_back("class", Val::str(item.ci_class));
      m.emplace_back("tier", optional_tier(item.tier));
      m.emplace_back("service", Val::str(item.service));
      m.emplace_back("owner", Val::str(item.owner));
    }
    targets.push_back(Val::map_of(&m));
  }
  lang::ValList& services = arena.new_list();
  for (std::string_view s : b.services) services.push_back(Val::str(s));
  lang::ValList& items = arena.new_list();
  for (size_t i = 0; i < b.items.size() && i < max_items; ++i) {
    const auto& item = b.cmdb->items()[b.items[i].item];
    lang::ValMap& m = arena.new_map();
    m.emplace_back("id", Val::str(item.id));
    m.emplace_back("class", Val::str(item.ci_class));
    m.emplace_back("tier", optional_tier(item.tier));
    m.emplace_back("service", Val::str(item.service));
    m.emplace_back("depth", Val::integer(b.items[i].depth));
    m.emplace_back("via", Val::str(c.targets[b.items[i].via]));
    items.push_back(Val::map_of(&m));
  }
  lang::ValMap& m = arena.new_map();
  m.emplace_back("targets", Val::list_of(&targets));
  m.emplace_back("count", Val::integer(static_cast<int64_t>(b.items.size())));
  m.emplace_back("max_depth", Val::integer(b.max_depth));
  m.emplace_back("min_tier", b.min_tier > 0 ? Val::integer(b.min_tier) : Val::null());
  m.emplace_back("services", Val::list_of(&services));
  m.emplace_back("items", Val::list_of(&items));
  m.emplace_back("truncated", Val::boolean(b.items.size() > max_items));
  return Val::map_of(&m);
}

// ---- 3. conflicts ------------------------------------------------------------------------

void find_conflicts(const Change& c, const BlastRadius& blast, const ChangeData* data, std::vector<Conflict>& out,
                    std::vector<Finding>& findings) {
  out.clear();
  if (!c.timed() || !data) return;
  const CmdbIndex* cmdb = blast.cmdb;
  std::vector<uint32_t> hits;
  auto record = [&](FindingType type, uint32_t other, std::string_view item, const char* relation) {
    const Change& o = data->changes()[other];
    if (!o.id.empty() && o.id == c.id) return;  // the change itself, listed in the schedule
    for (const Conflict& seen : out)
      if (seen.type == type && seen.change == other) return;
    out.push_back({type, other, item, relation});
    std::string when = datetime::format_rfc3339(o.start) + " to " + datetime::format_rfc3339(o.end);
    std::string msg;
    if (type == FindingType::kSameItem)
      msg = "change " + o.id + " is scheduled on " + std::string(item) + " at an overlapping time (" + when + ")";
    else if (type == FindingType::kRelatedItem)
      msg = "change " + o.id + " is scheduled on " + std::string(item) + ", " + relation + " of a target, at an overlapping time (" + when + ")";
    else
      msg = "the assignee " + c.assignee + " is also assigned change " + o.id + " at an overlapping time (" + when + ")";
    findings.push_back(detected(type, "", std::move(msg), std::string(item), o.id));
  };
  // The names a scheduled change may use for an item: as written, its CMDB id, its name.
  auto keys_of = [&](std::string_view written, int64_t idx) {
    std::vector<std::string_view> keys{written};
    if (idx >= 0 && cmdb) {
      const auto& item = cmdb->items()[static_cast<size_t>(idx)];
      if (!contains(keys, item.id)) keys.push_back(item.id);
      if (!item.name.empty() && !contains(keys, item.name)) keys.push_back(item.name);
    }
    return keys;
  };
  auto scheduled_on = [&](std::string_view key) {
    hits.clear();
    data->overlapping_on_target(key, c.start, c.end, hits);
    std::sort(hits.begin(), hits.end());
  };
  for (size_t t = 0; t < c.targets.size(); ++t) {
    for (std::string_view k : keys_of(c.targets[t], blast.targets[t])) {
      scheduled_on(k);
      for (uint32_t h : hits) record(FindingType::kSameItem, h, c.targets[t], "");
    }
  }
  if (cmdb) {
    for (size_t t = 0; t < c.targets.size(); ++t) {
      if (blast.targets[t] < 0) continue;
      const auto& item = cmdb->items()[static_cast<size_t>(blast.targets[t])];
      auto related = [&](const std::vector<uint32_t>& list, const char* relation) {
        for (uint32_t r : list) {
          const auto& other = cmdb->items()[r];
          if (contains(c.targets, other.id) || contains(c.targets, other.name)) continue;
          for (std::string_view k : keys_of(other.id, r)) {
            scheduled_on(k);
            for (uint32_t h : hits) record(FindingType::kRelatedItem, h, other.id, relation);
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
    for (uint32_t h : hits) record(FindingType::kDoubleBooked, h, "", "");
  }
}

lang::Val bind_conflicts(const std::vector<Conflict>& conflicts, const ChangeData* data, lang::Arena& arena) {
  using lang::Val;
  lang::ValList& l = arena.new_list();
  for (const Conflict& x : conflicts) {
    const Change& o = data->changes()[x.change];
    lang::ValMap& m = arena.new_map();
    m.emplace_back("type", Val::str(finding_type_name(x.type)));
    m.emplace_back("change", Val::str(o.id));
    m.emplace_back("title", Val::str(o.title));
    m.emplace_back("item", Val::str(x.item));
    m.emplace_back("relation", Val::str(x.relation));
    m.emplace_back("start", time_text(o.start, arena));
    m.emplace_back("end", time_text(o.end, arena));
    m.emplace_back("assignee", Val::str(o.assignee));
    l.push_back(Val::map_of(&m));
  }
  return Val::list_of(&l);
}

// ---- 4. windows --------------------------------------------------------------------------

void check_windows(const Change& c, const BlastRadius& blast, const std::vector<ChangeWindow>& policy_windows, const ChangeData* data,
                   std::vector<WindowState>& out, std::vector<Finding>& findings) {
  out.clear();
  const CmdbIndex* cmdb = blast.cmdb;
  const bool timed = c.timed();
  auto check = [&](const ChangeWindow& w) {
    WindowState st{&w};
    st.applies = w.scope.all;
    for (size_t t = 0; t < c.targets.size() && !st.applies; ++t) st.applies = item_in_scope(w.scope, cmdb, blast.targets[t], c.targets[t]);
    for (const auto& s : c.services) st.applies = st.applies || contains(w.scope.services, s);
    st.overlaps = timed && w.when.overlaps(c.start, c.end);
    st.covers = timed && w.when.covers(c.start, c.end);
    bool listed = false;
    for (const WindowState& o : out) listed = listed || o.window->name == w.name;
    if (!listed) out.push_back(st);
    if (!timed || w.type != "blackout" || !st.overlaps) return;
    if (st.applies) {
      Finding f = detected(FindingType::kBlackout, w.name,
                           w.message.empty() ? "scheduled in the blackout window " + w.name : w.message + " (blackout window " + w.name + ")");
      if (!w.action.empty()) {
        f.action = parse_action(w.action, true, true);
        f.fixed = true;
      }
      findings.push_back(std::move(f));
    } else if (cmdb) {
      // Related items: the blast radius (what the change can break), not the targets'
      // dependencies (a change does not affect what it depends on).
      for (const BlastItem& hit : blast.items) {
        const std::string& id = cmdb->items()[hit.item].id;
        if (!item_in_scope(w.scope, cmdb, hit.item, id)) continue;
        findings.push_back(detected(FindingType::kRelatedBlackout, w.name,
                                    "the related item " + id + " is in the blackout window " + w.name + " during the change", id));
        break;
      }
    }
  };
  for (const ChangeWindow& w : policy_windows) check(w);
  if (data)
    for (const ChangeWindow& w : data->windows()) check(w);
  if (!timed) return;
  // Each target with maintenance windows of its own must be inside one of them.
  auto maintenance = [&](size_t t, const ChangeWindow& w, bool& has, bool& inside, std::string& names) {
    if (w.type != "maintenance" || !item_in_scope(w.scope, cmdb, blast.targets[t], c.targets[t])) return;
    has = true;
    names += (names.empty() ? "" : ", ") + w.name;
    inside = inside || w.when.covers(c.start, c.end);
  };
  for (size_t t = 0; t < c.targets.size(); ++t) {
    bool has = false, inside = false;
    std::string names;
    for (const ChangeWindow& w : policy_windows) maintenance(t, w, has, inside, names);
    if (data)
      for (const ChangeWindow& w : data->windows()) maintenance(t, w, has, inside, names);
    if (has && !inside)
      findings.push_back(detected(FindingType::kOutsideMaintenance, "", c.targets[t] + " is changed outside its maintenance windows (" + names + ")",
                                  c.targets[t]));
  }
}

lang::Val bind_windows(const std::vector<WindowState>& windows, lang::Arena& arena) {
  using lang::Val;
  lang::ValMap& m = arena.new_map();
  for (const WindowState& w : windows) {
    lang::ValMap& s = arena.new_map();
    s.emplace_back("type", Val::str(w.window->type));
    s.emplace_back("applies", Val::boolean(w.applies));
    s.emplace_back("overlaps", Val::boolean(w.overlaps));
    s.emplace_back("covers", Val::boolean(w.covers));
    m.emplace_back(w.window->name, Val::map_of(&s));
  }
  return Val::map_of(&m);
}

// ---- 5. error budgets ----------------------------------------------------------------------

void BudgetState::clear() {
  services.clear();
  exhausted = freeze = burning = false;
  min_remaining.reset();
  actions.clear();
}

void check_budget(const std::vector<std::string_view>& touched, const ChangeData* data, BudgetState& out, std::vector<Finding>& findings) {
  out.clear();
  if (!data) return;
  for (const BudgetSlo& b : data->budget()) {
    if (!contains(touched, b.service)) continue;
    out.services.push_back(&b);
    for (const std::string& a : b.actions)
      if (!contains(out.actions, a)) out.actions.push_back(a);
    if (b.remaining && (!out.min_remaining || *b.remaining < *out.min_remaining)) out.min_remaining = *b.remaining;
    bool exhausted = b.status == "exhausted" || (b.remaining && *b.remaining <= 0);
    bool burning = b.burn_state == "page" || b.burn_state == "ticket";
    std::string remain = b.remaining ? number_text(*b.remaining * 100) + "%" : std::string("unknown");
    if (b.freeze)
      findings.push_back(detected(FindingType::kBudgetFreeze, b.slo,
                                  "releases of " + b.service + " are frozen by its error-budget policy (SLO " + b.slo + ", budget remaining " + remain + ")",
                                  b.service));
    if (exhausted)
      findings.push_back(detected(FindingType::kBudgetExhausted, b.slo,
                                  "the error budget of " + b.service + " is exhausted (SLO " + b.slo + ", budget remaining " + remain + ")", b.service));
    else if (burning)
      findings.push_back(detected(FindingType::kBudgetBurning, b.slo,
                                  b.service + " burns its error budget fast (" + b.burn_state + " burn rate, SLO " + b.slo + ")", b.service));
    out.exhausted = out.exhausted || exhausted;
    out.freeze = out.freeze || b.freeze;
    out.burning = out.burning || burning;
  }
}

lang::Val bind_budget_services(const BudgetState& b, lang::Arena& arena) {
  using lang::Val;
  lang::ValList& l = arena.new_list();
  for (const BudgetSlo* s : b.services) {
    lang::ValMap& m = arena.new_map();
    m.emplace_back("service", Val::str(s->service));
    m.emplace_back("slo", Val::str(s->slo));
    m.emplace_back("status", Val::str(s->status));
    m.emplace_back("burn_state", Val::str(s->burn_state));
    m.emplace_back("budget_remaining", s->remaining ? finite_or_null(*s->remaining) : Val::null());
    m.emplace_back("freeze", Val::boolean(s->freeze));
    lang::ValList& actions = arena.new_list();
    for (const std::string& a : s->actions) actions.push_back(Val::str(a));
    m.emplace_back("actions", Val::list_of(&actions));
    l.push_back(Val::map_of(&m));
  }
  return Val::list_of(&l);
}

lang::Val bind_budget(const BudgetState& b, lang::Arena& arena) {
  using lang::Val;
  lang::ValMap& m = arena.new_map();
  m.emplace_back("services", bind_budget_services(b, arena));
  m.emplace_back("exhausted", Val::boolean(b.exhausted));
  m.emplace_back("freeze", Val::boolean(b.freeze));
  m.emplace_back("burning", Val::boolean(b.burning));
  m.emplace_back("min_remaining", b.min_remaining ? finite_or_null(*b.min_remaining) : Val::null());
  lang::ValList& actions = arena.new_list();
  for (std::string_view a : b.actions) actions.push_back(Val::str(a));
  m.emplace_back("actions", Val::list_of(&actions));
  return Val::map_of(&m);
}

// ---- 6. history ----------------------------------------------------------------------------

void change_history(const Change& c, const ChangeData* data, int64_t window, HistoryState& out) {
  out = HistoryState{};
  out.window = window;
  if (!data || !c.timed()) return;
  if (!c.team.empty()) out.team = data->team_history(c.team, c.start - window, c.start);
  if (!c.assignee.empty()) out.assignee = data->assignee_history(c.assignee, c.start - window, c.start);
}

lang::Val bind_history(const HistoryState& h, lang::Arena& arena) {
  using lang::Val;
  auto rate = [&](const ChangeData::History& x) {
    lang::ValMap& m = arena.new_map();
    m.emplace_back("finished", Val::integer(x.finished));
    m.emplace_back("failed", Val::integer(x.failed));
    m.emplace_back("failure_rate",
                   x.finished > 0 ? Val::dbl(static_cast<double>(x.failed) / static_cast<double>(x.finished)) : Val::null());
    return Val::map_of(&m);
  };
  lang::ValMap& m = arena.new_map();
  std::string& window = arena.new_string();
  window = datetime::format_duration(h.window);
  m.emplace_back("window", Val::str(window));
  m.emplace_back("team", rate(h.team));
  m.emplace_back("assignee", rate(h.assignee));
  return Val::map_of(&m);
}

// ---- 7. factors and the score --------------------------------------------------------------

int64_t score_factors(const ChangeRiskPolicy& p, lang::EvalContext& ctx, std::vector<AppliedFactor>& applied,
                      std::vector<FactorTrace>* trace, std::vector<Error>& errors) {
  applied.clear();
  double total = 0;
  for (const Factor& f : p.spec.factors) {
    size_t reads_from = ctx.reads().size();
    bool on = true;
    if (f.has_when) on = lang::truthy(p.evaluate(f.when, ctx, errors));
    size_t reads_when = ctx.reads().size();
    double points = 0;
    bool ok = true;
    if (on) {
      if (f.points_expr) {
        lang::Val v = p.evaluate(f.points_program, ctx, errors);
        if (v.is_number() && std::isfinite(v.num())) points = v.num();
        else if (v.k == lang::VK::kNull) points = 0;
        else {
          ok = false;
          if (!v.is_error())
            errors.push_back(p.locate(f.points_program, Error(ErrorCode::kTypeError, "points must be a number, not " + lang::a_an(lang::val_type_name(v)))));
        }
      } else {
        points = f.points;
      }
      if (ok && points != 0) {
        applied.push_back({&f, points});
        total += points;
      }
    }
    if (trace) {
      FactorTrace t{&f, on && ok, on && ok ? points : 0.0, {}};
      // The values a factor with a condition read: its condition's, then its points'.
      if (f.has_when) {
        append_reads(*f.when.program, ctx, reads_from, reads_when, t.reads);
        if (f.points_expr) append_reads(*f.points_program.program, ctx, reads_when, ctx.reads().size(), t.reads);
      }
      trace->push_back(std::move(t));
    }
  }
  return static_cast<int64_t>(std::llround(std::clamp(total, 0.0, 100.0)));
}

// ---- 8. class and auto-approval -----------------------------------------------------------

size_t risk_class(const std::vector<RiskClass>& classes, int64_t score) {
  for (size_t i = 0; i < classes.size(); ++i)
    if (!classes[i].has_below || static_cast<double>(score) < classes[i].below) return i;
  return classes.empty() ? 0 : classes.size() - 1;
}

bool auto_approve(const ChangeRiskPolicy& p, size_t cls, lang::EvalContext& ctx, std::optional<AutoApproveTrace>* trace,
                  std::vector<Error>& errors) {
  const Spec& s = p.spec;
  if (!s.has_delegation) return false;
  if (cls > s.delegation_max_class) {
    if (trace) *trace = AutoApproveTrace{};
    return false;
  }
  size_t reads_from = ctx.reads().size();
  bool delegated = lang::truthy(p.evaluate(s.delegation_when, ctx, errors));
  if (trace) {
    AutoApproveTrace t;
    t.eligible = true;
    t.applies = delegated;
    append_reads(*s.delegation_when.program, ctx, reads_from, ctx.reads().size(), t.reads);
    *trace = std::move(t);
  }
  return delegated;
}

// ---- 9. gates, the findings' actions, the outcome -------------------------------------------

void check_gates(const ChangeRiskPolicy& p, lang::EvalContext& ctx, std::vector<Finding>& findings, std::vector<GateTrace>* trace,
                 std::vector<Error>& errors) {
  for (const Gate& g : p.spec.gates) {
    size_t reads_from = ctx.reads().size();
    bool on = lang::truthy(p.evaluate(g.when, ctx, errors));
    if (on) {
      Finding f;
      f.type = FindingType::kGate;
      f.name = g.name;
      f.message = g.message;
      f.action = g.action;
      findings.push_back(std::move(f));
    }
    if (trace) {
      GateTrace t{&g, on, {}};
      append_reads(*g.when.program, ctx, reads_from, ctx.reads().size(), t.reads);
      trace->push_back(std::move(t));
    }
  }
}

void apply_finding_rules(const ChangeRiskPolicy& p, lang::EvalContext& ctx, std::vector<Finding>& findings, std::vector<Error>& errors) {
  for (Finding& f : findings) {
    if (f.type == FindingType::kGate) continue;
    const FindingRule& rule = p.spec.findings[static_cast<size_t>(f.type)];
    if (!f.fixed) f.action = rule.action;
    for (const Exception& ex : rule.except) {
      if (lang::truthy(p.evaluate(ex.when, ctx, errors))) {
        f.action = ex.action;
        f.exception = ex.reason;
        break;
      }
    }
  }
}

int final_outcome(int start, const std::vector<Finding>& findings) {
  int outcome = start;
  for (const Finding& f : findings) outcome = std::max(outcome, f.action);
  return outcome;
}

// ---- 10. approvals ---------------------------------------------------------------------------

void check_approvals(const Spec& spec, int outcome, const Change& c, Approvals& out) {
  out.required.clear();
  out.satisfied = false;
  if (outcome != kPeerReview && outcome != kCabReview) return;
  const std::vector<Requirement>& required = spec.approvals[outcome];
  out.satisfied = !required.empty();
  for (const Requirement& r : required) {
    RequiredApproval m{&r, {}};
    for (const Approval& a : c.approvals) {
      if (!c.author.empty() && iequal(a.user, c.author)) continue;  // nobody approves their own change
      bool role_ok = false;
      for (const auto& from : r.from) role_ok = role_ok || iequal(from, a.role);
      if (role_ok && !contains(m.by, a.user)) m.by.push_back(a.user);
    }
    if (static_cast<int64_t>(m.by.size()) < r.count) out.satisfied = false;
    out.required.push_back(std::move(m));
  }
}

const char* status_of(int outcome, const Approvals& approvals) {
  return outcome == kDeny ? "denied" : outcome == kAutoApprove ? "approved" : approvals.satisfied ? "approved" : "needs_approval";
}

}  // namespace verdict::change
