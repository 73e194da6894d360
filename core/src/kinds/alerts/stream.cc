// AlertDedup over a stream: dedup, grouping with Alertmanager's timers and notification
// log, inhibition, silences, rate limits, flap detection; snapshot and restore.
#include "kinds/alerts/stream.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cmdb/cmdb.h"
#include "document/document_internal.h"
#include "time/time.h"
#include "policy/policy.h"

namespace verdict::alerts {

const char* decision_name(Decision d) {
  switch (d) {
    case kNew: return "new";
    case kGrouped: return "grouped";
    case kDuplicate: return "duplicate";
    case kResolved: return "resolved";
    case kSilenced: return "silenced";
    case kInhibited: return "inhibited";
    case kRateLimited: return "rate_limited";
    case kFlapping: return "flapping";
    case kUnknownResolved: return "unknown_resolved";
    case kAcknowledged: return "acknowledged";
    case kIgnored: return "ignored";
    default: return "?";
  }
}

namespace {

// The times a stream accepts (events, now) and a restored state may hold: 1900-01-01 to
// 2200-01-01, so that a time plus any interval stays far from overflow. (A hand-edited timer of
// INT64_MIN once overflowed into 745,515 flushes stamped 2262.)
constexpr int64_t kOldestTime = -2208988800LL * datetime::kNanosPerSecond;
constexpr int64_t kNewestTime = 7258118400LL * datetime::kNanosPerSecond;

int64_t saturating_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

void collect_routes(const Route& r, std::vector<const Route*>& out) {
  out.push_back(&r);
  for (const Route& c : r.routes) collect_routes(c, out);
}

// The route's path of names in DFS order, as `verdict test --coverage` names routes: an
// unnamed root is "root", an unnamed route below it (or one named "route") "route-N" (N: its
// place among its siblings, from 1), so that unnamed siblings stay apart.
void collect_route_paths(const Route& r, const std::string& path, std::vector<std::string>& out) {
  out.push_back(path);
  for (size_t i = 0; i < r.routes.size(); ++i) {
    const Route& c = r.routes[i];
    // The loader names an unnamed route "route" (alert_dedup.cc).
    const bool unnamed = c.name.empty() || c.name == "route";
    collect_route_paths(c, path + "/" + (unnamed ? "route-" + std::to_string(i + 1) : c.name), out);
  }
}

uint64_t equal_hash(const LabelView& labels, const std::vector<std::string>& equal) {
  uint64_t h = 14695981039346656037ULL;
  for (const auto& name : equal) {
    h = fnv1a(label_value(labels, name), h);
    h = (h ^ 0xff) * 1099511628211ULL;
  }
  return h;
}

}  // namespace

Stream::Stream(std::shared_ptr<const policy::AlertDedupPolicy> policy, const CmdbIndex* cmdb)
    : schedule_(ScheduleLess{this}) {
  rebind(std::move(policy), cmdb);
}

void Stream::rebind(std::shared_ptr<const policy::AlertDedupPolicy> policy, const CmdbIndex* cmdb) {
  policy_ = std::move(policy);
  spec_ = &policy_->spec;
  cmdb_ = cmdb;
  route_list_.clear();
  collect_routes(spec_->route, route_list_);
  route_paths_.clear();
  collect_route_paths(spec_->route, spec_->route.name.empty() ? "root" : spec_->route.name, route_paths_);
  longest_interval_ = 0;
  for (const Route* r : route_list_)
    longest_interval_ = std::max({longest_interval_, r->opts.group_wait, r->opts.group_interval, r->opts.repeat_interval});
  // Silence slots: the policy's first, then the run-time ones that are still alive.
  std::vector<SilenceSlot> old = std::move(slots_);
  slots_.clear();
  for (const Silence& s : spec_->silences) slots_.push_back({&s, false, false});
  for (const SilenceSlot& s : old)
    if (s.runtime && !s.dead) slots_.push_back(s);
  source_buckets_.clear();
  bucket_values_.clear();
  bucket_of_.assign(spec_->inhibit_rules.size(), {});
  ci_buckets_.clear();
  ci_bucket_of_.clear();
  rate_.resize(spec_->rate_limits.size());
  for (uint32_t i = 0; i < alerts_.size(); ++i) {
    derive(alerts_[i]);
    if (alerts_[i].firing) set_active(i, true);
  }
}

// The regex work of matching one new alert's labels against the policy (routes, inhibition
// rules, silences), charged like the language's matches() and TriageRouting's route matchers:
// a step per 64 bytes of the label a regex matcher reads, from PushContext::max_steps. Without
// it, 1,000 routes of a DFA-heavy pattern over a 1 MiB label took a minute for one alert.
struct Stream::RegexBudget {
  uint64_t steps = 0, max_steps = 0;
  std::string over;  // what the first charge over the budget was matching ("" while within it)
  bool charge(const LabelMatcher& m, std::string_view v, const std::string& where) {
    if (!over.empty()) return false;
    steps += v.size() / 64;
    if (steps <= max_steps) return true;
    over = "evaluation exceeded " + std::to_string(max_steps) +
           " steps (limit max_steps; a regex match costs a step per 64 bytes): the matcher " + m.text + " of " + where +
           " over " + m.name + " of " + std::to_string(v.size()) + " bytes: this new alert is refused";
    return false;
  }
};

// What an alert's labels say under the policy and the CMDB: its routes, its sides of each
// inhibition rule, the silences that match it, its CI's dependencies, its rate-limit keys.
// With a budget, every regex match is charged to it first, and over it nothing is changed
// but `a` and false is returned.
bool Stream::derive(AlertRec& a, RegexBudget* budget) {
  d_routes_.clear();
  thread_local std::vector<const Route*> path;
  thread_local std::string where;
  auto lookup = [&](std::string_view name) { return label_value(a.view, name); };
  if (!budget) {
    alertmanager::match_routes(spec_->route, lookup, d_routes_, path);
  } else if (!alertmanager::match_routes(
                 spec_->route, lookup,
                 [&](const Route& r, const LabelMatcher& m, std::string_view v) {
                   where.assign("route ").append(r.opts.key);
                   return budget->charge(m, v, where);
                 },
                 d_routes_, path)) {
    return false;
  }
  // Which side of each rule, and which silences: matched (and charged) before anything shared
  // is touched.
  thread_local std::vector<uint8_t> sides;  // per rule: 1 target, 2 source
  thread_local std::vector<uint32_t> silences;
  sides.assign(spec_->inhibit_rules.size(), 0);
  silences.clear();
  for (uint32_t r = 0; r < spec_->inhibit_rules.size(); ++r) {
    const InhibitRule& rule = spec_->inhibit_rules[r];
    auto side = [&](const std::vector<LabelMatcher>& ms, const char* which) {
      if (!budget) return matches_all(ms, a.view);
      return matches_all(ms, a.view, [&](const LabelMatcher& m, std::string_view v) {
        where.assign("inhibit_rules[").append(std::to_string(r)).append("].").append(which);
        return budget->charge(m, v, where);
      });
    };
    sides[r] = static_cast<uint8_t>((side(rule.target, "target_matchers") ? 1 : 0) | (side(rule.source, "source_matchers") ? 2 : 0));
  }
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].dead) continue;
    const Silence& sil = *slots_[i].silence;
    bool on = !budget ? matches_all(sil.matchers, a.view)
                      : matches_all(sil.matchers, a.view, [&](const LabelMatcher& m, std::string_view v) {
                          where.assign("silence \"").append(sil.id).append("\"");
                          return budget->charge(m, v, where);
                        });
    if (on) silences.push_back(i);
  }
  if (budget && !budget->over.empty()) return false;
  d_target_.clear();
  d_source_.clear();
  for (uint32_t r = 0; r < spec_->inhibit_rules.size(); ++r) {
    const InhibitRule& rule = spec_->inhibit_rules[r];
    bool t = (sides[r] & 1) != 0, s = (sides[r] & 2) != 0;
    if (!t && !s) continue;
    uint64_t h = equal_hash(a.view, rule.equal);
    std::vector<uint32_t>& candidates = bucket_of_[r][h];
    uint32_t bucket = UINT32_MAX;
    for (uint32_t b : candidates) {
      bool same = true;
      for (size_t k = 0; k < rule.equal.size() && same; ++k) same = bucket_values_[b][k] == label_value(a.view, rule.equal[k]);
      if (same) bucket = b;
    }
    if (bucket == UINT32_MAX) {
      bucket = static_cast<uint32_t>(source_buckets_.size());
      source_buckets_.emplace_back();
      std::vector<std::string> values;
      for (const auto& name : rule.equal) values.emplace_back(label_value(a.view, name));
      bucket_values_.push_back(std::move(values));
      candidates.push_back(bucket);
    }
    if (t) d_target_.push_back({r, bucket, s});
    if (s) d_source_.push_back({r, bucket, t});
  }
  a.silences.assign(silences.begin(), silences.end());
  a.ci_item = -1;
  a.ci_bucket = -1;
  d_deps_.clear();
  d_dep_buckets_.clear();
  auto ci_bucket = [&](uint32_t item) {
    auto [it, fresh] = ci_bucket_of_.try_emplace(item, static_cast<uint32_t>(ci_buckets_.size()));
    if (fresh) ci_buckets_.emplace_back();
    return it->second;
  };
  if (spec_->cmdb_inhibition && cmdb_) {
    std::string_view ci = label_value(a.view, spec_->cmdb_label);
    if (!ci.empty()) a.ci_item = static_cast<int32_t>(cmdb_->index_of(ci));
    if (a.ci_item >= 0) {
      // Breadth-first over depends_on: what this CI needs, nearest first.
      std::vector<uint32_t> frontier{static_cast<uint32_t>(a.ci_item)};
      std::vector<uint32_t> seen{static_cast<uint32_t>(a.ci_item)};
      for (uint32_t depth = 0; depth < spec_->cmdb_max_depth && !frontier.empty(); ++depth) {
        std::vector<uint32_t> next;
        for (uint32_t item : frontier) {
          for (uint32_t dep : cmdb_->items()[item].depends_on) {
            if (std::find(seen.begin(), seen.end(), dep) != seen.end()) continue;
            seen.push_back(dep);
            next.push_back(dep);
            d_deps_.push_back(dep);
          }
        }
        frontier = std::move(next);
      }
      a.ci_bucket = static_cast<int32_t>(ci_bucket(static_cast<uint32_t>(a.ci_item)));
      for (uint32_t dep : d_deps_) d_dep_buckets_.push_back(ci_bucket(dep));
    }
  }
  d_rate_.clear();
  for (const RateLimit& rl : spec_->rate_limits) {
    uint64_t h = 14695981039346656037ULL;
    for (const auto& name : rl.by) {
      h = fnv1a(label_value(a.view, name), h);
      h = (h ^ 0xff) * 1099511628211ULL;
    }
    d_rate_.push_back(h);
  }
  a.derived.assign(d_rate_, d_routes_, d_target_, d_source_, d_deps_, d_dep_buckets_);
  return true;
}

