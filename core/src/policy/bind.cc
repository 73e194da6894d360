#include "policy/bind.h"

#include "document/document_internal.h"
#include "time/time.h"
#include "verdict/json_writer.h"

namespace verdict::policy {

lang::Val bind_record(const shapes::Record& r, lang::Arena& arena) {
  lang::ValMap& m = arena.new_map();
  for (uint8_t f : r.order()) {
    const shapes::FieldValue& v = r[f];
    std::string_view name = r.schema()[f].name;
    switch (v.kind) {
      case shapes::FieldValue::kMissing: break;
      case shapes::FieldValue::kText: m.emplace_back(name, lang::Val::str(v.text)); break;
      case shapes::FieldValue::kDoc: m.emplace_back(name, lang::Val::from_doc(v.doc)); break;
      case shapes::FieldValue::kPairs: {
        lang::ValMap& pm = arena.new_map();
        auto [pairs, n] = r.pairs(f);
        for (size_t i = 0; i < n; ++i) pm.emplace_back(pairs[i].first, lang::Val::str(pairs[i].second));
        m.emplace_back(name, lang::Val::map_of(&pm));
        break;
      }
    }
  }
  return lang::Val::map_of(&m);
}

namespace {

lang::Val text_or_null(const std::string& s) { return s.empty() ? lang::Val::null() : lang::Val::str(s); }

lang::Val strings(const std::vector<std::string>& v, lang::Arena& arena) {
  lang::ValList& l = arena.new_list();
  l.reserve(v.size());
  for (const std::string& s : v) l.push_back(lang::Val::str(s));
  return lang::Val::list_of(&l);
}

lang::Val timestamp_text(bool has, int64_t t, lang::Arena& arena) {
  if (!has) return lang::Val::null();
  std::string& s = arena.new_string();
  s = datetime::format_rfc3339(t);
  return lang::Val::str(s);
}

lang::Val count_or_null(int64_t n) { return n >= 0 ? lang::Val::integer(n) : lang::Val::null(); }

lang::Val change_field(const shapes::Change& c, shapes::change::Field f, lang::Arena& arena) {
  using namespace shapes::change;
  using lang::Val;
  switch (f) {
    case kKind: return Val::str("change");
    case kSource: return Val::str(c.source);
    case kId: return text_or_null(c.id);
    case kTitle: return text_or_null(c.title);
    case kDescription: return text_or_null(c.description);
    case kType: return text_or_null(c.type);
    case kRisk: return text_or_null(c.risk);
    case kImpact: return text_or_null(c.impact);
    case kCategory: return text_or_null(c.category);
    case kEnvironment: return text_or_null(c.environment);
    case kTargets: return strings(c.targets, arena);
    case kServices: return strings(c.services, arena);
    case kStart: return timestamp_text(c.has_start, c.start, arena);
    case kEnd: return timestamp_text(c.has_end, c.end, arena);
    case kDurationMinutes: return count_or_null(c.duration_minutes());
    case kAssignee: return text_or_null(c.assignee);
    case kTeam: return text_or_null(c.team);
    case kAuthor: return text_or_null(c.author);
    case kRollbackPlan: return text_or_null(c.rollback_plan);
    case kHasRollbackPlan: return Val::boolean(c.has_rollback_plan());
    case kTestEvidence: return text_or_null(c.test_evidence);
    case kHasTestEvidence: return Val::boolean(c.has_test_evidence());
    case kCanary: return c.canary ? Val::boolean(*c.canary) : Val::null();
    case kSecurity: return Val::boolean(c.security.value_or(false));
    case kSize: {
      lang::ValMap& m = arena.new_map();
      m.emplace_back("files", count_or_null(c.files));
      m.emplace_back("lines", count_or_null(c.lines));
      return Val::map_of(&m);
    }
    case kApprovals: {
      lang::ValList& l = arena.new_list();
      for (const shapes::Approval& a : c.approvals) {
        lang::ValMap& m = arena.new_map();
        m.emplace_back("user", Val::str(a.user));
        m.emplace_back("role", text_or_null(a.role));
        l.push_back(Val::map_of(&m));
      }
      return Val::list_of(&l);
    }
    case kChecks: {
      lang::ValMap& m = arena.new_map();
      for (const auto& [name, status] : c.checks) m.emplace_back(name, Val::str(status));
      return Val::map_of(&m);
    }
    case kFailedChecks: {
      lang::ValList& l = arena.new_list();
      for (const auto& [name, status] : c.checks)
        if (shapes::Change::check_failed(status)) l.push_back(Val::str(name));
      return Val::list_of(&l);
    }
    case kRepository: return text_or_null(c.repository);
    case kCommit: return text_or_null(c.commit);
    case kBranch: return text_or_null(c.branch);
    case kChangedFiles: return strings(c.changed_files, arena);
    case kTemplate: return text_or_null(c.template_name);
    case kStatus: return text_or_null(c.status);
    case kOutcome: return text_or_null(c.outcome);
    case kFieldCount: break;
  }
  return Val::null();
}

}  // namespace

lang::Val bind_change(const shapes::Change& c, lang::Arena& arena) {
  const Schema& schema = shapes::change_schema();
  lang::ValMap& m = arena.new_map();
  m.reserve(schema.size());
  for (size_t f = 0; f < schema.size(); ++f)
    m.emplace_back(schema[f].name, change_field(c, static_cast<shapes::change::Field>(f), arena));
  return lang::Val::map_of(&m);
}

void write_record(JsonWriter& w, const shapes::Record& r) {
  w.begin_object();
  for (uint8_t f : r.order()) {
    const shapes::FieldValue& v = r[f];
    switch (v.kind) {
      case shapes::FieldValue::kMissing: break;
      case shapes::FieldValue::kText: w.key(r.schema()[f].name).string(v.text); break;
      case shapes::FieldValue::kDoc:
        w.key(r.schema()[f].name);
        write_element(w, ValueAccess::element(v.doc));
        break;
      case shapes::FieldValue::kPairs: {
        w.key(r.schema()[f].name).begin_object();
        auto [pairs, n] = r.pairs(f);
        for (size_t i = 0; i < n; ++i) w.key(pairs[i].first).string(pairs[i].second);
        w.end_object();
        break;
      }
    }
  }
  w.end_object();
}

}  // namespace verdict::policy
