#include "cli/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/common.h"

namespace verdict::cli {
namespace {

// Reads up to `n` bytes, retrying on EINTR. Returns bytes read, 0 at the end, -1 on error.
ssize_t read_some(int fd, char* p, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd, p, n);
    if (got >= 0 || errno != EINTR) return got;
  }
}

// Appends everything left on `fd` to `out`; `size_hint` is the expected total size.
bool read_to_end(int fd, std::string& out, size_t size_hint, std::string& why, const std::string& name) {
  size_t have = out.size();
  out.resize(std::max(have + 65536, size_hint + 1));  // +1: the end is seen in the same read
  for (;;) {
    if (have == out.size()) out.resize(out.size() * 2);
    ssize_t got = read_some(fd, out.data() + have, out.size() - have);
    if (got < 0) {
      why = "cannot read " + name + ": " + std::strerror(errno);
      return false;
    }
    if (got == 0) break;
    have += static_cast<size_t>(got);
    if (have > max_input_bytes()) {
      out.clear();
      out.shrink_to_fit();
      why = name + " is larger than the input limit of " + std::to_string(max_input_bytes()) +
            " bytes (--max-input-bytes; docs/limits.md)";
      return false;
    }
  }
  out.resize(have);
  return true;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool is_open_stream(const std::string& path) {
  if (path != "-") return false;
  struct stat st {};
  return fstat(STDIN_FILENO, &st) == 0 && !S_ISREG(st.st_mode);
}

bool read_stream(int fd, InputFormat format, DocumentReader& reader, const std::function<bool(const LineBlock&)>& on_lines,
                 std::string& whole, bool& streamed, std::string& why) {
  whole.clear();
  streamed = false;
  if (format == InputFormat::kJson) return read_to_end(fd, whole, 0, why, "stdin");
  std::string buf;
  size_t lines_before = 0, bytes_before = 0;
  bool decided = format == InputFormat::kNdjson;
  constexpr size_t kChunk = 1 << 16;
  bool eof = false;
  while (!eof) {
    size_t have = buf.size();
    buf.resize(have + kChunk);
    ssize_t got = read_some(fd, buf.data() + have, kChunk);
    if (got < 0) {
      why = std::string("cannot read stdin: ") + std::strerror(errno);
      return false;
    }
    buf.resize(have + static_cast<size_t>(got));
    eof = got == 0;
    // A stream that stays open may run for ever; what is bounded is what waits here: the
    // part of a line (or the first document) not yet complete.
    if (buf.size() > max_input_bytes()) {
      why = "a line of stdin is larger than the input limit of " + std::to_string(max_input_bytes()) +
            " bytes (--max-input-bytes; docs/limits.md)";
      return false;
    }
    if (!decided) {
      // The first non-blank line, once it is complete (or the input ended).
      size_t start = 0;
      if (buf.compare(0, 3, "\xEF\xBB\xBF") == 0) start = 3;
      size_t end = std::string::npos;
      for (size_t pos = start; pos < buf.size();) {
        size_t nl = buf.find('\n', pos);
        size_t e = nl == std::string::npos ? buf.size() : nl;
        size_t k = pos;
        while (k < e && blank(buf[k])) ++k;
        if (k < e) {
          if (nl != std::string::npos || eof) {
            start = pos;
            end = e;
          }
          break;
        }
        if (nl == std::string::npos) break;
        pos = nl + 1;
      }
      if (end == std::string::npos) {
        if (!eof) continue;  // no complete non-blank line yet
        whole = std::move(buf);  // blank input: the engine says what it makes of it
        return true;
      }
      auto doc = reader.read(std::string_view(buf).substr(start, end - start));
      bool alone = doc.ok() && (doc.value().root().is_object() || doc.value().root().is_array());
      if (!alone) {
        // Not NDJSON by its first line: one document (or a broken stream) that the engine
        // reads whole, as it would a file.
        whole = std::move(buf);
        return read_to_end(fd, whole, 0, why, "stdin");
      }
      decided = true;
    }
    // Hand over the complete lines (all that is left at the end).
    streamed = true;
    size_t cut = eof ? buf.size() : buf.rfind('\n');
    if (cut == std::string::npos) continue;
    if (!eof) ++cut;  // the newline belongs to the block
    LineBlock block;
    block.text = std::string_view(buf).substr(0, cut);
    block.lines_before = lines_before;
    block.bytes_before = bytes_before;
    if (!block.text.empty() && !on_lines(block)) return true;  // the caller stops
    for (char ch : block.text) lines_before += ch == '\n';
    bytes_before += cut;
    buf.erase(0, cut);
  }
  streamed = true;
  return true;
}

int eval_stream(Engine& engine, const EvalOptions& options, std::string& whole, bool& streamed, std::string& why) {
  EvalOptions check = options;
  check.format = InputFormat::kNdjson;
  EvalReport first = engine.evaluate("", check);  // no lines: only the checks of the call
  if (!first.errors.empty()) {
    std::fflush(stdout);
    streamed = true;
    return exit_code_for(first);
  }
  int worst = kExitOk;
  EvalOptions piece = check;
  bool ok = read_stream(
      STDIN_FILENO, options.format, engine.reader(),
      [&](const LineBlock& block) {
        piece.lines_before = block.lines_before;
        piece.bytes_before = block.bytes_before;
        worst = std::max(worst, exit_code_for(engine.evaluate(block.text, piece)));
        std::fflush(stdout);  // the decisions of what arrived, before waiting for more
        return true;
      },
      whole, streamed, why);
  if (!ok) return -1;
  return worst;
}

void buffer_stdout() {
  if (!isatty(STDOUT_FILENO)) std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
}

}  // namespace verdict::cli