// Keeps the indexes of firing alerts (inhibition sources, CMDB items) up to date.
void Stream::set_active(uint32_t idx, bool on) {
  AlertRec& a = alerts_[idx];
  auto edit = [&](std::vector<uint32_t>& v) {
    if (on) {
      if (std::find(v.begin(), v.end(), idx) == v.end()) v.push_back(idx);
    } else {
      auto it = std::find(v.begin(), v.end(), idx);
      if (it != v.end()) {
        *it = v.back();
        v.pop_back();
      }
    }
  };
  for (const auto& s : a.as_source()) edit(source_buckets_[s.bucket]);
  if (a.ci_bucket >= 0) edit(ci_buckets_[static_cast<size_t>(a.ci_bucket)]);
}

const Silence* Stream::silenced_by(const AlertRec& a, int64_t t) const {
  for (uint32_t slot : a.silences) {
    const SilenceSlot& s = slots_[slot];
    if (s.dead) continue;
    const Silence& sil = *s.silence;
    bool on = sil.recurring() ? in_any_window(*spec_, sil.windows, t) : (sil.starts_at <= t && t <= sil.ends_at);
    if (on) return &sil;
  }
  return nullptr;
}

const Stream::AlertRec* Stream::inhibited_by(uint32_t idx, int64_t t, std::string_view& rule_name,
                                             std::string_view& ci) const {
  const AlertRec& a = alerts_[idx];
  for (const auto& side : a.as_target()) {
    const InhibitRule& rule = spec_->inhibit_rules[side.rule];
    const AlertRec* best = nullptr;
    for (uint32_t si : source_buckets_[side.bucket]) {
      if (si == idx) continue;
      const AlertRec& s = alerts_[si];
      if (!active(s, t)) continue;
      // A source that also matches the target side does not inhibit an alert that
      // matches both sides (Alertmanager's excludeTwoSidedMatch).
      if (side.both) {
        bool s_target = false;
        for (const auto& ss : s.as_source())
          if (ss.rule == side.rule) s_target = ss.both;
        if (s_target) continue;
      }
      if (!best || s.key < best->key) best = &s;
    }
    if (best) {
      rule_name = rule.name;
      return best;
    }
  }
  const auto deps = a.cmdb_deps();
  const auto dep_buckets = a.dep_buckets();
  for (size_t d = 0; d < deps.size(); ++d) {
    uint32_t dep = deps[d];
    const AlertRec* best = nullptr;
    for (uint32_t si : ci_buckets_[dep_buckets[d]]) {
      const AlertRec& s = alerts_[si];
      if (si == idx || !active(s, t)) continue;
      if (!best || s.key < best->key) best = &s;
    }
    if (best) {
      rule_name = "cmdb";
      ci = cmdb_->items()[dep].id;
      return best;
    }
  }
  return nullptr;
}

bool Stream::flapping(const AlertRec& a, int64_t t) const {
  uint32_t n = spec_->flap_changes;
  if (n == 0 || a.changes.size() < n) return false;
  return t - a.changes[a.changes.size() - n] <= spec_->flap_within;
}

void Stream::record_change(AlertRec& a, int64_t t) {
  if (spec_->flap_changes == 0) return;
  if (a.changes.size() >= spec_->flap_changes) a.changes.erase(a.changes.begin());
  a.changes.push_back(t);
}

uint64_t Stream::key_for(const Event& ev, std::string_view& source_key) const {
  source_key = {};
  KeyMode mode = spec_->key_mode;
  if (mode == KeyMode::kAuto) mode = ev.shape == AlertShape::kPagerDuty ? KeyMode::kSource : KeyMode::kFingerprint;
  if (mode == KeyMode::kSource && !ev.source_key.empty()) {
    source_key = ev.source_key;
    return fnv1a(ev.source_key);
  }
  if (mode == KeyMode::kLabels) {
    LabelView subset;
    for (const auto& l : ev.labels)
      if (std::find(spec_->key_labels.begin(), spec_->key_labels.end(), l.first) != spec_->key_labels.end())
        subset.push_back(l);
    return fingerprint(subset);
  }
  return fingerprint(ev.labels);
}

std::string_view StringPool::entry(const char* p) {
  uint32_t n = 0;
  std::memcpy(&n, p, sizeof n);
  return {p + sizeof n, n};
}

std::string_view StringPool::intern(std::string_view s) {
  if (s.empty()) return {};
  if ((count_ + 1) * 2 > slots_.size()) grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(fnv1a(s)) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == nullptr) {
      slots_[i] = store(s);
      ++count_;
      return entry(slots_[i]);
    }
    if (std::string_view v = entry(slots_[i]); v == s) return v;
  }
}

const char* StringPool::store(std::string_view s) {
  // A label is part of one input document (Limits::max_document_bytes, 256 MiB by default).
  const uint32_t n = static_cast<uint32_t>(s.size());
  const size_t need = sizeof n + s.size();
  if (used_ + need > capacity_) {
    capacity_ = std::max<size_t>(need, 16384);
    chunks_.push_back(std::unique_ptr<char[]>(new char[capacity_]));  // not zeroed
    used_ = 0;
  }
  char* p = chunks_.back().get() + used_;
  std::memcpy(p, &n, sizeof n);
  std::copy(s.begin(), s.end(), p + sizeof n);
  used_ += need;
  return p;
}

void StringPool::grow() {
  std::vector<const char*> old = std::move(slots_);
  slots_.assign(old.empty() ? 256 : old.size() * 2, nullptr);
  size_t mask = slots_.size() - 1;
  for (const char* p : old) {
    if (p == nullptr) continue;
    size_t i = static_cast<size_t>(fnv1a(entry(p))) & mask;
    while (slots_[i] != nullptr) i = (i + 1) & mask;
    slots_[i] = p;
  }
}

void Stream::set_labels(AlertRec& a, const LabelView& sorted) {
  a.view.clear();
  a.view.reserve(sorted.size());
  for (const auto& [n, v] : sorted) a.view.emplace_back(intern(n), intern(v));
}

uint32_t Stream::create_alert(uint64_t key, const Event& ev, std::string_view source_key, RegexBudget& budget) {
  uint32_t idx = static_cast<uint32_t>(alerts_.size());
  AlertRec& a = alerts_.emplace_back();
  a.key = key;
  a.source_key = intern(source_key);
  set_labels(a, ev.labels);
  a.firing = false;
  if (!derive(a, &budget)) {
    alerts_.pop_back();
    return KeyIndex::kNone;
  }
  by_key_.insert(key, idx);
  return idx;
}

