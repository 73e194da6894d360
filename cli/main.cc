// verdict: the command line. `verdict --help` lists the commands.
//
// Exit codes (shared by every command, for CI):
//   0  ok (for decisions: allowed / approved)
//   1  needs review or approval
//   2  denied
//   3  invalid input (a document or policy that could not be read)
//   4  usage error (unknown option, missing file)
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "verdict/engine.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalidInput = 3;
constexpr int kExitUsage = 4;

bool read_file(const std::string& path, std::string& out, std::string& why) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    why = "cannot open " + path;
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

std::string clip(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  // Cut on a UTF-8 boundary.
  size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

int cmd_read(const std::vector<std::string>& files, const std::string& format, const std::string& input,
             bool values, const std::string* source_name) {
  verdict::Engine engine;
  verdict::ReadOptions options;
  if (input == "json") options.format = verdict::InputFormat::kJson;
  if (input == "ndjson") options.format = verdict::InputFormat::kNdjson;
  options.include_values = values;
  int rc = kExitOk;
  std::vector<std::string> inputs = files.empty() ? std::vector<std::string>{"-"} : files;
  for (const std::string& path : inputs) {
    std::string data, why;
    if (!read_file(path, data, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    options.source = source_name ? *source_name : (path == "-" ? "stdin" : path);
    verdict::ReadReport report = engine.read(data, options);
    if (!report.ok()) rc = kExitInvalidInput;
    if (format == "json") {
      std::cout << report.json << "\n";
      continue;
    }
    std::cout << options.source << ": " << report.read << " document" << (report.read == 1 ? "" : "s")
              << " read as " << (report.format == verdict::InputFormat::kNdjson ? "NDJSON" : "JSON");
    if (report.failed) std::cout << ", " << report.failed << " failed";
    std::cout << "\n";
    for (const auto& d : report.documents) {
      std::cout << "  line " << d.line << "  " << d.kind;
      if (!d.id.empty()) std::cout << "  " << d.id;
      if (!d.title.empty()) std::cout << "  \"" << clip(d.title, 60) << "\"";
      if (!d.service.empty()) std::cout << "  service=" << d.service;
      std::cout << "  (" << d.fields << " fields, " << d.bytes << " bytes)\n";
    }
    for (const auto& e : report.errors) std::cerr << "  error: " << e.to_string() << "\n";
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"verdict: policy and triage engine for IT service management"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("verdict ") + verdict::version());

  std::vector<std::string> files;
  std::string format = "text";
  std::string input = "auto";
  bool values = false;
  auto* read = app.add_subcommand(
      "read", "Read JSON documents or NDJSON streams and print what the engine read (kind, id, title, fields)");
  read->add_option("files", files, "Input files ('-' or none: stdin)");
  read->add_option("--format", format, "Output: text for people, json for machines")
      ->check(CLI::IsMember({"text", "json"}));
  read->add_option("--input", input, "Input format: auto (detect NDJSON), json or ndjson")
      ->check(CLI::IsMember({"auto", "json", "ndjson"}));
  read->add_flag("--values", values, "With --format json: include each document's canonical JSON");
  std::string source_name;
  auto* source_opt = read->add_option("--source", source_name,
                                      "Name for the input in error positions (default: the file name; '' for none)");

  app.footer(
      "Exit codes: 0 ok, 1 needs review/approval, 2 denied, 3 invalid input, 4 usage error.\n"
      "Run 'verdict COMMAND --help' for a command's options.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (read->parsed()) return cmd_read(files, format, input, values, source_opt->count() ? &source_name : nullptr);
  return kExitUsage;
}
