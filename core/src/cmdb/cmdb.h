// The CMDB index behind cmdb.ci(), cmdb.owner(), cmdb.dependents() and
// cmdb.blast_radius(): id -> configuration item, with dependency and
// reverse-dependency lists, built once per load from documents in three shapes
// (native, ServiceNow export, Backstage catalog). See docs/cmdb.md.
//
// Thread-safety: build on one thread; after finalize() all const methods may be
// called from many threads. Not copyable (it owns the documents it indexed).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "document/servicenow.h"
#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict {

class CmdbIndex {
 public:
  struct Item {
    std::string id;           // native id, ServiceNow sys_id, Backstage "kind:namespace/name" (lowercase kind)
    std::string name;         // display name (ServiceNow name, Backstage metadata.name)
    std::string ci_class;     // native class, ServiceNow sys_class_name, Backstage kind or spec.type
    std::string owner;        // native owner, ServiceNow owned_by / support_group (display value), Backstage spec.owner
    std::string environment;  // native environment, Backstage spec.lifecycle
    std::string service;      // native service (the business service it belongs to), else ""
    int tier = 0;             // 1 = most critical; 0 = unknown
    Value doc;                // the item's original document (valid while the index lives)
    std::vector<uint32_t> depends_on;  // indexes of items this one depends on (deduplicated)
    std::vector<uint32_t> dependents;  // indexes of items that depend on this one (filled by finalize)
  };

  struct Reached {
    uint32_t item;   // index into items()
    uint32_t depth;  // 1 = depends directly on the start
  };

  CmdbIndex() = default;
  CmdbIndex(const CmdbIndex&) = delete;
  CmdbIndex& operator=(const CmdbIndex&) = delete;

  // Adds every configuration item found in `doc` and keeps the document alive.
  // Accepted shapes (detected from the content):
  //  - native: {"kind":"cmdb","items":[{id,name,class,tier,owner,environment,service,depends_on:[ids]}, ...]},
  //    a bare array of such items, or one item object ({"kind":"ci", ...});
  //  - ServiceNow: {"records":[...]} or {"result":[...]} mixing cmdb_ci records (sys_id, name,
  //    sys_class_name, owned_by / support_group) and cmdb_rel_ci records (parent, child, type like
  //    "Depends on::Used by": the parent depends on the child), where references are plain
  //    strings or {"value": sys_id, "display_value": name} objects;
  //  - Backstage: one entity (apiVersion backstage.io/..., kind, metadata.name, metadata.namespace,
  //    spec.owner, spec.dependsOn ["resource:default/payments-db", ...]) or an array of entities.
  // Items with an id seen before are an error (kDuplicateKey) naming both sources; the rest
  // of the document is still indexed. Returns the first error; all are in problems().
  // Details:
  //  - Each entry of a list is classified on its own, so one list may mix shapes: Backstage if
  //    apiVersion starts with "backstage.io/" (or it has kind + metadata and no id/sys_id);
  //    a relationship if sys_class_name is "cmdb_rel_ci" (or it has parent + child and no id);
  //    native if it has "id"; a ServiceNow CI if it has "sys_id". Anything else, a non-object
  //    entry, or an entry declaring another kind ("incident", sys_class_name "change_request",
  //    ...) is a kWrongType problem; the entry is skipped.
  //  - tier: an integer, or text "1", "tier-1", "Tier 1", "T1"; ServiceNow "tier", else
  //    business_criticality ("1 - most critical" -> 1, capped at 4); Backstage spec.tier, else
  //    metadata.labels.tier, else an annotation named "tier" or ".../tier". Otherwise 0.
  //  - ServiceNow owner: the first of owned_by / support_group that has a display value, else
  //    the plain text of either; environment: "environment", else "used_for". References to
  //    records resolve by "value" (the sys_id), else the sys_id at the end of "link", else
  //    "display_value" (then resolved by name).
  //  - Relationship types: the parent depends on the child, except when the part before "::"
  //    is a provider's side ("Used by", "Runs", "Hosts", "Virtualizes", "Provides", "Powers",
  //    "Manages", "Serves"): then the child depends on the parent.
  //  - Backstage: kinds User, Group, Location and Template are not CIs and are skipped silently;
  //    ci_class is spec.type, else the lowercase kind; spec.dependencyOf and catalog
  //    "relations" (dependsOn / dependencyOf with a targetRef) declare edges too.
  //  - add() after finalize() returns kInvalidArgument and indexes nothing.
  Status add(Document doc, std::string_view source);
  // The same, for a document shared with others (an engine parses each data file once and
  // rebuilds its index from the parsed documents when the data changes).
  Status add(std::shared_ptr<const Document> doc, std::string_view source);

