// libFuzzer target for the document layer: any bytes, as one document and as an
// NDJSON stream. Properties: no crash, no hang, no sanitizer report; a document
// that reads back serializes to canonical JSON that reads again to the same text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "verdict/document.h"
#include "verdict/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static verdict::DocumentReader reader;
  static verdict::DocumentReader again;
  static verdict::Engine engine;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto doc = reader.read(input);
  if (doc.ok()) {
    std::string canonical = doc.value().root().to_json();
    auto reread = again.read(canonical);
    if (!reread.ok() || reread.value().root().to_json() != canonical) std::abort();
  } else {
    const verdict::Error& e = doc.error();
    if (e.message.empty()) std::abort();
    if (e.offset > static_cast<int64_t>(size)) std::abort();
  }

  size_t lines = 0;
  verdict::StreamStats stats = reader.read_ndjson(input, [&](const verdict::StreamItem& item) {
    if ((item.document == nullptr) == (item.error == nullptr)) std::abort();
    if (item.offset + item.length > size) std::abort();
    ++lines;
    return true;
  });
  if (stats.read + stats.failed != lines || stats.lines != lines) std::abort();

  verdict::ReadOptions options;
  (void)engine.read(input, options);
  return 0;
}