void Stream::schedule(uint32_t gid, int64_t at) {
  unschedule(gid);
  groups_[gid].scheduled = true;
  groups_[gid].next = at;
  schedule_.insert({at, gid});
}

void Stream::unschedule(uint32_t gid) {
  GroupRec& g = groups_[gid];
  if (g.scheduled) schedule_.erase({g.next, gid});
  g.scheduled = false;
}

uint32_t Stream::group_for(const Route& r, const AlertRec& a) {
  tmp_.clear();
  tmp_ += r.opts.key;
  tmp_.push_back(':');
  if (r.opts.group_all) {
    append_label_set(tmp_, a.view);
  } else {
    LabelView gl;
    for (const auto& name : r.opts.group_by)
      for (const auto& l : a.view)
        if (l.first == name) gl.push_back(l);
    append_label_set(tmp_, gl);
  }
  auto it = group_ids_.find(tmp_);
  if (it != group_ids_.end()) return it->second;
  uint32_t gid = static_cast<uint32_t>(groups_.size());
  GroupRec& g = groups_.emplace_back();
  g.key = tmp_;
  g.route = static_cast<uint32_t>(std::find(route_list_.begin(), route_list_.end(), &r) - route_list_.begin());
  group_ids_.emplace(g.key, gid);
  return gid;
}

// Puts the alert into its groups unless a rate limit refuses it; a refused alert tries
// again with its next firing event.
bool Stream::admit(uint32_t idx, int64_t t, std::string_view& limit_name) {
  AlertRec& a = alerts_[idx];
  for (size_t i = 0; i < spec_->rate_limits.size(); ++i) {
    const RateLimit& rl = spec_->rate_limits[i];
    int64_t window = t >= 0 ? t / rl.per * rl.per : -((-t + rl.per - 1) / rl.per) * rl.per;
    auto it = rate_[i].find(a.rate_keys()[i]);
    if (it != rate_[i].end() && it->second.window == window && it->second.count >= rl.max) {
      limit_name = rl.name;
      return false;
    }
  }
  for (size_t i = 0; i < spec_->rate_limits.size(); ++i) {
    const RateLimit& rl = spec_->rate_limits[i];
    int64_t window = t >= 0 ? t / rl.per * rl.per : -((-t + rl.per - 1) / rl.per) * rl.per;
    auto [it, fresh] = rate_[i].try_emplace(a.rate_keys()[i]);
    if (fresh) {
      LabelView kv;
      for (const auto& name : rl.by) kv.emplace_back(name, label_value(a.view, name));
      append_label_set(it->second.key, kv);
    }
    if (it->second.window != window || fresh) {
      it->second.window = window;
      it->second.count = 0;
    }
    ++it->second.count;
  }
  for (const Route* r : a.routes()) {
    uint32_t gid = group_for(*r, a);
    GroupRec& g = groups_[gid];
    if (std::find(g.alerts.begin(), g.alerts.end(), idx) != g.alerts.end()) continue;
    g.alerts.push_back(idx);
    a.groups.push_back(gid);
    if (!g.scheduled) schedule(gid, t + r->opts.group_wait);
    // Alertmanager: an alert that started longer than group_wait ago flushes a group that
    // has not flushed yet right away.
    if (!g.flushed && a.starts_at + r->opts.group_wait < t && g.next > t) schedule(gid, t);
  }
  return true;
}

// Without new events, a group's flush can only turn out differently when time passes one of:
// the repeat deadline, an alert's (or an inhibiting source's) endsAt, a silence's start or end,
// a window's edge, the end of a flap period. Flushes on the group_interval grid before the
// first of these send nothing and change nothing, so they are skipped (a stream with a long
// gap between events, or a far-future event, costs one flush per group, not one per interval).
int64_t Stream::next_flush(const GroupRec& g, const Route& r, int64_t t, int64_t until) const {
  const int64_t step = r.opts.group_interval;
  int64_t h = INT64_MAX;
  auto consider = [&](int64_t x) {
    if (x > t && x < h) h = x;
  };
  if (g.notified) consider(g.last_at + r.opts.repeat_interval + 1);
  for (int w : r.opts.mute_windows) consider(spec_->windows[static_cast<size_t>(w)].next_change(t));
  for (int w : r.opts.active_windows) consider(spec_->windows[static_cast<size_t>(w)].next_change(t));
  for (uint32_t idx : g.alerts) {
    const AlertRec& a = alerts_[idx];
    if (a.ends_at) consider(a.ends_at);
    if (spec_->flap_changes && a.changes.size() >= spec_->flap_changes)
      consider(a.changes[a.changes.size() - spec_->flap_changes] + spec_->flap_within + 1);
    for (uint32_t slot : a.silences) {
      const SilenceSlot& s = slots_[slot];
      if (s.dead) continue;
      if (s.silence->recurring()) {
        for (int w : s.silence->windows) consider(spec_->windows[static_cast<size_t>(w)].next_change(t));
      } else {
        consider(s.silence->starts_at);
        consider(s.silence->ends_at + 1);
      }
    }
    for (const auto& side : a.as_target())
      for (uint32_t si : source_buckets_[side.bucket])
        if (alerts_[si].ends_at) consider(alerts_[si].ends_at);
    for (uint32_t b : a.dep_buckets())
      for (uint32_t si : ci_buckets_[b])
        if (alerts_[si].ends_at) consider(alerts_[si].ends_at);
  }
  // Skip no further than `until`: an event may come then, and the schedule after it must be
  // the one an unskipped run has.
  int64_t target = std::min(h, until);
  if (target <= t + step) return t + step;
  int64_t k = (target - t + step - 1) / step;
  return t + k * step;
}

void Stream::flush_due(int64_t t, PushContext& c) {
  while (!schedule_.empty() && schedule_.begin()->first <= t) {
    auto [at, gid] = *schedule_.begin();
    schedule_.erase(schedule_.begin());
    groups_[gid].scheduled = false;
    flush(gid, at, t, c);
  }
}