  // Resolves references (by id, then by name; Backstage refs with default kind "component"
  // and namespace "default"), fills dependents, and records each unresolved reference as a
  // problem (code kNotFound). Call once after the last add(); add() after it is an error.
  // A self-dependency is dropped and reported (kInvalidArgument). depends_on keeps declaration
  // order (native/Backstage dependsOn first, then relationships and dependencyOf); dependents
  // are in item (insertion) order. A second call does nothing.
  void finalize();

  size_t size() const { return items_.size(); }
  const std::vector<Item>& items() const { return items_; }
  // By id first, then by name (exact, case-sensitive; the first item indexed with that name).
  // nullptr when absent.
  const Item* find(std::string_view id_or_name) const;
  int64_t index_of(std::string_view id_or_name) const;  // -1 when absent

  // Every item that depends on `start`, transitively (a reverse breadth-first walk), each
  // once at its smallest depth, ordered by depth then id. Cycles are safe; the walk stops at
  // max_depth levels. `start` itself is not included. Empty when start >= size() or
  // max_depth == 0. Thread-safe after finalize() (visit marks come from a small pool).
  std::vector<Reached> blast_radius(uint32_t start, uint32_t max_depth = 16) const;

  // Problems found while indexing: duplicates, unresolved references, malformed records.
  const std::vector<Error>& problems() const { return problems_; }

  // The ServiceNow instance's settings (a data file's `servicenow` object; docs/servicenow.md):
  // set before the first add(), as they decide each ServiceNow CI's team (owner) and how
  // relationship types given by sys_id read. The kinds read the same settings from here.
  void set_servicenow(const servicenow::Config& config) { servicenow_ = config; }
  const servicenow::Config& servicenow_config() const { return servicenow_; }

 private:
  struct Builder;  // the shape readers and the resolver (cmdb.cc)
  friend struct Builder;

  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  // An open-addressing hash index from Item::id (or Item::name) to the item: slots hold
  // the key's hash and the item's index, the key itself stays in the item. No per-key
  // allocation; a probe touches one slot array and one item.
  struct FlatIndex {
    struct Slot {
      uint32_t hash = 0;
      uint32_t item = kNone;  // kNone: empty
    };
    std::vector<Slot> slots;  // size is 0 or a power of two, at most half full
    size_t count = 0;
  };

  // "Item `from` depends on the item `ref` names", as declared (native depends_on, Backstage
  // spec.dependsOn): the common edge, kept small. The text is in an indexed document (or in owned_).
  struct PendingRef {
    const char* data = nullptr;
    uint32_t size = 0;            // bit 31: a Backstage ref (kind "component", namespace "default")
    uint32_t from = kNone;
    static constexpr uint32_t kBackstage = 0x80000000u;
    std::string_view ref() const { return {data, size & ~kBackstage}; }
    bool backstage() const { return (size & kBackstage) != 0; }
  };

  // Any other dependency edge as declared (ServiceNow relationships, Backstage dependencyOf).
  // Ends are item indexes when known, else references.
  struct PendingEdge {
    enum class Kind : uint8_t { kDependencyOf, kRelation };
    uint32_t from = kNone;        // the item that depends
    uint32_t to = kNone;          // the item depended on
    std::string_view from_ref;    // when from == kNone
    std::string_view to_ref;      // when to == kNone
    std::string_view label;       // kRelation: the relationship record's sys_id (for messages)
    uint32_t source = 0;          // index into sources_
    Kind kind = Kind::kRelation;
    bool backstage = false;       // Backstage ref defaults (kind "component", namespace "default")
  };

  // Per-query scratch for blast_radius(): a visit stamp per item. Pooled so that
  // concurrent const calls never share one.
  struct Scratch {
    std::vector<uint32_t> stamp;
    uint32_t generation = 0;
  };

  std::vector<std::shared_ptr<const Document>> docs_;
  std::vector<std::string> sources_;       // per document
  std::vector<Item> items_;
  std::vector<uint32_t> item_source_;      // per item: index into sources_
  std::vector<uint32_t> id_rank_;          // per item: position in id order (filled by finalize)
  FlatIndex by_id_;
  FlatIndex by_name_;                      // first item of each name
  std::vector<PendingRef> pending_refs_;
  std::vector<PendingEdge> pending_;
  std::deque<std::string> owned_;          // reference texts not in a document (numbers)
  std::vector<Error> problems_;
  servicenow::Config servicenow_;
  bool finalized_ = false;
  mutable std::mutex scratch_mu_;
  mutable std::vector<std::unique_ptr<Scratch>> scratch_pool_;
};

}  // namespace verdict
