#include "document/yaml.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <new>
#include <sstream>
#include <string>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace verdict::yaml {

bool Positions::find(int64_t line, int64_t column, Position& yaml) const {
  if (line < 1 || static_cast<size_t>(line) > lines_.size()) return false;
  const std::vector<Mark>& marks = lines_[static_cast<size_t>(line) - 1];
  auto it = std::upper_bound(marks.begin(), marks.end(), static_cast<size_t>(std::max<int64_t>(column, 0)),
                             [](size_t c, const Mark& m) { return c < m.column; });
  if (it == marks.begin()) return false;
  yaml = std::prev(it)->yaml;
  return true;
}

bool Positions::value_at(size_t doc, const std::string& pointer, Position& yaml) const {
  if (doc >= values_.size()) return false;
  auto it = values_[doc].find(pointer);
  if (it == values_[doc].end()) return false;
  yaml = it->second;
  return true;
}

bool Positions::key_at(size_t doc, const std::string& pointer, Position& yaml) const {
  if (doc >= keys_.size()) return false;
  auto it = keys_[doc].find(pointer);
  if (it == keys_[doc].end()) return false;
  yaml = it->second;
  return true;
}

void Positions::add(size_t line, size_t column, Position yaml) {
  if (lines_.size() < line) lines_.resize(line);
  lines_[line - 1].push_back({column, yaml});
}

void Positions::add_value(size_t doc, const std::string& pointer, Position yaml) {
  if (values_.size() <= doc) values_.resize(doc + 1);
  values_[doc].emplace(pointer, yaml);
}

void Positions::add_key(size_t doc, const std::string& pointer, Position yaml) {
  if (keys_.size() <= doc) keys_.resize(doc + 1);
  keys_[doc].emplace(pointer, yaml);
}

std::string escape_pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

namespace {

using json = nlohmann::json;

Position at(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

// One conversion: the text written so far, the positions, and the budget of nodes.
struct Walk {
  Walk(const Options& o, Converted& c, size_t nodes) : options(o), out(c), nodes_left(nodes), budget(nodes) {}
  const Options& options;
  Converted& out;
  size_t nodes_left;
  const size_t budget;
  size_t doc = 0;         // the document being written (0-based)
  size_t line = 1;        // its converted line
  size_t line_start = 0;  // the line's offset in out.ndjson
  std::vector<YAML::Node> ancestors;
  Error error;
  bool failed = false;

  bool stop(const YAML::Node& n, ErrorCode code, std::string message) {
    error = Error(code, std::move(message));
    const Position p = at(n.Mark());
    error.line = p.line;
    error.column = p.column;
    failed = true;
    return false;
  }

  // Called on entering each node: false when the conversion must stop.
  bool enter(const YAML::Node& n) {
    if (nodes_left == 0)
      return stop(n, ErrorCode::kLimitExceeded,
                  "aliases expand to more than the file's budget of nodes (" + std::to_string(budget) + "; a \"billion laughs\" document?)");
    --nodes_left;
    if (ancestors.size() >= kMaxDepth)
      return stop(n, ErrorCode::kTooDeep, "collections nest deeper than " + std::to_string(kMaxDepth) + " levels");
    if (n.IsMap() || n.IsSequence())
      for (const YAML::Node& a : ancestors)
        if (a.is(n)) return stop(n, ErrorCode::kLimitExceeded, "an alias refers to a collection that contains it (a cycle)");
    return true;
  }

  void mark(const YAML::Node& n) {
    const Position p = at(n.Mark());
    if (p.line > 0) out.positions.add(line, out.ndjson.size() - line_start + 1, p);
  }

  void string(const std::string& s) {
    // Invalid UTF-8 becomes U+FFFD (the JSON reader would refuse it; dump() must not fail).
    out.ndjson += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  }

  // A plain scalar, typed by the YAML 1.2 core schema; quoted ones stay strings.
  void typed(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!") return string(s);  // quoted
    if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) { out.ndjson += "null"; return; }
    if (s == "true" || s == "True" || s == "TRUE") { out.ndjson += "true"; return; }
    if (s == "false" || s == "False" || s == "FALSE") { out.ndjson += "false"; return; }
    if (s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
      char* end = nullptr;
      errno = 0;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (end == s.c_str() + s.size() && errno != ERANGE) { out.ndjson += std::to_string(i); return; }  // beyond 64 bits: a double
      double d = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size()) { out.ndjson += json(d).dump(); return; }
    }
    string(s);
  }

