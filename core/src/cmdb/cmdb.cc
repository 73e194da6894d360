// The CMDB index: shape readers (native, ServiceNow, Backstage), reference
// resolution and the reverse breadth-first walk behind cmdb.blast_radius().
//
// Costs: add() makes one pass over each entry's members and copies the item's
// text fields; dependency references stay views into the documents until
// finalize() resolves them (one hash probe each), lays the edges out with a
// counting sort, deduplicates them with a stamp array and fills dependents in
// item order. No exceptions, no regular expressions (this is Wasm-safe core).
#include "cmdb/cmdb.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <utility>

#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict {

namespace {

constexpr size_t kNoPosition = static_cast<size_t>(-1);

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(lower(c));
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A JSON-quoted, length-capped rendering of `s` for messages.
std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s.substr(0, 200));
  return out;
}

// Numbers as JSON writes them ("42", "1.5").
std::string number_text(Value v) {
  if (v.type() == Type::kInt) return std::to_string(v.as_int());
  return v.to_json();
}

// Display text: a plain string, a number, or a ServiceNow reference object
// ({"display_value": name, "value": sys_id}: the display value, else the value).
std::string display_text(Value v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_number()) return number_text(v);
  if (v.is_object()) return std::string(text_of(v));
  return {};
}

bool has_display(Value v) { return v.is_object() && !v.get("display_value").as_string().empty(); }

// Reference value: what a reference to another record resolves by. Plain strings
// are taken as they are; ServiceNow reference objects give their "value" (the
// sys_id), else the sys_id at the end of their "link", else their display value
// (resolved by name); native objects may say {"id": ...}. Numbers are rendered
// into `owned` (a deque: the views stay valid). Empty when there is none.
std::string_view reference_value(Value v, std::deque<std::string>& owned) {
  if (v.is_string()) return trim(v.as_string());
  if (v.is_number()) return owned.emplace_back(number_text(v));
  if (!v.is_object()) return {};
  std::string_view s = trim(v.get("value").as_string());
  if (!s.empty()) return s;
  s = v.get("link").as_string();
  if (!s.empty()) {
    size_t slash = s.rfind('/');
    std::string_view tail = slash == std::string_view::npos ? s : s.substr(slash + 1);
    if (!tail.empty()) return tail;
  }
  s = trim(v.get("display_value").as_string());
  if (!s.empty()) return s;
  Value id = v.get("id");
  if (id.is_string()) return trim(id.as_string());
  if (id.is_number()) return owned.emplace_back(number_text(id));
  return {};
}

// Tier from text: "1", "tier-1", "Tier 1", "tier_1", "T1", "1 - most critical".
// 0 when the text names no tier.
int tier_from_text(std::string_view s) {
  s = trim(s);
  if (istarts_with(s, "tier")) {
    s.remove_prefix(4);
  } else if (s.size() >= 2 && lower(s[0]) == 't' && s[1] >= '0' && s[1] <= '9') {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '-' || s.front() == '_' || s.front() == ':' ||
                        s.front() == '.'))
    s.remove_prefix(1);
  int n = 0;
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
    if (digits == 3) return 0;
    n = n * 10 + (s[digits] - '0');
    ++digits;
  }
  if (digits == 0 || n < 1 || n > 99) return 0;
  return n;
}

// Tier from a value: an integer (or a double with no fraction), a string as above,
// or a ServiceNow choice/reference object (its display value). 1..99, else 0.
int tier_of(Value v) {
  if (v.is_number()) {
    int64_t n = v.as_int(0);
    return n >= 1 && n <= 99 ? static_cast<int>(n) : 0;
  }
  if (v.is_string()) return tier_from_text(v.as_string());
  if (v.is_object()) return tier_from_text(text_of(v));
  return 0;
}

