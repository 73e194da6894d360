// verdict/documents.h: which kind of ITSM document a JSON value is, and small
// helpers to read text from the shapes verdict accepts (plain strings and
// ServiceNow references).
//
// How each kind of document is read (its fields, in every shape) is the shape
// mapping inside the core (core/src/document/: incident, change, alert; the CMDB
// index; the ErrorBudget sample reader), used by every kind and by Engine::read.
// See docs/documents.md for the shapes.
#pragma once

#include <initializer_list>
#include <string_view>

#include "verdict/document.h"

namespace verdict {

enum class DocumentKind { kUnknown, kIncident, kChange, kAlert, kConfigItem, kSliSample };

// "unknown", "incident", "change", "alert", "ci", "sli".
const char* kind_name(DocumentKind kind);

// The kind a document declares (`kind`, `sys_class_name`), or else the kind its
// fields suggest. Never fails: unrecognised documents are kUnknown.
DocumentKind detect_kind(Value doc);

// A string field that may be a plain string or a ServiceNow reference
// {"value": ..., "display_value": ...} (display_value preferred). Empty if absent
// or of another type (numbers are not converted).
std::string_view text_of(Value v);

// The value at a dotted path of plain keys ("fields.priority.name"), or missing.
Value at_dotted(Value v, std::string_view dotted);

// The first of `paths` (dotted, e.g. "fields.summary") that holds text.
std::string_view first_text(Value doc, std::initializer_list<std::string_view> paths);

}  // namespace verdict
