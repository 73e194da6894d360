// The compact AlertDedup state (issue 13): the derived data of an alert packed in one block
// (kinds/alerts/packed.h), its labels interned. perf2's first version computed the block's
// offsets by hand for 8-byte pointers; in Wasm (4-byte pointers) an alert's inhibition sides
// were read from the bytes of its routes, and a decision named a rule from unrelated memory.
// A uint32_t array in the place of the pointers reproduces that layout natively.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "kinds/alerts/packed.h"
#include "kinds/alerts/small_vector.h"
#include "kinds/alerts/stable_vector.h"
#include "verdict/engine.h"

using verdict::alerts::PackedArrays;
using verdict::alerts::SmallVector;
using verdict::alerts::StableVector;

namespace {

struct Side {  // 12 bytes, aligned to 4, like an alert's RuleSide
  uint32_t rule, bucket, both;
};

template <typename T>
bool aligned(const T* p) {
  return reinterpret_cast<uintptr_t>(p) % alignof(T) == 0;
}

}  // namespace

TEST_CASE("packed arrays give back every array when the element sizes differ", "[alerts][packed]") {
  const std::vector<uint64_t> keys{0x1111111111111111ULL, 0x2222222222222222ULL, 0x3333333333333333ULL};
  const std::vector<uint32_t> ids{7, 8, 9, 10, 11};  // 4 bytes each, where a hand-written layout assumed 8
  const std::vector<Side> targets{{1, 2, 0}, {3, 4, 1}};
  const std::vector<Side> sources{{5, 6, 1}};
  const std::vector<uint16_t> small{40, 41, 42};
  const std::vector<uint64_t> last{0xabcdefULL};
  PackedArrays<uint64_t, uint32_t, Side, Side, uint16_t, uint64_t> p;
  p.assign(keys, ids, targets, sources, small, last);

  CHECK(std::vector<uint64_t>(p.get<0>().begin(), p.get<0>().end()) == keys);
  CHECK(std::vector<uint32_t>(p.get<1>().begin(), p.get<1>().end()) == ids);
  REQUIRE(p.get<2>().size() == 2);
  CHECK(p.get<2>()[0].rule == 1);
  CHECK(p.get<2>()[1].bucket == 4);
  CHECK(p.get<2>()[1].both == 1);
  REQUIRE(p.get<3>().size() == 1);
  CHECK(p.get<3>()[0].rule == 5);
  CHECK(p.get<3>()[0].bucket == 6);
  CHECK(std::vector<uint16_t>(p.get<4>().begin(), p.get<4>().end()) == small);
  // After a 2-byte array the next 8-byte one starts at its own alignment.
  CHECK(aligned(p.get<5>().data()));
  CHECK(std::vector<uint64_t>(p.get<5>().begin(), p.get<5>().end()) == last);
  // The counts (6 x 4), 24 + 20 + 24 + 12 + 6 bytes, 2 of padding, 8: nothing more.
  CHECK(p.bytes() == 24 + 24 + 20 + 24 + 12 + 6 + 2 + 8);
}

TEST_CASE("packed arrays with empty arrays between full ones, reassigned and moved", "[alerts][packed]") {
  PackedArrays<uint64_t, const int*, Side, uint32_t> p;
  CHECK(p.bytes() == 0);
  CHECK(p.get<0>().empty());
  CHECK(p.get<3>().empty());
  int x = 0, y = 0;
  const std::vector<const int*> ptrs{&x, &y};
  const std::vector<uint32_t> deps{100, 200, 300};
  p.assign({}, ptrs, {}, deps);
  CHECK(p.get<0>().empty());
  REQUIRE(p.get<1>().size() == 2);
  CHECK(p.get<1>()[0] == &x);
  CHECK(p.get<1>()[1] == &y);
  CHECK(p.get<2>().empty());
  CHECK(std::vector<uint32_t>(p.get<3>().begin(), p.get<3>().end()) == deps);

  PackedArrays<uint64_t, const int*, Side, uint32_t> moved = std::move(p);
  REQUIRE(moved.get<1>().size() == 2);
  CHECK(moved.get<1>()[1] == &y);

  const std::vector<uint64_t> one{42};
  moved.assign(one, {}, {}, {});
  CHECK(moved.get<0>().size() == 1);
  CHECK(moved.get<0>()[0] == 42);
  CHECK(moved.get<1>().empty());
  CHECK(moved.get<3>().empty());
  moved.assign({}, {}, {}, {});
  CHECK(moved.bytes() == 0);
}

TEST_CASE("a stable vector keeps its elements in place and in order across chunks", "[alerts][packed]") {
  static int alive = 0;
  struct Counted {
    explicit Counted(int v) : value(v) { ++alive; }
    ~Counted() { --alive; }
    Counted(const Counted&) = delete;
    int value;
  };
  {
    StableVector<Counted, 4> v;
    std::vector<const Counted*> where;
    for (int i = 0; i < 11; ++i) where.push_back(&v.emplace_back(i * 10));  // three chunks, the last part full
    REQUIRE(v.size() == 11);
    CHECK(alive == 11);
    for (size_t i = 0; i < where.size(); ++i) {
      CHECK(&v[i] == where[i]);  // nothing moved while the vector grew
      CHECK(v[i].value == static_cast<int>(i) * 10);
    }
    int expect = 0;
    for (const Counted& c : v) {
      CHECK(c.value == expect);
      expect += 10;
    }
    CHECK(expect == 110);
    StableVector<Counted, 4> moved = std::move(v);
    CHECK(v.size() == 0);
    CHECK(&moved[10] == where[10]);
    CHECK(alive == 11);
  }
  CHECK(alive == 0);  // every element destroyed once
}