// ServiceNow relationship types are "<parent descriptor>::<child descriptor>".
// The parent depends on the child ("Depends on::Used by", "Runs on::Runs",
// "Hosted on::Hosts", "Contains::Contained by", ...) unless the parent descriptor
// names the provider's side, as in "Used by::Depends on" or "Hosts::Hosted on".
bool relation_reversed(std::string_view type) {
  size_t sep = type.find("::");
  std::string_view parent_side = trim(sep == std::string_view::npos ? type : type.substr(0, sep));
  static constexpr std::string_view kProviderSides[] = {"used by", "runs",   "hosts",   "virtualizes",
                                                        "provides", "powers", "manages", "serves"};
  for (std::string_view p : kProviderSides)
    if (iequals(parent_side, p)) return true;
  return false;
}

// Documents that declare themselves to be something other than a configuration item.
bool declared_non_ci(std::string_view kind, std::string_view sys_class) {
  static constexpr std::string_view kKinds[] = {"incident", "ticket", "change", "alert", "sli"};
  for (std::string_view k : kKinds)
    if (kind == k) return true;
  static constexpr std::string_view kClasses[] = {"incident", "change_request", "problem", "sc_req_item",
                                                  "sc_task",  "task"};
  for (std::string_view c : kClasses)
    if (sys_class == c) return true;
  return false;
}

// "kind:namespace/name" with Backstage's defaults (kind "component", namespace
// "default") and a lowercase kind, written to `out`.
void backstage_ref(std::string_view ref, std::string& out) {
  out.clear();
  std::string_view kind = "component";
  size_t colon = ref.find(':');
  if (colon != std::string_view::npos) {
    kind = ref.substr(0, colon);
    ref.remove_prefix(colon + 1);
  }
  std::string_view ns = "default";
  size_t slash = ref.find('/');
  if (slash != std::string_view::npos) {
    ns = ref.substr(0, slash);
    ref.remove_prefix(slash + 1);
  }
  append_lower(out, kind);
  out.push_back(':');
  out.append(ns);
  out.push_back('/');
  out.append(ref);
}

// The members of an entry that any of the three shapes reads, found in one pass.
struct Fields {
  // native
  Value id, name, cls, tier, owner, environment, service, depends_on, kind;
  // ServiceNow
  Value sys_id, sys_class_name, parent, child, type, business_criticality, used_for;
  // Backstage
  Value api_version, metadata, spec, relations;

  explicit Fields(Value e) {
    e.for_each_member([this](std::string_view k, Value v) {
      switch (k.empty() ? '\0' : k[0]) {
        case 'a': if (k == "apiVersion") api_version = v; break;
        case 'b': if (k == "business_criticality") business_criticality = v; break;
        case 'c':
          if (k == "class") cls = v;
          else if (k == "child") child = v;
          break;
        case 'd': if (k == "depends_on") depends_on = v; break;
        case 'e': if (k == "environment") environment = v; break;
        case 'i': if (k == "id") id = v; break;
        case 'k': if (k == "kind") kind = v; break;
        case 'm': if (k == "metadata") metadata = v; break;
        case 'n': if (k == "name") name = v; break;
        case 'o': if (k == "owner") owner = v; break;
        case 'p': if (k == "parent") parent = v; break;
        case 'r': if (k == "relations") relations = v; break;
        case 's':
          if (k == "service") service = v;
          else if (k == "sys_id") sys_id = v;
          else if (k == "sys_class_name") sys_class_name = v;
          else if (k == "spec") spec = v;
          break;
        case 't':
          if (k == "tier") tier = v;
          else if (k == "type") type = v;
          break;
        case 'u': if (k == "used_for") used_for = v; break;
        default: break;
      }
      return true;
    });
  }
};

// The key hash of the flat indexes: 64-bit std::hash folded to 32 bits.
uint32_t hash_key(std::string_view s) {
  const uint64_t h = static_cast<uint64_t>(std::hash<std::string_view>{}(s));
  return static_cast<uint32_t>(h ^ (h >> 32));
}

}  // namespace

struct CmdbIndex::Builder {
  using Kind = PendingEdge::Kind;
  using Field = std::string Item::*;
  using Slot = FlatIndex::Slot;

