// API envelopes (document/envelope.h): what real systems send around their records is
// unwrapped into the records, each decided on at its own line and JSON pointer. The sample
// envelopes are in samples/ (sources in samples/README.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "document/envelope.h"
#include "verdict/document.h"
#include "verdict/engine.h"

namespace {

using json = nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream f(std::string(VERDICT_SOURCE_DIR) + "/" + path, std::ios::binary);
  REQUIRE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<json> lines_of(const std::string& ndjson) {
  std::vector<json> out;
  std::istringstream in(ndjson);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

// The 1-based line of byte `offset` in `text`.
size_t line_at(const std::string& text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

void load_triage(verdict::Engine& e) {
  REQUIRE(e.load_policies(slurp("policies/triage/default.json"), "default.json").ok());
  REQUIRE(e.load_data(slurp("samples/cmdb.json"), "cmdb.json").ok());
}

}  // namespace

TEST_CASE("envelopes of real APIs are found by their own keys with each record's pointer", "[envelopes]") {
  struct Case {
    const char* file;
    const char* name;
    size_t records;
    const char* first_pointer;
  };
  const Case cases[] = {
      {"samples/servicenow-incidents.json", "servicenow", 0, "/result/0"},
      {"samples/alertmanager-webhook.json", "alertmanager-webhook", 0, "/alerts/0"},
      {"samples/envelopes/grafana-webhook.json", "grafana-webhook", 1, "/alerts/0"},
      {"samples/envelopes/prometheus-alerts.json", "prometheus", 2, "/data/alerts/0"},
      {"samples/envelopes/jira-search.json", "jira-search", 2, "/issues/0"},
      {"samples/envelopes/jira-webhook.json", "jira-webhook", 1, "/issue"},
      {"samples/envelopes/pagerduty-webhook-v3.json", "pagerduty-webhook", 1, "/event/data"},
  };
  verdict::DocumentReader reader;
  for (const Case& c : cases) {
    INFO(c.file);
    const std::string text = slurp(c.file);
    auto doc = reader.read(text);
    REQUIRE(doc.ok());
    verdict::shapes::Envelope env = verdict::shapes::detect_envelope(doc.value().root());
    CHECK(std::string(verdict::shapes::envelope_name(env.kind)) == c.name);
    const json j = json::parse(text);
    const size_t expected = c.records ? c.records : j[json::json_pointer(env.pointer(0)).parent_pointer()].size();
    CHECK(env.count() == expected);
    CHECK(env.pointer(0) == c.first_pointer);
    // Each record's offset is where its object starts, and it is the record at its pointer.
    const std::vector<size_t> offsets = verdict::shapes::record_offsets(text, env);
    REQUIRE(offsets.size() == env.count());
    verdict::shapes::for_each_record(env, [&](verdict::Value record, size_t i) {
      INFO(env.pointer(i));
      CHECK(text[offsets[i]] == '{');
      CHECK(json::parse(record.to_json()) == j[json::json_pointer(env.pointer(i))]);
      if (i > 0) CHECK(offsets[i] > offsets[i - 1]);
    });
  }
}

TEST_CASE("a record is never taken for an envelope", "[envelopes]") {
  verdict::DocumentReader reader;
  for (const char* text : {
           R"({"kind":"incident","id":"INC-1","title":"x"})",
           R"({"number":"INC0010001","short_description":"x","result":"resolved"})",  // a field named result
           R"({"result":[1,2],"status":"failure"})",                                 // not only result
           R"({"labels":{"alertname":"X"},"startsAt":"2026-03-29T01:00:00Z"})",
           R"({"key":"OPS-1","fields":{"summary":"x"},"issues":[]})",                 // issues without paging
           R"({"status":"error","data":{"alerts":[]}})",                              // a failed Prometheus answer
           R"({"event":{"event_type":"incident.triggered"}})",                        // no data
           R"({"routing_key":"r","event_action":"trigger","payload":{"summary":"s"}})",  // PagerDuty Events v2
       }) {
    INFO(text);
    auto doc = reader.read(text);
    REQUIRE(doc.ok());
    CHECK(verdict::shapes::detect_envelope(doc.value().root()).kind == verdict::shapes::EnvelopeKind::kNone);
  }
}

TEST_CASE("record offsets survive escapes nesting a BOM and keys before the records", "[envelopes]") {
  const std::string text =
      "\xEF\xBB\xBF{\"expand\":\"a\\\"]}[{\",\"startAt\":0,\"names\":{\"x\":[{\"y\":\"}\"}]},\n"
      "\"issues\":[\n  {\"key\":\"A-1\",\"fields\":{\"summary\":\"[{\\\\\"}}, \n  {\"key\":\"A-2\",\"fields\":{}}\n]}";
  verdict::DocumentReader reader;
  auto doc = reader.read(text);
  REQUIRE(doc.ok());
  auto env = verdict::shapes::detect_envelope(doc.value().root());
  REQUIRE(env.kind == verdict::shapes::EnvelopeKind::kJiraSearch);
  auto offsets = verdict::shapes::record_offsets(text, env);
  REQUIRE(offsets.size() == 2);
  CHECK(text.compare(offsets[0], 12, "{\"key\":\"A-1\"") == 0);
  CHECK(text.compare(offsets[1], 12, "{\"key\":\"A-2\"") == 0);
  CHECK(line_at(text, offsets[0]) == 3);
  CHECK(line_at(text, offsets[1]) == 4);
  // The positions: the same offsets, the lines before each and the column (after two spaces).
  auto pos = verdict::shapes::record_positions(text, env);
  REQUIRE(pos.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(pos[i].offset == offsets[i]);
    CHECK(pos[i].lines_before + 1 == line_at(text, offsets[i]));
    CHECK(pos[i].column == 3);
  }
}

TEST_CASE("triage decides on each record of an envelope at its line and pointer", "[envelopes][triage]") {
  verdict::Engine e;
  load_triage(e);
  verdict::EvalOptions o;
  o.kind = "TriageRouting";
  o.now = "2026-03-29T02:00:00Z";
  // ids: where each record's canonical id came from (the decision names the source field).
  struct Case {
    const char* file;
    std::vector<std::string> ids;
    const char* shape;
  };
  const Case cases[] = {
      {"samples/envelopes/jira-search.json", {"key", "key"}, "jira"},
      {"samples/envelopes/jira-webhook.json", {"key"}, "jira"},
      {"samples/envelopes/pagerduty-webhook-v3.json", {"id"}, "pagerduty"},
      {"samples/envelopes/prometheus-alerts.json", {"labels.alertname", "labels.alertname"}, "alertmanager"},
      {"samples/envelopes/grafana-webhook.json", {"fingerprint"}, "alertmanager"},
      {"samples/servicenow-incidents.json", {}, "servicenow"},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const std::string text = slurp(c.file);
    verdict::EvalReport r = e.evaluate(text, o);
    for (const auto& err : r.errors) INFO(err.to_string());
    CHECK(r.ok());
    verdict::DocumentReader reader;
    auto doc = reader.read(text);
    REQUIRE(doc.ok());
    auto env = verdict::shapes::detect_envelope(doc.value().root());
    auto offsets = verdict::shapes::record_offsets(text, env);
    CHECK(r.decisions == env.count());
    std::vector<json> ds = lines_of(r.json);
    REQUIRE(ds.size() == env.count());
    REQUIRE(ds.size() > 0);
    for (size_t i = 0; i < ds.size(); ++i) {
      INFO(ds[i].dump());
      CHECK(ds[i]["decision"]["input"]["fields"]["id"] == (c.ids.empty() ? std::string("number") : c.ids[i]));
      CHECK(ds[i]["decision"]["input"]["shape"] == c.shape);
      CHECK(ds[i]["record"] == env.pointer(i));
      CHECK(ds[i]["line"] == line_at(text, offsets[i]));
    }
  }
}

TEST_CASE("a PagerDuty incident maps its service priority urgency and team", "[envelopes][triage]") {
  // A Rules policy over the canonical incident: every rule must match.
  verdict::Engine e;
  const char* policy = R"p({"apiVersion":"verdict/v1","kind":"Rules","metadata":{"name":"pd"},"spec":{"input":"incident",
    "mode":"all","rules":[
      {"name":"id","when":"incident.id == 'PGR0VU2'"},
      {"name":"title","when":"incident.title == 'A little bump in the road'"},
      {"name":"service","when":"incident.service == 'API Service'"},
      {"name":"urgency","when":"incident.urgency == 'high'"},
      {"name":"priority","when":"incident.priority == 'P1'"},
      {"name":"team","when":"incident.team == 'Engineering'"},
      {"name":"status","when":"incident.status == 'triggered'"},
      {"name":"created","when":"timestamp(incident.created) == timestamp('2026-03-29T01:45:22Z')"}]}})p";
  REQUIRE(e.load_policies(policy, "pd.json").ok());
  verdict::EvalOptions o;
  o.now = "2026-03-29T02:00:00Z";
  verdict::EvalReport r = e.evaluate(slurp("samples/envelopes/pagerduty-webhook-v3.json"), o);
  REQUIRE(r.ok());
  INFO(r.json);
  json d = json::parse(r.json);
  CHECK(d["record"] == "/event/data");
  for (const char* rule : {"id", "title", "service", "urgency", "priority", "team", "status", "created"})
    CHECK(r.json.find(std::string("\"") + rule + "\"") != std::string::npos);
  CHECK(d["decision"].dump().find("created") != std::string::npos);
}

