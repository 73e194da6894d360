// libFuzzer target for the one YAML reader (document/yaml.*), directly in both scalar modes
// and through the engine as YAML input to an ErrorBudget policy. Properties: no crash or
// sanitizer report and no exception out of it (yaml-cpp throws; the reader catches); a
// conversion gives one valid JSON line per YAML document and every line maps back to a YAML
// position inside the text; every error has a message.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "document/yaml.h"
#include "verdict/engine.h"

namespace {

const char* kPolicy = R"({"apiVersion": "verdict/v1", "kind": "ErrorBudget", "metadata": {"name": "b"},
  "spec": {"thresholds": [{"name": "f", "consumed": 1, "actions": ["freeze_releases"]}]}})";

void check_converted(std::string_view text, const verdict::yaml::Options& options) {
  auto r = verdict::yaml::to_ndjson(text, options);
  if (!r.ok()) {
    if (r.error().message.empty()) std::abort();
    return;
  }
  const verdict::yaml::Converted& c = r.value();
  size_t lines = 0, from = 0;
  while (from < c.ndjson.size()) {
    size_t nl = c.ndjson.find('\n', from);
    if (nl == std::string::npos) std::abort();  // every document's line ends with "\n"
    auto doc = nlohmann::json::parse(c.ndjson.begin() + static_cast<std::ptrdiff_t>(from),
                                     c.ndjson.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
    if (doc.is_discarded()) std::abort();
    ++lines;
    verdict::yaml::Position at;
    if (c.positions.find(static_cast<int64_t>(lines), 1, at) && (at.line < 1 || at.column < 0)) std::abort();
    from = nl + 1;
  }
  if (lines != c.documents) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  static Engine* engine = [] {
    auto* e = new Engine();
    if (!e->load_policies(kPolicy, "b.json").ok()) std::abort();
    return e;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yaml::Options typed;
  check_converted(text, typed);
  yaml::Options as_text;
  as_text.scalars = yaml::Scalars::kText;
  as_text.pointers = true;
  check_converted(text, as_text);
  EvalOptions options;
  options.now = "2026-03-02T10:00:00Z";
  options.format = InputFormat::kYaml;
  EvalReport r = engine->evaluate(text, options);
  for (const Error& e : r.errors)
    if (e.message.empty()) std::abort();
  if (r.json.rfind("{\"ok\":", 0) != 0) std::abort();
  return 0;
}
