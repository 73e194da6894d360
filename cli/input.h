// How the CLI reads its inputs: files in one read, standard input as it arrives.
//
// A regular file (or `< file` on standard input) is read whole, with one read of its size.
// Standard input that may stay open (a pipe, a terminal, a socket: `tail -f events |
// verdict alerts`) is read as it arrives: NDJSON is handed over in blocks of complete lines
// (whatever one read returned), so decisions are written, and flushed, while the input is
// still open. Whether it is NDJSON is decided by its first non-blank line: a complete
// object or array on its own means NDJSON, read line by line (`--input ndjson` says so
// without looking); anything else (a pretty-printed document) is read to its end and
// handed over whole, as a file is (docs/streams.md).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "verdict/engine.h"

namespace verdict::cli {

// Whether `path` ("-": standard input) names a stream that may stay open: standard input
// that is not a regular file.
bool is_open_stream(const std::string& path);

// A block of complete NDJSON lines, and where it begins in the stream.
struct LineBlock {
  std::string_view text;     // ends with '\n', except the last block when the input did not
  size_t lines_before = 0;   // lines of the stream before this block
  size_t bytes_before = 0;   // bytes of the stream before this block
};

// Reads file descriptor `fd` to its end. When the input is NDJSON (by `format`, or for
// kAuto by its first non-blank line), each block of complete lines goes to `on_lines` as it
// arrives and `whole` stays empty; otherwise everything is read and returned in `whole`.
// `on_lines` returns false to stop reading. Returns false with `why` on a read error.
bool read_stream(int fd, InputFormat format, DocumentReader& reader, const std::function<bool(const LineBlock&)>& on_lines,
                 std::string& whole, bool& streamed, std::string& why);

// `verdict eval` / `triage` on standard input that may stay open: checks the call once (a
// policy of the wrong kind, an invalid now: written through options.sink, as evaluate()
// does), then evaluates each block of NDJSON lines as it arrives and flushes its decisions.
// Returns the worst exit code, or -1 with `why` on a read error. When the input is not
// NDJSON, `streamed` is false and `whole` holds it, for evaluate() as a file.
int eval_stream(Engine& engine, const EvalOptions& options, std::string& whole, bool& streamed, std::string& why);

// Standard output: fully buffered in 64 KiB blocks when it is not a terminal (the C++
// streams write through stdio). Called once, first thing in main().
void buffer_stdout();

}  // namespace verdict::cli