TEST_CASE("an NDJSON line holding an envelope gives one decision per record on that line", "[envelopes][triage]") {
  verdict::Engine e;
  load_triage(e);
  verdict::EvalOptions o;
  o.kind = "TriageRouting";
  o.now = "2026-03-29T02:00:00Z";
  const std::string ndjson = R"({"kind":"incident","id":"INC-1","title":"one","service":"payments-api"})"
                             "\n"
                             R"({"result":[{"number":"INC0000002","short_description":"two"},{"number":"INC0000003","short_description":"three"}]})"
                             "\n";
  verdict::EvalReport r = e.evaluate(ndjson, o);
  REQUIRE(r.ok());
  std::vector<json> ds = lines_of(r.json);
  REQUIRE(ds.size() == 3);
  CHECK(ds[0]["line"] == 1);
  CHECK_FALSE(ds[0].contains("record"));
  CHECK(ds[1]["line"] == 2);
  CHECK(ds[1]["record"] == "/result/0");
  CHECK(ds[1]["decision"]["input"]["shape"] == "servicenow");
  CHECK(ds[2]["line"] == 2);
  CHECK(ds[2]["record"] == "/result/1");
  CHECK(ds[2]["decision"]["input"]["shape"] == "servicenow");
}

TEST_CASE("triage of a document of no known shape says so and is never a silent decision", "[envelopes][triage]") {
  verdict::Engine e;
  load_triage(e);
  verdict::EvalOptions o;
  o.kind = "TriageRouting";
  o.now = "2026-03-29T02:00:00Z";
  // An object that says nothing about what it is: decided with the defaults, and the reasons say why.
  for (const char* text : {
           R"({"status":"success","data":{"resultType":"vector","result":[]}})",  // a Prometheus query answer
           R"({"unrelated":{"x":1}})",
           R"({})",
       }) {
    INFO(text);
    verdict::EvalReport r = e.evaluate(text, o);
    REQUIRE(r.ok());
    CHECK(json::parse(r.json)["decision"]["reasons"].dump().find("no known shape") != std::string::npos);
  }
  // Records that are not objects: an error at each record.
  verdict::EvalReport r = e.evaluate("[1,\n\"x\"]", o);
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].message.find("not an object but int") != std::string::npos);
  CHECK(r.errors[1].message.find("not an object but string") != std::string::npos);
  CHECK(r.worst == verdict::DecisionClass::kError);
  std::vector<json> ds = lines_of(r.json);
  REQUIRE(ds.size() == 2);
  CHECK(ds[1]["line"] == 2);
  CHECK(ds[1]["record"] == "/1");
  // Known documents have no such reason.
  for (const char* text : {R"({"title":"disk full"})", R"({"kind":"incident"})"}) {
    INFO(text);
    verdict::EvalReport k = e.evaluate(text, o);
    REQUIRE(k.ok());
    CHECK(k.json.find("no known shape") == std::string::npos);
  }
}

