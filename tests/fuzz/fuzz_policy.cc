// libFuzzer target for the policy loader: any bytes as a policy file, then, when
// it loads, one evaluation. Properties: no crash or sanitizer report; every error
// has a message and a position inside the file.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verdict/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Engine engine;
  LoadReport r = engine.load_policies(text, "fuzz.json");
  for (const Error& e : r.errors) {
    if (e.message.empty()) std::abort();
    if (e.offset > static_cast<int64_t>(size)) std::abort();
  }
  if (r.ok()) {
    EvalOptions options;
    options.now = "2026-03-01T10:00:00Z";
    options.explain = true;
    (void)engine.evaluate(R"({"kind":"incident","title":"db down","labels":{"a":"b"}})", options);
  }
  return 0;
}
