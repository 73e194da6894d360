// `verdict alerts`: streams alert events through an AlertDedup policy (docs/alerts.md).
#include <cerrno>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/alerts_text.h"
#include "cli/common.h"
#include "cli/state_file.h"
#include "cli/input.h"

namespace verdict::cli {

int cmd_alerts(const AlertsArgs& args) {
  Engine engine;
  if (int rc = load_bundle(engine, args.policies, args.data); rc != kExitOk) return rc;
  // The state is locked before it is read and until the new one is in place (state_file.h).
  StateFile state;
  if (!args.state.empty()) {
    std::string text, why;
    bool exists = false;
    if (!state.lock(args.state, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitInvalid;
    }
    if (!state.read(text, exists, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    if (exists) {
      Status s = engine.alerts_restore(text);
      if (!s.ok()) {
        Error e = s.error();
        e.source = args.state;
        std::cerr << "verdict: " << e.to_string() << "\n";
        return kExitInvalid;
      }
    }
  }
  AlertOptions options;
  options.policy = args.entry;
  if (args.input == "json") options.format = InputFormat::kJson;
  if (args.input == "ndjson") options.format = InputFormat::kNdjson;
  const bool tty = isatty(STDERR_FILENO) != 0 && !args.quiet;
  AlertTextWriter text_out(std::cout);  // --format text
  const bool as_text = args.format == "text";
  size_t lines_out = 0, errors = 0;
  std::vector<std::string> files = args.inputs.empty() ? std::vector<std::string>{"-"} : args.inputs;
  // Pushes one input (or one block of a stream); false when the call itself is wrong (exit 4).
  bool usage_error = false;
  auto push = [&](std::string_view text, const AlertOptions& o) {
    AlertReport r = engine.alerts_push(text, o);
    for (const Error& e : r.errors)
      if (e.code == ErrorCode::kWrongKind || e.code == ErrorCode::kAmbiguous) {
        std::cerr << "verdict: " << e.message << "\n";
        usage_error = true;
        return false;
      }
    errors += r.errors.size();
    return true;
  };
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    options.source = args.source_given ? args.source : path == "-" ? "stdin" : path;
    // `now` closes the last file only: flushes due by then are part of the output. The files
    // before it were received at `now` too; without --now, each input (and each block of a
    // pipe) is received at the wall clock when it is read, so an API array whose first alert
    // started weeks ago does not set the stream's clock weeks back (docs/alerts.md).
    options.now = i + 1 == files.size() ? args.now : "";
    options.received = args.event_times ? "" : i + 1 == files.size() ? "" : args.now;
    options.sink = [&](std::string_view out) {
      if (as_text) text_out.write(out);
      else std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      for (char ch : out) lines_out += ch == '\n';
      if (tty && (lines_out & 0xffff) < 8) std::cerr << "\ralerts: " << lines_out << " lines out" << std::flush;
    };
    std::string text, why;
    if (is_open_stream(path)) {
      // A pipe: NDJSON is pushed block by block as it arrives and each block's decisions are
      // flushed (cli/input.h); `now` is every block's receipt time and flushes with the last.
      AlertOptions piece = options;
      piece.format = InputFormat::kNdjson;
      piece.flush_at_now = false;
      const size_t errors_before = errors;
      if (!push("", piece)) return kExitUsage;  // no lines: only the checks of the call (now)
      if (errors > errors_before) continue;
      bool streamed = false;
      bool ok = read_stream(
          STDIN_FILENO, options.format, engine.reader(),
          [&](const LineBlock& block) {
            if (args.now.empty() && !args.event_times) piece.received = now_utc();
            piece.lines_before = block.lines_before;
            piece.bytes_before = block.bytes_before;
            if (!push(block.text, piece)) return false;
            std::fflush(stdout);
            return true;
          },
          text, streamed, why);
      if (!ok) {
        std::cerr << "verdict: " << why << "\n";
        return read_failure_exit();
      }
      if (usage_error) return kExitUsage;
      if (streamed) {
        piece.flush_at_now = true;
        if (!push("", piece)) return kExitUsage;  // no lines: the flush at now, when given
        continue;
      }
    } else if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return read_failure_exit();
    }
    if (args.now.empty() && !args.event_times) options.received = now_utc();
    if (!push(text, options)) return kExitUsage;
  }
  text_out.finish();
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
    std::string why;
    if (!state.write(engine.alerts_snapshot(), why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitInvalid;
    }
  }
  return errors ? kExitInvalid : kExitOk;
}

}  // namespace verdict::cli
