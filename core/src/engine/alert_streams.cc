// Engine: AlertDedup streams (docs/alerts.md). One Stream per AlertDedup policy, kept
// across calls; snapshot and restore of all of them as one versioned document.
#include <map>

#include "kinds/alerts/stream.h"
#include "time/time.h"
#include "policy/policy.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

namespace verdict {

namespace {
constexpr int kSnapshotVersion = 1;
constexpr const char* kSnapshotKind = "AlertDedupState";
}  // namespace

struct Engine::AlertStreams {
  std::map<std::string, std::unique_ptr<alerts::Stream>> streams;  // by policy name (ordered: snapshots are stable)
};

namespace {

std::shared_ptr<const policy::AlertDedupPolicy> as_alert_policy(const std::shared_ptr<const policy::CompiledPolicy>& p) {
  if (!p || std::string_view(p->kind()) != "AlertDedup") return nullptr;
  return std::static_pointer_cast<const policy::AlertDedupPolicy>(p);
}

}  // namespace

AlertReport Engine::alerts_push(std::string_view input, const AlertOptions& options) {
  AlertReport report;
  auto fail = [&](Error e) {
    if (e.source.empty()) e.source = options.source;
    JsonWriter w;
    w.begin_object().key("type").string("error").key("errors");
    policy::write_errors(w, {e});
    w.end_object();
    report.json = std::string(w.view()) + "\n";
    report.errors.push_back(std::move(e));
    if (options.sink) {
      options.sink(report.json);
      report.json.clear();
    }
    return report;
  };
  // Which policy: by name, or the only AlertDedup policy; another kind is kWrongKind and
  // several AlertDedup policies without a name kAmbiguous (the CLI exits 4 on both).
  auto selected = select_policy(options.policy, "AlertDedup");
  if (!selected.ok()) return fail(selected.error());
  std::shared_ptr<const policy::AlertDedupPolicy> pol;
  for (const auto& p : loaded_policies())
    if (p.get() == selected.value()) pol = as_alert_policy(p);
  if (!pol) return fail(Error(ErrorCode::kInternal, "the selected policy is not an AlertDedup policy"));
  alerts::PushContext c;
  c.max_steps = options_.expressions.max_steps;
  if (!options.now.empty()) {
    std::string why;
    auto t = datetime::parse_rfc3339(options.now, &why);
    if (!t) return fail(Error(ErrorCode::kInvalidArgument, "invalid now '" + options.now + "': " + why));
    c.has_now = true;
    c.now = *t;
  }
  if (!options.received.empty()) {
    std::string why;
    auto t = datetime::parse_rfc3339(options.received, &why);
    if (!t) return fail(Error(ErrorCode::kInvalidArgument, "invalid received time '" + options.received + "': " + why));
    c.has_received = true;
    c.received = *t;
  }
  if (!alerts_) alerts_ = std::make_shared<AlertStreams>();
  const CmdbIndex* cmdb = current_cmdb();
  auto& slot = alerts_->streams[pol->meta().name];
  std::string out;
  if (!slot) {
    slot = std::make_unique<alerts::Stream>(pol, cmdb);
  } else if (slot->policy_ptr() != pol) {
    // The policy was replaced: carry the state over through a snapshot of it.
    JsonWriter w;
    slot->write_state(w);
    auto fresh = std::make_unique<alerts::Stream>(pol, cmdb);
    auto doc = reader_.read(w.view());
    std::string why = !doc.ok() ? "internal: unreadable state" : fresh->read_state(doc.value().root());
    if (!why.empty()) {
      Error e(ErrorCode::kInvalidArgument, "the state of \"" + pol->meta().name + "\" does not fit the new policy (" + why +
                                               "); the stream starts empty");
      e.source = options.source;
      report.errors.push_back(e);
      fresh = std::make_unique<alerts::Stream>(pol, cmdb);
    }
    slot = std::move(fresh);
  } else if (slot->cmdb() != cmdb) {
    slot->rebind(pol, cmdb);
  }
  alerts::Stream& stream = *slot;
  if (c.has_now) {
    if (std::string gap = stream.check_gap(c.now); !gap.empty()) return fail(Error(ErrorCode::kInvalidArgument, "now: " + gap));
  }
  c.source = options.source;
  c.explain = options.explain;
  c.out = &out;
  c.errors = &report.errors;
  auto emit = [&] {
    if (options.sink && !out.empty()) {
      options.sink(out);
      out.clear();
    }
  };
  InputFormat format = options.format;
  if (format == InputFormat::kAuto) format = reader_.is_ndjson(input) ? InputFormat::kNdjson : InputFormat::kJson;
  if (format == InputFormat::kNdjson) {
    reader_.read_ndjson(input, [&](const StreamItem& item) {
      const size_t line = item.line + options.lines_before;
      if (item.document) {
        stream.push_document(item.document->root(), line, item.offset + options.bytes_before, c);
      } else {
        Error e = *item.error;
        if (e.line > 0) e.line += static_cast<int64_t>(options.lines_before);
        if (e.offset >= 0) e.offset += static_cast<int64_t>(options.bytes_before);
        stream.push_error(e, line, c);
      }
      emit();
      return true;
    });
  } else if (!input.empty()) {
    auto doc = reader_.read(input);
    if (doc.ok()) stream.push_document(doc.value().root(), 1, 0, c);
    else stream.push_error(doc.error(), 1, c);
  }
  if (c.has_now && options.flush_at_now) stream.advance(c.now, c);
  emit();
  for (auto& e : report.errors)
    if (e.source.empty()) e.source = options.source;
  if (!options.sink) report.json = std::move(out);
  return report;
}

std::string Engine::alerts_stats() {
  JsonWriter w;
  w.begin_object().key("ok").boolean(true).key("streams").begin_array();
  if (alerts_)
    for (const auto& [name, s] : alerts_->streams) s->write_stats(w);
  w.end_array().end_object();
  return w.take();
}

std::optional<int64_t> Engine::alerts_next_flush(const std::string& policy) {
  auto selected = select_policy(policy, "AlertDedup");
  if (!selected.ok() || !alerts_) return std::nullopt;
  for (const auto& p : loaded_policies())
    if (p.get() == selected.value()) {
      auto it = alerts_->streams.find(p->meta().name);
      int64_t t = 0;
      if (it == alerts_->streams.end() || !it->second->next_flush_time(t)) return std::nullopt;
      return t;
    }
  return std::nullopt;
}

std::string Engine::alerts_snapshot() {
  JsonWriter w;
  w.begin_object().key("kind").string(kSnapshotKind).key("version").number(kSnapshotVersion);
  w.key("verdict").string(version()).key("streams").begin_array();
  if (alerts_)
    for (const auto& [name, s] : alerts_->streams) s->write_state(w);
  w.end_array().end_object();
  return w.take();
}

Status Engine::alerts_restore(std::string_view text) {
  // One parse (the document reader's), which places a syntax error.
  auto doc = reader_.read(text);
  if (!doc.ok()) {
    Error e = doc.error();
    e.message = "the state is not valid JSON: " + e.message;
    return e;
  }
  const Value j = doc.value().root();
  auto bad = [](std::string why) { return Status(Error(ErrorCode::kInvalidArgument, "state: " + why + "; the state in use is kept")); };
  if (!j.is_object()) return bad("not a state document");
  if (j.get("kind").as_string() != kSnapshotKind) return bad("not an AlertDedupState document (kind)");
  const Value version = j.get("version");
  if (version.type() != Type::kInt) return bad("no version");
  if (version.as_int() != kSnapshotVersion)
    return bad("version " + version.to_json() + " is not supported (this verdict reads version " + std::to_string(kSnapshotVersion) + ")");
  const Value streams = j.get("streams");
  if (!streams.is_array()) return bad("no streams");
  const CmdbIndex* cmdb = current_cmdb();
  auto next = std::make_shared<AlertStreams>();
  auto policies = loaded_policies();
  std::string problem;
  size_t i = 0;
  streams.for_each_item([&](Value s) {
    std::string where = "streams[" + std::to_string(i++) + "]";
    if (!s.get("policy").is_string()) {
      problem = where + ": no policy name";
      return false;
    }
    std::string name(s.get("policy").as_string());
    std::shared_ptr<const policy::AlertDedupPolicy> pol;
    for (const auto& p : policies)
      if (p->meta().name == name) pol = as_alert_policy(p);
    if (!pol) {
      problem = where + ": no AlertDedup policy named \"" + name + "\" is loaded";
      return false;
    }
    if (next->streams.count(name)) {
      problem = where + ": a second stream for \"" + name + "\"";
      return false;
    }
    auto stream = std::make_unique<alerts::Stream>(pol, cmdb);
    std::string why = stream->read_state(s);
    if (!why.empty()) {
      problem = where + "." + why;
      return false;
    }
    next->streams[name] = std::move(stream);
    return true;
  });
  if (!problem.empty()) return bad(problem);
  alerts_ = std::move(next);
  return Status();
}

}  // namespace verdict
