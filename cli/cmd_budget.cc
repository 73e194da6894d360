// `verdict budget`: error budgets of SLOs from their SLI data, with an ErrorBudget policy
// (docs/budget.md). Prints the status as text, or as the error-budget status document
// (--format json) that `verdict change` reads; --svg FILE draws budget remaining over the
// window with the policy's thresholds.
//
// Several input files are evaluated as one input: they are joined, byte for byte, into
// one JSON array (NDJSON lines and whole documents become its items), so every line and
// column of an error still points into the file it came from. YAML files (OpenSLO and
// Sloth are usually written in YAML) are converted to JSON with yaml-cpp first.
//
// Exit codes: 0 every SLO ok (or without data), 1 some SLO at warning (a burn-rate alert or
// a budget threshold), 2 some budget exhausted or releases frozen, 3 invalid input or
// policy, 4 usage.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/common.h"

namespace verdict::cli {
namespace {

using json = nlohmann::ordered_json;

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// YAML scalars as JSON: quoted ones stay strings; plain ones become null, booleans and
// numbers when they read as such (YAML 1.2 core schema).
json yaml_to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& x : n) a.push_back(yaml_to_json(x));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted
      if (s == "null" || s == "~" || s.empty()) return nullptr;
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      if (!s.empty() && s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
        char* end = nullptr;
        long long i = std::strtoll(s.c_str(), &end, 10);
        if (end == s.c_str() + s.size()) return i;
        double d = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size()) return d;
      }
      return s;
    }
    default: return nullptr;
  }
}

// One YAML file (one or more documents) as NDJSON: a JSON line per document.
bool yaml_to_ndjson(const std::string& text, const std::string& path, std::string& out) {
  try {
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) continue;
      out += yaml_to_json(doc).dump();
      out += "\n";
    }
    return true;
  } catch (const YAML::Exception& e) {
    std::cerr << path << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": invalid YAML: " << e.msg << "\n";
    return false;
  }
}

struct Part {
  std::string path;
  size_t first_line;  // line of the combined input where this file starts
  bool converted;     // from YAML: positions are in the converted JSON
};

// Joins several inputs into one JSON array without moving any line or column.
std::string join_inputs(const std::vector<std::pair<std::string, std::string>>& files, std::vector<Part>& parts) {
  std::string out = "[\n";
  size_t line = 2;
  DocumentReader probe;
  struct Unit { size_t begin, end; };  // a value's bytes in its file
  bool first = true;
  size_t last_end = 0;
  for (const auto& [path, text] : files) {
    parts.push_back({path, line, false});
    std::vector<Unit> units;
    if (probe.is_ndjson(text)) {
      size_t pos = 0;
      while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string::npos ? text.size() : nl;
        size_t e = end;
        while (e > pos && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
        size_t b = pos;
        while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
        if (b < e) units.push_back({b, e});
        pos = nl == std::string::npos ? text.size() : nl + 1;
      }
    } else {
      size_t e = text.size();
      while (e > 0 && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
      if (e > 0) units.push_back({0, e});
    }
    // Copy the file, with a comma right after every unit but the last, so that no byte of
    // any unit moves within its line.
    size_t copied = 0;
    for (size_t k = 0; k < units.size(); ++k) {
      const Unit& u = units[k];
      if (!first) {
        if (k == 0) out.insert(last_end, ",");  // after the last unit of an earlier file
        else out.push_back(',');
      }
      first = false;
      out.append(text, copied, u.begin - copied);
      out.append(text, u.begin, u.end - u.begin);
      last_end = out.size();
      copied = u.end;
    }
    out.append(text, copied, std::string::npos);
    if (out.empty() || out.back() != '\n') out.push_back('\n');
    line += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    if (text.empty() || text.back() != '\n') ++line;
  }
  out += "]\n";
  return out;
}

std::string percent(double x, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, x * 100.0);
  return buf;
}

