#include "policy/bind.h"

#include "document/document_internal.h"
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
