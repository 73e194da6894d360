// `verdict alerts`: streams alert events through an AlertDedup policy (docs/alerts.md).
#include <cerrno>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace verdict::cli {

int cmd_alerts(const AlertsArgs& args) {
  Engine engine;
  if (int rc = load_bundle(engine, args.policies, args.data); rc != kExitOk) return rc;
  std::error_code ec;
  if (!args.state.empty() && std::filesystem::exists(args.state, ec)) {
    std::string text, why;
    if (!read_file(args.state, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    Status s = engine.alerts_restore(text);
    if (!s.ok()) {
      Error e = s.error();
      e.source = args.state;
      std::cerr << "verdict: " << e.to_string() << "\n";
      return kExitInvalid;
    }
  }
  AlertOptions options;
  options.policy = args.entry;
  if (args.input == "json") options.format = InputFormat::kJson;
  if (args.input == "ndjson") options.format = InputFormat::kNdjson;
  const bool tty = isatty(STDERR_FILENO) != 0 && !args.quiet;
  size_t lines_out = 0, errors = 0;
  std::vector<std::string> files = args.inputs.empty() ? std::vector<std::string>{"-"} : args.inputs;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    options.source = args.source_given ? args.source : path == "-" ? "stdin" : path;
    // `now` closes the last file only: flushes due by then are part of the output.
    options.now = i + 1 == files.size() ? args.now : "";
    options.sink = [&](std::string_view out) {
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      for (char ch : out) lines_out += ch == '\n';
      if (tty && (lines_out & 0xffff) < 8) std::cerr << "\ralerts: " << lines_out << " lines out" << std::flush;
    };
    AlertReport r = engine.alerts_push(text, options);
    for (const Error& e : r.errors)
      if (e.code == ErrorCode::kWrongKind || e.code == ErrorCode::kAmbiguous) {
        std::cerr << "verdict: " << e.message << "\n";
        return kExitUsage;
      }
    errors += r.errors.size();
  }
  std::cout.flush();
  if (tty) std::cerr << "\r" << std::string(40, ' ') << "\r";
  std::string stats = engine.alerts_stats();
  if (args.summary == "json") std::cout << stats << "\n";
  if (!args.quiet) {
    auto j = nlohmann::json::parse(stats, nullptr, false);
    if (!j.is_discarded())
      for (const auto& s : j["streams"]) {
        std::cerr << s.value("policy", "") << ": " << s.value("events", 0) << " events, " << s.value("notifications", 0)
                  << " notifications, " << s["noise_reduction_pct"].dump() << "% noise reduction, " << s.value("errors", 0)
                  << " errors;";
        for (auto it = s["by_decision"].begin(); it != s["by_decision"].end(); ++it)
          if (it.value().get<uint64_t>() > 0) std::cerr << " " << it.key() << " " << it.value().dump();
        std::cerr << "\n";
      }
  }
  if (!args.state.empty()) {
    std::string tmp = args.state + ".tmp";
    {
      errno = 0;
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << engine.alerts_snapshot();
      if (!f) {
        std::cerr << "verdict: cannot write " << tmp << os_reason() << "\n";
        return kExitInvalid;
      }
    }
    std::filesystem::rename(tmp, args.state, ec);
    if (ec) {
      std::cerr << "verdict: cannot replace " << args.state << ": " << ec.message() << "\n";
      return kExitInvalid;
    }
  }
  return errors ? kExitInvalid : kExitOk;
}

}  // namespace verdict::cli
