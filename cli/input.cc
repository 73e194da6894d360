#include "cli/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

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
  set_read_limited(false);
  widen_pipe(fd);
  if (format == InputFormat::kJson) return read_to_end(fd, whole, 0, "stdin", why);
  std::string buf;
  size_t lines_before = 0, bytes_before = 0;
  bool decided = format == InputFormat::kNdjson;
  size_t line_at = 0, searched = 0;  // before `decided`: the line looked at, how far it was searched
  size_t tail_from = 0;              // after: buf holds no newline before this
  // Reads of up to 1 MiB (what a widened pipe holds) into a buffer of their own, and only what
  // arrived is appended: a stream of short lines does not clear a megabyte per read.
  constexpr size_t kChunk = size_t{1} << 20;
  thread_local std::unique_ptr<char[]> chunk(new char[kChunk]);
  bool eof = false;
  while (!eof) {
    size_t have = buf.size();
    // At most one byte past the limit waits here (seen below): the buffer never grows further.
    size_t want = std::min(kChunk, max_input_bytes() + 1 - std::min(have, max_input_bytes()));
    ssize_t got = read_some(fd, chunk.get(), want);
    if (got < 0) {
      why = std::string("cannot read stdin: ") + std::strerror(errno);
      return false;
    }
    grow_input(buf, have + static_cast<size_t>(got));
    buf.append(chunk.get(), static_cast<size_t>(got));
    eof = got == 0;
    // A stream that stays open may run for ever; what is bounded is what waits here: the
    // part of a line (or the first document) not yet complete.
    if (buf.size() > max_input_bytes()) {
      why = "a line of stdin is larger than the input limit of " + std::to_string(max_input_bytes()) +
            " bytes (--max-input-bytes; docs/limits.md)";
      set_read_limited(true);
      return false;
    }
    if (!decided) {
      // The first non-blank line, once it is complete (or the input ended). Each byte is
      // searched for a newline once, whatever the chunks (a 128 MiB line of zeros was searched
      // again from its start after every chunk: quadratic, minutes before the limit applied).
      if (buf.compare(0, 3, "\xEF\xBB\xBF") == 0) line_at = std::max<size_t>(line_at, 3);
      size_t start = line_at, end = std::string::npos;
      for (;;) {
        size_t nl = buf.find('\n', std::max(searched, line_at));
        if (nl == std::string::npos) {
          searched = buf.size();
          if (!eof) break;  // the line is not complete yet
        }
        size_t e = nl == std::string::npos ? buf.size() : nl;
        size_t k = line_at;
        while (k < e && blank(buf[k])) ++k;
        if (k < e) {
          start = line_at;
          end = e;
          break;
        }
        if (nl == std::string::npos) break;  // blank to the end
        line_at = searched = nl + 1;
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
        return read_to_end(fd, whole, 0, "stdin", why);
      }
      decided = true;
    }
    // Hand over the complete lines (all that is left at the end).
    streamed = true;
    // The last newline, searched for only in the bytes not searched before (the rest of a
    // line that has none yet is not searched again after every chunk).
    size_t cut = buf.size();
    if (!eof) {
      const char* last = nullptr;
      if (tail_from < buf.size())
        last = static_cast<const char*>(::memrchr(buf.data() + tail_from, '\n', buf.size() - tail_from));
      tail_from = buf.size();
      if (!last) continue;
      cut = static_cast<size_t>(last - buf.data()) + 1;  // the newline belongs to the block
    }
    LineBlock block;
    block.text = std::string_view(buf).substr(0, cut);
    block.lines_before = lines_before;
    block.bytes_before = bytes_before;
    if (!block.text.empty() && !on_lines(block)) return true;  // the caller stops
    for (char ch : block.text) lines_before += ch == '\n';
    bytes_before += cut;
    buf.erase(0, cut);
    tail_from = buf.size();  // what is left holds no newline
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
