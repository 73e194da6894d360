// "Simple predicates evaluate without heap allocation": counted with a replaced
// global operator new (this test binary only). After one warm-up evaluation, the
// arena and the slots have their memory, and further evaluations allocate nothing.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "document/shapes.h"
#include "lang/program.h"
#include "verdict/document.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
// Every form is replaced, so that every new and delete pair goes through malloc and free
// (AddressSanitizer reports a mix of its own operator new and our delete).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

long allocations_during(const std::function<void()>& fn) {
  long before = g_allocations.load();
  fn();
  return g_allocations.load() - before;
}

}  // namespace

TEST_CASE("simple predicates evaluate without heap allocation", "[lang][alloc]") {
  using namespace verdict;
  DocumentReader reader;
  auto doc = reader.read(R"({"kind":"incident","title":"Postgres down on payments","service":"payments-api",
    "affected_users":1200,"impact":"high","labels":{"team":"payments-team","k8s.namespace":"pay"},"tags":["db","p1"]})");
  REQUIRE(doc.ok());
  lang::Environment env;
  env.add("incident", lang::StaticType::kDyn, &verdict::shapes::incident_schema());
  const char* predicates[] = {
      "incident.service == 'payments-api' && incident.affected_users > 1000",
      "incident.labels['k8s.namespace'] in ['pay', 'auth'] || incident.impact != 'low'",
      "incident.title.matches(r'(?i)\\b(postgres|mysql)\\b') && !(incident.urgency == 'low')",
      "incident.tags.exists(t, t == 'p1') && size(incident.labels) >= 2",
      "incident.title.contains('down') && incident.title.startsWith('Postgres') && has(incident.labels.team)",
      "now - duration('1h') < now && incident.affected_users * 2 >= 2400",
  };
  for (const char* text : predicates) {
    CAPTURE(text);
    auto prog = lang::compile(text, env, {});
    REQUIRE(prog.ok());
    lang::EvalContext ctx;
    lang::DecisionSetup setup;
    setup.has_now = true;
    setup.now = 1772359200LL * 1000000000LL;
    ctx.begin_decision(setup);
    ctx.bind(0, doc.value().root());
    lang::Val warm = lang::evaluate(*prog.value(), ctx);  // warm-up: slots and arena get their memory
    REQUIRE(lang::truthy(warm));
    bool all_true = true;  // no Catch2 assertion inside the counted region: it may allocate
    long n = allocations_during([&] {
      for (int i = 0; i < 100; ++i) {
        ctx.begin_item();
        lang::Val v = lang::evaluate(*prog.value(), ctx);
        all_true = all_true && lang::truthy(v);
      }
    });
    CHECK(all_true);
    CHECK(n == 0);
  }
}

TEST_CASE("the allocation counter counts (the test above can fail)", "[lang][alloc]") {
  static int* volatile sink = nullptr;  // keeps the compiler from eliding the pair
  long n = allocations_during([] {
    sink = new int(3);
    delete sink;
  });
  CHECK(n == 1);
}