  bool value(const YAML::Node& n, const std::string& pointer) {
    if (!enter(n)) return false;
    mark(n);
    if (options.pointers) out.positions.add_value(doc, pointer, at(n.Mark()));
    switch (n.Type()) {
      case YAML::NodeType::Map: {
        out.ndjson += '{';
        ancestors.push_back(n);
        std::unordered_set<std::string> keys;
        bool first = true;
        for (const auto& kv : n) {
          if (!first) out.ndjson += ',';
          first = false;
          if (!kv.first.IsScalar() && !kv.first.IsNull())
            return stop(kv.first, ErrorCode::kWrongType, "a key that is a list or a mapping (keys are text)");
          const std::string key = kv.first.IsNull() ? std::string("null") : kv.first.Scalar();
          if (!keys.insert(key).second) return stop(kv.first, ErrorCode::kDuplicateKey, "the key \"" + key + "\" is given twice");
          mark(kv.first);
          std::string child;
          if (options.pointers) {
            child = pointer + "/" + escape_pointer_token(key);
            out.positions.add_key(doc, child, at(kv.first.Mark()));
          }
          string(key);
          out.ndjson += ':';
          if (!value(kv.second, child)) return false;
        }
        ancestors.pop_back();
        out.ndjson += '}';
        return true;
      }
      case YAML::NodeType::Sequence: {
        out.ndjson += '[';
        ancestors.push_back(n);
        size_t i = 0;
        for (const auto& x : n) {
          if (i > 0) out.ndjson += ',';
          if (!value(x, options.pointers ? pointer + "/" + std::to_string(i) : std::string())) return false;
          ++i;
        }
        ancestors.pop_back();
        out.ndjson += ']';
        return true;
      }
      case YAML::NodeType::Scalar:
        if (options.scalars == Scalars::kText) string(n.Scalar());
        else typed(n);
        return true;
      default: out.ndjson += "null"; return true;  // Null (and Undefined, which a parse never gives)
    }
  }
};

// Counts a stream's documents and builds nothing (the first pass of to_ndjson).
struct DocumentCounter final : YAML::EventHandler {
  size_t documents = 0;
  YAML::Mark last;
  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    last = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

Result<Converted> to_ndjson(std::string_view text, const Options& options) {
  Converted out;
  const size_t budget = 4 * text.size() + 10000;  // a file without aliases has fewer nodes than bytes
  try {
    // yaml-cpp 0.7 does not move past a flow indicator outside [] or {} (a file that is just
    // ",") and YAML::LoadAll then collects empty documents until memory runs out. A first pass
    // counts the documents without building them and stops at more than any text of this size
    // can hold (a document takes at least "---" of it); its syntax errors are LoadAll's.
    {
      std::istringstream in{std::string(text)};
      YAML::Parser parser(in);
      DocumentCounter counter;
      const size_t most = text.size() / 3 + 2;
      while (parser.HandleNextDocument(counter)) {
        if (counter.documents <= most) continue;
        Error error(ErrorCode::kInvalidYaml,
                    "invalid YAML: the reader does not get past this point (a ',' or other flow indicator outside [] or {}?)");
        error.line = counter.last.line >= 0 ? counter.last.line + 1 : 0;
        error.column = counter.last.column >= 0 ? counter.last.column + 1 : 0;
        return error;
      }
    }
    const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    Walk w(options, out, budget);
    for (const YAML::Node& doc : docs) {
      if (doc.IsNull()) continue;
      w.line_start = out.ndjson.size();
      w.ancestors.clear();
      if (!w.value(doc, "")) return w.error;
      out.ndjson += '\n';
      ++w.line;
      ++w.doc;
    }
    out.documents = w.doc;
    return out;
  } catch (const YAML::Exception& e) {
    Error error(ErrorCode::kInvalidYaml, "invalid YAML: " + e.msg);
    error.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    error.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    return error;
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::kOutOfMemory, "out of memory while reading YAML");
  } catch (...) {
    return Error(ErrorCode::kInternal, "yaml-cpp failed while reading YAML");
  }
}

}  // namespace verdict::yaml
