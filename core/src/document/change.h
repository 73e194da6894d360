// The canonical change (docs/change.md): one mapping from the three accepted shapes of a
// change request (native `"kind": "change"`, a ServiceNow change_request record, a
// CI-pipeline change description) into one typed Change, and the schema of what policy
// expressions read as `change` (ChangeRisk, and Rules with `"input": "change"`).
//
// The schema lists exactly the fields the binding gives a value (policy/bind.h,
// bind_change), in the same order: a field that lints is a field that can hold a value.
//
//   shapes::Change c;
//   std::vector<shapes::FieldProblem> problems;
//   shapes::map_change(doc.root(), c, problems);   // c.id: "CHG0030045", c.targets, c.start ...
//
// A Change owns its strings (it outlives its input document: scheduled changes are kept
// by a bundle). Not thread-safe; the schema is immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "document/schema.h"
#include "document/servicenow.h"
#include "time/zone.h"
#include "verdict/document.h"

namespace verdict::shapes {

struct Approval {
  std::string user;
  std::string role;  // a role or team ("code-owner", "sre", "cab", "dba-team")
};

// Where a change is in its life: scheduled (anything not finished), done, or cancelled.
enum class Lifecycle { kScheduled, kDone, kCancelled };

struct Change {
  std::string source;  // "native", "servicenow" or "pipeline"
  std::string id, title, description;
  std::string type;    // standard | normal | emergency (lower case), "" when not given
  std::string risk, impact, category, environment, assignee, team, author;
  std::string rollback_plan, test_evidence, repository, commit, branch, template_name;
  std::string status;  // as given (lower case); ServiceNow states are named ("scheduled", "closed", ...)
  std::string outcome; // successful | failed | rolled_back | "" (lower case)
  std::vector<std::string> targets;   // CMDB items (ids or names)
  std::vector<std::string> services;  // business services
  std::vector<std::string> changed_files;
  std::vector<Approval> approvals;
  std::vector<std::pair<std::string, std::string>> checks;  // name -> status (pipeline checks)
  int64_t start = 0, end = 0;
  bool has_start = false, has_end = false;
  std::optional<bool> canary, security;
  int64_t files = -1, lines = -1;  // size of the change; -1 when not given

  Lifecycle lifecycle() const;
  bool failed() const;  // a finished change that failed or was rolled back
  // Both ends known and the end after the start: windows, conflicts and history apply.
  bool timed() const { return has_start && has_end && end > start; }
  // Whole minutes from start to end; -1 unless timed().
  int64_t duration_minutes() const;
  // False for an empty plan or one that says there is none ("n/a", "none", "-", "tbd", "todo", "no").
  bool has_rollback_plan() const;
  bool has_test_evidence() const;
  // A check whose status is failed, failure, error or cancelled.
  static bool check_failed(std::string_view status);
};

// A problem with one field of a change document ("start": "timestamp without a zone").
struct FieldProblem {
  std::string field;    // the field as named in the input ("start_date", "deploy_window.end")
  std::string message;
};

struct ChangeOptions {
  // ServiceNow's Table API writes "2025-03-15 21:00:00" (no zone) in UTC; another zone (an
  // offset or an IANA name) reads display values written in a user's zone.
  datetime::Zone servicenow_zone;
  // The instance's settings (a data file's `servicenow` object): the zone and format of dates
  // written as display values (sysparm_display_value=true). nullptr: UTC, "yyyy-MM-dd HH:mm:ss".
  const verdict::servicenow::Config* servicenow = nullptr;
};

// "native", "servicenow", "pipeline", or "" when `doc` is not a change (an object without
// any of the shapes' marks).
std::string_view change_shape(Value doc);

// Reads `doc` into `out` (cleared first). Problems (a timestamp without a zone, an end
// before the start, a field of the wrong type) are appended to `problems`; the rest of the
// change is still read. Returns the shape (change_shape()); a document that is not a
// change ("") is read as a native one.
std::string_view map_change(Value doc, Change& out, std::vector<FieldProblem>& problems, const ChangeOptions& options = {});

// The input field that holds the start or the end in the change's shape ("start_date").
std::string_view start_field(const Change& c);
std::string_view end_field(const Change& c);

// ---- the `change` schema: the fields bound, in binding order ---------------------------

namespace change {
enum Field : uint8_t {
  kKind, kSource, kId, kTitle, kDescription, kType, kRisk, kImpact, kCategory, kEnvironment, kTargets, kServices,
  kStart, kEnd, kDurationMinutes, kAssignee, kTeam, kAuthor, kRollbackPlan, kHasRollbackPlan, kTestEvidence,
  kHasTestEvidence, kCanary, kSecurity, kSize, kApprovals, kChecks, kFailedChecks, kRepository, kCommit, kBranch,
  kChangedFiles, kTemplate, kStatus, kOutcome,
  kFieldCount
};
}  // namespace change

const Schema& change_schema();

}  // namespace verdict::shapes
