// Internals of the document layer shared by document.cc, locate.cc and the
// evaluator: the simdjson types behind Value and Document.
#pragma once

#include <simdjson.h>

#include "verdict/document.h"

namespace verdict {

class JsonWriter;

struct ValueAccess {
  static Value wrap(simdjson::dom::element e);
  static simdjson::dom::element element(const Value& v);
};

struct Document::Impl {
  simdjson::padded_string bytes;   // owned input (empty for views into a stream)
  simdjson::dom::document owned;   // owned tape (unused for views into a stream)
  simdjson::dom::element root;
  size_t size = 0;
  bool has_root = false;
};

// Finds where in [data, data+len) a document fails to parse or check, given what
// simdjson or the checker reported. The returned error carries the best code and
// message found and the byte offset (-1 when it cannot be found).
Error locate_error(const char* data, size_t len, ErrorCode reported, const std::string& reported_message,
                   const Limits& limits);

void write_element(JsonWriter& w, simdjson::dom::element e);

}  // namespace verdict
