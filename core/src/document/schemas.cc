// Schemas of the canonical documents whose mappings live with their data: ci (cmdb/) and
// sli (kinds/budget). The incident's, the change's and the alert's are next to their
// mappings (document/incident.cc, change.cc, alert.cc).
#include "document/change.h"
#include "document/shapes.h"

namespace verdict::shapes {
namespace {

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
constexpr Schema kCiSchema("ci", kCi);
constexpr Schema kSliSchema("sli", kSli);

}  // namespace

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
