// The host-independent part of the package: instantiates verdict.wasm with a
// plain WebAssembly host (no Emscripten glue) and wraps the C ABI of
// core/include/verdict/verdict.h. Works wherever WebAssembly and TextEncoder do.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

export const READ_AUTO = 0;
export const READ_JSON = 1;
export const READ_NDJSON = 2;
export const READ_VALUES = 4;
export const READ_COUNT = 8;
export const EVAL_EXPLAIN = 1;
export const EVAL_JSON = 2;
export const EVAL_NDJSON = 4;
// verdict_eval: the input is YAML, errors at its own line and column (C ABI version 3).
export const EVAL_YAML = 16;
// verdict_alerts_push: `now` is the batch's receipt time (AlertOptions::received; C ABI version 2).
export const ALERTS_RECEIVED = 8;

/** An error from the engine, with the engine's code and position. */
export class VerdictError extends Error {
  constructor(detail, all) {
    const where = [detail.source, detail.line, detail.column].filter((x) => x !== undefined && x !== '').join(':');
    super(where ? `${where}: ${detail.message}` : detail.message);
    this.name = 'VerdictError';
    this.code = detail.code;
    this.offset = detail.offset;
    this.line = detail.line;
    this.column = detail.column;
    this.errors = all ?? [detail];
  }
}

// The imports verdict.wasm declares (see wasm/README.md): memory growth
// notification and three WASI calls that the C library may make.
function importsFor(state) {
  return {
    env: {
      emscripten_notify_memory_growth() {
        state.heap = null; // views over the old buffer are stale
      },
    },
    wasi_snapshot_preview1: {
      // abort() (e.g. when memory cannot grow past the cap) ends in proc_exit: the call
      // stops here and the module restarts (Module.recover).
      proc_exit(code) {
        const e = new Error(`verdict.wasm exited with code ${code}`);
        e.verdictTrap = true;
        throw e;
      },
      environ_sizes_get(countPtr, sizePtr) {
        const view = new DataView(state.memory.buffer);
        view.setUint32(countPtr, 0, true);
        view.setUint32(sizePtr, 0, true);
        return 0;
      },
      environ_get() {
        return 0;
      },
      // The C library's stdio (RE2 links a logger that may print on stderr).
      // Nothing is written by a healthy engine; if it is, it goes to the console.
      fd_write(fd, iovs, iovsLen, nwrittenPtr) {
        const view = new DataView(state.memory.buffer);
        let total = 0;
        let text = '';
        for (let i = 0; i < iovsLen; i++) {
          const ptr = view.getUint32(iovs + i * 8, true);
          const len = view.getUint32(iovs + i * 8 + 4, true);
          text += decoder.decode(new Uint8Array(state.memory.buffer, ptr, len));
          total += len;
        }
        if (text && typeof console !== 'undefined') (fd === 2 ? console.error : console.log)(`verdict.wasm: ${text}`);
        view.setUint32(nwrittenPtr, total, true);
        return 0;
      },
      fd_close() {
        return 0;
      },
      fd_seek() {
        return 70; // ESPIPE: not seekable
      },
    },
  };
}

/** Instantiates the module from its bytes (or a compiled WebAssembly.Module). */
export async function instantiate(source) {
  const compiled = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const module = new Module(compiled);
  await module.start();
  return module;
}

// The memory cap of verdict.wasm (wasm/README.md): -sMAXIMUM_MEMORY.
export const MEMORY_CAP_BYTES = 1024 * 1024 * 1024;

// Inputs up to this many bytes (strings: a third as many UTF-16 units, as encodeInto may need
// 3 bytes for each) go through an engine's reused call buffer; larger ones get their own.
const SCRATCH_INPUT_MAX = 1 << 20;

