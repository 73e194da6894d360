// The mutable state of one AlertDedup policy over a stream of alerts (docs/alerts.md):
// known alerts (dedup), aggregation groups with their flush schedule and notification
// log, run-time silences, rate-limit windows, flap history and statistics. The policy
// (its spec) is immutable and shared; everything here changes with the events.
//
// Time only moves forward: the stream's clock is the largest event time seen, and a
// late event is processed at the clock. Group flushes due at or before an event's time
// run before the event. Not thread-safe; owned by one Engine.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "kinds/alerts/packed.h"
#include "kinds/alerts/small_vector.h"
#include "kinds/alerts/spec.h"
#include "kinds/alerts/stable_vector.h"
#include "verdict/document.h"
#include "verdict/json_writer.h"
#include "verdict/result.h"

namespace verdict {
class CmdbIndex;
}

namespace verdict::alerts {

enum Decision : uint8_t {
  kNew, kGrouped, kDuplicate, kResolved, kSilenced, kInhibited, kRateLimited, kFlapping,
  kUnknownResolved, kAcknowledged, kIgnored, kDecisionCount
};
const char* decision_name(Decision d);

struct Stats {
  uint64_t events = 0;         // alert events read (including those with errors)
  uint64_t errors = 0;         // events and lines that could not be used
  uint64_t notifications = 0;  // group notifications sent
  uint64_t by_decision[kDecisionCount] = {};
};

// Per push: where decisions go and what `now` is.
struct PushContext {
  bool has_now = false;
  int64_t now = 0;
  bool has_received = false;  // AlertOptions::received
  int64_t received = 0;
  std::string source;          // for error positions
  std::string* out = nullptr;  // NDJSON lines are appended here
  std::vector<Error>* errors = nullptr;
  bool explain = false;        // AlertOptions::explain
  // The regex work of matching a new alert's labels against the policy, in steps of 64 bytes
  // (ExpressionLimits::max_steps); over it the alert is refused with an error.
  uint64_t max_steps = 100000;
};

// Alert key -> alert index: open addressing with linear probing over two flat arrays, so a
// look-up touches one or two cache lines (std::unordered_map chased a node per look-up).
class KeyIndex {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  uint32_t find(uint64_t key) const {
    if (vals_.empty()) return kNone;
    size_t mask = vals_.size() - 1;
    for (size_t i = slot(key); ; i = (i + 1) & mask) {
      if (vals_[i] == kNone) return kNone;
      if (keys_[i] == key) return vals_[i];
    }
  }
  // Inserts a key that is not present.
  void insert(uint64_t key, uint32_t val) {
    if ((count_ + 1) * 2 > vals_.size()) grow();
    place(key, val);
    ++count_;
  }
  size_t size() const { return count_; }

 private:
  size_t slot(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_); }
  void place(uint64_t key, uint32_t val) {
    size_t mask = vals_.size() - 1;
    size_t i = slot(key);
    while (vals_[i] != kNone) i = (i + 1) & mask;
    keys_[i] = key;
    vals_[i] = val;
  }
  void grow() {
    std::vector<uint64_t> keys = std::move(keys_);
    std::vector<uint32_t> vals = std::move(vals_);
    size_t n = vals.empty() ? 64 : vals.size() * 2;
    keys_.assign(n, 0);
    vals_.assign(n, kNone);
    shift_ = 64;
    for (size_t m = n; m > 1; m >>= 1) --shift_;
    for (size_t i = 0; i < vals.size(); ++i)
      if (vals[i] != kNone) place(keys[i], vals[i]);
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> vals_;
  size_t count_ = 0;
  int shift_ = 64;
};

// Interned strings (label names and values, dedup keys): each distinct string is stored
// once, in large chunks, and stays put for the pool's life; alerts hold views into it.
// Label names and most values repeat across alerts, so an alert's labels cost one
// vector of views.
class StringPool {
 public:
  std::string_view intern(std::string_view s);
  size_t size() const { return count_; }

 private:
  // An entry in a chunk: its length (4 bytes, unaligned), then its bytes.
  static std::string_view entry(const char* p);
  const char* store(std::string_view s);
  void grow();
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0, capacity_ = 0;  // of the last chunk
  std::vector<const char*> slots_;  // open addressing over entries; nullptr is empty (8 bytes a slot, not 16)
  size_t count_ = 0;
};

class Stream {
 public:
  Stream(std::shared_ptr<const policy::AlertDedupPolicy> policy, const CmdbIndex* cmdb);

  const policy::AlertDedupPolicy& policy() const { return *policy_; }
  const std::shared_ptr<const policy::AlertDedupPolicy>& policy_ptr() const { return policy_; }

