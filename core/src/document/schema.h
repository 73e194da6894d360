// Schemas of the canonical documents (incident, change, alert, ci, sli): the fields a
// policy expression may read. The shape mapping (document/shapes.h) writes exactly these
// fields and nothing else, and the checker (lang/checker.cc) reads the same tables, so a
// field that lints is a field that can hold a value, and an unknown one is a lint error.
//
// Fields of type kMap (labels, annotations, custom) are open: any key may be read below them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace verdict {

enum class FieldType : uint8_t {
  kAny,        // whatever the input holds (a copied sub-document)
  kString,
  kInt,
  kNumber,
  kBool,
  kTimestamp,  // RFC 3339 text, in documents and when bound (timestamp() converts it)
  kList,
  kMap,        // open: any key below it may be read
};

struct SchemaField {
  std::string_view name;
  FieldType type;
};

class Schema {
 public:
  template <size_t N>
  constexpr Schema(std::string_view name, const SchemaField (&fields)[N]) : name_(name), fields_(fields), size_(N) {}

  std::string_view name() const { return name_; }       // "incident"
  size_t size() const { return size_; }
  const SchemaField& operator[](size_t i) const { return fields_[i]; }
  const SchemaField* begin() const { return fields_; }
  const SchemaField* end() const { return fields_ + size_; }
  // The index of field `name`, or -1.
  int find(std::string_view name) const {
    for (size_t i = 0; i < size_; ++i)
      if (fields_[i].name == name) return static_cast<int>(i);
    return -1;
  }

 private:
  std::string_view name_;
  const SchemaField* fields_;
  size_t size_;
};

}  // namespace verdict