// The bytes of an input: a string (encoded as UTF-8), a Uint8Array (a Node Buffer too) or an
// ArrayBuffer, as they are. Anything else is an error, not an empty input: a number or an
// object would be read as nothing, and a Uint16Array/Float64Array/DataView has elements
// that are not bytes (copying it would truncate every element to its low byte).
export function inputBytes(input, what = 'input') {
  if (typeof input === 'string') return encoder.encode(input);
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  const type = input === null ? 'null' : ArrayBuffer.isView(input) ? input.constructor.name : typeof input === 'object' ? (input.constructor?.name ?? 'object') : typeof input;
  throw new VerdictError({
    code: 'invalid_argument',
    message: `${what} must be a string, a Uint8Array or an ArrayBuffer, not ${type}` +
      (ArrayBuffer.isView(input) ? ' (for its bytes, pass new Uint8Array(view.buffer, view.byteOffset, view.byteLength))' : ''),
  });
}

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || (e && e.verdictTrap === true) || e instanceof RangeError;
}

class Module {
  constructor(compiled) {
    this.compiled = compiled;
    this.engines = new Set();
    this.restarts = 0;
  }

  async start() {
    this.instantiateSync();
  }

  instantiateSync() {
    this.state = { memory: null, heap: null };
    const instance = new WebAssembly.Instance(this.compiled, importsFor(this.state));
    this.exports = instance.exports;
    this.state.memory = instance.exports.memory;
    if (instance.exports._initialize) instance.exports._initialize();
  }

  // After a trap (out of memory: the heap cannot grow past MEMORY_CAP_BYTES) the instance's
  // state cannot be trusted: a fresh instance replaces it and every live engine loads its
  // policies and data again. Alert stream state since the last snapshot is lost.
  recover() {
    this.restarts += 1;
    this.instantiateSync();
    for (const engine of this.engines) engine.reopen();
  }

  bytes() {
    if (!this.state.heap || this.state.heap.buffer !== this.state.memory.buffer) {
      this.state.heap = new Uint8Array(this.state.memory.buffer);
    }
    return this.state.heap;
  }

  readString(ptr, len) {
    return decoder.decode(this.bytes().subarray(ptr, ptr + len));
  }

  version() {
    const p = this.exports.verdict_version();
    const heap = this.bytes();
    let end = p;
    while (heap[end] !== 0) end++;
    return this.readString(p, end - p);
  }

  abiVersion() {
    return this.exports.verdict_abi_version();
  }

  createEngine() {
    return new Engine(this);
  }
}

export class Engine {
  constructor(module) {
    this.module = module;
    this.loads = [];  // [{kind: 'policy' | 'data', text, source}]: replayed after a restart
    this.ptr = module.exports.verdict_engine_new();
    if (!this.ptr) throw new Error('verdict: out of memory creating an engine');
    this.resetScratch();
    module.engines.add(this);
  }

  // The per-call buffer in Wasm memory (evalRaw): the policy name and `now` stay at its front
  // from one call to the next, the input is encoded after them (encodeInto), so a call of the
  // same policy at the same time copies its input once and allocates nothing.
  resetScratch() {
    this.scratch = 0;        // address in Wasm memory (0: none yet)
    this.scratchSize = 0;
    this.prefixKey = null;   // [policy, now] at the front of the buffer
    this.prefixLens = [0, 0];
  }

  // A buffer of at least `size` bytes; its front (the prefix) is kept when it grows.
  reserveScratch(size) {
    if (size <= this.scratchSize) return this.scratch;
    const x = this.module.exports;
    const want = Math.max(size, this.scratchSize * 2, 4096);
    const ptr = x.verdict_alloc(want);
    if (!ptr) throw new VerdictError({ code: 'out_of_memory', message: `cannot allocate ${want} bytes in verdict.wasm` });
    const keep = this.prefixLens[0] + this.prefixLens[1];
    if (this.scratch) {
      if (keep) this.module.bytes().copyWithin(ptr, this.scratch, this.scratch + keep);
      x.verdict_free(this.scratch);
    }
    this.scratch = ptr;
    this.scratchSize = want;
    return ptr;
  }

