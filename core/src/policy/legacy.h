// TEMPORARY (removed when every kind renders typed decisions): a decision kept as the JSON
// text the kind wrote, and the old request shape, so that a kind can move to the typed
// interface one step at a time.
#pragma once

#include "policy/policy.h"
#include "verdict/json_writer.h"

namespace verdict::change {
class ChangeData;
}

namespace verdict::policy {

struct EvalRequest {
  Value input;
  int64_t now = 0;
  bool has_now = false;
  bool explain = false;
  const CmdbIndex* cmdb = nullptr;
  const change::ChangeData* changes = nullptr;
  DocumentReader* scratch = nullptr;
  std::string_view raw;
  std::string_view source;
  DocumentReader* reader = nullptr;
};

inline EvalRequest legacy_request(const DecisionContext& dc, const DecisionInput& in) {
  EvalRequest r;
  r.input = in.document;
  r.now = dc.now;
  r.has_now = dc.has_now;
  r.explain = dc.explain;
  r.cmdb = dc.cmdb;
  r.raw = in.raw;
  r.source = in.source;
  r.reader = in.reader;
  return r;
}

class JsonTextDecision : public Decision {
 public:
  JsonWriter decision, explain;
  Outcome out = Outcome::kAllowed;
  void clear() override {
    decision.clear();
    explain.clear();
    out = Outcome::kAllowed;
  }
  Outcome outcome() const override { return out; }
  void write_json(JsonWriter& w) const override { w.raw(decision.view()); }
  void write_explain(JsonWriter& w) const override {
    if (explain.view().empty()) w.begin_object().end_object();
    else w.raw(explain.view());
  }
  void write_text(TextOut& o, bool) const override { o << "  " << decision.view() << "\n"; }
};

}  // namespace verdict::policy
