#include "lang/value.h"

#include "time/time.h"
#include "verdict/json_writer.h"

namespace verdict::lang {

Val Val::from_doc(Value x) {
  switch (x.type()) {
    case Type::kMissing: return Val::miss();
    case Type::kNull: return Val::null();
    case Type::kBool: return Val::boolean(x.as_bool());
    case Type::kInt: return Val::integer(x.as_int());
    case Type::kDouble: return Val::dbl(x.as_double());
    case Type::kString: return Val::str(x.as_string());
    case Type::kArray:
    case Type::kObject: {
      Val v;
      v.k = VK::kDoc;
      v.doc = x;
      return v;
    }
  }
  return Val::miss();
}

const char* val_type_name(const Val& v) {
  switch (v.k) {
    case VK::kNull: return "null";
    case VK::kBool: return "bool";
    case VK::kInt: return "int";
    case VK::kDouble: return "double";
    case VK::kString: return "string";
    case VK::kTime: return "timestamp";
    case VK::kDuration: return "duration";
    case VK::kDoc: return v.doc.is_array() ? "list" : "map";
    case VK::kList: return "list";
    case VK::kMap: return "map";
    case VK::kError: return "error";
  }
  return "null";
}

size_t list_size(const Val& v) {
  if (v.k == VK::kList) return v.list->size();
  if (v.k == VK::kDoc && v.doc.is_array()) return v.doc.size();
  return 0;
}

Val list_at(const Val& v, size_t i) {
  if (v.k == VK::kList) return i < v.list->size() ? (*v.list)[i] : Val::miss();
  if (v.k == VK::kDoc) return Val::from_doc(v.doc.at(i));
  return Val::miss();
}

size_t map_size(const Val& v) {
  if (v.k == VK::kMap) return v.map->size();
  if (v.k == VK::kDoc && v.doc.is_object()) return v.doc.size();
  return 0;
}

Val map_get(const Val& v, std::string_view key, bool* found) {
  if (v.k == VK::kMap) {
    for (const auto& [k, val] : *v.map) {
      if (k == key) {
        if (found) *found = true;
        return val;
      }
    }
  } else if (v.k == VK::kDoc) {
    Value x = v.doc.get(key);
    if (x.exists()) {
      if (found) *found = true;
      return Val::from_doc(x);
    }
  }
  if (found) *found = false;
  return Val::miss();
}

bool val_equal(const Val& a, const Val& b) {
  if (a.is_number() && b.is_number()) {
    if (a.k == VK::kInt && b.k == VK::kInt) return a.i == b.i;
    return a.num() == b.num();
  }
  if (a.is_list() && b.is_list()) {
    size_t n = list_size(a);
    if (n != list_size(b)) return false;
    for (size_t i = 0; i < n; ++i)
      if (!val_equal(list_at(a, i), list_at(b, i))) return false;
    return true;
  }
  if (a.is_map() && b.is_map()) {
    if (map_size(a) != map_size(b)) return false;
    bool same = true;
    map_each(a, [&](std::string_view k, const Val& x) {
      bool found = false;
      Val y = map_get(b, k, &found);
      if (!found || !val_equal(x, y)) same = false;
      return same;
    });
    return same;
  }
  if (a.k != b.k) return false;
  switch (a.k) {
    case VK::kNull: return true;
    case VK::kBool: return a.b == b.b;
    case VK::kString: return a.sv() == b.sv();
    case VK::kTime:
    case VK::kDuration: return a.i == b.i;
    default: return false;
  }
}

void write_val(JsonWriter& w, const Val& v) {
  switch (v.k) {
    case VK::kNull: w.null(); break;
    case VK::kBool: w.boolean(v.b); break;
    case VK::kInt: w.number(v.i); break;
    case VK::kDouble: w.number(v.d); break;
    case VK::kString: w.string(v.sv()); break;
    case VK::kTime: w.string(datetime::format_rfc3339(v.i)); break;
    case VK::kDuration: w.string(datetime::format_duration(v.i)); break;
    case VK::kDoc: w.raw(v.doc.to_json()); break;
    case VK::kList:
      w.begin_array();
      for (const Val& x : *v.list) write_val(w, x);
      w.end_array();
      break;
    case VK::kMap:
      w.begin_object();
      for (const auto& [k, x] : *v.map) {
        w.key(k);
        write_val(w, x);
      }
      w.end_object();
      break;
    case VK::kError: w.null(); break;
  }
}

std::string val_to_json(const Val& v) {
  JsonWriter w;
  write_val(w, v);
  return w.take();
}

namespace {
uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
}  // namespace

uint64_t val_weight(const Val& v, Arena& arena) {
  switch (v.k) {
    case VK::kString: return v.s.n + 2;
    case VK::kDoc: return 16 + 16 * static_cast<uint64_t>(v.doc.size());  // shallow: a document is bounded by the input
    // Only a list or map that holds built values is kept in the memo: a flat one is weighed
    // in one pass over its items, and weighing it allocates nothing (tests/test_lang_alloc.cc).
    case VK::kList: {
      if (const uint64_t* w = arena.find_weight(v.list)) return *w;
      uint64_t w = 2;
      bool nested = false;
      for (const Val& item : *v.list) {
        nested |= item.k == VK::kList || item.k == VK::kMap;
        w = add_sat(w, add_sat(val_weight(item, arena), 1));
      }
      if (nested) *arena.weight_slot(v.list) = w;
      return w;
    }
    case VK::kMap: {
      if (const uint64_t* w = arena.find_weight(v.map)) return *w;
      uint64_t w = 2;
      bool nested = false;
      for (const auto& [key, item] : *v.map) {
        nested |= item.k == VK::kList || item.k == VK::kMap;
        w = add_sat(w, add_sat(val_weight(item, arena), key.size() + 4));
      }
      if (nested) *arena.weight_slot(v.map) = w;
      return w;
    }
    case VK::kNull: return 4;
    case VK::kBool: return v.b ? 4 : 5;
    case VK::kInt: {
      uint64_t digits = v.i < 0 ? 2 : 1;
      for (uint64_t x = v.i < 0 ? 0 - static_cast<uint64_t>(v.i) : static_cast<uint64_t>(v.i); x >= 10; x /= 10) ++digits;
      return digits;
    }
    case VK::kTime: return 24;      // "2025-03-14T10:00:00.5Z"
    default: return 12;             // doubles, durations, errors
  }
}

}  // namespace verdict::lang
