#include "document/shapes.h"

#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict::shapes {

void Record::clear() {
  for (FieldValue& v : values_) v = FieldValue{};
  for (auto& f : from_) f = {};
  order_.clear();
  pairs_.clear();
  owned_used_ = 0;
  shape_ = {};
}

std::string_view Record::text(size_t field) const {
  const FieldValue& v = values_[field];
  if (v.kind == FieldValue::kText) return v.text;
  if (v.kind == FieldValue::kDoc && v.doc.is_string()) return v.doc.as_string();
  return {};
}

void Record::mark(size_t field, std::string_view from) {
  if (values_[field].kind == FieldValue::kMissing) order_.push_back(static_cast<uint8_t>(field));
  from_[field] = from;
}

void Record::set_text(size_t field, std::string_view text, std::string_view from) {
  mark(field, from);
  FieldValue& v = values_[field];
  v = FieldValue{};
  v.kind = FieldValue::kText;
  v.text = text;
}

void Record::set_doc(size_t field, Value doc, std::string_view from) {
  mark(field, from);
  FieldValue& v = values_[field];
  v = FieldValue{};
  v.kind = FieldValue::kDoc;
  v.doc = doc;
}

std::string_view Record::own(std::string_view s) {
  if (owned_used_ == owned_.size()) owned_.emplace_back();
  std::string& slot = owned_[owned_used_++];
  slot.assign(s);
  return slot;
}

void Record::begin_pairs(size_t field, std::string_view from) {
  mark(field, from);
  FieldValue& v = values_[field];
  v = FieldValue{};
  v.kind = FieldValue::kPairs;
  v.begin = v.end = static_cast<uint32_t>(pairs_.size());
  pairs_field_ = field;
}

void Record::add_pair(std::string_view key, std::string_view value) {
  pairs_.emplace_back(key, value);
  values_[pairs_field_].end = static_cast<uint32_t>(pairs_.size());
}

namespace {

std::string_view as_text(Value v, std::string& scratch) {
  if (!v.exists() || v.is_null()) return {};
  if (v.is_string()) return v.as_string();
  scratch = v.to_json();
  return scratch;
}

}  // namespace

std::string_view Record::lookup(std::string_view name, std::string& scratch) const {
  int labels = schema_->find("labels");
  if (labels >= 0) {
    const FieldValue& l = values_[static_cast<size_t>(labels)];
    if (l.kind == FieldValue::kDoc) {
      Value v = l.doc.get(name);
      if (v.exists()) return as_text(v, scratch);
    } else if (l.kind == FieldValue::kPairs) {
      for (uint32_t i = l.begin; i < l.end; ++i)
        if (pairs_[i].first == name) return pairs_[i].second;
    }
  }
  auto field_value = [&](size_t f, std::string_view rest) -> std::string_view {
    const FieldValue& v = values_[f];
    switch (v.kind) {
      case FieldValue::kMissing: return {};
      case FieldValue::kText: return rest.empty() ? v.text : std::string_view();
      case FieldValue::kDoc: return as_text(rest.empty() ? v.doc : at_dotted(v.doc, rest), scratch);
      case FieldValue::kPairs:
        if (rest.empty()) {
          JsonWriter w;
          w.begin_object();
          for (uint32_t i = v.begin; i < v.end; ++i) w.key(pairs_[i].first).string(pairs_[i].second);
          w.end_object();
          scratch.assign(w.view());
          return scratch;
        }
        for (uint32_t i = v.begin; i < v.end; ++i)
          if (pairs_[i].first == rest) return pairs_[i].second;
        return {};
    }
    return {};
  };
  int f = schema_->find(name);
  if (f >= 0) return field_value(static_cast<size_t>(f), {});
  size_t dot = name.find('.');
  if (dot != std::string_view::npos) {
    int head = schema_->find(name.substr(0, dot));
    if (head >= 0) return field_value(static_cast<size_t>(head), name.substr(dot + 1));
  }
  return {};
}

}  // namespace verdict::shapes