TEST_CASE("a change gate decides on each change of a ServiceNow Change API answer", "[envelopes][change]") {
  verdict::Engine e;
  REQUIRE(e.load_policies(slurp("policies/change/default.json"), "default.json").ok());
  REQUIRE(e.load_data(slurp("samples/cmdb.json"), "cmdb.json").ok());
  json one = json::parse(slurp("samples/servicenow-change.json"));
  json two = one;
  two["number"] = "CHG0099999";
  json envelope = {{"result", json::array({one, two})}};
  verdict::EvalOptions o;
  o.kind = "ChangeRisk";
  o.now = "2026-03-02T10:00:00Z";
  verdict::EvalReport r = e.evaluate(envelope.dump(2), o);
  for (const auto& err : r.errors) INFO(err.to_string());
  CHECK(r.decisions == 2);
  std::vector<json> ds = lines_of(r.json);
  REQUIRE(ds.size() == 2);
  CHECK(ds[0]["record"] == "/result/0");
  CHECK(ds[1]["record"] == "/result/1");
  CHECK(ds[1]["decision"]["change"]["id"] == "CHG0099999");
}

TEST_CASE("verdict alerts takes Grafana's webhook as Alertmanager's", "[envelopes][alerts]") {
  verdict::Engine e;
  REQUIRE(e.load_policies(slurp("policies/alerts/default.json"), "default.json").ok());
  verdict::EvalOptions o;
  o.kind = "AlertDedup";
  o.now = "2026-03-29T02:00:00Z";
  verdict::EvalReport r = e.evaluate(slurp("samples/envelopes/grafana-webhook.json"), o);
  for (const auto& err : r.errors) INFO(err.to_string());
  CHECK(r.ok());
  CHECK(r.decisions == 1);  // AlertDedup previews a webhook's alerts as one batch
  CHECK(r.json.find("c6eadffa33fcdf37") != std::string::npos);
}

