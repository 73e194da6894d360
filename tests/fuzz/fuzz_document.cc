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

  // The same bytes as a data file (CMDB, scheduled changes, windows, budget status) and as a
  // change request, under a ChangeRisk policy: errors have messages, the engine goes on.
  verdict::Engine gate;
  gate.load_policies(R"({"apiVersion": "verdict/v1", "kind": "ChangeRisk", "metadata": {"name": "fuzz"}, "spec": {
      "factors": [{"name": "t", "when": "blast.count > 0", "points": "blast.count"}],
      "classes": [{"name": "low", "below": 50, "outcome": "peer_review"}, {"name": "high", "outcome": "cab_review"}],
      "windows": {"w": {"type": "maintenance", "times": [{"days": ["sun"], "start": "22:00", "end": "04:00"}], "scope": {"tiers": [1]}}}}})",
                     "fuzz-policy.json");
  verdict::LoadReport data_report = gate.load_data(input, "fuzz-data.json");
  for (const verdict::Error& e : data_report.errors)
    if (e.message.empty()) std::abort();
  verdict::EvalOptions eval;
  eval.now = "2026-03-01T10:00:00Z";
  eval.explain = true;
  (void)gate.evaluate(input, eval);
  return 0;
}
