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
        // An engine's own cap (createEngine({memoryCap})): the heap grew past it, so the call
        // stops here, as at the module's cap, and only this engine's instance is replaced.
        if (state.memory && state.memory.buffer.byteLength > state.cap) {
          const e = new Error(`verdict.wasm grew past the engine's memory cap of ${state.cap} bytes`);
          e.verdictTrap = true;
          throw e;
        }
      },
    },
    wasi_snapshot_preview1: {
      // abort() (e.g. when memory cannot grow past the cap) ends in proc_exit: the call
      // stops here and the engine's instance is replaced (Engine.guard).
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

// A C++ exception that left the module (WebAssembly.Exception: yaml-cpp is built with Wasm
// exceptions, so std::bad_alloc from operator new can unwind out of the core) is treated as a
// trap too: the core does not expect to be unwound, so the instance's state is not trusted.
function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || (e && e.verdictTrap === true) || e instanceof RangeError ||
    (typeof WebAssembly.Exception === 'function' && e instanceof WebAssembly.Exception);
}

// One instance of verdict.wasm: its exports, its memory and a view of it. Every engine has
// one of its own, so that a trap (out of memory) in one engine cannot touch another's state.
class Instance {
  constructor(compiled, cap = MEMORY_CAP_BYTES) {
    this.state = { memory: null, heap: null, cap };
    const instance = new WebAssembly.Instance(compiled, importsFor(this.state));
    this.exports = instance.exports;
    this.state.memory = instance.exports.memory;
    if (instance.exports._initialize) instance.exports._initialize();
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
}

class Module {
  constructor(compiled) {
    this.compiled = compiled;
    this.restarts = 0;  // engine instances replaced after a trap, over all engines
  }

  async start() {
    // The module's own instance answers version() and abiVersion(); engines have their own.
    this.home = new Instance(this.compiled);
    this.exports = this.home.exports;
  }

  bytes() {
    return this.home.bytes();
  }

  readString(ptr, len) {
    return this.home.readString(ptr, len);
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

  /**
   * A new engine in an instance of its own. `memoryCap` (bytes, at least 32 MiB, at most
   * MEMORY_CAP_BYTES, the default): running out of it fails this engine's call alone.
   */
  createEngine(options = {}) {
    return new Engine(this, options);
  }
}

// The smallest per-engine cap: the instance starts with 16 MiB (-sINITIAL_MEMORY).
const MEMORY_CAP_MIN = 32 * 1024 * 1024;

export class Engine {
  constructor(module, { memoryCap = MEMORY_CAP_BYTES } = {}) {
    if (!Number.isFinite(memoryCap) || memoryCap < MEMORY_CAP_MIN || memoryCap > MEMORY_CAP_BYTES) {
      throw new VerdictError({
        code: 'invalid_argument',
        message: `memoryCap must be a number of bytes from ${MEMORY_CAP_MIN} (32 MiB) to ${MEMORY_CAP_BYTES} (1 GiB), not ${memoryCap}`,
      });
    }
    this.module = module;
    this.memoryCap = memoryCap;
    this.loads = [];  // [{kind: 'policy' | 'data', text, source}]: replayed after a restart
    this.restarts = 0;  // times this engine's instance was replaced after a trap
    this.alertState = false;  // whether alert stream state may exist (pushed or restored)
    this.instance = new Instance(module.compiled, memoryCap);
    this.ptr = this.instance.exports.verdict_engine_new();
    if (!this.ptr) throw new Error('verdict: out of memory creating an engine');
    this.resetScratch();
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
    const x = this.instance.exports;
    const want = Math.max(size, this.scratchSize * 2, 4096);
    const ptr = x.verdict_alloc(want);
    if (!ptr) throw new VerdictError({ code: 'out_of_memory', message: `cannot allocate ${want} bytes in verdict.wasm` });
    const keep = this.prefixLens[0] + this.prefixLens[1];
    if (this.scratch) {
      if (keep) this.instance.bytes().copyWithin(ptr, this.scratch, this.scratch + keep);
      x.verdict_free(this.scratch);
    }
    this.scratch = ptr;
    this.scratchSize = want;
    return ptr;
  }

