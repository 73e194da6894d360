// A benchmark-only Wasm module: simdjson's parse_many compiled by Emscripten,
// parse only, as the Wasm ceiling for bench/bench_load.mjs. Not part of verdict.wasm.
#include <simdjson.h>

#include <cstdlib>

extern "C" {

__attribute__((used)) void* bench_alloc(size_t n) { return std::malloc(n + simdjson::SIMDJSON_PADDING); }

__attribute__((used)) size_t bench_parse_many(const char* data, size_t len) {
  static simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  if (parser.parse_many(reinterpret_cast<const uint8_t*>(data), len).get(stream)) return 0;
  size_t n = 0;
  for (auto doc : stream) {
    simdjson::dom::element e;
    if (!doc.get(e)) ++n;
  }
  return n;
}
}
