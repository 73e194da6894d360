// Escaping for the CI formats, shared by the kinds' renderers and the engine's error items.
#pragma once

#include <string>
#include <string_view>

namespace verdict::policy {

// XML 1.0 text and attribute values: & < > " ' escaped; control characters other than
// tab, newline and carriage return (not allowed in XML 1.0) become spaces.
void append_xml(std::string& out, std::string_view s);
// GitHub workflow commands: a message escapes %, CR and LF; a property also ':' and ','.
void append_gh_data(std::string& out, std::string_view s);
void append_gh_property(std::string& out, std::string_view s);

}  // namespace verdict::policy