  // After a trap the instance's heap and stack cannot be trusted: a fresh instance replaces
  // it and the engine loads its policies and data again. Other engines have instances of
  // their own and are not touched.
  reopen() {
    this.restarts += 1;
    this.module.restarts += 1;
    this.alertState = false;
    this.instance = new Instance(this.module.compiled, this.memoryCap);
    const x = this.instance.exports;
    this.resetScratch();  // the old buffer went with the old instance
    this.ptr = x.verdict_engine_new();
    for (const l of this.loads) {
      const fn = l.kind === 'policy' ? x.verdict_load_policy : x.verdict_load_data;
      this.withSource(fn, l.text, l.source);
    }
  }

  // Runs one call into the engine's instance; a trap (out of memory) becomes a VerdictError
  // and the instance is replaced. The error says what was lost: this engine's alert stream
  // state (since its last snapshot), never another engine's.
  guard(what, fn) {
    try {
      return fn();
    } catch (e) {
      if (!isTrap(e)) throw e;
      const lost = this.alertState;
      this.reopen();
      const err = new VerdictError({
        code: 'out_of_memory',
        message: `verdict.wasm ran out of memory (this engine's cap is ${this.memoryCap / 1048576} MiB) in ${what}; ` +
          'its instance was replaced and it reloaded its policies and data' +
          (lost ? '; its alert stream state since the last snapshot was lost' : '') +
          ' (other engines are not affected)',
      });
      err.lostAlertState = lost;
      throw err;
    }
  }

  // Copies `input` (string, Uint8Array or ArrayBuffer) into the engine's memory, calls fn(ptr, len).
  withInput(input, fn) {
    const bytes = inputBytes(input);
    const x = this.instance.exports;
    const ptr = x.verdict_alloc(bytes.length);
    if (!ptr) throw new VerdictError({ code: 'out_of_memory', message: `cannot allocate ${bytes.length} bytes in verdict.wasm` });
    try {
      this.instance.bytes().set(bytes, ptr);
      return fn(ptr, bytes.length);
    } finally {
      x.verdict_free(ptr);
    }
  }

  result() {
    const x = this.instance.exports;
    return this.instance.readString(x.verdict_result(this.ptr), x.verdict_result_size(this.ptr));
  }

  lastError() {
    const x = this.instance.exports;
    return this.instance.readString(x.verdict_last_error(this.ptr), x.verdict_last_error_size(this.ptr));
  }

  /**
   * Reads one JSON document or an NDJSON stream. Returns {code, json} where json is
   * the engine's result text, byte for byte (what the native build prints).
   */
  readRaw(input, flags = READ_AUTO) {
    return this.guard('read', () => {
      const code = this.withInput(input, (ptr, len) => this.instance.exports.verdict_read(this.ptr, ptr, len, flags));
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
      const code = this.withSource(this.instance.exports.verdict_load_policy, text, source);
      if (code === 0) this.loads.push({ kind: 'policy', text, source });
      return { code, json: this.result() };
    });
  }

  /** Loads data documents: the CMDB, scheduled changes, change windows, error-budget status. Throws VerdictError on errors. */
  loadData(text, source = '') {
    return this.guard('loadData', () => {
      const code = this.withSource(this.instance.exports.verdict_load_data, text, source);
      const report = JSON.parse(this.result());
      if (code !== 0) throw new VerdictError(report.errors[0], report.errors);
      this.loads.push({ kind: 'data', text, source });
      return report;
    });
  }

  /** Static checks; returns {ok, loaded, errors, warnings} without loading anything. */
  lint(text, source = '') {
    return this.guard('lint', () => {
      this.withSource(this.instance.exports.verdict_lint, text, source);
      return JSON.parse(this.result());
    });
  }