void Stream::flush(uint32_t gid, int64_t t, int64_t until, PushContext& c) {
  GroupRec& g = groups_[gid];
  const Route& r = *route_list_[g.route];
  std::vector<uint64_t> firing, resolved;
  std::string_view rule, ci;
  for (uint32_t idx : g.alerts) {
    const AlertRec& a = alerts_[idx];
    bool is_resolved = !active(a, t);
    bool muted = silenced_by(a, t) || inhibited_by(idx, t, rule, ci) || (!is_resolved && flapping(a, t));
    if (muted) continue;
    (is_resolved ? resolved : firing).push_back(a.key);
  }
  std::sort(firing.begin(), firing.end());
  std::sort(resolved.begin(), resolved.end());
  bool route_muted = in_any_window(*spec_, r.opts.mute_windows, t) ||
                     (!r.opts.active_windows.empty() && !in_any_window(*spec_, r.opts.active_windows, t));
  // Alertmanager's DedupStage.needsUpdate against the group's last notification.
  const char* reason = nullptr;
  auto subset = [](const std::vector<uint64_t>& part, const std::vector<uint64_t>& whole) {
    return std::includes(whole.begin(), whole.end(), part.begin(), part.end());
  };
  if (firing.empty() && resolved.empty()) {
    // Every alert is muted (silenced, inhibited, flapping): Alertmanager's pipeline stops
    // before its dedup stage, so nothing is sent and the notification log is unchanged.
  } else if (!g.notified) {
    if (!firing.empty()) reason = "first";
  } else if (!subset(firing, g.last_firing)) {
    reason = "new_alerts";
  } else if (firing.empty()) {
    if (!g.last_firing.empty()) reason = "resolved";
  } else if (spec_->send_resolved && !subset(resolved, g.last_resolved)) {
    reason = "resolved";
  } else if (g.last_at < t - r.opts.repeat_interval) {
    reason = "repeat";
  }
  // Explain: the route and its windows in effect ("muted" when they held the notification back).
  auto explain_route = [&](JsonWriter& w) {
    w.key("route").string(route_paths_[g.route]).key("windows").begin_array();
    for (const std::vector<int>* ws : {&r.opts.mute_windows, &r.opts.active_windows})
      for (int wi : *ws)
        if (spec_->windows[static_cast<size_t>(wi)].contains(t)) w.string(spec_->windows[static_cast<size_t>(wi)].name);
    w.end_array();
  };
  if (reason && route_muted && c.explain) {
    JsonWriter& w = w_;
    w.clear();
    tmp_.clear();
    append_rfc3339(tmp_, t);
    w.begin_object().key("type").string("muted").key("at").string(tmp_).key("group").string(g.key);
    w.key("receiver").string(r.opts.receiver).key("reason").string(reason);
    explain_route(w);
    w.end_object();
    c.out->append(w.view());
    c.out->push_back('\n');
  }
  if (reason && !route_muted) {
    ++stats_.notifications;
    JsonWriter& w = w_;
    w.clear();
    w.begin_object().key("type").string("notification");
    tmp_.clear();
    append_rfc3339(tmp_, t);
    w.key("at").string(tmp_).key("group").string(g.key).key("receiver").string(r.opts.receiver).key("reason").string(reason);
    if (c.explain) explain_route(w);
    w.key("firing").begin_array();
    for (uint64_t k : firing) {
      tmp_.clear();
      append_hex16(tmp_, k);
      w.string(tmp_);
    }
    w.end_array().key("resolved").begin_array();
    if (spec_->send_resolved)
      for (uint64_t k : resolved) {
        tmp_.clear();
        append_hex16(tmp_, k);
        w.string(tmp_);
      }
    w.end_array().end_object();
    c.out->append(w.view());
    c.out->push_back('\n');
    g.notified = true;
    g.last_at = t;
    g.last_firing = std::move(firing);
    g.last_resolved = std::move(resolved);
  }
  g.flushed = true;
  // Resolved alerts leave the group after its flush.
  for (size_t i = 0; i < g.alerts.size();) {
    AlertRec& a = alerts_[g.alerts[i]];
    if (!active(a, t)) {
      auto it = std::find(a.groups.begin(), a.groups.end(), gid);
      if (it != a.groups.end()) a.groups.erase(it);
      g.alerts.erase(g.alerts.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  if (!g.alerts.empty()) {
    schedule(gid, next_flush(g, r, t, until));
  } else {
    g.flushed = false;  // an empty group is gone; the next alert waits group_wait again
  }
}

std::string Stream::check_gap(int64_t t) const {
  if (t < kOldestTime || t > kNewestTime) return "the time " + datetime::format_rfc3339(t) + " is outside 1900-01-01..2200-01-01";
  if (!has_clock_ || t <= clock_ || t - clock_ <= spec_->max_gap) return {};
  return "the time " + datetime::format_rfc3339(t) + " is more than " + datetime::format_duration(spec_->max_gap) +
         " after the stream's clock " + datetime::format_rfc3339(clock_) +
         " (time.max_gap): start a new state, or raise time.max_gap";
}

void Stream::advance(int64_t now, PushContext& c) {
  flush_due(now, c);
  if (!has_clock_ || now > clock_) clock_ = now;
  has_clock_ = true;
}

void Stream::report_error(Error e, size_t line, int64_t index, size_t offset, PushContext& c) {
  ++stats_.errors;
  e.source = c.source;
  e.line = static_cast<int64_t>(line);
  e.offset = static_cast<int64_t>(offset);
  if (index >= 0) e.message = "alert " + std::to_string(index) + ": " + e.message;
  JsonWriter& w = w_;
  w.clear();
  w.begin_object().key("type").string("error").key("line").number(static_cast<int64_t>(line));
  if (index >= 0) w.key("index").number(index);
  w.key("errors");
  policy::write_errors(w, {e});
  w.end_object();
  c.out->append(w.view());
  c.out->push_back('\n');
  if (c.errors) c.errors->push_back(std::move(e));
}

void Stream::push_error(const Error& e, size_t line, PushContext& c) {
  ++stats_.events;
  report_error(e, line, -1, e.offset >= 0 ? static_cast<size_t>(e.offset) : 0, c);
}

bool Stream::event_time(const Event& ev, const PushContext& c, int64_t& t, std::string& why) const {
  bool explicit_time = true;
  if (ev.has_at) t = ev.at;
  else if (c.has_now) t = c.now;
  else if (c.has_received) {
    t = std::max(c.received, has_clock_ ? clock_ : c.received);  // receipt time: never before the clock
    explicit_time = false;
  } else if (ev.status == EventStatus::kResolved && ev.has_ends) t = ev.ends_at;
  else if (ev.has_starts) {
    t = ev.starts_at;
    explicit_time = false;  // a long-running alert's start is old by nature
  } else if (has_clock_) {
    t = clock_;
  } else {
    why = "the event has no time: give it an \"at\" (or startsAt / endsAt), or give now";
    return false;
  }
  if (c.has_now && t > c.now + spec_->max_future) {
    why = "the event time " + datetime::format_rfc3339(t) + " is in the future (more than " +
          datetime::format_duration(spec_->max_future) + " after now " + datetime::format_rfc3339(c.now) + ")";
    return false;
  }
  bool has_ref = has_clock_ || c.has_now;
  int64_t ref = c.has_now ? (has_clock_ ? std::max(c.now, clock_) : c.now) : clock_;
  if (explicit_time && has_ref && t < ref - spec_->max_late) {
    why = "the event time " + datetime::format_rfc3339(t) + " is too far in the past (more than " +
          datetime::format_duration(spec_->max_late) + " before " + datetime::format_rfc3339(ref) + ")";
    return false;
  }
  why = check_gap(t);
  return why.empty();
}

struct Extra {
  bool joined = false;  // the event put the alert into its groups
  const Silence* silence = nullptr;
  const void* inhibitor = nullptr;
  std::string_view rule, ci, limit;
};

// The hot path: written with direct appends (every number through verdict's own
// formatters, strings through append_json_string), not a JsonWriter per line.
void Stream::write_alert_decision(const AlertRec& a, Decision d, size_t line, int64_t index, int64_t t, PushContext& c,
                                  bool reopened, const void* extra_ptr) {
  const Extra& x = *static_cast<const Extra*>(extra_ptr);
  ++stats_.by_decision[d];
  std::string& o = *c.out;
  o += "{\"type\":\"alert\",\"line\":";
  append_json_uint(o, line);
  if (index >= 0) {
    o += ",\"index\":";
    append_json_int(o, index);
  }
  o += ",\"at\":\"";
  append_rfc3339(o, t);
  o += "\",\"fingerprint\":\"";
  append_hex16(o, a.key);
  o += '"';
  if (!a.source_key.empty()) {
    o += ",\"dedup_key\":";
    append_json_string(o, a.source_key);
  }
  o += ",\"decision\":\"";
  o += decision_name(d);
  o += a.firing ? "\",\"status\":\"firing\"" : "\",\"status\":\"resolved\"";
  if (d == kDuplicate) {
    o += ",\"duplicate_of\":\"";
    append_hex16(o, a.key);
    o += '"';
  }
  if (reopened) o += ",\"reopened\":true";
  o += ",\"count\":";
  append_json_uint(o, a.count);
  if (a.first_seen != t) {
    o += ",\"first_seen\":\"";
    append_rfc3339(o, a.first_seen);
    o += '"';
  }
  if (x.silence) {
    o += ",\"silenced_by\":";
    append_json_string(o, x.silence->id);
  }
  if (x.inhibitor) {
    const AlertRec& s = *static_cast<const AlertRec*>(x.inhibitor);
    o += ",\"inhibited_by\":{\"alert\":\"";
    append_hex16(o, s.key);
    o += "\",\"rule\":";
    append_json_string(o, x.rule);
    if (!x.ci.empty()) {
      o += ",\"ci\":";
      append_json_string(o, x.ci);
    }
    o += '}';
  }
  if (!x.limit.empty()) {
    o += ",\"rate_limit\":";
    append_json_string(o, x.limit);
  }
  if (d == kFlapping) {
    o += ",\"changes\":";
    append_json_uint(o, a.changes.size());
  }
  // The groups are told when the event puts the alert into them and when it resolves; a
  // duplicate's are those it joined before (this keeps a storm's output small).
  if (!a.groups.empty() && (x.joined || d == kResolved)) {
    o += ",\"groups\":[";
    for (size_t i = 0; i < a.groups.size(); ++i) {
      const GroupRec& g = groups_[a.groups[i]];
      if (i) o += ',';
      o += "{\"key\":";
      append_json_string(o, g.key);
      o += ",\"receiver\":";
      append_json_string(o, route_list_[g.route]->opts.receiver);
      if (c.explain) {
        o += ",\"route\":";
        append_json_string(o, route_paths_[g.route]);
      }
      if (g.scheduled) {
        o += ",\"flush_at\":\"";
        append_rfc3339(o, g.next);
        o += '"';
      }
      o += '}';
    }
    o += ']';
  }
  o += "}\n";
}

void Stream::handle_alert(Value item, AlertShape shape, size_t line, int64_t index, size_t offset, PushContext& c) {
  ++stats_.events;
  std::string why = shapes::read_alert(item, shape, ev_);
  if (!why.empty()) {
    report_error(Error(ErrorCode::kWrongType, why), line, index, offset, c);
    return;
  }
  int64_t t = 0;
  if (!event_time(ev_, c, t, why)) {
    report_error(Error(ErrorCode::kInvalidArgument, why), line, index, offset, c);
    return;
  }
  flush_due(t, c);
  if (!has_clock_ || t > clock_) clock_ = t;
  has_clock_ = true;
  t = clock_;
  // An alert whose endsAt has passed is resolved (Alertmanager's Resolved()).
  EventStatus status = ev_.status;
  if (status == EventStatus::kFiring && ev_.has_ends && ev_.ends_at <= t) status = EventStatus::kResolved;
  std::string_view source_key;
  uint64_t key = key_for(ev_, source_key);
  const uint32_t found = by_key_.find(key);
  Extra x;
  if (status == EventStatus::kPending) {
    // Not firing yet: nothing is tracked.
    ++stats_.by_decision[kIgnored];
    JsonWriter& w = w_;
    w.clear();
    w.begin_object().key("type").string("alert").key("line").number(static_cast<int64_t>(line));
    if (index >= 0) w.key("index").number(index);
    tmp_.clear();
    append_rfc3339(tmp_, t);
    w.key("at").string(tmp_);
    tmp_.clear();
    append_hex16(tmp_, key);
    w.key("fingerprint").string(tmp_).key("decision").string("ignored").key("reason").string("pending").end_object();
    c.out->append(w.view());
    c.out->push_back('\n');
    return;
  }
  if (found == KeyIndex::kNone && status != EventStatus::kFiring) {
    ++stats_.by_decision[kUnknownResolved];
    JsonWriter& w = w_;
    w.clear();
    w.begin_object().key("type").string("alert").key("line").number(static_cast<int64_t>(line));
    if (index >= 0) w.key("index").number(index);
    tmp_.clear();
    append_rfc3339(tmp_, t);
    w.key("at").string(tmp_);
    tmp_.clear();
    append_hex16(tmp_, key);
    w.key("fingerprint").string(tmp_);
    if (!source_key.empty()) w.key("dedup_key").string(source_key);
    w.key("decision").string("unknown_resolved");
    w.key("reason").string(status == EventStatus::kAcknowledged ? "acknowledge for an alert that is not known"
                                                                 : "resolve for an alert that is not known");
    w.end_object();
    c.out->append(w.view());
    c.out->push_back('\n');
    return;
  }
  const bool created = found == KeyIndex::kNone;
  if (created && alerts_.size() >= spec_->max_alerts) {
    // Refused, counted as an error, never evicted silently: the stream's memory is bounded.
    report_error(Error(ErrorCode::kLimitExceeded, "the stream already tracks " + std::to_string(alerts_.size()) +
                                                      " alerts (dedup.max_alerts): this new alert is refused"),
                 line, index, offset, c);
    return;
  }
  uint32_t idx = found;
  if (created) {
    RegexBudget budget;
    budget.max_steps = c.max_steps;
    idx = create_alert(key, ev_, source_key, budget);
    if (idx == KeyIndex::kNone) {  // refused, counted as an error, like one over max_alerts
      report_error(Error(ErrorCode::kLimitExceeded, budget.over), line, index, offset, c);
      return;
    }
  }
  AlertRec& a = alerts_[idx];
  if (status == EventStatus::kAcknowledged) {
    a.acked = true;
    write_alert_decision(a, kAcknowledged, line, index, t, c, false, &x);
    return;
  }
  if (status == EventStatus::kResolved) {
    if (active(a, t)) {
      a.firing = false;
      a.resolved_at = t;
      a.ends_at = t;
      set_active(idx, false);
      record_change(a, t);
      write_alert_decision(a, kResolved, line, index, t, c, false, &x);
    } else {
      if (a.firing) {  // resolved by its endsAt before this event
        a.firing = false;
        a.resolved_at = a.ends_at;
        set_active(idx, false);
      }
      write_alert_decision(a, kDuplicate, line, index, t, c, false, &x);
    }
    return;
  }
  // Firing.
  bool fresh = created, reopened = false;
  if (!created && !active(a, t)) {
    if (a.firing) {  // its endsAt passed without a resolve event
      a.firing = false;
      a.resolved_at = a.ends_at;
      set_active(idx, false);
    }
    if (spec_->reopen_window > 0 && t - a.resolved_at <= spec_->reopen_window) reopened = true;
    else fresh = true;
    record_change(a, t);
  }
  if (fresh) {
    a.count = 0;
    a.first_seen = t;
    a.acked = false;
  }
  bool was_active = !created && active(a, t);
  a.firing = true;
  a.last_seen = t;
  ++a.count;
  if (ev_.has_starts) a.starts_at = ev_.starts_at;
  else if (fresh) a.starts_at = t;
  a.ends_at = ev_.has_ends ? ev_.ends_at : 0;
  a.resolved_at = 0;
  if (!was_active) set_active(idx, true);
  bool limited = false;
  if (a.groups.empty()) {
    limited = !admit(idx, t, x.limit);
    x.joined = !limited;
  }
  if (!limited) x.limit = {};
  x.silence = silenced_by(a, t);
  std::string_view rule, ci;
  const AlertRec* inhibitor = x.silence ? nullptr : inhibited_by(idx, t, rule, ci);
  Decision d;
  if (x.silence) d = kSilenced;
  else if (inhibitor) {
    d = kInhibited;
    x.inhibitor = inhibitor;
    x.rule = rule;
    x.ci = ci;
  } else if (limited) d = kRateLimited;
  else if (flapping(a, t)) d = kFlapping;
  else if (fresh) {
    d = kNew;
    for (uint32_t gid : a.groups)
      if (groups_[gid].alerts.size() > 1) d = kGrouped;
  } else {
    d = kDuplicate;
  }
  write_alert_decision(a, d, line, index, t, c, reopened, &x);
}

void Stream::handle_control(Value doc, std::string_view kind, size_t line, size_t offset, PushContext& c) {
  ++stats_.events;
  bool has_at = false;
  int64_t at = 0;
  Value atv = doc.get("at");
  if (atv.exists()) {
    auto p = atv.is_string() ? datetime::parse_rfc3339(atv.as_string()) : std::nullopt;
    if (!p) {
      report_error(Error(ErrorCode::kInvalidArgument, "at is not an RFC 3339 time"), line, -1, offset, c);
      return;
    }
    has_at = true;
    at = *p;
  }
  int64_t t = has_at ? at : c.has_now ? c.now : clock_;
  if (std::string gap = check_gap(t); !gap.empty()) {
    report_error(Error(ErrorCode::kInvalidArgument, gap), line, -1, offset, c);
    return;
  }
  if (!has_at && !c.has_now && !has_clock_) {
    report_error(Error(ErrorCode::kInvalidArgument, "the " + std::string(kind) + " document has no time: give it an \"at\", or give now"),
                 line, -1, offset, c);
    return;
  }
  std::string_view id = doc.get("id").as_string();
  if (kind == "expire_silence") {
    if (id.empty()) {
      report_error(Error(ErrorCode::kInvalidArgument, "expire_silence needs the id of a silence"), line, -1, offset, c);
      return;
    }
    // A silence that has already ended is gone (a snapshot drops it too): only active and
    // pending silences can be expired.
    const int64_t current = has_clock_ ? std::max(clock_, t) : t;
    SilenceSlot* slot = nullptr;
    for (auto& s : slots_)
      if (!s.dead && s.silence->id == id && (!s.runtime || s.silence->ends_at >= current)) slot = &s;
    if (!slot) {
      report_error(Error(ErrorCode::kNotFound, "no active or pending silence with id \"" + std::string(id) + "\""), line, -1, offset, c);
      return;
    }
    if (!slot->runtime) {
      report_error(Error(ErrorCode::kInvalidArgument, "silence \"" + std::string(id) + "\" comes from the policy: change the policy to end it"),
                   line, -1, offset, c);
      return;
    }
    flush_due(t, c);
    if (t > clock_) clock_ = t;
    // Alertmanager expires a silence by setting its end to now: it stops matching after now.
    Silence& s = const_cast<Silence&>(*slot->silence);
    if (s.ends_at > clock_) s.ends_at = clock_;
    if (s.starts_at > s.ends_at) s.starts_at = s.ends_at;
  } else {
    Silence s;
    Value ms = doc.get("matchers");
    if (!ms.is_array() || ms.size() == 0) {
      report_error(Error(ErrorCode::kInvalidArgument, "a silence needs matchers: a list like [\"alertname=\\\"Watchdog\\\"\"]"), line, -1,
                   offset, c);
      return;
    }
    std::string why;
    bool ok = true;
    ms.for_each_item([&](Value m) {
      if (!m.is_string() || !parse_silence_matchers(m.as_string(), s.matchers, why)) {
        if (why.empty()) why = "a matcher is a string";
        ok = false;
        return false;
      }
      return true;
    });
    if (ok && s.matchers.empty()) {
      why = "no matcher in the list (a silence matches by at least one)";
      ok = false;
    }
    if (!ok) {
      report_error(Error(ErrorCode::kInvalidArgument, "silence matchers: " + why), line, -1, offset, c);
      return;
    }
    auto st = datetime::parse_rfc3339(doc.get("startsAt").as_string());
    auto en = datetime::parse_rfc3339(doc.get("endsAt").as_string());
    if (!st || !en) {
      report_error(Error(ErrorCode::kInvalidArgument, "a silence needs startsAt and endsAt (RFC 3339)"), line, -1, offset, c);
      return;
    }
    if (*en < *st) {
      report_error(Error(ErrorCode::kInvalidArgument, "the silence ends (" + datetime::format_rfc3339(*en) + ") before it starts (" +
                                                          datetime::format_rfc3339(*st) + ")"),
                   line, -1, offset, c);
      return;
    }
    s.starts_at = *st;
    s.ends_at = *en;
    s.comment = std::string(doc.get("comment").as_string());
    s.created_by = std::string(doc.get("createdBy").as_string());
    s.id = id.empty() ? "silence-" + std::to_string(++silence_seq_) : std::string(id);
    for (auto& slot : slots_) {
      if (!slot.dead && slot.silence->id == s.id) {
        if (!slot.runtime) {
          report_error(Error(ErrorCode::kInvalidArgument, "silence \"" + s.id + "\" comes from the policy"), line, -1, offset, c);
          return;
        }
        slot.dead = true;  // replaced
      }
    }
    flush_due(t, c);
    if (!has_clock_ || t > clock_) clock_ = t;
    has_clock_ = true;
    runtime_silences_.push_back(std::move(s));
    add_silence_slot(&runtime_silences_.back(), true);
  }
  JsonWriter& w = w_;
  w.clear();
  w.begin_object().key("type").string("silence").key("line").number(static_cast<int64_t>(line));
  tmp_.clear();
  append_rfc3339(tmp_, clock_);
  w.key("at").string(tmp_).key("action").string(kind == "expire_silence" ? "expired" : "added");
  w.key("id").string(kind == "expire_silence" ? id : std::string_view(runtime_silences_.back().id));
  w.end_object();
  c.out->append(w.view());
  c.out->push_back('\n');
}

void Stream::add_silence_slot(const Silence* s, bool runtime) {
  uint32_t slot = static_cast<uint32_t>(slots_.size());
  slots_.push_back({s, runtime, false});
  for (AlertRec& a : alerts_)
    if (matches_all(s->matchers, a.view)) a.silences.push_back(slot);
}

void Stream::push_document(Value root, size_t line, size_t offset, PushContext& c) {
  if (root.is_array()) {
    int64_t i = 0;
    root.for_each_item([&](Value item) {
      handle_alert(item, AlertShape::kAlertmanager, line, i++, offset, c);
      return true;
    });
    return;
  }
  if (!root.is_object()) {
    ++stats_.events;
    report_error(Error(ErrorCode::kWrongType, "an alert document is an object or an array of alerts"), line, -1, offset, c);
    return;
  }
  // Which shape: one pass over the top-level keys.
  Value alerts, version, data, event_action, kind_v, org_id;
  {
    simdjson::dom::object o = ValueAccess::element(root).get_object().value_unsafe();
    for (auto kv : o) {
      std::string_view k = kv.key;
      if (k == "alerts") alerts = ValueAccess::wrap(kv.value);
      else if (k == "version") version = ValueAccess::wrap(kv.value);
      else if (k == "data") data = ValueAccess::wrap(kv.value);
      else if (k == "event_action") event_action = ValueAccess::wrap(kv.value);
      else if (k == "kind") kind_v = ValueAccess::wrap(kv.value);
      else if (k == "orgId") org_id = ValueAccess::wrap(kv.value);
    }
  }
  if (alerts.exists()) {
    // Alertmanager's webhook is version "4"; Grafana's unified-alerting webhook (with an
    // orgId) carries the same alerts under its own version "1".
    const bool grafana = org_id.exists() && version.as_string() == "1";
    if (version.exists() && version.as_string() != "4" && !grafana) {
      ++stats_.events;
      report_error(Error(ErrorCode::kInvalidArgument, "Alertmanager webhook version " + version.to_json() + " is not supported (only \"4\")"),
                   line, -1, offset, c);
      return;
    }
    if (!alerts.is_array()) {
      ++stats_.events;
      report_error(Error(ErrorCode::kWrongType, "alerts is not an array"), line, -1, offset, c);
      return;
    }
    int64_t i = 0;
    alerts.for_each_item([&](Value item) {
      handle_alert(item, AlertShape::kAlertmanager, line, i++, offset, c);
      return true;
    });
    return;
  }
  Value data_alerts = data.get("alerts");
  if (data_alerts.is_array()) {
    int64_t i = 0;
    data_alerts.for_each_item([&](Value item) {
      handle_alert(item, AlertShape::kPrometheus, line, i++, offset, c);
      return true;
    });
    return;
  }
  if (event_action.exists()) {
    handle_alert(root, AlertShape::kPagerDuty, line, -1, offset, c);
    return;
  }
  std::string_view kind = kind_v.as_string();
  if (kind == "silence" || kind == "expire_silence") {
    handle_control(root, kind, line, offset, c);
    return;
  }
  handle_alert(root, AlertShape::kPlain, line, -1, offset, c);
}

void Stream::write_stats(JsonWriter& w) const {
  uint64_t alerts_in = 0;
  for (uint64_t n : stats_.by_decision) alerts_in += n;
  w.begin_object().key("policy").string(policy_->meta().name);
  w.key("events").number(stats_.events).key("errors").number(stats_.errors);
  w.key("notifications").number(stats_.notifications);
  double noise = 0;
  if (alerts_in > 0 && stats_.notifications < alerts_in)
    noise = std::round(10000.0 * static_cast<double>(alerts_in - stats_.notifications) / static_cast<double>(alerts_in)) / 100.0;
  w.key("noise_reduction_pct").number(noise);
  w.key("by_decision").begin_object();
  for (int d = 0; d < kDecisionCount; ++d) w.key(decision_name(static_cast<Decision>(d))).number(stats_.by_decision[d]);
  w.end_object();
  uint64_t firing = 0;
  for (const AlertRec& a : alerts_) firing += a.firing ? 1 : 0;
  uint64_t open_groups = 0;
  for (const GroupRec& g : groups_) open_groups += g.alerts.empty() ? 0 : 1;
  w.key("alerts").number(static_cast<uint64_t>(alerts_.size())).key("firing").number(firing);
  w.key("groups").number(open_groups);
  if (has_clock_) {
    std::string t;
    append_rfc3339(t, clock_);
    w.key("clock").string(t);
  }
  w.end_object();
}

// ---- snapshot -------------------------------------------------------------------------

void Stream::write_state(JsonWriter& w) const {
  std::string s;
  auto hex = [&](uint64_t v) -> std::string_view {
    s.clear();
    append_hex16(s, v);
    return s;
  };
  w.begin_object().key("policy").string(policy_->meta().name);
  w.key("has_clock").boolean(has_clock_).key("clock").number(clock_);
  w.key("silence_seq").number(silence_seq_);
  w.key("stats").begin_object().key("events").number(stats_.events).key("errors").number(stats_.errors);
  w.key("notifications").number(stats_.notifications).key("by_decision").begin_array();
  for (uint64_t n : stats_.by_decision) w.number(n);
  w.end_array().end_object();
  w.key("alerts").begin_array();
  for (const AlertRec& a : alerts_) {
    w.begin_object().key("key").string(hex(a.key));
    if (!a.source_key.empty()) w.key("source_key").string(a.source_key);
    w.key("labels").begin_object();
    for (const auto& [n, v] : a.view) w.key(n).string(v);
    w.end_object();
    w.key("firing").boolean(a.firing).key("acked").boolean(a.acked);
    w.key("first_seen").number(a.first_seen).key("last_seen").number(a.last_seen).key("starts_at").number(a.starts_at);
    w.key("ends_at").number(a.ends_at).key("resolved_at").number(a.resolved_at).key("count").number(a.count);
    w.key("changes").begin_array();
    for (int64_t t : a.changes) w.number(t);
    w.end_array().key("groups").begin_array();
    for (uint32_t g : a.groups) w.number(static_cast<uint64_t>(g));
    w.end_array().end_object();
  }
  w.end_array().key("groups").begin_array();
  for (const GroupRec& g : groups_) {
    // The route by its key (Alertmanager's Route.Key()), so that a restore finds it whatever
    // the order of the policy's routes; the index tells routes with the same key apart.
    w.begin_object().key("key").string(g.key).key("route").number(static_cast<uint64_t>(g.route));
    w.key("route_key").string(route_list_[g.route]->opts.key);
    w.key("alerts").begin_array();
    for (uint32_t a : g.alerts) w.number(static_cast<uint64_t>(a));
    w.end_array().key("scheduled").boolean(g.scheduled).key("next").number(g.next);
    w.key("flushed").boolean(g.flushed).key("notified").boolean(g.notified).key("last_at").number(g.last_at);
    w.key("last_firing").begin_array();
    for (uint64_t k : g.last_firing) w.string(hex(k));
    w.end_array().key("last_resolved").begin_array();
    for (uint64_t k : g.last_resolved) w.string(hex(k));
    w.end_array().end_object();
  }
  w.end_array().key("silences").begin_array();
  for (const SilenceSlot& slot : slots_) {
    if (!slot.runtime || slot.dead) continue;
    const Silence& sil = *slot.silence;
    if (has_clock_ && sil.ends_at < clock_) continue;  // expired for good: time only moves forward
    w.begin_object().key("id").string(sil.id).key("matchers").begin_array();
    for (const auto& m : sil.matchers) {
      std::string t;
      m.append_string(t);
      w.string(t);
    }
    w.end_array().key("starts_at").number(sil.starts_at).key("ends_at").number(sil.ends_at);
    w.key("comment").string(sil.comment).key("created_by").string(sil.created_by).end_object();
  }
  w.end_array().key("rate_limits").begin_array();
  for (size_t i = 0; i < rate_.size(); ++i) {
    // Sorted by hash so that the snapshot does not depend on the hash map's order.
    std::vector<std::pair<uint64_t, const RateBucket*>> sorted;
    for (const auto& [h, b] : rate_[i]) sorted.emplace_back(h, &b);
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    w.begin_array();
    for (const auto& [h, b] : sorted)
      w.begin_object().key("hash").string(hex(h)).key("key").string(b->key).key("window").number(b->window).key("count").number(static_cast<uint64_t>(b->count)).end_object();
    w.end_array();
  }
  w.end_array().end_object();
}

namespace {

// The state is read straight from the document reader's parse (simdjson's DOM): one parse,
// no second tree (the restore used to parse the text twice, once for the position of a
// syntax error and once into nlohmann's tree).
namespace dom = simdjson::dom;

struct Reader {
  std::string problem;
  bool fail(const std::string& where, const std::string& what) {
    if (problem.empty()) problem = where + ": " + what;
    return false;
  }
  static bool is_object(dom::element e) { return e.type() == dom::element_type::OBJECT; }
  static bool is_array(dom::element e) { return e.type() == dom::element_type::ARRAY; }
  static bool is_string(dom::element e) { return e.type() == dom::element_type::STRING; }
  // An integer of either sign (a number without fraction or exponent that fits 64 bits).
  static bool is_integer(dom::element e) {
    return e.type() == dom::element_type::INT64 || e.type() == dom::element_type::UINT64;
  }
  static bool to_i64(dom::element e, int64_t& out) {
    return e.type() == dom::element_type::INT64 && !e.get_int64().get(out);
  }
  static bool to_u64(dom::element e, uint64_t& out) {
    if (e.type() == dom::element_type::UINT64) return !e.get_uint64().get(out);
    int64_t i = 0;
    if (e.type() != dom::element_type::INT64 || e.get_int64().get(i) || i < 0) return false;
    out = static_cast<uint64_t>(i);
    return true;
  }
  bool member(dom::element o, const char* key, const std::string& where, dom::element& out) {
    if (!is_object(o)) return fail(where, "not an object");
    if (o.get_object().value_unsafe().at_key(key).get(out)) return fail(where, std::string("missing \"") + key + "\"");
    return true;
  }
  bool i64(dom::element o, const char* key, const std::string& where, int64_t& out) {
    dom::element v;
    if (!member(o, key, where, v)) return false;
    if (!to_i64(v, out)) return fail(where + "." + key, "not an integer");
    return true;
  }
  bool u64(dom::element o, const char* key, const std::string& where, uint64_t& out) {
    dom::element v;
    if (!member(o, key, where, v)) return false;
    if (!to_u64(v, out)) return fail(where + "." + key, "not a count");
    return true;
  }
  bool boolean(dom::element o, const char* key, const std::string& where, bool& out) {
    dom::element v;
    if (!member(o, key, where, v)) return false;
    if (v.get_bool().get(out)) return fail(where + "." + key, "not a boolean");
    return true;
  }
  bool str(dom::element o, const char* key, const std::string& where, std::string& out, bool optional = false) {
    dom::element v;
    if (optional && (!is_object(o) || o.get_object().value_unsafe().at_key(key).get(v))) return true;
    if (!member(o, key, where, v)) return false;
    std::string_view sv;
    if (v.get_string().get(sv)) return fail(where + "." + key, "not a string");
    out.assign(sv);
    return true;
  }
  bool array(dom::element o, const char* key, const std::string& where, dom::array& out) {
    dom::element v;
    if (!member(o, key, where, v)) return false;
    if (v.get_array().get(out)) return fail(where + "." + key, "not an array");
    return true;
  }
  bool hex(dom::element v, const std::string& where, uint64_t& out) {
    std::string_view sv;
    if (v.get_string().get(sv) || sv.size() != 16) return fail(where, "not a 16-digit hex fingerprint");
    out = 0;
    for (char ch : sv) {
      int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
      if (d < 0) return fail(where, "not a 16-digit hex fingerprint");
      out = out << 4 | static_cast<uint64_t>(d);
    }
    return true;
  }
};

}  // namespace

std::string Stream::check_time(int64_t t, std::string_view what, int64_t within) const {
  if (t < kOldestTime || t > kNewestTime)
    return "the time " + std::to_string(t) + " is outside 1900-01-01..2200-01-01 (a corrupt or hand-edited state)";
  if (within >= 0 && has_clock_ && (t > saturating_add(clock_, within) || t < clock_ - within))
    return std::string(what.empty() ? "the time" : what) + " at " + datetime::format_rfc3339(t) + " is more than " +
           datetime::format_duration(within) + " from the state's clock " + datetime::format_rfc3339(clock_) +
           " (time.max_gap and the longest route interval)";
  return {};
}

std::string Stream::find_route(const std::string& group_key, const std::string& route_key, uint64_t index, uint32_t& out) const {
  auto owns = [&](const Route& r) {
    return group_key.size() > r.opts.key.size() && group_key.compare(0, r.opts.key.size(), r.opts.key) == 0 &&
           group_key[r.opts.key.size()] == ':';
  };
  if (route_key.empty()) {
    // A state written before route keys were stored: the index must name the group's route.
    if (index < route_list_.size() && owns(*route_list_[static_cast<size_t>(index)])) {
      out = static_cast<uint32_t>(index);
      return {};
    }
    return "the policy's route " + std::to_string(index) + " is not the route of this group (were the policy's routes changed?)";
  }
  if (group_key.compare(0, route_key.size(), route_key) != 0 || group_key.size() <= route_key.size() ||
      group_key[route_key.size()] != ':')
    return "the group's key does not start with its route's key " + route_key;
  if (index < route_list_.size() && route_list_[static_cast<size_t>(index)]->opts.key == route_key) {
    out = static_cast<uint32_t>(index);
    return {};
  }
  size_t found = 0;
  for (size_t i = 0; i < route_list_.size(); ++i)
    if (route_list_[i]->opts.key == route_key) {
      out = static_cast<uint32_t>(i);
      ++found;
    }
  if (found == 1) return {};
  if (found == 0) return "the policy has no route " + route_key + " (were the policy's routes changed?)";
  return std::to_string(found) + " routes have the key " + route_key + " and the state's route " + std::to_string(index) +
         " is none of them (were the policy's routes reordered?)";
}

std::string Stream::read_state(Value state) {
  const dom::element j = ValueAccess::element(state);
  Reader r;
  uint64_t seq = 0;
  if (!r.boolean(j, "has_clock", "", has_clock_) || !r.i64(j, "clock", "", clock_) || !r.u64(j, "silence_seq", "", seq))
    return r.problem;
  silence_seq_ = seq;
  if (std::string why = check_time(clock_); !why.empty()) return "clock: " + why;
  dom::element st;
  if (!r.member(j, "stats", "", st) || !r.u64(st, "events", "stats", stats_.events) || !r.u64(st, "errors", "stats", stats_.errors) ||
      !r.u64(st, "notifications", "stats", stats_.notifications))
    return r.problem;
  dom::array bd;
  if (!r.array(st, "by_decision", "stats", bd)) return r.problem;
  if (bd.size() != kDecisionCount) return "stats.by_decision: expected " + std::to_string(kDecisionCount) + " counts";
  {
    int d = 0;
    for (dom::element v : bd)
      if (!Reader::to_u64(v, stats_.by_decision[d++])) return "stats.by_decision: not a count";
  }
  // Silences first: alerts derive their silence slots from them.
  dom::array sils;
  if (!r.array(j, "silences", "", sils)) return r.problem;
  size_t i = 0;
  for (dom::element s : sils) {
    std::string where = "silences[" + std::to_string(i++) + "]";
    Silence sil;
    if (!r.str(s, "id", where, sil.id) || !r.i64(s, "starts_at", where, sil.starts_at) || !r.i64(s, "ends_at", where, sil.ends_at) ||
        !r.str(s, "comment", where, sil.comment) || !r.str(s, "created_by", where, sil.created_by))
      return r.problem;
    dom::array ms;
    if (!r.array(s, "matchers", where, ms)) return r.problem;
    for (dom::element m : ms) {
      std::string why;
      std::string_view text;
      if (m.get_string().get(text) || !parse_silence_matchers(text, sil.matchers, why))
        return where + ".matchers: " + (why.empty() ? "not a string" : why);
    }
    runtime_silences_.push_back(std::move(sil));
    add_silence_slot(&runtime_silences_.back(), true);
  }
  dom::array as, gs;
  if (!r.array(j, "alerts", "", as) || !r.array(j, "groups", "", gs)) return r.problem;
  const size_t group_count = gs.size();
  i = 0;
  for (dom::element o : as) {
    std::string where;
    auto at = [&] {
      if (where.empty()) where = "alerts[" + std::to_string(i) + "]";
      return where;
    };
    AlertRec& a = alerts_.emplace_back();
    dom::element k;
    if (!Reader::is_object(o)) return at() + ": not an object";
    if (!r.member(o, "key", at(), k) || !r.hex(k, at() + ".key", a.key)) return r.problem;
    dom::element sk;
    if (!o.get_object().value_unsafe().at_key("source_key").get(sk)) {
      std::string_view text;
      if (sk.get_string().get(text)) return at() + ".source_key: not a string";
      a.source_key = intern(text);
    }
    dom::element labels;
    if (!r.member(o, "labels", at(), labels)) return r.problem;
    dom::object lo;
    if (labels.get_object().get(lo) || lo.size() == 0) return at() + ".labels: not an object of strings";
    LabelView view;
    for (auto kv : lo) {
      std::string_view v;
      if (kv.value.get_string().get(v)) return at() + ".labels." + std::string(kv.key) + ": not a string";
      view.emplace_back(kv.key, v);
    }
    sort_labels(view);
    for (size_t n = 1; n < view.size(); ++n)
      if (view[n].first == view[n - 1].first) return at() + ".labels." + std::string(view[n].first) + ": a second label of this name";
    set_labels(a, view);
    if (!r.boolean(o, "firing", at(), a.firing) || !r.boolean(o, "acked", at(), a.acked) ||
        !r.i64(o, "first_seen", at(), a.first_seen) || !r.i64(o, "last_seen", at(), a.last_seen) ||
        !r.i64(o, "starts_at", at(), a.starts_at) || !r.i64(o, "ends_at", at(), a.ends_at) ||
        !r.i64(o, "resolved_at", at(), a.resolved_at) || !r.u64(o, "count", at(), a.count))
      return r.problem;
    // Event times (bounded when pushed: check_gap); starts_at and ends_at are only compared.
    for (int64_t t : {a.first_seen, a.last_seen, a.resolved_at})
      if (std::string why = check_time(t); !why.empty()) return at() + ": " + why;
    dom::array ch, ag;
    if (!r.array(o, "changes", at(), ch) || !r.array(o, "groups", at(), ag)) return r.problem;
    for (dom::element t : ch) {
      int64_t v = 0;
      if (!Reader::to_i64(t, v)) return at() + ".changes: not a time";
      if (std::string why = check_time(v); !why.empty()) return at() + ".changes: " + why;
      a.changes.push_back(v);
    }
    for (dom::element g : ag) {
      uint64_t v = 0;
      if (!Reader::to_u64(g, v) || v >= group_count) return at() + ".groups: not a group index";
      a.groups.push_back(static_cast<uint32_t>(v));
    }
    if (by_key_.find(a.key) != KeyIndex::kNone) return at() + ".key: a second alert with this key";
    by_key_.insert(a.key, static_cast<uint32_t>(i));
    derive(a);
    if (a.firing) set_active(static_cast<uint32_t>(i), true);
    ++i;
  }
  i = 0;
  for (dom::element o : gs) {
    std::string where = "groups[" + std::to_string(i) + "]";
    GroupRec& g = groups_.emplace_back();
    uint64_t route = 0;
    if (!r.str(o, "key", where, g.key) || !r.u64(o, "route", where, route) || !r.boolean(o, "scheduled", where, g.scheduled) ||
        !r.i64(o, "next", where, g.next) || !r.boolean(o, "flushed", where, g.flushed) ||
        !r.boolean(o, "notified", where, g.notified) || !r.i64(o, "last_at", where, g.last_at))
      return r.problem;
    std::string route_key;
    if (!r.str(o, "route_key", where, route_key, true)) return r.problem;
    if (std::string why = find_route(g.key, route_key, route, g.route); !why.empty()) return where + ".route: " + why;
    if (std::string why = check_time(g.next, g.scheduled ? "a scheduled flush" : "", spec_->max_gap + longest_interval_); !why.empty())
      return where + ".next: " + why;
    if (std::string why = check_time(g.last_at); !why.empty()) return where + ".last_at: " + why;
    dom::array ga, lf, lr;
    if (!r.array(o, "alerts", where, ga) || !r.array(o, "last_firing", where, lf) || !r.array(o, "last_resolved", where, lr))
      return r.problem;
    for (dom::element a : ga) {
      uint64_t v = 0;
      if (!Reader::to_u64(a, v) || v >= alerts_.size()) return where + ".alerts: not an alert index";
      g.alerts.push_back(static_cast<uint32_t>(v));
    }
    for (dom::element k : lf) {
      uint64_t v = 0;
      if (!r.hex(k, where + ".last_firing", v)) return r.problem;
      g.last_firing.push_back(v);
    }
    for (dom::element k : lr) {
      uint64_t v = 0;
      if (!r.hex(k, where + ".last_resolved", v)) return r.problem;
      g.last_resolved.push_back(v);
    }
    std::sort(g.last_firing.begin(), g.last_firing.end());
    std::sort(g.last_resolved.begin(), g.last_resolved.end());
    if (!group_ids_.emplace(g.key, static_cast<uint32_t>(i)).second) return where + ".key: a second group with this key";
    if (g.scheduled) schedule_.insert({g.next, static_cast<uint32_t>(i)});
    ++i;
  }
  dom::array rl;
  if (!r.array(j, "rate_limits", "", rl)) return r.problem;
  if (rl.size() != rate_.size())
    return "rate_limits: the state has " + std::to_string(rl.size()) + " rate limits, the policy " + std::to_string(rate_.size());
  i = 0;
  for (dom::element le : rl) {
    dom::array list;
    if (le.get_array().get(list)) return "rate_limits[" + std::to_string(i) + "]: not an array";
    size_t k = 0;
    for (dom::element b_el : list) {
      std::string where = "rate_limits[" + std::to_string(i) + "][" + std::to_string(k++) + "]";
      dom::element h;
      uint64_t hash = 0, count = 0;
      RateBucket b;
      if (!r.member(b_el, "hash", where, h) || !r.hex(h, where + ".hash", hash) || !r.str(b_el, "key", where, b.key) ||
          !r.i64(b_el, "window", where, b.window) || !r.u64(b_el, "count", where, count))
        return r.problem;
      if (std::string why = check_time(b.window); !why.empty()) return where + ".window: " + why;
      if (count > UINT32_MAX) return where + ".count: too large";
      b.count = static_cast<uint32_t>(count);
      rate_[i].emplace(hash, std::move(b));
    }
    ++i;
  }
  return {};
}

}  // namespace verdict::alerts