TEST_CASE("verdict read lists each record of an envelope at its line and pointer", "[envelopes][read]") {
  verdict::Engine e;
  const std::string text = slurp("samples/servicenow-incidents.json");
  verdict::ReadReport r = e.read(text, {});
  REQUIRE(r.ok());
  CHECK(r.read == 1);  // one document ...
  REQUIRE(r.documents.size() == 5);  // ... of five records
  verdict::DocumentReader reader;
  auto doc = reader.read(text);
  REQUIRE(doc.ok());
  auto env = verdict::shapes::detect_envelope(doc.value().root());
  auto offsets = verdict::shapes::record_offsets(text, env);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(r.documents[i].record == "/result/" + std::to_string(i));
    CHECK(r.documents[i].line == line_at(text, offsets[i]));
    CHECK(r.documents[i].kind == "incident");
    CHECK(r.documents[i].id.rfind("INC", 0) == 0);
  }
  CHECK(json::parse(r.json)["documents"][2]["record"] == "/result/2");
  // A plain document has no record.
  verdict::ReadReport one = e.read(R"({"kind":"incident","id":"I-1"})", {});
  REQUIRE(one.documents.size() == 1);
  CHECK(one.documents[0].record.empty());
  CHECK(json::parse(one.json)["documents"][0].contains("record") == false);
}
