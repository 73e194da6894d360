#include "verdict/engine.h"

#include "document/shapes.h"
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
      ChangeRequest c(root);
      s.id = c.id();
      s.title = c.title();
      s.service = first_text(root, {"service"});
      break;
    }
    case DocumentKind::kAlert: {
      Alert a(root);
      s.id = a.fingerprint();
      s.title = a.name();
      s.service = a.label("service");
      break;
    }
    case DocumentKind::kConfigItem: {
      ConfigItem c(root);
      s.id = c.id();
      s.title = c.name();
      s.service = first_text(root, {"service"});
      break;
    }
    case DocumentKind::kSliSample: {
      SliSample x(root);
      s.id = x.timestamp();
      s.title = x.slo();
      s.service = x.slo();
      break;
    }
  }
  return s;
}

void write_summary(JsonWriter& w, const DocumentSummary& s, const Value* value) {
  w.begin_object();
  w.key("line").number(static_cast<int64_t>(s.line));
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
  InputFormat format = options.format;
  if (format == InputFormat::kAuto) format = reader_.is_ndjson(data) ? InputFormat::kNdjson : InputFormat::kJson;
  report.format = format;

  JsonWriter docs;
  docs.begin_array();
  if (format == InputFormat::kNdjson) {
    reader_.read_ndjson(data, [&](const StreamItem& item) {
      if (item.document) {
        if (options.summaries) {
          Value root = item.document->root();
          report.documents.push_back(summarize(root, item.line, item.length));
          write_summary(docs, report.documents.back(), options.include_values ? &root : nullptr);
        }
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
      if (options.summaries) {
        Value root = doc.value().root();
        report.documents.push_back(summarize(root, 1, data.size()));
        write_summary(docs, report.documents.back(), options.include_values ? &root : nullptr);
      }
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
