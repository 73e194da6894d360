// The WebAssembly module: the C ABI of verdict/verdict.h and nothing else.
// The exported list is wasm/exports.txt; the functions live in core/src/c_api.cc.
// This translation unit keeps them linked in (a static library's members are
// only pulled in when referenced).
#include "verdict/verdict.h"

extern "C" {
// Referenced so that the linker keeps every ABI function from verdict_core.
__attribute__((used)) static const void* const kVerdictAbi[] = {
    reinterpret_cast<const void*>(&verdict_abi_version),
    reinterpret_cast<const void*>(&verdict_version),
    reinterpret_cast<const void*>(&verdict_engine_new),
    reinterpret_cast<const void*>(&verdict_engine_free),
    reinterpret_cast<const void*>(&verdict_alloc),
    reinterpret_cast<const void*>(&verdict_free),
    reinterpret_cast<const void*>(&verdict_read),
    reinterpret_cast<const void*>(&verdict_result),
    reinterpret_cast<const void*>(&verdict_result_size),
    reinterpret_cast<const void*>(&verdict_last_error),
    reinterpret_cast<const void*>(&verdict_last_error_size),
    reinterpret_cast<const void*>(&verdict_load_policy),
    reinterpret_cast<const void*>(&verdict_lint),
    reinterpret_cast<const void*>(&verdict_load_data),
    reinterpret_cast<const void*>(&verdict_clear),
    reinterpret_cast<const void*>(&verdict_eval),
    reinterpret_cast<const void*>(&verdict_eval_lines),
    reinterpret_cast<const void*>(&verdict_alerts_push),
    reinterpret_cast<const void*>(&verdict_alerts_stats),
    reinterpret_cast<const void*>(&verdict_alerts_snapshot),
    reinterpret_cast<const void*>(&verdict_alerts_restore),
};
}
