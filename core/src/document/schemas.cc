// Schemas of the canonical documents whose mappings live with their kinds (change) or data
// (ci, sli). The incident's and the alert's are next to their mappings (incident.cc, alert.cc).
#include "document/shapes.h"

namespace verdict::shapes {
namespace {

constexpr SchemaField kChange[] = {
    {"kind", FieldType::kString}, {"id", FieldType::kString}, {"title", FieldType::kString},
    {"description", FieldType::kString}, {"type", FieldType::kString}, {"targets", FieldType::kList},
    {"services", FieldType::kList}, {"start", FieldType::kTimestamp}, {"end", FieldType::kTimestamp},
    {"assignee", FieldType::kString}, {"team", FieldType::kString}, {"rollback_plan", FieldType::kString},
    {"test_evidence", FieldType::kString}, {"canary", FieldType::kBool}, {"size", FieldType::kMap},
    {"risk", FieldType::kString}, {"impact", FieldType::kString}, {"approvals", FieldType::kList},
    {"repository", FieldType::kString}, {"commit", FieldType::kString}, {"labels", FieldType::kMap},
    {"custom", FieldType::kMap}, {"author", FieldType::kString}, {"created", FieldType::kTimestamp},
    {"security", FieldType::kBool}, {"category", FieldType::kString}, {"environment", FieldType::kString},
    {"source", FieldType::kString}, {"window", FieldType::kMap}, {"duration_minutes", FieldType::kNumber},
    {"has_rollback_plan", FieldType::kBool}, {"has_test_evidence", FieldType::kBool}, {"checks", FieldType::kMap},
    {"failed_checks", FieldType::kList}, {"branch", FieldType::kString}, {"changed_files", FieldType::kList},
    {"template", FieldType::kString}, {"status", FieldType::kString}, {"outcome", FieldType::kString},
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
constexpr Schema kChangeSchema("change", kChange);
constexpr Schema kCiSchema("ci", kCi);
constexpr Schema kSliSchema("sli", kSli);

}  // namespace

const Schema& change_schema() { return kChangeSchema; }
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