  // A new engine in the restarted instance, with the policies and data loaded before.
  reopen() {
    const x = this.module.exports;
    this.resetScratch();  // the old buffer went with the old instance
    this.ptr = x.verdict_engine_new();
    for (const l of this.loads) {
      const fn = l.kind === 'policy' ? x.verdict_load_policy : x.verdict_load_data;
      this.withSource(fn, l.text, l.source);
    }
  }

  // Runs one call into the module; a trap becomes a VerdictError and the module restarts.
  guard(what, fn) {
    try {
      return fn();
    } catch (e) {
      if (!isTrap(e)) throw e;
      this.module.recover();
      throw new VerdictError({
        code: 'out_of_memory',
        message: `verdict.wasm ran out of memory (its cap is ${MEMORY_CAP_BYTES / 1048576} MiB) in ${what}; ` +
          'the module was restarted and every engine reloaded its policies and data (alert stream state since the last snapshot is lost)',
      });
    }
  }

  // Copies `input` (string, Uint8Array or ArrayBuffer) into the engine's memory, calls fn(ptr, len).
  withInput(input, fn) {
    const bytes = inputBytes(input);
    const x = this.module.exports;
    const ptr = x.verdict_alloc(bytes.length);
    if (!ptr) throw new VerdictError({ code: 'out_of_memory', message: `cannot allocate ${bytes.length} bytes in verdict.wasm` });
    try {
      this.module.bytes().set(bytes, ptr);
      return fn(ptr, bytes.length);
    } finally {
      x.verdict_free(ptr);
    }
  }

  result() {
    const x = this.module.exports;
    return this.module.readString(x.verdict_result(this.ptr), x.verdict_result_size(this.ptr));
  }

  lastError() {
    const x = this.module.exports;
    return this.module.readString(x.verdict_last_error(this.ptr), x.verdict_last_error_size(this.ptr));
  }

  /**
   * Reads one JSON document or an NDJSON stream. Returns {code, json} where json is
   * the engine's result text, byte for byte (what the native build prints).
   */
  readRaw(input, flags = READ_AUTO) {
    return this.guard('read', () => {
      const code = this.withInput(input, (ptr, len) => this.module.exports.verdict_read(this.ptr, ptr, len, flags));
      return { code, json: this.result() };
    });
  }

  /** Like readRaw, but parsed; throws VerdictError when nothing could be read. */
  read(input, { format = 'auto', values = false } = {}) {
    let flags = format === 'json' ? READ_JSON : format === 'ndjson' ? READ_NDJSON : READ_AUTO;
    if (values) flags |= READ_VALUES;
    const { json } = this.readRaw(input, flags);
    const report = JSON.parse(json);
    if (!report.ok && report.read === 0 && report.errors?.length) {
      throw new VerdictError(report.errors[0], report.errors);
    }
    return report;
  }

  // Calls an ABI function taking (engine, data, size, source, source_size).
  withSource(fn, text, source) {
    const src = encoder.encode(source ?? '');
    return this.withInput(text, (ptr, len) => this.withInput(src, (sp, sl) => fn(this.ptr, ptr, len, sp, sl)));
  }

  /** Loads policies (one document or an array). Returns the report; throws VerdictError on errors. */
  loadPolicy(text, source = '') {
    const report = JSON.parse(this.loadPolicyRaw(text, source).json);
    if (!report.ok) throw new VerdictError(report.errors[0], report.errors);
    return report;
  }

  loadPolicyRaw(text, source = '') {
    return this.guard('loadPolicy', () => {
      const code = this.withSource(this.module.exports.verdict_load_policy, text, source);
      if (code === 0) this.loads.push({ kind: 'policy', text, source });
      return { code, json: this.result() };
    });
  }

  /** Loads data documents: the CMDB, scheduled changes, change windows, error-budget status. Throws VerdictError on errors. */
  loadData(text, source = '') {
    return this.guard('loadData', () => {
      const code = this.withSource(this.module.exports.verdict_load_data, text, source);
      const report = JSON.parse(this.result());
      if (code !== 0) throw new VerdictError(report.errors[0], report.errors);
      this.loads.push({ kind: 'data', text, source });
      return report;
    });
  }