  // One input document (an NDJSON line or a JSON document) of any accepted shape.
  // `offset` is the byte offset of the document in the input (for errors).
  void push_document(Value root, size_t line, size_t offset, PushContext& c);
  // A line that did not parse: reported in the output and counted.
  void push_error(const Error& e, size_t line, PushContext& c);
  // Runs the group flushes due at or before `now` and moves the clock to it.
  void advance(int64_t now, PushContext& c);
  // "" when time may move to `t`; else why not (more than time.max_gap after the clock: the
  // groups' timers would have to run through all of it).
  std::string check_gap(int64_t t) const;
  // The time of the next scheduled group flush; false when none is scheduled.
  bool next_flush_time(int64_t& t) const {
    if (schedule_.empty()) return false;
    t = schedule_.begin()->first;
    return true;
  }

  void write_stats(JsonWriter& w) const;
  // The state as one JSON object (part of the engine's snapshot document).
  void write_state(JsonWriter& w) const;
  // Reads a state written by write_state into this (fresh) stream; "" or the problem,
  // prefixed with where it is (e.g. "alerts[3].labels: ...").
  std::string read_state(Value state);

  // Recomputes what is derived from the policy and the CMDB (after a policy or CMDB change).
  void rebind(std::shared_ptr<const policy::AlertDedupPolicy> policy, const CmdbIndex* cmdb);
  const CmdbIndex* cmdb() const { return cmdb_; }

 private:
  struct AlertRec {
    uint64_t key = 0;
    std::string_view source_key;  // interned
    LabelView view;               // sorted; names and values interned (strings_)
    bool firing = true;
    bool acked = false;
    int64_t first_seen = 0, last_seen = 0, starts_at = 0, ends_at = 0, resolved_at = 0;
    uint64_t count = 0;
    // Mostly one or none of each: kept inside the record up to that.
    SmallVector<int64_t, 1> changes;    // times of the last state changes (flap detection)
    SmallVector<uint32_t, 2> groups;    // group ids the alert is in
    SmallVector<uint32_t, 2> silences;  // silence slots whose matchers match (run-time silences add to it)
    // Derived from the labels (rebuilt on restore and rebind), packed into one allocation:
    // the rate-limit keys, the routes, the alert's sides of the inhibition rules, the CMDB
    // items its CI depends on (transitively) and their ci_buckets_.
    struct RuleSide {
      uint32_t rule;
      uint32_t bucket;  // index into source_buckets_: the rule's sources with these equal labels
      uint32_t both;    // the alert matches the rule's other side too
    };
    PackedArrays<uint64_t, const Route*, RuleSide, RuleSide, uint32_t, uint32_t> derived;
    int32_t ci_item = -1;
    int32_t ci_bucket = -1;  // index into ci_buckets_ of its own item

    std::span<const uint64_t> rate_keys() const { return derived.get<0>(); }
    std::span<const Route* const> routes() const { return derived.get<1>(); }
    std::span<const RuleSide> as_target() const { return derived.get<2>(); }
    std::span<const RuleSide> as_source() const { return derived.get<3>(); }
    std::span<const uint32_t> cmdb_deps() const { return derived.get<4>(); }
    std::span<const uint32_t> dep_buckets() const { return derived.get<5>(); }
  };

  struct GroupRec {
    std::string key;
    uint32_t route = 0;
    std::vector<uint32_t> alerts;
    bool scheduled = false;
    int64_t next = 0;
    bool flushed = false;
    bool notified = false;
    int64_t last_at = 0;
    std::vector<uint64_t> last_firing, last_resolved;  // sorted
  };

  struct SilenceSlot {
    const Silence* silence = nullptr;
    bool runtime = false;
    bool dead = false;  // replaced by a silence with the same id
  };

  struct RateBucket {
    std::string key;
    int64_t window = 0;
    uint32_t count = 0;
  };

  struct ScheduleLess {
    const Stream* s;
    bool operator()(const std::pair<int64_t, uint32_t>& a, const std::pair<int64_t, uint32_t>& b) const {
      if (a.first != b.first) return a.first < b.first;
      return s->groups_[a.second].key < s->groups_[b.second].key;
    }
  };

  // Restore checks (read_state). The route of a group from its key in the state (and the
  // index, which tells routes with one key apart); "" or why it does not fit this policy.
  std::string find_route(const std::string& group_key, const std::string& route_key, uint64_t index, uint32_t& out) const;
  // "" when `t` is a time a state may hold: between kOldestTime and kNewestTime, and, when
  // `within` >= 0 and the stream has a clock, no more than `within` from the clock.
  std::string check_time(int64_t t, std::string_view what = "", int64_t within = -1) const;

