// verdict/engine.h: the engine, the one object a host creates.
//
// An Engine owns a DocumentReader (so simdjson's parser and buffers are reused
// across calls) and, in later layers, the loaded policies and data. Every call
// produces a JSON result, `{"ok": true, ...}` or `{"ok": false, "errors": [...]}`,
// which is what the C ABI and the command line hand out.
//
//   verdict::Engine engine;
//   verdict::ReadReport r = engine.read(bytes, {});
//   std::cout << r.json;   // {"ok":true,"format":"ndjson","read":12,"failed":0,...}
//
// Not thread-safe: one Engine per thread (they share nothing). Not copyable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict {

// The version of verdict, e.g. "0.1.0".
const char* version();

enum class InputFormat { kAuto, kJson, kNdjson };

struct EngineOptions {
  Limits limits;
};

struct ReadOptions {
  InputFormat format = InputFormat::kAuto;
  bool include_values = false;  // add each document's canonical JSON to the report
  bool summaries = true;        // list each document; false: counts and errors only
  std::string source;           // file name for error messages ("" for none)
};

// What one document said about itself, as read through the typed views.
struct DocumentSummary {
  size_t line = 1;      // 1-based line (NDJSON) or 1 for a single document
  size_t bytes = 0;
  std::string kind;     // incident, change, alert, ci, sli, unknown
  std::string id;
  std::string title;
  std::string service;
  size_t fields = 0;    // top-level members (or items, for an array)
};

struct ReadReport {
  InputFormat format = InputFormat::kJson;  // what the input was read as
  size_t read = 0;
  size_t failed = 0;
  std::vector<DocumentSummary> documents;
  std::vector<Error> errors;
  std::string json;     // the report as JSON (the C ABI's result)
  bool ok() const { return errors.empty(); }
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads one JSON document or an NDJSON stream and reports what was read. Broken
  // NDJSON lines are reported with their line and column; the others are read.
  ReadReport read(std::string_view data, const ReadOptions& options);

  DocumentReader& reader() { return reader_; }

 private:
  EngineOptions options_;
  DocumentReader reader_;
};

// {"code":"invalid_json","message":"...","source":"f.json","offset":12,"line":1,"column":13}
// (source, offset, line and column only when known).
void write_error_json(class JsonWriter& w, const Error& e);

}  // namespace verdict
