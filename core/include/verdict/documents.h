// verdict/documents.h: typed views of the common ITSM documents.
//
// Each view reads one document in any of the shapes verdict accepts (the native
// shape, ServiceNow records, Jira issues, Alertmanager/Prometheus alerts) and
// tolerates missing fields: an accessor returns an empty string, `fallback`, or
// a missing Value when the document does not say. Views do not copy; they are
// valid while the Document lives. See docs/documents.md for the shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "verdict/document.h"

namespace verdict {

enum class DocumentKind { kUnknown, kIncident, kChange, kAlert, kConfigItem, kSliSample };

// "unknown", "incident", "change", "alert", "ci", "sli".
const char* kind_name(DocumentKind kind);

// The kind a document declares (`kind`, `sys_class_name`), or else the kind its
// fields suggest. Never fails: unrecognised documents are kUnknown.
DocumentKind detect_kind(Value doc);

// A string field that may be a plain string or a ServiceNow reference
// {"value": ..., "display_value": ...} (display_value preferred). Empty if absent
// or of another type (numbers are not converted).
std::string_view text_of(Value v);

// The value at a dotted path of plain keys ("fields.priority.name"), or missing.
Value at_dotted(Value v, std::string_view dotted);

// The first of `paths` (dotted, e.g. "fields.summary") that holds text.
std::string_view first_text(Value doc, std::initializer_list<std::string_view> paths);

struct Incident {
  Value doc;
  explicit Incident(Value v) : doc(v) {}
  std::string_view id() const;           // id | number | key
  std::string_view title() const;        // title | short_description | fields.summary | annotations.summary
  std::string_view description() const;  // description | fields.description | annotations.description
  std::string_view service() const;      // service | business_service | labels.service
  std::string_view ci() const;           // ci | cmdb_ci
  std::string_view impact() const;       // impact
  std::string_view urgency() const;      // urgency
  std::string_view priority() const;     // priority | fields.priority.name
  std::string_view team() const;         // team | assignment_group
  std::string_view environment() const;  // environment | labels.env | labels.environment
  Value labels() const;                  // labels | fields.labels
  std::optional<int64_t> affected_users() const;
};

struct ChangeRequest {
  Value doc;
  explicit ChangeRequest(Value v) : doc(v) {}
  std::string_view id() const;          // id | number
  std::string_view title() const;       // title | short_description
  std::string_view type() const;        // type (standard | normal | emergency)
  std::string_view start() const;       // start | start_date | window.start
  std::string_view end() const;         // end | end_date | window.end
  std::string_view assignee() const;    // assignee | assigned_to
  std::string_view team() const;        // team | assignment_group
  Value targets() const;                // targets (array of CI ids) | cmdb_ci
  bool has_rollback_plan() const;       // rollback_plan | backout_plan non-empty
  bool has_test_evidence() const;       // test_evidence | test_plan non-empty
};

struct Alert {
  Value doc;
  explicit Alert(Value v) : doc(v) {}
  Value labels() const;
  Value annotations() const;
  std::string_view label(std::string_view name) const;  // "" when missing (Alertmanager's rule)
  std::string_view name() const;                        // labels.alertname
  std::string_view status() const;                      // status: firing | resolved ("firing" if absent)
  std::string_view starts_at() const;                   // startsAt
  std::string_view ends_at() const;                     // endsAt
  std::string_view fingerprint() const;                 // fingerprint
};

struct ConfigItem {
  Value doc;
  explicit ConfigItem(Value v) : doc(v) {}
  std::string_view id() const;       // id | sys_id | metadata.name
  std::string_view name() const;     // name | metadata.name
  std::string_view ci_class() const; // class | sys_class_name | kind
  std::string_view owner() const;    // owner | owned_by | support_group | spec.owner
  std::string_view environment() const;
  std::optional<int64_t> tier() const;  // tier (1 is most critical)
  Value depends_on() const;          // depends_on | spec.dependsOn
};

struct SliSample {
  Value doc;
  explicit SliSample(Value v) : doc(v) {}
  std::string_view slo() const;             // slo | service
  std::string_view timestamp() const;       // timestamp | ts | time
  std::optional<int64_t> good() const;
  std::optional<int64_t> bad() const;
  std::optional<int64_t> total() const;     // total, or good + bad
};

}  // namespace verdict
