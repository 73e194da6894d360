// The canonical text of a policy file (JSON with comments, as read by json_source): what
// `verdict fmt` writes (docs/fmt.md).
//
//   Result<std::string> out = format_policy_text(text, "policies/triage/default.json");
//   if (!out.ok()) std::cerr << out.error().to_string() << "\n";   // file:line:column
//
// The rules, all idempotent (formatting the output again changes nothing):
// - 2-space indentation, "key": value, no trailing whitespace, LF line ends, one final
//   newline, at most one blank line in a row (blank lines between members are kept);
// - the envelope keys first, in the order apiVersion, kind, metadata, spec (in the root
//   object, or in each object of a root array); every other key keeps the file's order;
// - an object or array is written on one line ({"a": 1, "b": [1, 2]}) when the file has it
//   on one line (no line break between its brackets) and it holds no comment; otherwise
//   one member per line (a wrapped object is unwrapped: one member per line, not a
//   hanging layout);
// - strings and numbers are kept byte for byte (escapes, 1.0 vs 1), so the meaning cannot
//   change; a byte order mark is dropped;
// - every comment is kept: a comment on its own line stays before the member that follows
//   it (or before the closing bracket), a comment after a value on the same line stays
//   after it; a comment inside a member (between the key and its value) moves to the line
//   before the member.
// The output is checked before it is returned: it parses to the same JSON value (key order
// aside) and holds the same comments; if not, the result is a kInternal error.
#pragma once

#include <string>
#include <string_view>

#include "verdict/result.h"

namespace verdict::policy {

// Errors: what JsonSource::parse reports for text that is not JSON with comments
// (with file, line and column), or kInternal (a bug: the formatted text would differ).
Result<std::string> format_policy_text(std::string_view text, const std::string& source);

// True when `text` is a verdict document: an object whose apiVersion starts with
// "verdict/", or a non-empty array of such objects (a policy bundle). `verdict fmt` takes
// only these from folders.
bool is_verdict_document(std::string_view text);

}  // namespace verdict::policy