  /** Static checks; returns {ok, loaded, errors, warnings} without loading anything. */
  lint(text, source = '') {
    return this.guard('lint', () => {
      this.withSource(this.module.exports.verdict_lint, text, source);
      return JSON.parse(this.result());
    });
  }

  /** Forgets all policies and data. */
  clear() {
    this.module.exports.verdict_clear(this.ptr);
    this.loads = [];
  }

  /**
   * Evaluates a policy on one document (or NDJSON). Returns {code, json} with the
   * engine's bytes: one decision object, or one per line for NDJSON.
   */
  evalRaw(input, { policy = '', now = '', explain = false, format = 'auto' } = {}) {
    if (typeof input !== 'string') input = inputBytes(input);
    let flags = explain ? EVAL_EXPLAIN : 0;
    if (format === 'json') flags |= EVAL_JSON;
    else if (format === 'ndjson') flags |= EVAL_NDJSON;
    else if (format === 'yaml') flags |= EVAL_YAML;
    else if (format !== 'auto') {
      throw new VerdictError({ code: 'invalid_argument', message: `format "${format}": one of auto, json, ndjson, yaml` });
    }
    return this.guard('eval', () => {
      const x = this.module.exports;
      // One buffer: [policy][now][input]. The policy and now are encoded when they change.
      if (!this.prefixKey || this.prefixKey[0] !== policy || this.prefixKey[1] !== now) {
        const p = encoder.encode(policy);
        const n = encoder.encode(now);
        this.prefixKey = null;
        this.prefixLens = [0, 0];
        const base = this.reserveScratch(p.length + n.length + 64);
        const heap = this.module.bytes();
        heap.set(p, base);
        heap.set(n, base + p.length);
        this.prefixKey = [policy, now];
        this.prefixLens = [p.length, n.length];
      }
      const [pl, nl] = this.prefixLens;
      let code;
      if (typeof input === 'string' && input.length <= SCRATCH_INPUT_MAX / 3) {
        // encodeInto writes straight into Wasm memory: at most 3 bytes per UTF-16 unit.
        const base = this.reserveScratch(pl + nl + input.length * 3);
        const il = encoder.encodeInto(input, this.module.bytes().subarray(base + pl + nl, base + this.scratchSize)).written;
        code = x.verdict_eval(this.ptr, base, pl, base + pl + nl, il, base + pl, nl, flags);
      } else if (typeof input !== 'string' && input.length <= SCRATCH_INPUT_MAX) {
        const base = this.reserveScratch(pl + nl + input.length);
        this.module.bytes().set(input, base + pl + nl);
        code = x.verdict_eval(this.ptr, base, pl, base + pl + nl, input.length, base + pl, nl, flags);
      } else {
        // A large batch gets a buffer of its own, freed after the call: the call buffer stays small.
        code = this.withInput(input, (ip, il) => x.verdict_eval(this.ptr, this.scratch, pl, ip, il, this.scratch + pl, nl, flags));
      }
      return { code, json: this.result() };
    });
  }

  /** Evaluates and parses the decision (an array of decisions for NDJSON input). */
  eval(input, options = {}) {
    const { json } = this.evalRaw(input, options);
    const lines = json.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    if (lines.length === 1 && !('line' in lines[0])) {
      const d = lines[0];
      if (!d.ok && !d.decision) throw new VerdictError(d.errors[0], d.errors);
      return d;
    }
    return lines;
  }

  // eval() with a policy of one kind: the results, checked to come from that kind.
  decideWith(kind, input, options) {
    const result = this.eval(input, options);
    for (const r of Array.isArray(result) ? result : [result]) {
      if (r.policy && r.policy.kind !== kind) {
        throw new VerdictError({ code: 'invalid_argument', message: `policy "${r.policy.name}" is a ${r.policy.kind} policy, not ${kind}` });
      }
    }
    return result;
  }

