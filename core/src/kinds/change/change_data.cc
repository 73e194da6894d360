// The change data of a bundle (change_data.h): scheduled changes and their overlap
// index, change history, change windows from data files, error-budget status.
#include "kinds/change/change_data.h"

#include <algorithm>

#include "policy/json_source.h"
#include "verdict/documents.h"

namespace verdict::change {

using json = nlohmann::ordered_json;
using policy::pointer_join;

// ---- windows -------------------------------------------------------------------------

bool load_window(policy::PolicyBuilder& b, const json& v, const std::string& p, const datetime::Zone& default_zone,
                 ChangeWindow& w) {
  size_t errors_before = b.errors.size();
  if (!v.is_object()) {
    b.fail(p, ErrorCode::kInvalidPolicy, "a window is {\"type\": ..., \"times\": [...] or \"ranges\": [...], \"scope\": {...}}");
    return false;
  }
  b.only_keys(v, p, {"type", "timezone", "times", "ranges", "scope", "message", "action", "description"});
  w.type = "window";
  if (const json* t = b.get(v, p, "type", false, json::value_t::string)) {
    w.type = t->get<std::string>();
    if (w.type != "blackout" && w.type != "maintenance" && w.type != "window")
      b.fail(pointer_join(p, "type"), ErrorCode::kInvalidPolicy, "a window's type is blackout, maintenance or window");
  }
  w.when.zone = default_zone;
  policy::load_zone(b, v, p, "timezone", w.when.zone);
  if (const json* times = b.get(v, p, "times", false, json::value_t::array)) policy::load_times(b, *times, pointer_join(p, "times"), w.when.times);
  if (const json* ranges = b.get(v, p, "ranges", false, json::value_t::array))
    policy::load_ranges(b, *ranges, pointer_join(p, "ranges"), w.when.ranges);
  if (!v.contains("times") && !v.contains("ranges"))
    b.fail(p, ErrorCode::kInvalidPolicy, "a window needs \"times\" (weekly) or \"ranges\" (explicit start and end), or both");
  if (const json* m = b.get(v, p, "message", false, json::value_t::string)) w.message = m->get<std::string>();
  if (const json* a = b.get(v, p, "action", false, json::value_t::string)) {
    w.action = a->get<std::string>();
    if (w.action != "auto_approve" && w.action != "peer_review" && w.action != "cab_review" && w.action != "deny")
      b.fail(pointer_join(p, "action"), ErrorCode::kInvalidPolicy, "an action is auto_approve, peer_review, cab_review or deny");
  }
  if (const json* s = b.get(v, p, "scope", false, json::value_t::object)) {
    std::string sp = pointer_join(p, "scope");
    b.only_keys(*s, sp, {"all", "items", "services", "classes", "tiers"});
    w.scope.all = false;
    if (const json* all = b.get(*s, sp, "all", false, json::value_t::boolean)) w.scope.all = all->get<bool>();
    auto names = [&](const char* key, std::vector<std::string>& out) {
      if (const json* a = b.get(*s, sp, key, false, json::value_t::array))
        for (size_t i = 0; i < a->size(); ++i) {
          if ((*a)[i].is_string()) out.push_back((*a)[i].get<std::string>());
          else b.fail(pointer_join(pointer_join(sp, key), i), ErrorCode::kInvalidPolicy, std::string(key) + " are names (strings)");
        }
    };
    names("items", w.scope.items);
    names("services", w.scope.services);
    names("classes", w.scope.classes);
    if (const json* a = b.get(*s, sp, "tiers", false, json::value_t::array))
      for (size_t i = 0; i < a->size(); ++i) {
        if ((*a)[i].is_number_integer()) w.scope.tiers.push_back((*a)[i].get<int64_t>());
        else b.fail(pointer_join(pointer_join(sp, "tiers"), i), ErrorCode::kInvalidPolicy, "a tier is a whole number (1 = most critical)");
      }
    if (!w.scope.all && w.scope.items.empty() && w.scope.services.empty() && w.scope.classes.empty() && w.scope.tiers.empty())
      b.fail(sp, ErrorCode::kInvalidPolicy, "the scope names nothing: give items, services, classes, tiers or \"all\": true");
  }
  return b.errors.size() == errors_before;
}

// ---- change data ---------------------------------------------------------------------

size_t ChangeData::add(Value doc, std::string_view text_in, const std::string& source, std::vector<Error>& errors,
                       std::vector<Error>& warnings) {
  auto problem = [&](std::string message) {
    Error e(ErrorCode::kInvalidArgument, std::move(message));
    e.source = source;
    warnings.push_back(std::move(e));
  };
  auto fatal = [&](std::string message) {
    Error e(ErrorCode::kInvalidArgument, std::move(message));
    e.source = source;
    errors.push_back(std::move(e));
  };
  auto add_change = [&](Value d, const std::string& where) {
    Change c;
    std::vector<FieldProblem> fp;
    shapes::map_change(d, c, fp);
    for (const auto& f : fp)
      problem("scheduled change " + (c.id.empty() ? where : c.id) + ": " + f.field + ": " + f.message +
              (c.has_start && c.has_end ? "" : " (it is kept, but without a start and end it cannot conflict)"));
    changes_.push_back(std::move(c));
  };
  if (!doc.is_object() && !doc.is_array()) return 0;
  std::string_view kind = doc.is_object() ? doc.get("kind").as_string() : std::string_view();
  if (kind == "error_budget_status") {
    int64_t version = doc.get("version").as_int(-1);
    if (version != 1) {
      fatal("error_budget_status version " + doc.get("version").to_json() + " is not supported (expected 1)");
      return 1;
    }
    Value slos = doc.get("slos");
    if (!slos.is_array()) {
      fatal("error_budget_status: \"slos\" must be a list");
      return 1;
    }
    size_t i = 0;
    slos.for_each_item([&](Value s) {
      BudgetSlo b;
      b.source = source;
      b.service = std::string(s.get("service").as_string());
      b.slo = std::string(s.get("slo").as_string());
      b.status = std::string(s.get("status").as_string());
      b.burn_state = std::string(s.get("burn_state").as_string());
      if (s.get("budget_remaining").is_number()) b.remaining = s.get("budget_remaining").as_double();
      if (s.get("budget_consumed").is_number()) b.consumed = s.get("budget_consumed").as_double();
      b.freeze = s.get("freeze").as_bool(false);
      s.get("actions").for_each_item([&](Value a) {
        if (a.is_string()) b.actions.emplace_back(a.as_string());
        return true;
      });
      if (b.service.empty()) problem("error_budget_status: slos[" + std::to_string(i) + "] names no service; it is skipped");
      else budget_.push_back(std::move(b));
      ++i;
      return true;
    });
    return 1;
  }
  if (kind == "change_windows" || kind == "change_window") {
    auto src = policy::JsonSource::parse(text_in, source);
    if (!src.ok()) {
      errors.push_back(src.error());
      return 1;
    }
    policy::PolicyBuilder b;
    b.src = std::make_shared<const policy::JsonSource>(std::move(src).value());
    const json& root = b.src->root();
    datetime::Zone zone;
    policy::load_zone(b, root, "", "timezone", zone);
    if (kind == "change_window") {
      ChangeWindow w;
      b.only_keys(root, "", {"kind", "name", "timezone", "type", "times", "ranges", "scope", "message", "action", "description"});
      if (const json* n = b.get(root, "", "name", true, json::value_t::string)) w.name = n->get<std::string>();
      json body = root;
      body.erase("kind");
      body.erase("name");
      if (load_window(b, body, "", zone, w)) {
        w.source = source;
        windows_.push_back(std::move(w));
      }
    } else if (const json* ws = b.get(root, "", "windows", true, json::value_t::object)) {
      b.only_keys(root, "", {"kind", "timezone", "windows", "description"});
      for (auto it = ws->begin(); it != ws->end(); ++it) {
        ChangeWindow w;
        w.name = it.key();
        if (load_window(b, it.value(), pointer_join("/windows", it.key()), zone, w)) {
          w.source = source;
          windows_.push_back(std::move(w));
        }
      }
    }
    for (auto& e : b.errors) errors.push_back(std::move(e));
    for (auto& e : b.warnings) warnings.push_back(std::move(e));
    return 1;
  }
  // Scheduled changes: one change, {"changes": [...]} / ServiceNow {"result"|"records": [...]}, or an array.
  if (doc.is_object() && !shapes::change_shape(doc).empty()) {
    add_change(doc, "(no id)");
    return 1;
  }
  Value list = doc;
  if (doc.is_object()) {
    for (const char* key : {"changes", "result", "records"}) {
      if (doc.get(key).is_array()) {
        list = doc.get(key);
        break;
      }
    }
    if (list.is_object()) return 0;
    if (kind != "change_schedule" && kind != "changes") {
      // A ServiceNow export or a bare list is change data only when it holds changes.
      bool any = false;
      list.for_each_item([&](Value e) {
        any = !shapes::change_shape(e).empty();
        return !any;
      });
      if (!any) return 0;
    }
  } else {
    bool any = false;
    list.for_each_item([&](Value e) {
      any = !shapes::change_shape(e).empty();
      return !any;
    });
    if (!any) return 0;
  }
  size_t i = 0, taken = 0;
  list.for_each_item([&](Value e) {
    std::string where = "entry " + std::to_string(i);
    if (shapes::change_shape(e).empty()) problem(where + " of the change list is not a change; it is skipped");
    else {
      add_change(e, where);
      ++taken;
    }
    ++i;
    return true;
  });
  return std::max<size_t>(taken, 1);
}

void ChangeData::append(const policy::KindData& other_data, std::vector<Error>& errors) {
  const auto& other = static_cast<const ChangeData&>(other_data);
  for (const auto& w : other.windows_)
    for (const auto& mine : windows_)
      if (mine.name == w.name) {
        Error e(ErrorCode::kDuplicateKey, "a change window named \"" + w.name + "\" is already loaded from " + mine.source);
        e.source = w.source;
        errors.push_back(std::move(e));
      }
  changes_.insert(changes_.end(), other.changes_.begin(), other.changes_.end());
  windows_.insert(windows_.end(), other.windows_.begin(), other.windows_.end());
  budget_.insert(budget_.end(), other.budget_.begin(), other.budget_.end());
}

void ChangeData::finalize() {
  if (finalized_) return;
  finalized_ = true;
  for (uint32_t i = 0; i < changes_.size(); ++i) {
    const Change& c = changes_[i];
    if (!c.has_start || !c.has_end || c.end <= c.start) continue;
    Lifecycle l = c.lifecycle();
    if (l == Lifecycle::kScheduled) {
      for (const auto& t : c.targets) by_target_[t].spans.push_back({c.start, c.end, i});
      if (!c.assignee.empty()) by_assignee_[c.assignee].spans.push_back({c.start, c.end, i});
    } else if (l == Lifecycle::kDone) {
      if (!c.team.empty()) team_done_[c.team].push_back({c.end, c.failed()});
      if (!c.assignee.empty()) assignee_done_[c.assignee].push_back({c.end, c.failed()});
    }
  }
  for (auto* index : {&by_target_, &by_assignee_})
    for (auto& [k, list] : *index) {
      std::sort(list.spans.begin(), list.spans.end(),
                [](const Span& a, const Span& b) { return a.start != b.start ? a.start < b.start : a.change < b.change; });
      for (const Span& s : list.spans) list.longest = std::max(list.longest, s.end - s.start);
    }
  for (auto* index : {&team_done_, &assignee_done_})
    for (auto& [k, list] : *index)
      std::sort(list.begin(), list.end(), [](const Finished& a, const Finished& b) { return a.end < b.end; });
}

void ChangeData::overlapping(const std::unordered_map<std::string, SpanList>& index, std::string_view key, int64_t a, int64_t b,
                             std::vector<uint32_t>& out) {
  auto it = index.find(std::string(key));
  if (it == index.end()) return;
  const SpanList& list = it->second;
  // Spans starting before b, scanned backwards until none can still reach a.
  auto end = std::lower_bound(list.spans.begin(), list.spans.end(), b, [](const Span& s, int64_t t) { return s.start < t; });
  for (auto s = end; s != list.spans.begin();) {
    --s;
    if (s->start < a - list.longest) break;
    if (s->end > a) out.push_back(s->change);
  }
}

void ChangeData::overlapping_on_target(std::string_view item, int64_t a, int64_t b, std::vector<uint32_t>& out) const {
  overlapping(by_target_, item, a, b, out);
}

void ChangeData::overlapping_for_assignee(std::string_view assignee, int64_t a, int64_t b, std::vector<uint32_t>& out) const {
  overlapping(by_assignee_, assignee, a, b, out);
}

ChangeData::History ChangeData::history(const std::unordered_map<std::string, std::vector<Finished>>& index, std::string_view key,
                                        int64_t a, int64_t b) {
  History h;
  auto it = index.find(std::string(key));
  if (it == index.end()) return h;
  auto lo = std::lower_bound(it->second.begin(), it->second.end(), a, [](const Finished& f, int64_t t) { return f.end < t; });
  for (auto f = lo; f != it->second.end() && f->end < b; ++f) {
    ++h.finished;
    if (f->failed) ++h.failed;
  }
  return h;
}

ChangeData::History ChangeData::team_history(std::string_view team, int64_t a, int64_t b) const {
  return history(team_done_, team, a, b);
}

ChangeData::History ChangeData::assignee_history(std::string_view assignee, int64_t a, int64_t b) const {
  return history(assignee_done_, assignee, a, b);
}

}  // namespace verdict::change