  // ---- the flat id and name indexes ----

  static uint32_t flat_find(const FlatIndex& t, const std::vector<Item>& items, Field field, std::string_view key,
                            uint32_t h) {
    if (t.slots.empty()) return kNone;
    const size_t mask = t.slots.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = t.slots[i];
      if (s.item == kNone) return kNone;
      if (s.hash == h && items[s.item].*field == key) return s.item;
    }
  }

  // Makes room for `n` keys at a load of at most one half.
  static void flat_reserve(FlatIndex& t, size_t n) {
    size_t want = 16;
    while (want < n * 2) want <<= 1;
    if (want <= t.slots.size()) return;
    std::vector<Slot> old;
    old.swap(t.slots);
    t.slots.assign(want, Slot{});
    const size_t mask = want - 1;
    for (const Slot& s : old) {
      if (s.item == kNone) continue;
      size_t i = s.hash & mask;
      while (t.slots[i].item != kNone) i = (i + 1) & mask;
      t.slots[i] = s;
    }
  }

  // Adds key -> item unless the key is present: then returns the item that has it.
  static uint32_t flat_insert(FlatIndex& t, const std::vector<Item>& items, Field field, std::string_view key,
                              uint32_t item) {
    if ((t.count + 1) * 2 > t.slots.size()) flat_reserve(t, std::max<size_t>(t.count * 2, 8));
    const uint32_t h = hash_key(key);
    const size_t mask = t.slots.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = t.slots[i];
      if (s.item == kNone) {
        s.hash = h;
        s.item = item;
        ++t.count;
        return kNone;
      }
      if (s.hash == h && items[s.item].*field == key) return s.item;
    }
  }

  static uint32_t find_id(const CmdbIndex& x, std::string_view key) {
    return flat_find(x.by_id_, x.items_, &Item::id, key, hash_key(key));
  }
  static uint32_t find_name(const CmdbIndex& x, std::string_view key) {
    return flat_find(x.by_name_, x.items_, &Item::name, key, hash_key(key));
  }

  // ---- building ----

  static void problem(CmdbIndex& x, ErrorCode code, std::string message, uint32_t src) {
    Error e(code, std::move(message));
    e.source = x.sources_[src];
    x.problems_.push_back(std::move(e));
  }

  static std::string where(size_t pos) {
    return pos == kNoPosition ? std::string("the document") : "entry " + std::to_string(pos);
  }

  // Registers a new item with `id`; kNone (and a problem) for a duplicate or empty id.
  static uint32_t new_item(CmdbIndex& x, std::string id, Value doc, uint32_t src, size_t pos) {
    if (id.empty()) {
      problem(x, ErrorCode::kWrongType, where(pos) + ": a configuration item with an empty id", src);
      return kNone;
    }
    if (x.items_.size() >= kNone - 1) {
      problem(x, ErrorCode::kLimitExceeded, where(pos) + ": too many configuration items", src);
      return kNone;
    }
    const uint32_t index = static_cast<uint32_t>(x.items_.size());
    const uint32_t existing = flat_insert(x.by_id_, x.items_, &Item::id, id, index);
    if (existing != kNone) {
      const std::string& first = x.sources_[x.item_source_[existing]];
      const std::string& here = x.sources_[src];
      std::string msg = "duplicate configuration item id " + quoted(id) + ": ";
      msg += first == here ? "defined twice in " + quoted(here) : "first defined in " + quoted(first) + ", again in " + quoted(here);
      msg += "; the first is kept";
      problem(x, ErrorCode::kDuplicateKey, std::move(msg), src);
      return kNone;
    }
    Item& item = x.items_.emplace_back();
    item.id = std::move(id);
    item.doc = doc;
    x.item_source_.push_back(src);
    return index;
  }

  static void index_name(CmdbIndex& x, uint32_t index) {
    const std::string& name = x.items_[index].name;
    if (!name.empty()) flat_insert(x.by_name_, x.items_, &Item::name, name, index);
  }

  static void depends_on(CmdbIndex& x, uint32_t from, std::string_view ref, bool backstage) {
    if (ref.empty() || ref.size() >= PendingRef::kBackstage) return;
    PendingRef& r = x.pending_refs_.emplace_back();
    r.data = ref.data();
    r.size = static_cast<uint32_t>(ref.size()) | (backstage ? PendingRef::kBackstage : 0u);
    r.from = from;
  }

  static void edge(CmdbIndex& x, Kind kind, uint32_t from, std::string_view from_ref, uint32_t to,
                   std::string_view to_ref, uint32_t src, bool backstage, std::string_view label = {}) {
    PendingEdge& e = x.pending_.emplace_back();
    e.kind = kind;
    e.from = from;
    e.from_ref = from_ref;
    e.to = to;
    e.to_ref = to_ref;
    e.source = src;
    e.backstage = backstage;
    e.label = label;
  }

  // Item id text: strings as they are, numbers rendered.
  static std::string id_text(Value v) {
    if (v.is_string()) return std::string(trim(v.as_string()));
    if (v.is_number()) return number_text(v);
    return {};
  }

  static void add_native(CmdbIndex& x, Value e, const Fields& f, uint32_t src, size_t pos) {
    uint32_t i = new_item(x, id_text(f.id), e, src, pos);
    if (i == kNone) return;
    Item& item = x.items_[i];
    item.name = display_text(f.name);
    item.ci_class = display_text(f.cls);
    item.owner = display_text(f.owner);
    item.environment = display_text(f.environment);
    item.service = display_text(f.service);
    item.tier = tier_of(f.tier);
    index_name(x, i);
    if (f.depends_on.is_array()) {
      f.depends_on.for_each_item([&](Value d) {
        depends_on(x, i, reference_value(d, x.owned_), false);
        return true;
      });
    } else if (f.depends_on.exists() && !f.depends_on.is_null()) {
      depends_on(x, i, reference_value(f.depends_on, x.owned_), false);
    }
  }

  static void add_servicenow_ci(CmdbIndex& x, Value e, const Fields& f, uint32_t src, size_t pos) {
    std::string_view sys_id = reference_value(f.sys_id, x.owned_);
    uint32_t i = new_item(x, std::string(sys_id), e, src, pos);
    if (i == kNone) return;
    Item& item = x.items_[i];
    item.name = display_text(f.name);
    item.ci_class = display_text(f.sys_class_name);
    // The team: the first of the configured fields (support_group, assignment_group,
    // owned_by) that has a display value, else the first that has a value (a sys_id).
    for (const std::string& field : x.servicenow_.team_fields) {
      Value v = e.get(field);
      if (!servicenow::absent(v) && !servicenow::display_of(v).empty() && (!v.is_object() || has_display(v))) {
        item.owner = std::string(servicenow::display_of(v));
        break;
      }
    }
    for (const std::string& field : x.servicenow_.team_fields) {
      if (!item.owner.empty()) break;
      Value v = e.get(field);
      if (!servicenow::absent(v)) item.owner = std::string(servicenow::value_of(v));
    }
    item.environment = display_text(f.environment);
    if (item.environment.empty()) item.environment = display_text(f.used_for);
    item.tier = tier_of(f.tier);
    if (item.tier == 0) item.tier = std::min(tier_of(f.business_criticality), 4);
    index_name(x, i);
  }

  static void add_servicenow_relation(CmdbIndex& x, const Fields& f, uint32_t src, size_t pos) {
    std::string_view parent = reference_value(f.parent, x.owned_);
    std::string_view child = reference_value(f.child, x.owned_);
    std::string_view label = reference_value(f.sys_id, x.owned_);
    if (parent.empty() || child.empty()) {
      problem(x, ErrorCode::kWrongType,
              where(pos) + ": a cmdb_rel_ci record" + (label.empty() ? std::string() : " " + quoted(label)) +
                  " without a parent and a child",
              src);
      return;
    }
    std::string why;
    std::optional<std::string> type = servicenow::relation_type(f.type, x.servicenow_, &why);
    if (!type) {
      // Skipped, and told (a warning when the file loads): never read as some other type.
      problem(x, ErrorCode::kInvalidArgument,
              where(pos) + ": a cmdb_rel_ci record" + (label.empty() ? std::string() : " " + quoted(label)) + ": " + why +
                  "; the relationship is skipped",
              src);
      return;
    }
    if (relation_reversed(*type)) std::swap(parent, child);
    edge(x, Kind::kRelation, kNone, parent, kNone, child, src, false, label);
  }

  static void add_backstage(CmdbIndex& x, Value e, const Fields& f, uint32_t src, size_t pos) {
    std::string kind;
    append_lower(kind, trim(f.kind.as_string()));
    // Not configuration items: who owns things, and where the catalog comes from.
    if (kind == "location" || kind == "template" || kind == "user" || kind == "group") return;
    std::string_view name = trim(f.metadata.get("name").as_string());
    if (kind.empty() || name.empty()) {
      problem(x, ErrorCode::kWrongType, where(pos) + ": a Backstage entity without a kind or metadata.name", src);
      return;
    }
    std::string_view ns = trim(f.metadata.get("namespace").as_string());
    if (ns.empty()) ns = "default";
    std::string id;
    id.reserve(kind.size() + ns.size() + name.size() + 2);
    id.append(kind).append(":").append(ns).append("/").append(name);
    uint32_t i = new_item(x, std::move(id), e, src, pos);
    if (i == kNone) return;
    Item& item = x.items_[i];
    Value spec = f.spec;
    item.name = std::string(name);
    item.ci_class = display_text(spec.get("type"));
    if (item.ci_class.empty()) item.ci_class = kind;
    item.owner = display_text(spec.get("owner"));
    item.environment = display_text(spec.get("lifecycle"));
    item.tier = tier_of(spec.get("tier"));
    if (item.tier == 0) item.tier = tier_of(f.metadata.get("labels").get("tier"));
    if (item.tier == 0) {
      f.metadata.get("annotations").for_each_member([&](std::string_view k, Value v) {
        if (k == "tier" || (k.size() > 5 && k.substr(k.size() - 5) == "/tier")) {
          item.tier = tier_of(v);
          if (item.tier != 0) return false;
        }
        return true;
      });
    }
    index_name(x, i);
    spec.get("dependsOn").for_each_item([&](Value d) {
      depends_on(x, i, reference_value(d, x.owned_), true);
      return true;
    });
    spec.get("dependencyOf").for_each_item([&](Value d) {
      std::string_view ref = reference_value(d, x.owned_);
      if (!ref.empty()) edge(x, Kind::kDependencyOf, kNone, ref, i, {}, src, true);
      return true;
    });
    // Entities read from the catalog API also carry their relations.
    f.relations.for_each_item([&](Value r) {
      std::string_view type = r.get("type").as_string();
      std::string_view ref = trim(r.get("targetRef").as_string());
      if (ref.empty()) return true;
      if (type == "dependsOn") depends_on(x, i, ref, true);
      else if (type == "dependencyOf") edge(x, Kind::kDependencyOf, kNone, ref, i, {}, src, true);
      return true;
    });
  }

  static void add_entry(CmdbIndex& x, Value e, uint32_t src, size_t pos) {
    if (!e.is_object()) {
      problem(x, ErrorCode::kWrongType,
              where(pos) + ": expected a configuration item object, got " + (e.exists() ? type_name(e.type()) : "nothing"),
              src);
      return;
    }
    Fields f(e);
    std::string_view kind = f.kind.as_string();
    const std::string sys_class = servicenow::table_of(f.sys_class_name);  // in any sysparm_display_value mode
    const bool has_id = f.id.exists() && !f.id.is_null();
    if (istarts_with(f.api_version.as_string(), "backstage.io/") ||
        (f.metadata.is_object() && !kind.empty() && !has_id && !f.sys_id.exists())) {
      add_backstage(x, e, f, src, pos);
    } else if (sys_class == "cmdb_rel_ci" || (!has_id && f.parent.exists() && f.child.exists())) {
      add_servicenow_relation(x, f, src, pos);
    } else if (declared_non_ci(kind, sys_class)) {
      problem(x, ErrorCode::kWrongType,
              where(pos) + " is not a configuration item (it declares " +
                  quoted(kind.empty() ? sys_class : kind) + ")",
              src);
    } else if (has_id) {
      add_native(x, e, f, src, pos);
    } else if (f.sys_id.exists() && !f.sys_id.is_null()) {
      add_servicenow_ci(x, e, f, src, pos);
    } else {
      problem(x, ErrorCode::kWrongType,
              where(pos) + ": a configuration item needs an id (native), a sys_id (ServiceNow) "
                           "or a kind and metadata.name (Backstage)",
              src);
    }
  }

  static void add_list(CmdbIndex& x, Value list, uint32_t src) {
    const size_t n = list.size();
    // Grow geometrically even when documents are added one at a time.
    const size_t want = x.items_.size() + n;
    if (want > x.items_.capacity()) {
      const size_t cap = std::max(want, x.items_.capacity() * 2);
      x.items_.reserve(cap);
      x.item_source_.reserve(cap);
    }
    flat_reserve(x.by_id_, want);
    flat_reserve(x.by_name_, want);
    size_t pos = 0;
    list.for_each_item([&](Value e) {
      add_entry(x, e, src, pos++);
      return true;
    });
  }

  static void add_root(CmdbIndex& x, Value root, uint32_t src) {
    if (!root.exists()) {
      problem(x, ErrorCode::kEmptyInput, "an empty document", src);
      return;
    }
    if (root.is_array()) {
      add_list(x, root, src);
      return;
    }
    if (!root.is_object()) {
      problem(x, ErrorCode::kWrongType, std::string("a CMDB document must be an object or an array, not a ") +
                                            type_name(root.type()), src);
      return;
    }
    for (std::string_view key : {"items", "records", "result"}) {
      Value list = root.get(key);
      if (list.is_array()) {
        add_list(x, list, src);
        return;
      }
    }
    // The ServiceNow settings on their own (set_servicenow(); the engine reads them).
    if (root.get("servicenow").is_object() && root.size() == 1) return;
    Value single = root.get("result");  // the ServiceNow Table API's answer for one record
    add_entry(x, single.is_object() ? single : root, src, kNoPosition);
  }

  // By id; then, for Backstage refs, by the ref with Backstage's defaults; then by
  // name; then, for other refs that look like Backstage refs, with the defaults.
  static uint32_t resolve(const CmdbIndex& x, std::string_view ref, bool backstage, std::string& scratch) {
    if (ref.empty()) return kNone;
    uint32_t i = find_id(x, ref);
    if (i != kNone) return i;
    if (backstage) {
      backstage_ref(ref, scratch);
      if ((i = find_id(x, scratch)) != kNone) return i;
    }
    if ((i = find_name(x, ref)) != kNone) return i;
    if (!backstage && ref.find(':') != std::string_view::npos) {
      backstage_ref(ref, scratch);
      if ((i = find_id(x, scratch)) != kNone) return i;
    }
    return kNone;
  }

  static void unresolved(CmdbIndex& x, const PendingEdge& e, uint32_t from, uint32_t to) {
    std::string msg;
    switch (e.kind) {
      case Kind::kDependencyOf:
        msg = quoted(x.items_[to].id) + " is a dependency of " + quoted(e.from_ref) + ", which is not in the CMDB";
        break;
      case Kind::kRelation:
        msg = "relationship" + (e.label.empty() ? std::string() : " " + quoted(e.label)) + ": ";
        if (from == kNone && to == kNone) {
          msg += quoted(e.from_ref) + " depends on " + quoted(e.to_ref) + ", neither of which is in the CMDB";
        } else if (from == kNone) {
          msg += quoted(e.from_ref) + ", which is not in the CMDB, depends on " + quoted(x.items_[to].id);
        } else {
          msg += quoted(x.items_[from].id) + " depends on " + quoted(e.to_ref) + ", which is not in the CMDB";
        }
        break;
    }
    problem(x, ErrorCode::kNotFound, std::move(msg), e.source);
  }
};

