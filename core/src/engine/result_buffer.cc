#include "engine/result_buffer.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace verdict {

namespace {

bool first_line_is_a_document(std::string_view input) {
  const size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return false;
  size_t end = nl;
  while (end > 0 && (input[end - 1] == ' ' || input[end - 1] == '\t' || input[end - 1] == '\r')) --end;
  return end > 0 && (input[end - 1] == '}' || input[end - 1] == ']') && input.find_first_not_of(" \t\r\n", nl) != std::string_view::npos;
}

}  // namespace

void ResultBuffer::begin(std::string_view input, InputFormat format) {
  if (text_.capacity() > kKeepBytes && text_.capacity() / 4 > text_.size())
    std::string().swap(text_);  // far larger than the last result: give the memory back
  text_.clear();
  const bool lines = format == InputFormat::kNdjson || (format == InputFormat::kAuto && first_line_is_a_document(input));
  input_ = lines ? input : std::string_view();
  scanned_ = 0;
  samples_ = 0;
  estimated_ = !lines;
}

void ResultBuffer::append(std::string_view piece) {
  text_.append(piece);
  if (estimated_) return;
  // The input line this piece answers: the bytes up to the next newline.
  const void* nl = scanned_ < input_.size() ? std::memchr(input_.data() + scanned_, '\n', input_.size() - scanned_) : nullptr;
  scanned_ = nl ? static_cast<size_t>(static_cast<const char*>(nl) - input_.data()) + 1 : input_.size();
  if (++samples_ < kSampleLines && scanned_ < input_.size()) return;
  estimated_ = true;
  if (scanned_ >= input_.size()) return;  // the whole input is decided: nothing to estimate
  // Output per input byte so far, times the input, plus an eighth; bounded so that an odd
  // sample cannot reserve far more than any plausible output (growth is geometric beyond it).
  const double per_byte = static_cast<double>(text_.size()) / static_cast<double>(scanned_);
  const double want = per_byte * static_cast<double>(input_.size()) * 1.125;
  const double bound = 8.0 * static_cast<double>(input_.size()) + static_cast<double>(1 << 20);
  const double reserve = std::min(want, std::min(bound, static_cast<double>(text_.max_size() / 2)));
  if (reserve > static_cast<double>(text_.capacity())) text_.reserve(static_cast<size_t>(reserve));
}

}  // namespace verdict
