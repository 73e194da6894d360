// The one shape mapping: an input document in any accepted shape (native, ServiceNow,
// Jira, Alertmanager, ...) read into the canonical record of its document kind. `verdict
// read`, every kind and the checker (through the schemas) use these and nothing else.
//
// A Record holds one value per schema field (a view into the input, or text the mapping
// made and the record owns), where each value came from, and the shape. Records are
// reused across documents: clear() keeps their memory. A record's views are valid while
// the input document lives and until the record is cleared.
//
//   shapes::Record r(shapes::incident_schema());
//   shapes::map_incident(doc.root(), r);
//   r.text(shapes::incident::kId);   // "INC0010231", a Jira key, an alert fingerprint
//
// Not thread-safe (one record per thread); the schemas are immutable.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "document/schema.h"
#include "document/servicenow.h"
#include "verdict/document.h"

namespace verdict::shapes {

// One field of a canonical record.
struct FieldValue {
  enum Kind : uint8_t {
    kMissing,  // the input does not say
    kText,     // text: a view into the input or a string the record owns
    kDoc,      // a value of the input, as it is (a number, an object of labels, ...)
    kPairs,    // a map the mapping made: pairs_[begin, end) (Jira labels -> {label: "true"})
  };
  Kind kind = kMissing;
  std::string_view text;
  Value doc;
  uint32_t begin = 0, end = 0;
};

class Record {
 public:
  explicit Record(const Schema& schema) : schema_(&schema), values_(schema.size()), from_(schema.size()) {}

  const Schema& schema() const { return *schema_; }
  std::string_view shape() const { return shape_; }
  void set_shape(std::string_view s) { shape_ = s; }

  // Clears every field (the memory is kept).
  void clear();

  const FieldValue& operator[](size_t field) const { return values_[field]; }
  bool has(size_t field) const { return values_[field].kind != FieldValue::kMissing; }
  // The field as text: kText, or a string kDoc; "" otherwise (numbers are not converted).
  std::string_view text(size_t field) const;
  // Where the field came from in the input ("short_description", "fields.summary").
  std::string_view from(size_t field) const { return from_[field]; }
  // The fields set, in the order the mapping set them.
  const std::vector<uint8_t>& order() const { return order_; }
  // The (key, value) pairs of a kPairs field.
  std::pair<const std::pair<std::string_view, std::string_view>*, size_t> pairs(size_t field) const {
    const FieldValue& v = values_[field];
    return {pairs_.data() + v.begin, v.end - v.begin};
  }

  // ---- for the mappings ----
  void set_text(size_t field, std::string_view text, std::string_view from);
  void set_doc(size_t field, Value v, std::string_view from);
  // A string that lives as long as the record's current contents (until clear()).
  std::string_view own(std::string_view s);
  // Starts a kPairs field; add_pair() appends to it.
  void begin_pairs(size_t field, std::string_view from);
  void add_pair(std::string_view key, std::string_view value);

  // The value a label matcher sees for `name` (Alertmanager's reading, as TriageRouting
  // documents it): labels.NAME, else the field NAME, else the dotted path below a field;
  // strings as they are, other values as JSON text (in `scratch`); missing: "".
  std::string_view lookup(std::string_view name, std::string& scratch) const;

 private:
  void mark(size_t field, std::string_view from);
  const Schema* schema_;
  std::string_view shape_;
  std::vector<FieldValue> values_;
  std::vector<std::string_view> from_;
  std::vector<uint8_t> order_;
  std::vector<std::pair<std::string_view, std::string_view>> pairs_;
  std::deque<std::string> owned_;  // deque: views stay valid as it grows
  size_t owned_used_ = 0;
  size_t pairs_field_ = 0;
};

// ---- incident (TriageRouting, Rules with input "incident") ----------------------------

namespace incident {
enum Field : uint8_t {
  kKind, kId, kTitle, kDescription, kService, kCi, kImpact, kUrgency, kPriority, kTeam, kCategory, kEnvironment,
  kSeverity, kAffectedUsers, kLabels, kAnnotations, kCreated, kUpdated, kStatus, kRegion, kReporter, kTags, kCustom,
  kComponents, kEscalation, kSource,
};
}  // namespace incident

const Schema& incident_schema();

// Reads an incident, ticket or alert of any accepted shape: native, a ServiceNow incident
// (or sc_task, sc_req_item, problem), a Jira issue, an Alertmanager/Prometheus alert. The
// record's shape is "native", "servicenow", "jira" or "alertmanager".
void map_incident(Value input, Record& out);
// The same, with the ServiceNow instance's settings (docs/servicenow.md): a ServiceNow
// record's dates (opened_at, else sys_created_on; sys_updated_on) are read in its
// sysparm_display_value mode, display values in the settings' zone and format, and bound as
// RFC 3339 UTC. A date that does not read is left out and told in `problems` ("input field
// opened_at: ..."), when given. `servicenow` nullptr: no settings.
void map_incident(Value input, Record& out, const servicenow::Config* servicenow, std::vector<std::string>* problems);
// False when `input` is of no known shape: not an object, or read as native without a
// `kind` and without any canonical field but `status` (a Prometheus query answer, a
// webhook of another tool). Such a document is an error for a kind, never a silent decision on nothing.
bool is_known_incident(Value input, const Record& mapped);

}  // namespace verdict::shapes

namespace verdict::shapes {

// ---- alert (AlertDedup's events, Rules with input "alert") -----------------------------

namespace alert {
enum Field : uint8_t {
  kKind, kSource, kStatus, kLabels, kAnnotations, kSeverity, kSummary, kStartsAt, kEndsAt, kAt, kFingerprint, kDedupKey,
  kGeneratorUrl,
};
}  // namespace alert

// ---- the other canonical documents ------------------------------------------------------
// ci: a CMDB item (cmdb/); sli: an SLI sample (kinds/budget). The change's schema is next
// to its mapping (document/change.h).
const Schema& alert_schema();

struct AlertEvent;  // document/alert.h
// The canonical alert of an event read by read_alert (document/alert.h). The record's shape
// is the event's ("alertmanager", "prometheus", "pagerduty", "plain").
void map_alert(const AlertEvent& ev, Record& out);
// Reads `doc` as one alert (detect_alert_shape, read_alert) into `out`. Returns "" or why it
// is not a usable alert; the record then holds only its kind and source.
std::string map_alert(Value doc, Record& out);

// ---- the other canonical documents ------------------------------------------------------
// change: ChangeRisk's `change` (kinds/change); ci: a CMDB item (cmdb/); sli: an SLI sample
// (kinds/budget).
const Schema& change_schema();
const Schema& ci_schema();
const Schema& sli_schema();

// The schema of a canonical document by the variable name a Rules policy binds
// ("incident", "ticket", "change", "alert", "ci", "item", "sli", "sample"), or null.
const Schema* schema_for_variable(std::string_view name);

}  // namespace verdict::shapes
