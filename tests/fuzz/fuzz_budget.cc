// libFuzzer target for ErrorBudget's input reader: any bytes as SLO definitions and SLI
// data, evaluated with a budget policy. Properties: no crash or sanitizer report; every
// error has a message and an offset inside the input; no NaN or infinity in the output;
// the engine's answer is valid JSON-shaped ({"ok":...}).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "verdict/engine.h"

namespace {

const char* kPolicy = R"({"apiVersion": "verdict/v1", "kind": "ErrorBudget", "metadata": {"name": "b"},
  "spec": {"thresholds": [{"name": "n", "consumed": 0.25, "actions": ["notify"]},
                          {"name": "p", "when": "slo.burn_state == 'page' || slo.burn_rates['1h'] > 2", "actions": ["require_approval"]},
                          {"name": "f", "consumed": 1, "actions": ["freeze_releases"]}],
           "burndownPoints": 8}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  static Engine* engine = [] {
    auto* e = new Engine();
    if (!e->load_policies(kPolicy, "b.json").ok()) std::abort();
    return e;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  options.explain = (size % 2) == 1;
  EvalReport r = engine->evaluate(text, options);
  for (const Error& e : r.errors) {
    if (e.message.empty()) std::abort();
    if (e.offset > static_cast<int64_t>(size)) std::abort();
  }
  if (r.json.rfind("{\"ok\":", 0) != 0) std::abort();
  for (const char* bad : {"nan", "inf", "NaN", "Infinity"})
    if (r.json.find(std::string(":") + bad) != std::string::npos) std::abort();
  return 0;
}
