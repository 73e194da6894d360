/* verdict/verdict.h: the C ABI, the only door into the core for every host.
 *
 * The WebAssembly build exports exactly these functions (wasm/exports.txt); the
 * JavaScript package and any other host (Go, JVM, Python Wasm runtimes) call them.
 *
 *   verdict_engine* e = verdict_engine_new();
 *   int rc = verdict_read(e, bytes, len, VERDICT_READ_AUTO);
 *   const char* json = verdict_result(e);          // {"ok":true,...} or {"ok":false,"errors":[...]}
 *   size_t n = verdict_result_size(e);
 *   verdict_engine_free(e);
 *
 * Strings cross as UTF-8 (pointer, length). Results are JSON owned by the engine,
 * valid until the next call on that engine. Nothing throws; every call returns 0
 * (VERDICT_OK) or an error code (see verdict/result.h, ErrorCode), and the error
 * is also in verdict_last_error() as JSON with its position.
 * An engine is not thread-safe; engines are independent of each other.
 */
#ifndef VERDICT_VERDICT_H_
#define VERDICT_VERDICT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2 (additive): VERDICT_ALERTS_RECEIVED for verdict_alerts_push.
 * 3 (additive): VERDICT_EVAL_YAML for verdict_eval, and verdict_eval_lines.
 * A host built against an older version works unchanged; a host that uses a newer flag or
 * function checks verdict_abi_version(). */
#define VERDICT_ABI_VERSION 3

#define VERDICT_OK 0

/* Flags of verdict_read. */
#define VERDICT_READ_AUTO 0u    /* NDJSON if it looks like NDJSON, else one document */
#define VERDICT_READ_JSON 1u    /* exactly one JSON document */
#define VERDICT_READ_NDJSON 2u  /* one document per line */
#define VERDICT_READ_VALUES 4u  /* include each document's canonical JSON in the result */
#define VERDICT_READ_COUNT 8u   /* counts and errors only: no "documents" list (validation) */

typedef struct verdict_engine verdict_engine;

uint32_t verdict_abi_version(void);
/* "0.1.0"; static storage. */
const char* verdict_version(void);

/* NULL only when memory is exhausted. */
verdict_engine* verdict_engine_new(void);
void verdict_engine_free(verdict_engine* engine);

/* Buffers for hosts that must place input in the engine's memory (WebAssembly). */
void* verdict_alloc(size_t size);
void verdict_free(void* ptr);

/* Reads one JSON document or an NDJSON stream; the result reports what was read. */
int verdict_read(verdict_engine* engine, const char* data, size_t size, uint32_t flags);

/* Policies: one policy document or a JSON array of them (comments allowed). `source`
 * names the file in errors. A file with any error loads nothing. Result:
 * {"ok":..,"loaded":[names],"errors":[..],"warnings":[..]}. */
int verdict_load_policy(verdict_engine* engine, const char* data, size_t size, const char* source, size_t source_size);
/* Static checks of a policy file without loading it; same result shape. */
int verdict_lint(verdict_engine* engine, const char* data, size_t size, const char* source, size_t source_size);
/* Data documents (the CMDB in the native, ServiceNow or Backstage shape; JSON or NDJSON). */
int verdict_load_data(verdict_engine* engine, const char* data, size_t size, const char* source, size_t source_size);
/* Forgets all policies and data. */
void verdict_clear(verdict_engine* engine);

/* Flags of verdict_eval. */
#define VERDICT_EVAL_EXPLAIN 1u  /* add "explain": the rules considered and the values read */
#define VERDICT_EVAL_JSON 2u     /* the input is exactly one JSON document */
#define VERDICT_EVAL_NDJSON 4u   /* the input is NDJSON: one decision per line, as NDJSON */
/* The input is YAML (one or more documents, e.g. OpenSLO or Sloth files): read as one NDJSON
 * line per document, errors at the YAML's own line and column (docs/yaml.md; ABI version 3). */
#define VERDICT_EVAL_YAML 16u

/* Evaluates `policy` (its metadata.name; size 0 when exactly one is loaded) on `input` at
 * time `now` (RFC 3339; size 0 leaves it unset). The result is one decision object, or
 * one per input line. Returns 0, or the code of the first error (input or evaluation);
 * the decisions are in the result either way. */
int verdict_eval(verdict_engine* engine, const char* policy, size_t policy_size, const char* input, size_t input_size,
                 const char* now, size_t now_size, uint32_t flags);

/* verdict_eval on one piece of a longer NDJSON stream that the host hands over in pieces of whole
 * lines (the JS package's decisions() iterator, in bounded memory): `lines_before` and
 * `bytes_before`, the stream's lines and bytes before this piece, are added to the decisions'
 * lines and the errors' positions, so that the pieces' results one after another are the whole
 * stream's result byte for byte. The input is NDJSON (flags: VERDICT_EVAL_EXPLAIN only); a policy
 * that decides on the whole input (ErrorBudget) is invalid_argument. The counts are doubles so
 * that they cross WebAssembly exactly (to 2^53) without 64-bit integers. ABI version 3. */
int verdict_eval_lines(verdict_engine* engine, const char* policy, size_t policy_size, const char* input, size_t input_size,
                       const char* now, size_t now_size, uint32_t flags, double lines_before, double bytes_before);

/* AlertDedup streams (docs/alerts.md): the engine keeps one stream state per AlertDedup
 * policy across calls; verdict_clear forgets it. */
/* Pushes alert events (flags: VERDICT_EVAL_JSON / VERDICT_EVAL_NDJSON, else auto) through
 * `policy` (size 0 when exactly one AlertDedup policy is loaded) with receipt time `now`
 * (size 0: event times only). The result is NDJSON: alert decisions, group notifications,
 * silences and errors (a bad line is reported and the stream goes on).
 * With VERDICT_ALERTS_RECEIVED, `now` is instead the batch's receipt time: the time of its
 * events without an `at` (never before the stream's clock; not their startsAt), without
 * now's checks and closing flush (AlertOptions::received; ABI version 2). */
#define VERDICT_ALERTS_RECEIVED 8u
int verdict_alerts_push(verdict_engine* engine, const char* policy, size_t policy_size, const char* input, size_t input_size,
                        const char* now, size_t now_size, uint32_t flags);
/* {"ok":true,"streams":[{policy, events, notifications, noise_reduction_pct, by_decision, ...}]} */
int verdict_alerts_stats(verdict_engine* engine);
/* The whole stream state as one versioned JSON document (the result). */
int verdict_alerts_snapshot(verdict_engine* engine);
/* Replaces the stream state with a snapshot; on any error the state in use is kept. */
int verdict_alerts_restore(verdict_engine* engine, const char* data, size_t size);

/* The JSON result of the last call, NUL-terminated; "" before the first call. */
const char* verdict_result(const verdict_engine* engine);
size_t verdict_result_size(const verdict_engine* engine);

/* {"ok":false,"errors":[...]} for the last call if it failed, else "". */
const char* verdict_last_error(const verdict_engine* engine);
size_t verdict_last_error_size(const verdict_engine* engine);

#ifdef __cplusplus
}
#endif

#endif /* VERDICT_VERDICT_H_ */
