// `verdict alerts --format text`: the stream's output lines for people, one line each
// (docs/alerts.md, "The command line"). The AlertDedup stream writes its records as NDJSON
// (the kind's one output, the same natively, in Wasm and in `verdict serve`); this turns each
// record into a line of text as it arrives, so a stream of any length stays in bounded memory.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace verdict::cli {

class AlertTextWriter {
 public:
  explicit AlertTextWriter(std::ostream& out) : out_(out) {}
  // Output of the stream, in pieces of any size; each complete line is written as text.
  void write(std::string_view ndjson);
  // Writes a last line without its newline, if any.
  void finish();

 private:
  void line(std::string_view record);
  std::ostream& out_;
  std::string partial_;
};

}  // namespace verdict::cli