std::string human_seconds(int64_t s) {
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h" + (s % 3600 >= 60 ? std::to_string((s % 3600) / 60) + "m" : "");
  return std::to_string(s / 86400) + "d" + (s % 86400 >= 3600 ? std::to_string((s % 86400) / 3600) + "h" : "");
}

std::string pad(std::string s, size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

std::string num(const json& v, int decimals = 1) {
  if (!v.is_number()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>());
  return buf;
}

// 99.9 -> "99.9%", 99 -> "99%", 99.95 -> "99.95%" (up to 4 decimals, no trailing zeros).
std::string objective_text(const json& v) {
  std::string s = num(v, 4);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + "%";
}

void print_text(const json& st) {
  std::cout << "Error budgets at " << st.value("at", "") << " (policy " << st.value("policy", "") << ")\n\n";
  std::cout << "  " << pad("SLO", 34) << pad("SERVICE", 16) << pad("OBJECTIVE", 11) << pad("WINDOW", 8) << pad("LEFT", 9)
            << pad("BURN", 9) << pad("STATUS", 11) << "ACTIONS\n";
  for (const auto& s : st["slos"]) {
    std::string actions;
    for (const auto& a : s["actions"]) actions += (actions.empty() ? "" : ", ") + a.get<std::string>();
    if (s.value("freeze", false)) actions += " (frozen)";
    std::string left = s["budget_remaining"].is_number() ? percent(s["budget_remaining"].get<double>()) : "-";
    std::cout << "  " << pad(s.value("slo", ""), 34) << pad(s.value("service", ""), 16) << pad(objective_text(s["objective"]), 11)
              << pad(s.value("window", ""), 8) << pad(left, 9) << pad(s.value("burn_state", ""), 9) << pad(s.value("status", ""), 11)
              << (actions.empty() ? "-" : actions) << "\n";
  }
  for (const auto& s : st["slos"]) {
    std::cout << "\n" << s.value("slo", "") << " (" << s.value("service", "") << ", " << s.value("source", "") << "):";
    if (s["compliance"].is_number()) {
      const auto& ev = s["events"];
      std::cout << " compliance " << num(s["compliance"], 3) << "% over " << ev["total"].dump() << " events; " << ev["bad"].dump()
                << " bad of a budget of " << ev["budget"].dump() << "\n";
    } else {
      std::cout << " no events in the window (no data)\n";
    }
    std::string rates;
    for (auto it = s["burn_rates"].begin(); it != s["burn_rates"].end(); ++it)
      rates += (rates.empty() ? "" : "  ") + it.key() + " " + (it.value().is_number() ? num(it.value(), 2) + "x" : "-");
    std::cout << "  burn rates: " << rates << "\n";
    std::string firing;
    for (const auto& a : s["alerts"])
      if (a.value("firing", false))
        firing += (firing.empty() ? "" : ", ") + a.value("name", "") + " (" + num(a["long_burn"], 1) + "x over " + a.value("long", "") + ", " +
                  num(a["short_burn"], 1) + "x over " + a.value("short", "") + " > " + num(a["factor"], 1) + ")";
    std::cout << "  alerts firing: " << (firing.empty() ? "none" : firing) << "\n";
    const auto& ex = s["exhaustion"];
    if (ex["seconds"].is_number())
      std::cout << "  budget exhausted " << (ex["seconds"].get<int64_t>() == 0 ? "already" : "in " + human_seconds(ex["seconds"].get<int64_t>()) + " (" + ex.value("at", "") + ")")
                << " at the " << ex.value("burn_rate_window", "") << " burn rate\n";
    for (const auto& m : s["messages"]) std::cout << "  - " << m.get<std::string>() << "\n";
    for (const auto& w : s["warnings"]) std::cout << "  warning: " << w.get<std::string>() << "\n";
    const auto& smp = s["samples"];
    if (smp.value("after_now", 0) > 0) std::cout << "  note: " << smp["after_now"].dump() << " samples after `now` are not counted\n";
  }
  const auto& sum = st["summary"];
  std::cout << "\n" << sum["slos"].dump() << " SLOs: " << sum["ok"].dump() << " ok, " << sum["warning"].dump() << " warning, "
            << sum["exhausted"].dump() << " exhausted, " << sum["no_data"].dump() << " without data";
  if (!sum["frozen_services"].empty()) {
    std::string f;
    for (const auto& x : sum["frozen_services"]) f += (f.empty() ? "" : ", ") + x.get<std::string>();
    std::cout << "; releases frozen for " << f;
  }
  std::cout << "\n";
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '&') o += "&amp;";
    else if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

// Seconds since the epoch of an RFC 3339 UTC time as the core writes it ("...Z").
double epoch_seconds(const std::string& t) {
  std::tm tm{};
  int y, mo, d, h, mi;
  double s;
  if (std::sscanf(t.c_str(), "%d-%d-%dT%d:%d:%lfZ", &y, &mo, &d, &h, &mi, &s) != 6) return 0;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return static_cast<double>(timegm(&tm)) + s;
}

const char* status_color(const std::string& status) {
  if (status == "exhausted") return "#c0392b";
  if (status == "warning") return "#d68910";
  if (status == "no_data") return "#7f8c8d";
  return "#1e8449";
}

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

// One panel per SLO: budget remaining (100% at the window's start) over the window, a
// dashed line per threshold of the policy, and the zero line where the budget is spent.
std::string render_svg(const json& st) {
  const double W = 820, panel_h = 270, left = 70, right = 250, top = 48, plot_h = 170;
  const double plot_w = W - left - right;
  const auto& slos = st["slos"];
  const double H = 50 + panel_h * static_cast<double>(std::max<size_t>(slos.size(), 1));
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H
    << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"20\" y=\"28\" font-size=\"17\" font-weight=\"bold\">Error budget remaining at " << xml_escape(st.value("at", ""))
    << " (policy " << xml_escape(st.value("policy", "")) << ")</text>\n";
  if (slos.empty()) o << "<text x=\"20\" y=\"60\">No SLOs in the input.</text>\n";
  double y0 = 50;
  for (const auto& s : slos) {
    const std::string status = s.value("status", "");
    const char* color = status_color(status);
    std::string title = s.value("slo", "") + " (" + s.value("service", "") + "): " + objective_text(s["objective"]) + " over " + s.value("window", "");
    std::string left_text = s["budget_remaining"].is_number() ? percent(s["budget_remaining"].get<double>()) + " of the budget left" : "no data";
    o << "<g transform=\"translate(0," << y0 << ")\">\n";
    o << "<text x=\"20\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" << xml_escape(title) << "</text>\n";
    o << "<text x=\"20\" y=\"37\" fill=\"" << color << "\" font-weight=\"bold\">" << xml_escape(status) << ": " << xml_escape(left_text)
      << ", burn " << xml_escape(s.value("burn_state", "")) << (s.value("freeze", false) ? ", releases frozen" : "") << "</text>\n";
    const auto& bd = s.contains("burndown") ? s["burndown"] : json::array();
    // The value range: 100% down to the lowest point (or 0), in steps of 25%.
    double lo = 0;
    for (const auto& p : bd)
      if (p["remaining"].is_number()) lo = std::min(lo, p["remaining"].get<double>());
    lo = std::floor(lo * 4 - 1e-9) / 4;
    if (lo > -0.25) lo = lo < 0 ? -0.25 : 0;
    lo = std::max(lo, -3.0);  // beyond 300% overspent the shape no longer matters
    const double hi = 1.0;
    auto ymap = [&](double v) { return top + (hi - std::max(v, lo)) / (hi - lo) * plot_h; };
    // Grid and value axis.
    for (double v = hi; v >= lo - 1e-9; v -= 0.25) {
      double y = ymap(v);
      bool zero = std::fabs(v) < 1e-9;
      o << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << fmt(y) << "\" y2=\"" << fmt(y) << "\" stroke=\""
        << (zero ? "#555" : "#e5e5e5") << "\" stroke-width=\"" << (zero ? 1.5 : 1) << "\"/>\n";
      o << "<text x=\"" << left - 6 << "\" y=\"" << fmt(y + 4) << "\" text-anchor=\"end\" fill=\"#444\">" << percent(v, 0) << "</text>\n";
    }
    o << "<text transform=\"translate(16," << fmt(top + plot_h / 2) << ") rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">budget remaining</text>\n";
    // Time axis.
    double t0 = 0, t1 = 1;
    if (!bd.empty()) {
      t0 = epoch_seconds(bd.front().value("t", ""));
      t1 = epoch_seconds(bd.back().value("t", ""));
      if (t1 <= t0) t1 = t0 + 1;
    }
    auto xmap = [&](double t) { return left + (t - t0) / (t1 - t0) * plot_w; };
    o << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << top + plot_h << "\" y2=\"" << top + plot_h << "\" stroke=\"#555\"/>\n";
    for (int k = 0; k <= 4 && !bd.empty(); ++k) {
      double t = t0 + (t1 - t0) * k / 4;
      std::time_t tt = static_cast<std::time_t>(t);
      std::tm tm{};
      gmtime_r(&tt, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%b %d %H:%M", &tm);
      double x = xmap(t);
      o << "<line x1=\"" << fmt(x) << "\" x2=\"" << fmt(x) << "\" y1=\"" << top + plot_h << "\" y2=\"" << top + plot_h + 5 << "\" stroke=\"#555\"/>\n";
      o << "<text x=\"" << fmt(x) << "\" y=\"" << top + plot_h + 18 << "\" text-anchor=\"middle\" fill=\"#444\">" << buf << " UTC</text>\n";
    }
    // Thresholds of the policy.
    double label_y = top + 8;
    o << "<text x=\"" << left + plot_w + 14 << "\" y=\"" << top - 4 << "\" font-weight=\"bold\">policy thresholds</text>\n";
    for (const auto& t : s["thresholds"]) {
      if (!t.contains("consumed")) continue;
      double c = t["consumed"].get<double>();
      double y = ymap(1.0 - c);
      bool fired = t.value("fired", false);
      const char* tc = c >= 1 ? "#c0392b" : c >= 0.5 ? "#d68910" : "#2874a6";
      o << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << fmt(y) << "\" y2=\"" << fmt(y) << "\" stroke=\"" << tc
        << "\" stroke-dasharray=\"6 4\" stroke-width=\"1.2\"/>\n";
      o << "<text x=\"" << left + plot_w + 14 << "\" y=\"" << fmt(label_y + 10) << "\" fill=\"" << tc << "\">" << (fired ? "&#9679; " : "&#9675; ")
        << xml_escape(t.value("name", "")) << ": " << percent(c, 0) << " consumed</text>\n";
      label_y += 16;
    }
    // The burn-down line.
    std::string pts;
    for (const auto& p : bd) {
      if (!p["remaining"].is_number()) continue;
      pts += fmt(xmap(epoch_seconds(p.value("t", "")))) + "," + fmt(ymap(p["remaining"].get<double>())) + " ";
    }
    if (!pts.empty()) o << "<polyline points=\"" << pts << "\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2.2\"/>\n";
    else o << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << top + plot_h / 2 << "\" text-anchor=\"middle\" fill=\"#7f8c8d\">no events in the window</text>\n";
    // Legend.
    double ly = label_y + 18;
    o << "<line x1=\"" << left + plot_w + 14 << "\" x2=\"" << left + plot_w + 40 << "\" y1=\"" << ly << "\" y2=\"" << ly << "\" stroke=\"" << color << "\" stroke-width=\"2.2\"/>";
    o << "<text x=\"" << left + plot_w + 46 << "\" y=\"" << ly + 4 << "\">budget remaining</text>\n";
    ly += 16;
    o << "<line x1=\"" << left + plot_w + 14 << "\" x2=\"" << left + plot_w + 40 << "\" y1=\"" << ly << "\" y2=\"" << ly << "\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>";
    o << "<text x=\"" << left + plot_w + 46 << "\" y=\"" << ly + 4 << "\">threshold (&#9679; reached)</text>\n";
    ly += 16;
    o << "<line x1=\"" << left + plot_w + 14 << "\" x2=\"" << left + plot_w + 40 << "\" y1=\"" << ly << "\" y2=\"" << ly << "\" stroke=\"#555\" stroke-width=\"1.5\"/>";
    o << "<text x=\"" << left + plot_w + 46 << "\" y=\"" << ly + 4 << "\">0%: budget spent</text>\n";
    o << "</g>\n";
    y0 += panel_h;
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace

int cmd_budget(const BudgetOptions& opt) {
  Engine engine;
  if (int rc = load_bundle(engine, opt.policies, {}); rc != kExitOk) return rc;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> inputs = opt.inputs.empty() ? std::vector<std::string>{"-"} : opt.inputs;
  for (const std::string& path : inputs) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
      std::string converted;
      if (!yaml_to_ndjson(text, path, converted)) return kExitInvalid;
      text = std::move(converted);
    }
    files.emplace_back(path == "-" ? "stdin" : path, std::move(text));
  }
  std::vector<Part> parts;
  std::string input;
  if (files.size() == 1) {
    input = std::move(files[0].second);
    parts.push_back({files[0].first, 1, false});
  } else {
    input = join_inputs(files, parts);
  }
  for (auto& p : parts) p.converted = ends_with(p.path, ".yaml") || ends_with(p.path, ".yml");

  EvalOptions options;
  options.policy = opt.entry;
  options.now = opt.now;
  options.source = files.size() == 1 ? parts[0].path : "input";
  options.explain = opt.explain;
  EvalReport r = engine.evaluate(input, options);
  // Errors, placed in the file they came from.
  for (Error e : r.errors) {
    if (files.size() > 1 && e.source == "input" && e.line > 0) {
      const Part* in = &parts[0];
      for (const Part& p : parts)
        if (static_cast<size_t>(e.line) >= p.first_line) in = &p;
      e.source = in->path;
      e.line = e.line - static_cast<int64_t>(in->first_line) + 1;
      e.offset = -1;
    } else if (files.size() > 1 && e.source == "input") {
      e.source = "the inputs";
    }
    for (const Part& p : parts)
      if (p.converted && p.path == e.source) e.message += " (in the JSON converted from this YAML file)";
    std::cerr << e.to_string() << " [" << error_code_name(e.code) << "]\n";
  }
  json report = json::parse(r.json, nullptr, false);
  if (report.is_discarded() || !report.contains("decision")) {
    if (r.errors.empty()) std::cerr << "verdict: " << r.json << "\n";
    return kExitInvalid;
  }
  json status = report["decision"];
  if (report.contains("explain") && opt.format != "json") {
    for (const auto& t : report["explain"]["thresholds"]) {
      std::cout << (t.value("fired", false) ? "[x] " : "[ ] ") << t.value("slo", "") << " " << t.value("threshold", "");
      if (t.contains("when")) std::cout << " when " << t["when"].get<std::string>();
      if (t.contains("values")) std::cout << "  " << t["values"].dump();
      std::cout << "\n";
    }
  }
  if (opt.format == "json") {
    if (report.contains("explain")) status["explain"] = report["explain"];
    std::cout << status.dump() << "\n";
  } else {
    print_text(status);
  }
  if (!opt.svg.empty()) {
    std::ofstream f(opt.svg, std::ios::binary);
    f << render_svg(status);
    if (!f) {
      std::cerr << "verdict: cannot write " << opt.svg << "\n";
      return kExitUsage;
    }
  }
  return exit_code_for(r.worst);
}

}  // namespace verdict::cli
