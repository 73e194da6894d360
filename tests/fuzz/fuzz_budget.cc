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
           "burndown_points": 8}})";

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
  // Outside strings, the only words are true, false and null (and exponents inside
  // numbers): never nan or inf.
  const std::string& j = r.json;
  bool in_string = false;
  for (size_t i = 0; i < j.size(); ++i) {
    char c = j[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      bool exponent = (c == 'e' || c == 'E') && i > 0 && j[i - 1] >= '0' && j[i - 1] <= '9';
      if (exponent) continue;
      size_t k = i;
      while (k < j.size() && ((j[k] >= 'a' && j[k] <= 'z') || (j[k] >= 'A' && j[k] <= 'Z'))) ++k;
      std::string_view word(j.data() + i, k - i);
      if (word != "true" && word != "false" && word != "null") std::abort();
      i = k - 1;
    }
  }
  return 0;
}