  /** Forgets all policies and data. */
  clear() {
    this.instance.exports.verdict_clear(this.ptr);
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
      const x = this.instance.exports;
      // One buffer: [policy][now][input]. The policy and now are encoded when they change.
      if (!this.prefixKey || this.prefixKey[0] !== policy || this.prefixKey[1] !== now) {
        const p = encoder.encode(policy);
        const n = encoder.encode(now);
        this.prefixKey = null;
        this.prefixLens = [0, 0];
        const base = this.reserveScratch(p.length + n.length + 64);
        const heap = this.instance.bytes();
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
        const il = encoder.encodeInto(input, this.instance.bytes().subarray(base + pl + nl, base + this.scratchSize)).written;
        code = x.verdict_eval(this.ptr, base, pl, base + pl + nl, il, base + pl, nl, flags);
      } else if (typeof input !== 'string' && input.length <= SCRATCH_INPUT_MAX) {
        const base = this.reserveScratch(pl + nl + input.length);
        this.instance.bytes().set(input, base + pl + nl);
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

  /**
   * The decisions of an NDJSON batch, one at a time (a generator): the input goes into the module
   * in pieces of whole lines through verdict_eval_lines (C ABI 3), which counts lines and positions
   * from the batch's start, and each piece's decisions are parsed only as they are asked for. What
   * is held at any time is one piece, its result and the decision in hand, whatever the batch's
   * size. The decisions are eval()'s, byte for byte before parsing.
   */
  *decisions(input, { policy = '', now = '', explain = false, pieceBytes = 1 << 20 } = {}) {
    const text = typeof input === 'string' ? input : null;
    const bytes = text === null ? inputBytes(input) : null;
    const size = text === null ? bytes.length : text.length;
    const p = encoder.encode(policy);
    const n = encoder.encode(now);
    let at = 0;           // where the next piece starts (UTF-16 units of a string, else bytes)
    let lines = 0;        // lines of the batch before the piece
    let bytesBefore = 0;  // its UTF-8 bytes before the piece
    while (at < size) {
      // A piece: whole lines of about pieceBytes (a string's units may take up to 3 bytes each).
      const want = Math.max(1, text === null ? pieceBytes : Math.floor(pieceBytes / 3));
      let end = at + want >= size ? size : (text === null ? bytes.indexOf(10, at + want) : text.indexOf('\n', at + want));
      end = end < 0 || end >= size ? size : end + 1;
      const piece = text === null ? bytes.subarray(at, end) : encoder.encode(text.slice(at, end));
      let pieceLines = 0;
      for (let i = piece.indexOf(10); i >= 0; i = piece.indexOf(10, i + 1)) pieceLines++;
      const json = this.guard('decisions', () => {
        const x = this.instance.exports;
        return this.withInput(p, (pp, pl) => this.withInput(n, (np, nl) => this.withInput(piece, (ip, il) => {
          const code = x.verdict_eval_lines(this.ptr, pp, pl, ip, il, np, nl, explain ? EVAL_EXPLAIN : 0, lines, bytesBefore);
          const out = this.result();
          if (code !== 0 && out.startsWith('{"ok":false,"errors"')) {
            // The call itself failed (a wrong policy, ErrorBudget): no decisions to hand out.
            const report = JSON.parse(out);
            throw new VerdictError(report.errors[0], report.errors);
          }
          return out;
        })));
      });
      lines += pieceLines;
      bytesBefore += piece.length;
      at = end;
      for (let from = 0; from < json.length;) {
        let nl = json.indexOf('\n', from);
        if (nl < 0) nl = json.length;
        if (nl > from) yield JSON.parse(json.slice(from, nl));
        from = nl + 1;
      }
    }
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
      const x = this.instance.exports;
      const code = this.withInput(encoder.encode(policy), (pp, pl) =>
        this.withInput(input, (ip, il) =>
          this.withInput(encoder.encode(time), (np, nl) => x.verdict_alerts_push(this.ptr, pp, pl, ip, il, np, nl, flags))));
      this.alertState = true;
      return { code, json: this.result() };
    });
  }

  /** Statistics of every stream: {ok, streams: [{policy, events, notifications, noise_reduction_pct, by_decision, ...}]}. */
  alertsStats() {
    this.instance.exports.verdict_alerts_stats(this.ptr);
    return JSON.parse(this.result());
  }

  /** The whole stream state as the engine's versioned JSON text. */
  alertsSnapshot() {
    return this.guard('alerts snapshot', () => {
      this.instance.exports.verdict_alerts_snapshot(this.ptr);
      return this.result();
    });
  }

  /** Replaces the stream state; throws VerdictError (and keeps the old state) when it cannot. */
  alertsRestore(text) {
    const code = this.guard('alerts restore', () =>
      this.withInput(text, (ptr, len) => this.instance.exports.verdict_alerts_restore(this.ptr, ptr, len)));
    if (code !== 0) {
      const report = JSON.parse(this.lastError());
      throw new VerdictError(report.errors[0], report.errors);
    }
    this.alertState = true;
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
    if (this.ptr) this.instance.exports.verdict_engine_free(this.ptr);
    if (this.scratch) this.instance.exports.verdict_free(this.scratch);
    this.resetScratch();
    this.ptr = 0;
    this.instance = null;  // the engine's memory goes with its instance
  }
}
