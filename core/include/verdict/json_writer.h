// verdict/json_writer.h: the one way verdict writes JSON.
//
// Decisions must be byte-identical between the native and the WebAssembly build,
// so every number goes through one formatter: integers in decimal, doubles in
// nlohmann/json's shortest round-trip form (Grisu2; "1.0", "0.1", "1e+100"), and
// NaN or infinity as null (they are never valid JSON).
//
//   verdict::JsonWriter w;
//   w.begin_object().key("ok").boolean(true).key("count").number(int64_t{3}).end_object();
//   std::string_view json = w.view();   // {"ok":true,"count":3}
//
// Not thread-safe; cheap to reuse after clear().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace verdict {

void append_json_string(std::string& out, std::string_view s);
void append_json_double(std::string& out, double d);
void append_json_int(std::string& out, int64_t v);
void append_json_uint(std::string& out, uint64_t v);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view s);
  JsonWriter& number(int64_t v);
  JsonWriter& number(uint64_t v);
  JsonWriter& number(int v) { return number(static_cast<int64_t>(v)); }
  JsonWriter& number(double v);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& raw(std::string_view json);

  std::string_view view() const { return out_; }
  std::string take() { std::string s; s.swap(out_); first_.clear(); after_key_ = false; return s; }
  void clear() { out_.clear(); first_.clear(); after_key_ = false; }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;   // per open container: no member written yet
  bool after_key_ = false;
};

}  // namespace verdict
