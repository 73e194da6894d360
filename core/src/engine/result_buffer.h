// The one-string result of a C ABI call (verdict_result): every decision of a batch in one
// string, which the host reads after the call (the Wasm batch path, any C host).
//
// Decisions arrive one line at a time (Engine::evaluate's sink). The string keeps its capacity
// from one call to the next, so a host deciding batch after batch writes into memory it has
// already touched; it grows geometrically, and early in an NDJSON batch it is reserved once
// for the whole batch from a first estimate: the output per input byte of the first
// kSampleLines lines, times the input's size, plus 1/8. A buffer much larger than the last
// result it held (over kKeepBytes and over 4x) is released at the next call, so one huge
// batch does not pin its memory for the engine's life.
//
// Not thread-safe (one per engine); the text is valid until the next begin().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "verdict/engine.h"

namespace verdict {

class ResultBuffer {
 public:
  static constexpr size_t kSampleLines = 64;
  static constexpr size_t kKeepBytes = size_t{16} << 20;

  // Starts a call: clears the text (keeping its capacity unless it is far too large).
  // `input` and its `format` are the call's: NDJSON (one decision line per input line) is the
  // base of the first estimate; kAuto counts as NDJSON when its first line looks like a whole
  // document (it ends in } or ]) and more follows. Only a hint: the engine decides the format.
  void begin(std::string_view input, InputFormat format);
  // Appends one piece of output (a decision line with its newline, an error line).
  void append(std::string_view piece);

  std::string& text() { return text_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::string_view input_;
  size_t scanned_ = 0;   // input bytes of the lines that the appended pieces correspond to
  size_t samples_ = 0;   // pieces appended so far in this call, up to kSampleLines
  bool estimated_ = true;
};

}  // namespace verdict
