// What a policy kind declares about itself. Each kind lives in one folder
// (core/src/kinds/KIND/) and describes itself with one KindInfo: its name, the command and
// input it serves, the formats its decisions render to, its loader, and the data it reads
// from a bundle's data files. The registry of all kinds is core/src/kinds/registry.h (the
// top of the kinds layer); the engine, the CLI, the C ABI and the service find a kind only
// through it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace verdict::policy {

// A kind's share of a bundle's data files (ChangeRisk: scheduled changes, change windows,
// error-budget status). The engine offers every data document to every kind's data; what
// no kind takes goes to the CMDB. Built on one thread, then read-only (thread-safe reads).
class KindData {
 public:
  virtual ~KindData() = default;
  // Takes what it recognises in one data document (`text` is its JSON text, for
  // positions). Returns how many entries it took; 0: not this kind's data.
  virtual size_t add(Value doc, std::string_view text, const std::string& source, std::vector<Error>& errors,
                     std::vector<Error>& warnings) = 0;
  // Adds what `other` (of the same kind) holds; conflicts (two windows of one name) are errors.
  virtual void append(const KindData& other, std::vector<Error>& errors) = 0;
  virtual void finalize() = 0;
  virtual bool empty() const = 0;
};

using KindLoader = std::unique_ptr<CompiledPolicy> (*)(const nlohmann::ordered_json& spec, PolicyBuilder& b);
using KindDataFactory = std::unique_ptr<KindData> (*)();

struct KindInfo {
  std::string_view name;          // "ChangeRisk": the policy document's `kind`
  std::string_view command;       // the CLI command and service endpoint that run it ("change"); "" for none
  std::string_view input;         // what one decision reads, for messages ("a change request")
  std::vector<Format> formats;    // the formats its decisions render to (json and text always)
  KindLoader load;
  KindDataFactory new_data = nullptr;  // null: the kind reads no data files
  bool renders(Format f) const {
    for (Format g : formats)
      if (g == f) return true;
    return false;
  }
};

}  // namespace verdict::policy