  void handle_alert(Value item, AlertShape shape, size_t line, int64_t index, size_t offset, PushContext& c);
  void handle_control(Value doc, std::string_view kind, size_t line, size_t offset, PushContext& c);
  void report_error(Error e, size_t line, int64_t index, size_t offset, PushContext& c);
  // Resolves the time of an event; false (with `why`) when it is unusable.
  bool event_time(const Event& ev, const PushContext& c, int64_t& t, std::string& why) const;
  void flush_due(int64_t t, PushContext& c);
  void flush(uint32_t gid, int64_t t, int64_t until, PushContext& c);
  void schedule(uint32_t gid, int64_t at);
  // The next flush of a group flushed at t while flushes are run up to `until` (no event comes
  // before it): t + group_interval, or a later point of that grid when nothing the flush
  // depends on can change before it (the flushes skipped would send and change nothing).
  int64_t next_flush(const GroupRec& g, const Route& r, int64_t t, int64_t until) const;
  void unschedule(uint32_t gid);

  struct RegexBudget;
  uint32_t create_alert(uint64_t key, const Event& ev, std::string_view source_key, RegexBudget& budget);
  std::string_view intern(std::string_view s) { return strings_.intern(s); }
  // Sets the alert's labels (sorted) to interned copies of `sorted`.
  void set_labels(AlertRec& a, const LabelView& sorted);
  bool derive(AlertRec& a, RegexBudget* budget = nullptr);
  void set_active(uint32_t idx, bool active);
  bool active(const AlertRec& a, int64_t t) const { return a.firing && (a.ends_at == 0 || a.ends_at > t); }
  const Silence* silenced_by(const AlertRec& a, int64_t t) const;
  // The alert that inhibits `idx` at t and the rule's name; nullptr when none.
  const AlertRec* inhibited_by(uint32_t idx, int64_t t, std::string_view& rule, std::string_view& ci) const;
  bool flapping(const AlertRec& a, int64_t t) const;
  void record_change(AlertRec& a, int64_t t);
  bool admit(uint32_t idx, int64_t t, std::string_view& limit_name);
  uint32_t group_for(const Route& r, const AlertRec& a);
  uint64_t key_for(const Event& ev, std::string_view& source_key) const;
  void add_silence_slot(const Silence* s, bool runtime);
  void write_alert_decision(const AlertRec& a, Decision d, size_t line, int64_t index, int64_t t, PushContext& c,
                            bool reopened, const void* extra);

  std::shared_ptr<const policy::AlertDedupPolicy> policy_;
  const Spec* spec_;
  const CmdbIndex* cmdb_;
  std::vector<const Route*> route_list_;  // DFS order: the ids a snapshot names
  std::vector<std::string> route_paths_;  // by route id: "root/critical/databases" (explain)
  int64_t longest_interval_ = 0;          // the longest group_wait, group_interval or repeat_interval

  StringPool strings_;
  StableVector<AlertRec> alerts_;  // never moves an alert: indexes and decisions hold them
  KeyIndex by_key_;
  std::vector<GroupRec> groups_;
  std::unordered_map<std::string, uint32_t> group_ids_;
  std::set<std::pair<int64_t, uint32_t>, ScheduleLess> schedule_;
  // Firing inhibition sources per (rule, equal-label values): alerts keep their bucket indexes,
  // so the hot path never hashes to find them.
  std::vector<std::vector<uint32_t>> source_buckets_;
  // Per rule: equal-label hash -> its buckets (more than one only on a hash collision; a
  // bucket's equal-label values are kept to tell them apart, so members never need checking).
  std::vector<std::unordered_map<uint64_t, std::vector<uint32_t>>> bucket_of_;
  std::vector<std::vector<std::string>> bucket_values_;
  std::vector<std::vector<uint32_t>> ci_buckets_;                  // firing alerts per CMDB item
  std::unordered_map<uint32_t, uint32_t> ci_bucket_of_;            // CMDB item -> ci_buckets_ index
  std::deque<Silence> runtime_silences_;
  std::vector<SilenceSlot> slots_;
  std::vector<std::unordered_map<uint64_t, RateBucket>> rate_;  // per rate limit
  uint64_t silence_seq_ = 0;
  bool has_clock_ = false;
  int64_t clock_ = 0;
  Stats stats_;

  // Scratch reused across events (no allocation in the steady state).
  std::vector<const Route*> d_routes_;
  std::vector<AlertRec::RuleSide> d_target_, d_source_;
  std::vector<uint32_t> d_deps_, d_dep_buckets_;
  std::vector<uint64_t> d_rate_;
  Event ev_;
  JsonWriter w_;
  std::string tmp_;
};

}  // namespace verdict::alerts