  /** `verdict triage`: incidents, tickets or alerts through a TriageRouting policy. */
  triage(input, options = {}) {
    return this.decideWith('TriageRouting', input, options);
  }

  /** `verdict change`: change requests through a ChangeRisk policy (decision.status: approved, needs_approval, denied). */
  change(input, options = {}) {
    return this.decideWith('ChangeRisk', input, options);
  }

  /**
   * `verdict budget`: SLO definitions and SLI data through an ErrorBudget policy (decision: the
   * error-budget status). With `format: 'yaml'` the input is YAML (OpenSLO, Sloth; several
   * documents), errors at its own line and column.
   */
  budget(input, options = {}) {
    return this.decideWith('ErrorBudget', input, options);
  }

  /** The decision with its explanation: {decision, explain} (an array for NDJSON input). */
  explain(input, options = {}) {
    const result = this.eval(input, { ...options, explain: true });
    const pick = (r) => ({ ok: r.ok, decision: r.decision, explain: r.explain, errors: r.errors });
    return Array.isArray(result) ? result.map(pick) : pick(result);
  }

  // ---- AlertDedup streams (docs/alerts.md) ----

  /**
   * Pushes alert events through an AlertDedup policy. Returns {code, json}: the engine's
   * NDJSON (alert decisions, group notifications, silences, errors) byte for byte.
   */
  alertsPushRaw(input, { policy = '', now = '', received = '', format = 'auto' } = {}) {
    if (now && received) throw new TypeError('alerts push: give now or received, not both');
    let flags = format === 'json' ? EVAL_JSON : format === 'ndjson' ? EVAL_NDJSON : 0;
    if (received) flags |= ALERTS_RECEIVED;
    const time = received || now;
    return this.guard('alerts push', () => {
      const x = this.module.exports;
      const code = this.withInput(encoder.encode(policy), (pp, pl) =>
        this.withInput(input, (ip, il) =>
          this.withInput(encoder.encode(time), (np, nl) => x.verdict_alerts_push(this.ptr, pp, pl, ip, il, np, nl, flags))));
      return { code, json: this.result() };
    });
  }

  /** Statistics of every stream: {ok, streams: [{policy, events, notifications, noise_reduction_pct, by_decision, ...}]}. */
  alertsStats() {
    this.module.exports.verdict_alerts_stats(this.ptr);
    return JSON.parse(this.result());
  }

  /** The whole stream state as the engine's versioned JSON text. */
  alertsSnapshot() {
    return this.guard('alerts snapshot', () => {
      this.module.exports.verdict_alerts_snapshot(this.ptr);
      return this.result();
    });
  }

  /** Replaces the stream state; throws VerdictError (and keeps the old state) when it cannot. */
  alertsRestore(text) {
    const code = this.guard('alerts restore', () =>
      this.withInput(text, (ptr, len) => this.module.exports.verdict_alerts_restore(this.ptr, ptr, len)));
    if (code !== 0) {
      const report = JSON.parse(this.lastError());
      throw new VerdictError(report.errors[0], report.errors);
    }
  }

  /** A stream over one AlertDedup policy: push(input, {now} or {received}) -> parsed lines; snapshot(); restore(text); stats(). */
  alertStream({ policy = '' } = {}) {
    const engine = this;
    return {
      push(input, { now = '', received = '', format = 'auto' } = {}) {
        const { json } = engine.alertsPushRaw(input, { policy, now, received, format });
        return json.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      },
      pushRaw(input, options = {}) {
        return engine.alertsPushRaw(input, { policy, ...options });
      },
      snapshot: () => engine.alertsSnapshot(),
      restore: (text) => engine.alertsRestore(text),
      stats: () => engine.alertsStats().streams.find((s) => !policy || s.policy === policy),
    };
  }

  free() {
    if (this.ptr) this.module.exports.verdict_engine_free(this.ptr);
    if (this.scratch) this.module.exports.verdict_free(this.scratch);
    this.resetScratch();
    this.ptr = 0;
    this.module.engines.delete(this);
  }
}
