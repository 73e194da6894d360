// Run-time values of the expression language. A Val is a small tagged value
// that points into documents, program constants or the evaluation's arena:
// evaluating a predicate over a document allocates nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "verdict/document.h"

namespace verdict {
class JsonWriter;
}

namespace verdict::lang {

enum class VK : uint8_t {
  kNull,      // also what a missing field reads as
  kBool,
  kInt,
  kDouble,
  kString,
  kTime,      // ns since the epoch, UTC
  kDuration,  // ns
  kDoc,       // an array or object inside a document (doc)
  kList,      // a list built during evaluation (list)
  kMap,       // a map built during evaluation (map)
  kError,     // an evaluation error (err indexes EvalContext::errors)
};

struct Val;
struct StrRef {
  const char* p;
  size_t n;
};
using ValList = std::vector<Val>;
using ValMap = std::vector<std::pair<std::string_view, Val>>;

struct Val {
  VK k = VK::kNull;
  bool missing = false;  // kNull that came from an absent field (for explanations)
  union {
    bool b;
    int64_t i;
    double d;
    StrRef s;
    const ValList* list;
    const ValMap* map;
    uint32_t err;
  };
  Value doc;

  Val() : i(0) {}
  static Val null() { return Val(); }
  static Val miss() { Val v; v.missing = true; return v; }
  static Val boolean(bool x) { Val v; v.k = VK::kBool; v.b = x; return v; }
  static Val integer(int64_t x) { Val v; v.k = VK::kInt; v.i = x; return v; }
  static Val dbl(double x) { Val v; v.k = VK::kDouble; v.d = x; return v; }
  static Val str(std::string_view x) { Val v; v.k = VK::kString; v.s.p = x.data(); v.s.n = x.size(); return v; }
  static Val time(int64_t ns) { Val v; v.k = VK::kTime; v.i = ns; return v; }
  static Val duration(int64_t ns) { Val v; v.k = VK::kDuration; v.i = ns; return v; }
  static Val list_of(const ValList* l) { Val v; v.k = VK::kList; v.list = l; return v; }
  static Val map_of(const ValMap* m) { Val v; v.k = VK::kMap; v.map = m; return v; }
  static Val error(uint32_t index) { Val v; v.k = VK::kError; v.err = index; return v; }
  static Val from_doc(Value x);  // scalars become scalars; arrays/objects stay kDoc; missing -> miss()

  std::string_view sv() const { return {s.p, s.n}; }
  bool is_error() const { return k == VK::kError; }
  bool is_number() const { return k == VK::kInt || k == VK::kDouble; }
  double num() const { return k == VK::kInt ? static_cast<double>(i) : d; }
  bool is_list() const { return k == VK::kList || (k == VK::kDoc && doc.is_array()); }
  bool is_map() const { return k == VK::kMap || (k == VK::kDoc && doc.is_object()); }
};

// The type name users see in messages: "null", "bool", "int", "double", "string",
// "timestamp", "duration", "list", "map", "error".
const char* val_type_name(const Val& v);

// "an int", "a string": a type name with its article, for messages.
inline std::string a_an(const char* type) {
  bool vowel = type[0] == 'a' || type[0] == 'e' || type[0] == 'i' || type[0] == 'o' || type[0] == 'u';
  return std::string(vowel ? "an " : "a ") + type;
}

// List and map access over both document and built values.
size_t list_size(const Val& v);
Val list_at(const Val& v, size_t i);
size_t map_size(const Val& v);
Val map_get(const Val& v, std::string_view key, bool* found = nullptr);
// Calls fn(key, value) for each member; stops when fn returns false.
template <class F>
void map_each(const Val& v, F&& fn);

bool val_equal(const Val& a, const Val& b);

// Writes the value as JSON (timestamps as RFC 3339 strings, durations as "1h30m").
void write_val(JsonWriter& w, const Val& v);
std::string val_to_json(const Val& v);

class Arena;
// About how many bytes the value takes written as JSON: what the limits on built values
// (max_value_bytes), on string() and on the work of comparisons charge. A list or map built
// from shared parts (a `let` reused ten times, ten levels deep) is weighed in time linear in
// what was built, not in its written size: each one's weight is kept in the arena.
uint64_t val_weight(const Val& v, Arena& arena);

// Storage for strings, lists and maps built during one evaluation. Reset between
// evaluations; the memory is kept, so steady-state evaluation does not allocate.
class Arena {
 public:
  std::string& new_string() {
    if (strings_used_ == strings_.size()) strings_.emplace_back();
    std::string& s = strings_[strings_used_++];
    s.clear();
    return s;
  }
  ValList& new_list() {
    if (lists_used_ == lists_.size()) lists_.emplace_back();
    ValList& l = lists_[lists_used_++];
    l.clear();
    return l;
  }
  ValMap& new_map() {
    if (maps_used_ == maps_.size()) maps_.emplace_back();
    ValMap& m = maps_[maps_used_++];
    m.clear();
    return m;
  }
  void reset() {
    strings_used_ = lists_used_ = maps_used_ = 0;
    weights_.clear();
  }
  // val_weight()'s memo of built lists and maps (cleared with the arena).
  uint64_t* weight_slot(const void* p) { return &weights_[p]; }
  const uint64_t* find_weight(const void* p) const {
    auto it = weights_.find(p);
    return it == weights_.end() ? nullptr : &it->second;
  }

 private:
  std::deque<std::string> strings_;  // deque: addresses stay put as it grows
  std::deque<ValList> lists_;
  std::deque<ValMap> maps_;
  size_t strings_used_ = 0, lists_used_ = 0, maps_used_ = 0;
  std::unordered_map<const void*, uint64_t> weights_;
};

template <class F>
void map_each(const Val& v, F&& fn) {
  if (v.k == VK::kMap) {
    for (const auto& [key, val] : *v.map)
      if (!fn(key, val)) return;
  } else if (v.k == VK::kDoc) {
    v.doc.for_each_member([&](std::string_view key, Value x) { return fn(key, Val::from_doc(x)); });
  }
}

}  // namespace verdict::lang
