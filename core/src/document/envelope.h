// API envelopes: the wrappers real systems put around the records a kind decides on. One
// detector for every reader (`verdict read`, the per-document kinds through the engine,
// AlertDedup), so a ServiceNow Table API answer, a Jira search, an Alertmanager or Grafana
// webhook, a Prometheus API response, a PagerDuty v3 webhook or a plain JSON array is
// read as its records, each with its position (docs/documents.md, "Envelopes").
//
//   shapes::Envelope env = shapes::detect_envelope(doc.root());
//   if (env.kind != shapes::EnvelopeKind::kNone)
//     shapes::for_each_record(env, [&](Value record, size_t i) { ... });  // pointer: env.pointer(i)
//
// Detection is by the envelope's own keys, never by the records' content, and strict enough
// that a record is never taken for an envelope (a native incident has none of these keys).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "verdict/document.h"

namespace verdict::shapes {

enum class EnvelopeKind : uint8_t {
  kNone,                 // not an envelope: the document is one record
  kArray,                // a top-level JSON array (Alertmanager's GET /api/v2/alerts, exports)
  kServiceNow,           // Table API / Change API: {"result": [...]} or {"result": {...}}
  kJiraSearch,           // /rest/api/2/search: {"startAt", "maxResults", "total", "issues": [...]}
  kJiraWebhook,          // {"webhookEvent": "jira:issue_created", "issue": {...}}
  kAlertmanagerWebhook,  // webhook_configs v4: {"version": "4", "groupKey", "receiver", "alerts": [...]}
  kGrafanaWebhook,       // Grafana unified alerting: the same with "orgId", "state", "title", version "1"
  kPrometheus,           // /api/v1/alerts: {"status": "success", "data": {"alerts": [...]}}
  kPagerDutyWebhook,     // webhooks v3: {"event": {"event_type", "resource_type", "data": {...}}}
};

// "array", "servicenow", "jira-search", "jira-webhook", "alertmanager-webhook",
// "grafana-webhook", "prometheus", "pagerduty-webhook"; "" for kNone.
const char* envelope_name(EnvelopeKind k);

struct Envelope {
  EnvelopeKind kind = EnvelopeKind::kNone;
  Value records;                 // the array of records, or the one record when `single`
  bool single = false;           // one record, not a list (ServiceNow GET of one sys_id, webhooks)
  std::vector<std::string_view> path;  // where the records are: {"result"}, {"data", "alerts"}

  size_t count() const { return single ? 1 : records.size(); }
  // The JSON pointer of record `i`: "/result/3", "/event/data", "/2".
  std::string pointer(size_t i) const;
};

Envelope detect_envelope(Value doc);

// Calls fn(record, index) for every record, in order.
template <class Fn>
void for_each_record(const Envelope& env, Fn&& fn) {
  if (env.single) {
    fn(env.records, size_t{0});
    return;
  }
  size_t i = 0;
  env.records.for_each_item([&](Value v) {
    fn(v, i++);
    return true;
  });
}

// The byte offset of each record in `json`, the text of the document the envelope was
// detected in (valid JSON: it was parsed). count() offsets, in order; for the positions of
// decisions and errors (line and column of a record inside one document).
std::vector<size_t> record_offsets(std::string_view json, const Envelope& env);

// Where each record starts: its byte offset, the lines before it (0 for the first line of
// `json`) and its 1-based column. One pass over the text for all records.
struct RecordPosition {
  size_t offset = 0;
  size_t lines_before = 0;
  size_t column = 1;
};
std::vector<RecordPosition> record_positions(std::string_view json, const Envelope& env);

}  // namespace verdict::shapes
