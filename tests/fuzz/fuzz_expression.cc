// libFuzzer target for the expression language: parse, check and evaluate any
// text against a small document. Properties: no crash, no hang (the step limit
// bounds evaluation), no sanitizer report; errors carry an offset inside the text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "document/shapes.h"
#include "lang/program.h"
#include "verdict/document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  static DocumentReader reader;
  static Document doc = [] {
    auto d = reader.read(R"({"kind":"incident","id":"INC-1","title":"Postgres down","affected_users":1200,
      "labels":{"service":"payments","k8s.namespace":"pay"},"tags":["db","p1"],"created":"2026-03-01T10:00:00Z"})");
    return std::move(d).value();
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  lang::Environment env;
  env.add("incident", lang::StaticType::kDyn, &verdict::shapes::incident_schema());
  lang::ExprLimits limits;
  limits.max_steps = 20000;
  auto prog = lang::compile(text, env, limits);
  if (!prog.ok()) {
    if (prog.error().offset < 0 || prog.error().offset > static_cast<int64_t>(size)) std::abort();
    return 0;
  }
  static lang::EvalContext ctx(limits);
  lang::DecisionSetup setup;
  setup.has_now = true;
  setup.now = 1772359200LL * 1000000000LL;
  setup.explain = true;
  ctx.begin_decision(setup);
  ctx.bind(0, doc.root());
  lang::Val v = lang::evaluate(*prog.value(), ctx);
  if (v.is_error() && ctx.errors().empty()) std::abort();
  (void)lang::val_to_json(v);
  return 0;
}