Status CmdbIndex::add(Document doc, std::string_view source) {
  return add(std::make_shared<const Document>(std::move(doc)), source);
}

Status CmdbIndex::add(std::shared_ptr<const Document> doc, std::string_view source) {
  if (finalized_) {
    Error e(ErrorCode::kInvalidArgument, "CmdbIndex::add() after finalize(): the document is not indexed");
    e.source = std::string(source);
    return e;
  }
  const size_t before = problems_.size();
  const uint32_t src = static_cast<uint32_t>(sources_.size());
  sources_.emplace_back(source);
  docs_.push_back(std::move(doc));
  Builder::add_root(*this, docs_.back()->root(), src);
  if (problems_.size() > before) return problems_[before];
  return {};
}

void CmdbIndex::finalize() {
  if (finalized_) return;
  finalized_ = true;
  const uint32_t n = static_cast<uint32_t>(items_.size());

  // 1. Resolve every declared edge to a pair of item indexes.
  std::vector<uint32_t> from_of;
  std::vector<uint32_t> to_of;
  from_of.reserve(pending_refs_.size() + pending_.size());
  to_of.reserve(pending_refs_.size() + pending_.size());
  std::string scratch;
  auto self_dependency = [&](uint32_t item, uint32_t source) {
    Builder::problem(*this, ErrorCode::kInvalidArgument,
                     quoted(items_[item].id) + " depends on itself; the dependency is ignored", source);
  };
  for (const PendingRef& r : pending_refs_) {
    const uint32_t to = Builder::resolve(*this, r.ref(), r.backstage(), scratch);
    if (to == kNone) {
      Builder::problem(*this, ErrorCode::kNotFound,
                       quoted(items_[r.from].id) + " depends on " + quoted(r.ref()) + ", which is not in the CMDB",
                       item_source_[r.from]);
    } else if (to == r.from) {
      self_dependency(to, item_source_[r.from]);
    } else {
      from_of.push_back(r.from);
      to_of.push_back(to);
    }
  }
  for (const PendingEdge& e : pending_) {
    const uint32_t from = e.from != kNone ? e.from : Builder::resolve(*this, e.from_ref, e.backstage, scratch);
    const uint32_t to = e.to != kNone ? e.to : Builder::resolve(*this, e.to_ref, e.backstage, scratch);
    if (from == kNone || to == kNone) {
      Builder::unresolved(*this, e, from, to);
    } else if (from == to) {
      self_dependency(from, e.source);
    } else {
      from_of.push_back(from);
      to_of.push_back(to);
    }
  }

  // 2. Group by the depending item (a stable counting sort keeps declaration order).
  std::vector<uint32_t> begin(static_cast<size_t>(n) + 1, 0);
  for (uint32_t f : from_of) ++begin[f + 1];
  for (uint32_t i = 0; i < n; ++i) begin[i + 1] += begin[i];
  std::vector<uint32_t> targets(to_of.size());
  {
    std::vector<uint32_t> cursor(begin.begin(), begin.end() - 1);
    for (size_t k = 0; k < from_of.size(); ++k) targets[cursor[from_of[k]]++] = to_of[k];
  }
  std::vector<uint32_t>().swap(from_of);
  std::vector<uint32_t>().swap(to_of);

  // 3. depends_on, deduplicated in declaration order; count dependents.
  std::vector<uint32_t> stamp(n, 0);
  std::vector<uint32_t> in_degree(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t b = begin[i];
    const uint32_t end = begin[i + 1];
    if (b == end) continue;
    std::vector<uint32_t>& deps = items_[i].depends_on;
    deps.reserve(deps.size() + (end - b));
    for (uint32_t k = b; k < end; ++k) {
      const uint32_t t = targets[k];
      if (stamp[t] == i + 1) continue;
      stamp[t] = i + 1;
      deps.push_back(t);
      ++in_degree[t];
    }
  }

  // 4. dependents, in item order.
  for (uint32_t i = 0; i < n; ++i)
    if (in_degree[i]) items_[i].dependents.reserve(in_degree[i]);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t t : items_[i].depends_on) items_[t].dependents.push_back(i);

  // 5. Rank of each id, so that blast_radius() orders by id with integer compares.
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [this](uint32_t a, uint32_t b) { return items_[a].id < items_[b].id; });
  id_rank_.assign(n, 0);
  for (uint32_t k = 0; k < n; ++k) id_rank_[order[k]] = k;

  std::vector<PendingRef>().swap(pending_refs_);
  std::vector<PendingEdge>().swap(pending_);
  owned_.clear();
}

