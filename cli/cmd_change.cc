// `verdict change`: gates change requests with a ChangeRisk policy, for CI and for the
// change advisory board. Output as text, JSON (NDJSON for streams), JUnit XML or GitHub
// workflow annotations; the exit code is the worst decision (docs/change.md).
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace verdict::cli {
namespace {

using json = nlohmann::ordered_json;

std::string str(const json& v, const char* key, const std::string& fallback = "") {
  auto it = v.find(key);
  return it != v.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') out += ' ';  // not allowed in XML 1.0
        else out += ch;
    }
  }
  return out;
}

// GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','.
std::string gh_data(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}
std::string gh_property(const std::string& s) {
  std::string out;
  for (char c : gh_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

struct Item {
  std::string file;
  int64_t line = 1;
  json d;  // the decision line
};

std::string change_label(const json& dec) {
  const json& c = dec["change"];
  std::string id = c.contains("id") && c["id"].is_string() ? c["id"].get<std::string>() : "(no id)";
  std::string title = str(c, "title");
  return title.empty() ? id : id + " " + title;
}

std::string headline(const json& dec) {
  const json& r = dec["risk"];
  std::string s = str(dec, "status") + " (" + str(dec, "outcome") + "), risk " + r["score"].dump() + "/100 " + str(r, "class");
  if (r.value("auto_approved", false))
    s += str(dec, "outcome") == "auto_approve" ? ", auto-approved" : ", auto-approval overruled by the findings";
  return s;
}

// The whole decision as lines of text (also the JUnit failure body).
std::string describe(const json& d, bool explain) {
  std::ostringstream o;
  if (!d.contains("decision") || !d["decision"].contains("status")) {
    for (const auto& e : d["errors"]) o << "error: " << str(e, "message") << "\n";
    return o.str();
  }
  const json& dec = d["decision"];
  const json& c = dec["change"];
  o << change_label(dec) << "\n";
  o << "  " << headline(dec) << "\n";
  o << "  " << str(c, "type", "?") << " change from " << str(c, "source") << ", " << (c["start"].is_string() ? c["start"].get<std::string>() : "?")
    << " to " << (c["end"].is_string() ? c["end"].get<std::string>() : "?") << "\n";
  if (!dec["risk"]["factors"].empty()) {
    o << "  factors:\n";
    for (const auto& f : dec["risk"]["factors"]) {
      std::string pts = f["points"].dump();
      o << "    " << (f["points"].get<double>() >= 0 ? "+" : "") << pts << "  " << str(f, "name");
      if (f.contains("reason")) o << ": " << str(f, "reason");
      o << "\n";
    }
  }
  if (!dec["findings"].empty()) {
    o << "  findings:\n";
    for (const auto& f : dec["findings"]) {
      o << "    " << str(f, "action") << "  " << str(f, "type");
      if (f.contains("name")) o << " " << str(f, "name");
      o << ": " << str(f, "message");
      if (f.contains("exception")) o << " [exception: " << str(f, "exception") << "]";
      o << "\n";
    }
  }
  const json& ap = dec["approvals"];
  for (const auto& r : ap["required"]) {
    std::string from;
    for (const auto& x : r["from"]) from += (from.empty() ? "" : ", ") + x.get<std::string>();
    o << "  approval: " << r["count"].dump() << " from [" << from << "]: " << r["by"].size() << " present";
    if (r["missing"].get<int64_t>() > 0) o << ", " << r["missing"].dump() << " missing";
    o << "\n";
  }
  const json& b = dec["blast_radius"];
  o << "  blast radius: " << b["count"].dump() << " dependent item" << (b["count"].get<int64_t>() == 1 ? "" : "s");
  if (b["count"].get<int64_t>() > 0) o << ", depth up to " << b["max_depth"].dump();
  if (b["min_tier"].is_number()) o << ", most critical tier " << b["min_tier"].dump();
  o << "\n";
  if (!b["services"].empty()) {
    std::string s;
    for (const auto& x : b["services"]) s += (s.empty() ? "" : ", ") + x.get<std::string>();
    o << "    services: " << s << "\n";
  }
  int64_t last_depth = 0;
  std::string row;
  for (const auto& it : b["items"]) {
    int64_t depth = it["depth"].get<int64_t>();
    if (depth != last_depth) {
      if (!row.empty()) o << row << "\n";
      row = "    depth " + std::to_string(depth) + ":";
      last_depth = depth;
    }
    row += " " + str(it, "id");
    if (it["tier"].is_number()) row += " (tier " + it["tier"].dump() + ")";
  }
  if (!row.empty()) o << row << "\n";
  if (b.value("truncated", false)) o << "    (more items not listed: raise spec.blast_radius.max_items)\n";
  for (const auto& s : dec["budget"]) {
    o << "  budget: " << str(s, "service") << " " << str(s, "slo") << " " << str(s, "status") << ", burn " << str(s, "burn_state")
      << ", remaining " << s["budget_remaining"].dump() << (s.value("freeze", false) ? ", releases frozen" : "") << "\n";
  }
  for (const auto& e : d["errors"]) o << "  error: " << str(e, "message") << "\n";
  if (explain && d.contains("explain")) {
    const json& x = d["explain"];
    o << "  explain:\n";
    for (const auto& f : x["factors"]) {
      o << "    factor " << str(f, "name") << ": " << (f.value("applies", false) ? "applies, " + f["points"].dump() + " points" : "does not apply");
      if (f.contains("values")) o << "  " << f["values"].dump();
      o << "\n";
    }
    for (const auto& g : x["gates"]) {
      o << "    gate " << str(g, "name") << ": " << (g.value("applies", false) ? "applies" : "does not apply");
      if (g.contains("values")) o << "  " << g["values"].dump();
      o << "\n";
    }
    for (auto it = x["context"]["windows"].begin(); it != x["context"]["windows"].end(); ++it)
      o << "    window " << it.key() << " (" << str(it.value(), "type") << "): applies " << it.value()["applies"].dump() << ", overlaps "
        << it.value()["overlaps"].dump() << ", covers " << it.value()["covers"].dump() << "\n";
  }
  return o.str();
}

void write_junit(const std::vector<Item>& items) {
  size_t failures = 0, errors = 0;
  for (const auto& it : items) {
    if (!it.d.contains("decision") || !it.d["decision"].contains("status") || !it.d.value("ok", false)) ++errors;
    else if (str(it.d["decision"], "status") != "approved") ++failures;
  }
  std::cout << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::cout << "<testsuites name=\"verdict change\" tests=\"" << items.size() << "\" failures=\"" << failures << "\" errors=\"" << errors
            << "\">\n";
  std::cout << "  <testsuite name=\"verdict change\" tests=\"" << items.size() << "\" failures=\"" << failures << "\" errors=\""
            << errors << "\">\n";
  for (const auto& it : items) {
    bool decided = it.d.contains("decision") && it.d["decision"].contains("status");
    std::string name = decided ? change_label(it.d["decision"]) : it.file + ":" + std::to_string(it.line);
    std::cout << "    <testcase classname=\"verdict.change\" name=\"" << xml_escape(name) << "\" file=\"" << xml_escape(it.file) << "\" line=\""
              << it.line << "\">\n";
    std::string body = xml_escape(describe(it.d, false));
    if (!decided || !it.d.value("ok", false)) {
      std::string msg = it.d["errors"].empty() ? "error" : str(it.d["errors"][0], "message");
      std::cout << "      <error type=\"invalid_input\" message=\"" << xml_escape(msg) << "\">" << body << "</error>\n";
    } else {
      const json& dec = it.d["decision"];
      std::string status = str(dec, "status");
      if (status != "approved")
        std::cout << "      <failure type=\"" << status << "\" message=\"" << xml_escape(headline(dec)) << "\">" << body << "</failure>\n";
      else
        std::cout << "      <system-out>" << body << "</system-out>\n";
    }
    std::cout << "    </testcase>\n";
  }
  std::cout << "  </testsuite>\n</testsuites>\n";
}

void write_github(const Item& it) {
  std::string loc = "file=" + gh_property(it.file) + ",line=" + std::to_string(it.line);
  if (!it.d.contains("decision") || !it.d["decision"].contains("status") || !it.d.value("ok", false)) {
    for (const auto& e : it.d["errors"])
      std::cout << "::error " << loc << ",title=" << gh_property("verdict change: invalid input") << "::" << gh_data(str(e, "message")) << "\n";
    return;
  }
  const json& dec = it.d["decision"];
  std::string status = str(dec, "status");
  const char* level = status == "denied" ? "error" : status == "needs_approval" ? "warning" : "notice";
  std::string title = "verdict change " + change_label(dec);
  std::cout << "::" << level << " " << loc << ",title=" << gh_property(title) << "::" << gh_data(headline(dec) + "\n" + describe(it.d, false))
            << "\n";
  for (const auto& f : dec["findings"]) {
    std::string action = str(f, "action");
    const char* flevel = action == "deny" ? "error" : action == "note" ? "notice" : "warning";
    std::cout << "::" << flevel << " " << loc << ",title=" << gh_property(action + ": " + str(f, "type")) << "::" << gh_data(str(f, "message"))
              << "\n";
  }
}

}  // namespace

int cmd_change(const ChangeArgs& a) {
  Engine engine;
  std::vector<std::string> data = a.data;
  for (const auto* list : {&a.cmdb, &a.schedule, &a.windows, &a.budget}) data.insert(data.end(), list->begin(), list->end());
  if (int rc = load_bundle(engine, a.policies, data); rc != kExitOk) return rc;
  EvalOptions options;
  options.policy = a.entry;
  options.now = a.now.empty() ? now_utc() : a.now;  // the CLI, not the core, reads the clock
  options.explain = a.explain;
  if (a.input == "json") options.format = InputFormat::kJson;
  if (a.input == "ndjson") options.format = InputFormat::kNdjson;
  int worst = kExitOk;
  std::vector<Item> items;
  std::vector<std::string> files = a.inputs.empty() ? std::vector<std::string>{"-"} : a.inputs;
  for (const std::string& path : files) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    options.source = path == "-" ? "stdin" : path;
    options.sink = [&](std::string_view out) {
      std::string_view line = out;
      while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      if (line.empty()) return;
      if (a.format == "json") {
        std::cout << line << "\n";
        return;
      }
      Item it;
      it.file = options.source;
      it.d = json::parse(line, nullptr, false);
      if (it.d.is_discarded()) {
        std::cout << line << "\n";
        return;
      }
      it.line = it.d.value("line", int64_t{1});
      if (a.format == "text") {
        std::cout << describe(it.d, a.explain);
        for (const auto& e : it.d["errors"])
          if (!it.d.contains("decision")) std::cerr << options.source << ": " << str(e, "message") << "\n";
      } else if (a.format == "github") {
        write_github(it);
      } else {
        items.push_back(std::move(it));
      }
    };
    EvalReport r = engine.evaluate(text, options);
    for (const auto& e : r.errors) std::cerr << e.to_string() << "\n";
    worst = std::max(worst, exit_code_for(r.worst));
  }
  if (a.format == "junit") write_junit(items);
  return worst;
}

}  // namespace verdict::cli
