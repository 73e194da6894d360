#include "verdict/engine.h"

#include "cmdb/cmdb.h"
#include "document/alert.h"
#include "document/change.h"
#include "document/envelope.h"
#include "document/shapes.h"
#include "kinds/budget/sli.h"
#include "time/zone.h"

#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict {

const char* version() { return VERDICT_VERSION_STRING; }
const char* tzdata_version() { return datetime::tzdata_version().data(); }

void write_error_json(JsonWriter& w, const Error& e) {
  w.begin_object();
  w.key("code").string(error_code_name(e.code));
  w.key("message").string(e.message);
  if (!e.source.empty()) w.key("source").string(e.source);
  if (e.offset >= 0) w.key("offset").number(e.offset);
  if (e.line > 0) w.key("line").number(e.line);
  if (e.column > 0) w.key("column").number(e.column);
  w.end_object();
}

namespace {

// `verdict read` summarises each document through the same mapping the kinds use, so the
// id, title and service it prints are the ones a decision reports (docs/architecture.md,
// "one shape mapping").
DocumentSummary summarize(Value root, size_t line, size_t bytes) {
  DocumentSummary s;
  s.line = line;
  s.bytes = bytes;
  s.fields = root.size();
  DocumentKind kind = detect_kind(root);
  s.kind = kind_name(kind);
  switch (kind) {
    case DocumentKind::kIncident:
    case DocumentKind::kUnknown: {
      // The canonical incident, exactly as TriageRouting and Rules read it.
      thread_local shapes::Record r(shapes::incident_schema());
      shapes::map_incident(root, r);
      s.id = r.text(shapes::incident::kId);
      s.title = r.text(shapes::incident::kTitle);
      s.service = r.text(shapes::incident::kService);
      break;
    }
    case DocumentKind::kChange: {
      // The canonical change, as ChangeRisk reads it.
      shapes::Change c;
      std::vector<shapes::FieldProblem> problems;
      shapes::map_change(root, c, problems);
      s.id = c.id;
      s.title = c.title;
      if (!c.services.empty()) s.service = c.services.front();
      break;
    }
    case DocumentKind::kAlert: {
      // The alert event, as AlertDedup reads it: its key is the sender's (fingerprint,
      // dedup_key) or, without one, the fingerprint of its labels.
      shapes::AlertEvent ev;
      if (!shapes::read_alert(root, shapes::detect_alert_shape(root), ev).empty()) break;
      if (!ev.source_key.empty()) {
        s.id = ev.source_key;
      } else {
        shapes::append_hex16(s.id, shapes::fingerprint(ev.labels));
      }
      s.title = shapes::label_value(ev.labels, "alertname");
      s.service = shapes::label_value(ev.labels, "service");
      break;
    }
    case DocumentKind::kConfigItem: {
      // The item as the CMDB index reads it (native, ServiceNow or Backstage).
      DocumentReader reader;
      Result<Document> copy = reader.read(root.to_json());
      if (!copy.ok()) break;
      CmdbIndex index;
      (void)index.add(std::move(copy).value(), "");
      if (index.size() == 0) break;
      const CmdbIndex::Item& item = index.items().front();
      s.id = item.id;
      s.title = item.name;
      s.service = item.service;
      break;
    }
    case DocumentKind::kSliSample: {
      // The sample as ErrorBudget reads it.
      budget::Sample x;
      std::vector<budget::SampleProblem> problems;
      budget::read_sample(root, x, problems);
      s.id = text_of(root.get(x.time_key.empty() ? std::string_view("timestamp") : x.time_key));
      s.title = x.slo;
      s.service = x.slo;
      break;
    }
  }
  return s;
}

void write_summary(JsonWriter& w, const DocumentSummary& s, const Value* value) {
  w.begin_object();
  w.key("line").number(static_cast<int64_t>(s.line));
  if (!s.record.empty()) w.key("record").string(s.record);
  w.key("bytes").number(static_cast<int64_t>(s.bytes));
  w.key("kind").string(s.kind);
  if (!s.id.empty()) w.key("id").string(s.id);
  if (!s.title.empty()) w.key("title").string(s.title);
  if (!s.service.empty()) w.key("service").string(s.service);
  w.key("fields").number(static_cast<int64_t>(s.fields));
  if (value) w.key("value").raw(value->to_json());
  w.end_object();
}

}  // namespace

ReadReport Engine::read(std::string_view data, const ReadOptions& options) {
  ReadReport report;
  JsonWriter docs;
  // One document, or each record of an API envelope (document/envelope.h) at its own line.
  auto summarize_document = [&](Value root, std::string_view text, size_t line) {
    shapes::Envelope env = shapes::detect_envelope(root);
    if (env.kind == shapes::EnvelopeKind::kNone) {
      report.documents.push_back(summarize(root, line, text.size()));
      write_summary(docs, report.documents.back(), options.include_values ? &root : nullptr);
      return;
    }
    // One pass for the lines of all records (an export may hold many thousands).
    const std::vector<shapes::RecordPosition> pos = shapes::record_positions(text, env);
    shapes::for_each_record(env, [&](Value record, size_t i) {
      const shapes::RecordPosition p = i < pos.size() ? pos[i] : shapes::RecordPosition{};
      const size_t end = i + 1 < pos.size() ? pos[i + 1].offset : text.size();
      DocumentSummary s = summarize(record, line + p.lines_before, end > p.offset ? end - p.offset : 0);
      s.record = env.pointer(i);
      report.documents.push_back(std::move(s));
      write_summary(docs, report.documents.back(), options.include_values ? &record : nullptr);
    });
  };
  InputFormat format = options.format;
  if (format == InputFormat::kAuto) format = reader_.is_ndjson(data) ? InputFormat::kNdjson : InputFormat::kJson;
  report.format = format;

  docs.begin_array();
  if (format == InputFormat::kNdjson) {
    reader_.read_ndjson(data, [&](const StreamItem& item) {
      if (item.document) {
        if (options.summaries) summarize_document(item.document->root(), data.substr(item.offset, item.length), item.line);
        ++report.read;
      } else {
        Error e = *item.error;
        e.source = options.source;
        report.errors.push_back(std::move(e));
        ++report.failed;
      }
      return true;
    });
  } else {
    Result<Document> doc = reader_.read(data);
    if (doc.ok()) {
      if (options.summaries) summarize_document(doc.value().root(), data, 1);
      ++report.read;
    } else {
      Error e = doc.error();
      e.source = options.source;
      report.errors.push_back(std::move(e));
      ++report.failed;
    }
  }
  docs.end_array();

  JsonWriter w;
  w.begin_object();
  w.key("ok").boolean(report.ok());
  w.key("format").string(format == InputFormat::kNdjson ? "ndjson" : "json");
  w.key("read").number(static_cast<int64_t>(report.read));
  w.key("failed").number(static_cast<int64_t>(report.failed));
  if (options.summaries) w.key("documents").raw(docs.view());
  w.key("errors").begin_array();
  for (const Error& e : report.errors) write_error_json(w, e);
  w.end_array();
  w.end_object();
  report.json = w.take();
  return report;
}

}  // namespace verdict
