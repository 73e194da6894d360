// Time zones: a fixed UTC offset ("+01:00") or an IANA zone ("Europe/Berlin") with its
// daylight-saving rules, from the tz database compiled into verdict at build time
// (scripts/gen-tzdata.py over Debian's tzdata), so the native and Wasm builds carry the
// same data and decide the same, and nothing is read from the machine at run time.
//
//   auto berlin = Zone::parse("Europe/Berlin");        // std::nullopt for an unknown name
//   CivilTime c = civil_in(now, *berlin);               // the wall clock in Berlin at `now`
//   int64_t t = berlin->from_local(local_nanos);        // a Berlin wall-clock time -> instant
//
// Wall-clock times that do not exist or repeat have one meaning (docs/language.md#time-zones):
// from_local takes a time in the gap of a spring-forward transition as that many minutes
// after the gap's start, at the new offset (02:30 on 2026-03-29 in Berlin is 03:30 CEST),
// and a repeated time of a fall-back transition as its first occurrence (02:30 on 2026-10-25
// in Berlin is 02:30 CEST, 00:30Z). Windows (policy/windows.h) never convert wall-clock to
// instants: an instant is in a window when its wall-clock time in the zone is.
//
// A Zone is a small value (copyable, thread-safe to read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "time/time.h"

namespace verdict::datetime {

class Zone {
 public:
  Zone() = default;  // UTC
  static Zone fixed(int offset_seconds);
  // An IANA name as the tz database spells it (case-sensitive, links included: "Etc/UTC",
  // "US/Eastern"); std::nullopt when there is no such zone.
  static std::optional<Zone> named(std::string_view name);
  // A UTC offset (parse_utc_offset: "+01:00", "-0530", "Z", "UTC", "UTC+2") or an IANA name.
  static std::optional<Zone> parse(std::string_view s, std::string* why = nullptr);

  bool is_fixed() const { return name_ < 0; }
  // The IANA name, or the offset as "+01:00" ("UTC" for 0).
  std::string name() const;
  // Seconds east of UTC in force at the instant `nanos`.
  int offset_at(int64_t nanos) const;
  // The first instant after `nanos` at which the offset changes; INT64_MAX when none does.
  int64_t next_transition(int64_t nanos) const;
  // The instant of a wall-clock time (nanoseconds since 1970-01-01T00:00 local, as if UTC).
  int64_t from_local(int64_t local_nanos) const;

  bool operator==(const Zone& o) const { return name_ == o.name_ && offset_ == o.offset_; }

 private:
  int32_t name_ = -1;   // index into the zone names; -1 for a fixed offset
  int32_t offset_ = 0;  // the fixed offset, seconds east of UTC
};

// Civil time fields of `nanos` on the wall clock of `zone`.
CivilTime civil_in(int64_t nanos, const Zone& zone);

// The version of the tz database compiled in ("2025b").
std::string_view tzdata_version();
// Every IANA name Zone::named knows (zones and links), sorted.
std::vector<std::string_view> zone_names();

}  // namespace verdict::datetime
