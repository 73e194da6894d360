// Canonical records bound as expression values: no JSON is written to be read back. A
// record's text and document views become lang values directly; maps the mapping made
// become arena maps. Keys are the schema's field names, in the order the mapping set them.
#pragma once

#include "document/change.h"
#include "document/shapes.h"
#include "lang/value.h"

namespace verdict::policy {

// The record as a map value (valid while the record, its input and the arena's current
// contents live).
lang::Val bind_record(const shapes::Record& r, lang::Arena& arena);

// The canonical change as a map value with every field of shapes::change_schema(), in
// schema order (absent text, times and counts are null). Valid while `c` and the arena's
// current contents live.
lang::Val bind_change(const shapes::Change& c, lang::Arena& arena);

// The record as a JSON object (what `incident` reads as, for explanations and `verdict read`).
void write_record(JsonWriter& w, const shapes::Record& r);

}  // namespace verdict::policy