const CmdbIndex::Item* CmdbIndex::find(std::string_view id_or_name) const {
  int64_t i = index_of(id_or_name);
  return i < 0 ? nullptr : &items_[static_cast<size_t>(i)];
}

int64_t CmdbIndex::index_of(std::string_view id_or_name) const {
  const uint32_t h = hash_key(id_or_name);
  uint32_t i = Builder::flat_find(by_id_, items_, &Item::id, id_or_name, h);
  if (i == kNone && !id_or_name.empty()) i = Builder::flat_find(by_name_, items_, &Item::name, id_or_name, h);
  return i == kNone ? -1 : static_cast<int64_t>(i);
}

std::vector<CmdbIndex::Reached> CmdbIndex::blast_radius(uint32_t start, uint32_t max_depth) const {
  std::vector<Reached> out;
  const size_t n = items_.size();
  if (start >= n || max_depth == 0 || items_[start].dependents.empty()) return out;

  std::unique_ptr<Scratch> s;
  {
    std::lock_guard<std::mutex> lock(scratch_mu_);
    if (!scratch_pool_.empty()) {
      s = std::move(scratch_pool_.back());
      scratch_pool_.pop_back();
    }
  }
  if (!s) s = std::make_unique<Scratch>();
  if (s->stamp.size() < n) {
    s->stamp.assign(n, 0);
    s->generation = 0;
  }
  if (++s->generation == 0) {  // wrapped: forget every old stamp
    std::fill(s->stamp.begin(), s->stamp.end(), 0u);
    s->generation = 1;
  }
  const uint32_t gen = s->generation;
  uint32_t* stamp = s->stamp.data();

  // Breadth-first over dependents; `out` is the queue. Each level is complete before
  // the next begins, so each item is met first at its smallest depth.
  stamp[start] = gen;
  for (uint32_t d : items_[start].dependents) {
    if (stamp[d] == gen) continue;
    stamp[d] = gen;
    out.push_back({d, 1});
  }
  size_t level_begin = 0;
  for (uint32_t depth = 1; depth < max_depth && level_begin < out.size(); ++depth) {
    const size_t level_end = out.size();
    for (size_t k = level_begin; k < level_end; ++k) {
      for (uint32_t d : items_[out[k].item].dependents) {
        if (stamp[d] == gen) continue;
        stamp[d] = gen;
        out.push_back({d, depth + 1});
      }
    }
    level_begin = level_end;
  }

  {
    std::lock_guard<std::mutex> lock(scratch_mu_);
    scratch_pool_.push_back(std::move(s));
  }

  if (id_rank_.size() == n) {
    const uint32_t* rank = id_rank_.data();
    std::sort(out.begin(), out.end(), [rank](const Reached& a, const Reached& b) {
      return a.depth != b.depth ? a.depth < b.depth : rank[a.item] < rank[b.item];
    });
  } else {  // before finalize(): no ranks yet
    std::sort(out.begin(), out.end(), [this](const Reached& a, const Reached& b) {
      return a.depth != b.depth ? a.depth < b.depth : items_[a.item].id < items_[b.item].id;
    });
  }
  return out;
}

}  // namespace verdict
