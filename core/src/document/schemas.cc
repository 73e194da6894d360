// Schemas of the canonical documents whose mappings live with their kinds (alert) or data
// (ci, sli). The incident's and the change's are next to their mappings (incident.cc,
// change.cc).
#include "document/change.h"
#include "document/shapes.h"

namespace verdict::shapes {
namespace {

constexpr SchemaField kAlert[] = {
    {"kind", FieldType::kString}, {"labels", FieldType::kMap}, {"annotations", FieldType::kMap},
    {"status", FieldType::kString}, {"startsAt", FieldType::kTimestamp}, {"endsAt", FieldType::kTimestamp},
    {"generatorURL", FieldType::kString}, {"fingerprint", FieldType::kString}, {"source", FieldType::kString},
    {"dedup_key", FieldType::kString}, {"custom", FieldType::kMap}, {"receiver", FieldType::kString},
    {"severity", FieldType::kString}, {"summary", FieldType::kString},
};
constexpr SchemaField kCi[] = {
    {"kind", FieldType::kString}, {"id", FieldType::kString}, {"name", FieldType::kString},
    {"class", FieldType::kString}, {"tier", FieldType::kInt}, {"owner", FieldType::kString},
    {"environment", FieldType::kString}, {"service", FieldType::kString}, {"depends_on", FieldType::kList},
    {"labels", FieldType::kMap}, {"custom", FieldType::kMap}, {"region", FieldType::kString},
};
constexpr SchemaField kSli[] = {
    {"kind", FieldType::kString}, {"slo", FieldType::kString}, {"service", FieldType::kString},
    {"timestamp", FieldType::kTimestamp}, {"good", FieldType::kNumber}, {"bad", FieldType::kNumber},
    {"total", FieldType::kNumber}, {"interval", FieldType::kString}, {"custom", FieldType::kMap},
};
constexpr Schema kAlertSchema("alert", kAlert);
constexpr Schema kCiSchema("ci", kCi);
constexpr Schema kSliSchema("sli", kSli);

}  // namespace

const Schema& alert_schema() { return kAlertSchema; }
const Schema& ci_schema() { return kCiSchema; }
const Schema& sli_schema() { return kSliSchema; }

const Schema* schema_for_variable(std::string_view name) {
  if (name == "incident" || name == "ticket") return &incident_schema();
  if (name == "change") return &change_schema();
  if (name == "alert") return &alert_schema();
  if (name == "ci" || name == "item") return &ci_schema();
  if (name == "sli" || name == "sample") return &sli_schema();
  return nullptr;
}

}  // namespace verdict::shapes