TEST_CASE("a small vector keeps its elements inside up to its size, then on the heap, in order", "[alerts][packed]") {
  static_assert(sizeof(SmallVector<uint32_t, 2>) == 16);
  static_assert(sizeof(SmallVector<int64_t, 1>) == 16);
  SmallVector<uint32_t, 2> v;
  CHECK(v.empty());
  v.push_back(1);
  v.push_back(2);
  const uint32_t* inside = v.begin();
  CHECK(reinterpret_cast<const char*>(inside) >= reinterpret_cast<const char*>(&v));
  CHECK(reinterpret_cast<const char*>(inside) < reinterpret_cast<const char*>(&v) + sizeof v);  // no allocation yet
  for (uint32_t i = 3; i <= 9; ++i) v.push_back(i);  // grows twice on the heap
  REQUIRE(v.size() == 9);
  for (uint32_t i = 0; i < 9; ++i) CHECK(v[i] == i + 1);
  v.erase(std::find(v.begin(), v.end(), 4u));
  v.erase(v.begin());
  REQUIRE(v.size() == 7);
  CHECK(std::vector<uint32_t>(v.begin(), v.end()) == std::vector<uint32_t>{2, 3, 5, 6, 7, 8, 9});
  SmallVector<uint32_t, 2> moved = std::move(v);
  CHECK(v.empty());
  CHECK(std::vector<uint32_t>(moved.begin(), moved.end()) == std::vector<uint32_t>{2, 3, 5, 6, 7, 8, 9});

  SmallVector<int64_t, 1> changes;  // the flap window: drop the oldest, add the newest
  for (int64_t t = 10; t <= 60; t += 10) {
    if (changes.size() >= 3) changes.erase(changes.begin());
    changes.push_back(t);
  }
  CHECK(std::vector<int64_t>(changes.begin(), changes.end()) == std::vector<int64_t>{40, 50, 60});
  SmallVector<int64_t, 1> one;
  one.push_back(-5);
  SmallVector<int64_t, 1> other = std::move(one);  // moved from inside the record
  REQUIRE(other.size() == 1);
  CHECK(other[0] == -5);
  other.clear();
  CHECK(other.empty());
}

// The symptom perf2's state showed in Wasm: after a restore, and after many new label values
// (the string pool grows by chunks), an inhibited alert names its rule and its inhibitor.
TEST_CASE("a restored stream names the inhibiting rule after the label pool has grown", "[alerts][snapshot][packed]") {
  const std::string policy = R"({"apiVersion": "verdict/v1", "kind": "AlertDedup", "metadata": {"name": "compact"},
    "spec": {"route": {"receiver": "desk", "group_by": ["alertname"],
               "routes": [{"name": "db", "matchers": ["team=\"db\""], "receiver": "dba", "continue": true},
                          {"name": "all", "receiver": "ops"}]},
             "rate_limits": [{"name": "per-alert", "by": ["alertname"], "max": 100000, "per": "1h"}],
             "inhibit_rules": [{"name": "crit-over-warn", "source_matchers": ["severity=\"critical\""],
                                "target_matchers": ["severity=\"warning\""], "equal": ["alertname"]}]}})";
  auto alert = [](const std::string& name, const std::string& severity, const std::string& extra, const std::string& at) {
    return R"({"labels":{"alertname":")" + name + R"(","team":"db","severity":")" + severity + R"(")" + extra +
           R"(},"at":")" + at + "\"}\n";
  };
  std::string state;
  {
    verdict::Engine e;
    REQUIRE(e.load_policies(policy, "p.json").ok());
    verdict::AlertOptions o;
    o.now = "2025-03-14T10:00:00Z";
    REQUIRE(e.alerts_push(alert("DiskFull", "critical", "", "2025-03-14T10:00:00Z"), o).errors.empty());
    state = e.alerts_snapshot();
  }
  verdict::Engine e;
  REQUIRE(e.load_policies(policy, "p.json").ok());
  verdict::Status s = e.alerts_restore(state);
  INFO((s.ok() ? std::string() : s.error().message));
  REQUIRE(s.ok());
  // 3,000 alerts with long distinct values: more than one 16 KiB chunk of interned strings.
  std::string many;
  for (int i = 0; i < 3000; ++i)
    many += alert("Other" + std::to_string(i), "info", R"(,"instance":"host-)" + std::string(40, 'x') + std::to_string(i) + "\"",
                  "2025-03-14T10:01:00Z");
  verdict::AlertOptions o;
  o.now = "2025-03-14T10:01:00Z";
  REQUIRE(e.alerts_push(many, o).errors.empty());
  o.now = "2025-03-14T10:02:00Z";
  const std::string out = e.alerts_push(alert("DiskFull", "warning", "", "2025-03-14T10:02:00Z"), o).json;
  INFO(out);
  CHECK(out.find(R"("decision":"inhibited")") != std::string::npos);
  CHECK(out.find(R"("rule":"crit-over-warn")") != std::string::npos);
}
