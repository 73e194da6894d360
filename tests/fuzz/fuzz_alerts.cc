// libFuzzer target for AlertDedup streams: any bytes pushed as an alert stream (NDJSON or
// one document) through a policy with every feature, then a snapshot restored into a new
// engine, and the bytes themselves given to restore (and, when they restore, pushed on).
// Properties: no crash or sanitizer
// report; snapshot -> restore -> snapshot gives the same document; a failed restore keeps
// the state; every error has a message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verdict/engine.h"

namespace {

constexpr const char* kPolicy = R"({"apiVersion":"verdict/v1","kind":"AlertDedup","metadata":{"name":"fuzz"},
"spec":{"dedup":{"reopen_window":"1m"},"windows":{"w":{"times":[{"days":["sat","sun"]}]}},
"route":{"receiver":"r","group_by":["alertname"],"group_wait":"10s","group_interval":"1m","repeat_interval":"30m",
 "routes":[{"matchers":["severity=\"critical\""],"receiver":"p","continue":true,"group_by":["..."]},
           {"matchers":["team=~\"a.*\""],"receiver":"t","mute_windows":["w"]}]},
"inhibit_rules":[{"source_matchers":["severity=\"critical\""],"target_matchers":["severity=~\"warning|critical\""],"equal":["alertname"]}],
"cmdb_inhibition":{"label":"ci"},
"silences":[{"id":"s","matchers":["alertname=\"W\""],"startsAt":"2025-03-14T10:00:00Z","endsAt":"2025-03-14T11:00:00Z"},
            {"id":"r","matchers":["team=\"b\""],"windows":["w"]}],
"rate_limits":[{"name":"l","by":["service"],"max":2,"per":"10s"}],
"flap":{"changes":3,"within":"1m"}}})";
constexpr const char* kCmdb = R"({"kind":"cmdb","items":[{"id":"db","kind":"ci"},{"id":"app","kind":"ci","depends_on":["db"]}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Two engines loaded once; each run starts from an empty state (restored from an empty snapshot).
  static Engine a, b;
  static bool loaded = false;
  if (!loaded) {
    for (Engine* e : {&a, &b})
      if (!e->load_policies(kPolicy, "fuzz.json").ok() || !e->load_data(kCmdb, "cmdb.json").ok()) std::abort();
    loaded = true;
  }
  const char* empty = R"({"kind":"AlertDedupState","version":1,"streams":[]})";
  if (!a.alerts_restore(empty).ok() || !b.alerts_restore(empty).ok()) std::abort();
  AlertOptions o;
  o.now = (size % 2) ? "2025-03-14T10:30:00Z" : "";
  AlertReport r = a.alerts_push(text, o);
  for (const Error& e : r.errors)
    if (e.message.empty()) std::abort();
  std::string snap = a.alerts_snapshot();
  if (!b.alerts_restore(snap).ok()) std::abort();
  if (b.alerts_snapshot() != snap) std::abort();
  // The same event again in both engines gives the same output.
  o.now = "2025-03-14T12:00:00Z";
  if (a.alerts_push(R"({"labels":{"alertname":"X","ci":"app"}})", o).json != b.alerts_push(R"({"labels":{"alertname":"X","ci":"app"}})", o).json)
    std::abort();
  // Arbitrary bytes as a snapshot: an error keeps the state; a state that restores is safe
  // to run on (a hand-edited timer of INT64_MIN once overflowed; seeds/alerts/).
  std::string before = b.alerts_snapshot();
  if (!b.alerts_restore(text).ok()) {
    if (b.alerts_snapshot() != before) std::abort();
  } else {
    o.now = "2025-03-14T12:30:00Z";
    AlertReport after = b.alerts_push(R"({"labels":{"alertname":"Y","severity":"critical"}})", o);
    for (const Error& e : after.errors)
      if (e.message.empty()) std::abort();
  }
  return 0;
}
