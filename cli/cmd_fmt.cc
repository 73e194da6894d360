// `verdict fmt`: the canonical formatting of policy and policy-test files (docs/fmt.md).
// The rules are core/src/policy/json_format.h; this file finds the files, prints, checks
// (a unified diff per file, from Debian's libdtl) or rewrites them.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <dtl/dtl.hpp>

#include "cli/common.h"
#include "policy/json_format.h"

namespace verdict::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// A unified diff of `before` and `after`, with 3 lines of context, as `diff -u` writes it.
void unified_diff(const std::string& name, const std::string& before, const std::string& after, std::ostream& out) {
  std::vector<std::string> a = split_lines(before), b = split_lines(after);
  dtl::Diff<std::string> diff(a, b);
  diff.onHuge();
  diff.compose();
  diff.composeUnifiedHunks();
  out << "--- " << name << "\n+++ " << name << " (formatted)\n";
  if (diff.getUniHunks().empty()) {
    // Same lines, other bytes: line ends, a byte order mark or trailing whitespace.
    out << "@@ line ends, trailing whitespace or a byte order mark differ @@\n";
    return;
  }
  diff.printUnifiedFormat(out);
}

// Writes `text` to `path` through a file beside it, renamed over it, keeping its permissions.
bool write_in_place(const fs::path& path, const std::string& text, std::string& why) {
  fs::path tmp = path;
  tmp += ".verdict-fmt.tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      why = "cannot write " + tmp.string() + ": " + std::strerror(errno);
      return false;
    }
    f << text;
    f.flush();
    if (!f) {
      why = "cannot write " + tmp.string() + ": " + std::strerror(errno);
      fs::remove(tmp);
      return false;
    }
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(path, ec).permissions(), ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    why = "cannot replace " + path.string() + ": " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace

int cmd_fmt(const FmtArgs& args) {
  if (args.check && args.write) {
    std::cerr << "verdict fmt: --check and -w exclude each other (check in CI, rewrite at your desk)\n";
    return kExitUsage;
  }
  // Named files are formatted whatever their content; folders give their *.json files that
  // are verdict documents (policies, bundles and their *.test.json files), not data files.
  std::vector<std::string> files;
  for (const std::string& p : args.paths.empty() ? std::vector<std::string>{"-"} : args.paths) {
    std::error_code ec;
    if (p != "-" && fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file() || it->path().extension() != ".json") continue;
        std::string text, why;
        if (read_file(it->path().string(), text, why) && policy::is_verdict_document(text)) found.push_back(it->path().string());
      }
      if (ec) {
        std::cerr << "verdict: cannot read the folder " << p << ": " << ec.message() << "\n";
        return kExitUsage;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      if (p == "-" && args.write) {
        std::cerr << "verdict fmt: -w needs files, not stdin\n";
        return kExitUsage;
      }
      files.push_back(p);
    }
  }

  int rc = kExitOk;
  size_t unformatted = 0;
  for (const std::string& path : files) {
    std::string text, why;
    if (!read_file(path, text, why)) {
      std::cerr << "verdict: " << why << "\n";
      return kExitUsage;
    }
    const std::string name = path == "-" ? "stdin" : path;
    Result<std::string> out = policy::format_policy_text(text, name);
    if (!out.ok()) {
      std::cerr << out.error().to_string() << " [error: " << error_code_name(out.error().code) << "]\n";
      rc = std::max(rc, kExitInvalid);
      continue;
    }
    const bool changed = out.value() != text;
    if (changed) ++unformatted;
    if (args.check) {
      if (changed) unified_diff(name, text, out.value(), std::cout);
    } else if (args.write) {
      if (changed && !write_in_place(path, out.value(), why)) {
        std::cerr << "verdict: " << why << "\n";
        rc = std::max(rc, kExitInvalid);
        continue;
      }
      if (changed && args.list) std::cout << name << "\n";
    } else if (args.list) {
      if (changed) std::cout << name << "\n";
    } else {
      std::cout << out.value();
    }
  }
  if (args.check && unformatted)
    std::cerr << unformatted << " of " << files.size() << " file" << (files.size() == 1 ? "" : "s")
              << " not formatted; run 'verdict fmt -w' on " << (unformatted == 1 ? "it" : "them") << "\n";
  if (rc == kExitOk && args.check && unformatted) rc = kExitReview;
  return rc;
}

}  // namespace verdict::cli
