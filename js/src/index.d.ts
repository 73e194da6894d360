// Hand-written types for @verdict/engine.

export declare const READ_AUTO: 0;
export declare const READ_JSON: 1;
export declare const READ_NDJSON: 2;
export declare const READ_VALUES: 4;
export declare const READ_COUNT: 8;
export declare const EVAL_EXPLAIN: 1;
export declare const EVAL_JSON: 2;
export declare const EVAL_NDJSON: 4;

export interface ErrorDetail {
  code: string;          // "invalid_json", "duplicate_key", ... (see docs/c-abi.md)
  message: string;
  source?: string;
  offset?: number;       // 0-based byte offset in the input
  line?: number;         // 1-based
  column?: number;       // 1-based, in bytes
}

export declare class VerdictError extends Error {
  code: string;
  offset?: number;
  line?: number;
  column?: number;
  errors: ErrorDetail[];
}

export interface DocumentSummary {
  line: number;
  bytes: number;
  kind: 'incident' | 'change' | 'alert' | 'ci' | 'sli' | 'unknown';
  id?: string;
  title?: string;
  service?: string;
  fields: number;
  value?: unknown;       // with { values: true }
}

export interface ReadReport {
  ok: boolean;
  format: 'json' | 'ndjson';
  read: number;
  failed: number;
  documents: DocumentSummary[];
  errors: ErrorDetail[];
}

export interface LoadReport {
  ok: boolean;
  loaded: string[];
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
}

export interface EvalOptions {
  policy?: string;        // metadata.name; optional when one policy is loaded
  now?: string;           // RFC 3339; the engine never reads a clock
  explain?: boolean;
  format?: 'auto' | 'json' | 'ndjson';
}

export interface Decision {
  ok: boolean;
  line?: number;          // NDJSON input
  policy: { name: string; version?: string; kind: string };
  bundle: string;         // "sha256:..."
  now?: string;
  decision: Record<string, unknown>;
  errors: ErrorDetail[];
  explain?: Record<string, unknown>;
}

export interface ReadOptions {
  format?: 'auto' | 'json' | 'ndjson';
  values?: boolean;
}

export declare class Engine {
  /** Reads a JSON document or NDJSON stream; throws VerdictError if nothing could be read. */
  read(input: string | Uint8Array, options?: ReadOptions): ReadReport;
  /** The engine's result text byte for byte, and the return code of the C ABI. */
  readRaw(input: string | Uint8Array, flags?: number): { code: number; json: string };
  /** Loads a policy file (one document or an array); throws VerdictError with file:line:column. */
  loadPolicy(text: string | Uint8Array, source?: string): LoadReport;
  loadPolicyRaw(text: string | Uint8Array, source?: string): { code: number; json: string };
  /** Loads data documents (the CMDB: native, ServiceNow or Backstage shapes). */
  loadData(text: string | Uint8Array, source?: string): LoadReport;
  /** Static checks without loading. */
  lint(text: string | Uint8Array, source?: string): LoadReport;
  /** Forgets all policies and data. */
  clear(): void;
  /** Evaluates a policy: the engine's bytes (one decision, or NDJSON of decisions). */
  evalRaw(input: string | Uint8Array, options?: EvalOptions): { code: number; json: string };
  /** Evaluates and parses: a Decision, or an array of them for NDJSON input. */
  eval(input: string | Uint8Array, options?: EvalOptions): Decision | Decision[];
  /** `verdict triage`: eval with a TriageRouting policy (a VerdictError when the policy is of another kind). */
  triage(input: string | Uint8Array, options?: EvalOptions): Decision | Decision[];
  /** `verdict change`: eval with a ChangeRisk policy; decision.status is approved, needs_approval or denied. */
  change(input: string | Uint8Array, options?: EvalOptions): Decision | Decision[];
  /** `verdict budget`: SLO definitions and SLI data (one input) with an ErrorBudget policy; the decision is the error-budget status. */
  budget(input: string | Uint8Array, options?: EvalOptions): Decision;
  /** The decision with its explanation (rules, routes, factors or thresholds considered and the values they read). */
  explain(input: string | Uint8Array, options?: EvalOptions): { ok: boolean; decision: unknown; explain: unknown; errors: ErrorDetail[] }
    | Array<{ ok: boolean; decision: unknown; explain: unknown; errors: ErrorDetail[] }>;
  /** AlertDedup: pushes alert events; the engine's NDJSON (decisions, notifications, errors) byte for byte. */
  alertsPushRaw(input: string | Uint8Array, options?: AlertPushOptions & { policy?: string }): { code: number; json: string };
  /** AlertDedup: statistics of every stream. */
  alertsStats(): { ok: boolean; streams: AlertStats[] };
  /** AlertDedup: the whole stream state as versioned JSON text. */
  alertsSnapshot(): string;
  /** AlertDedup: replaces the stream state; throws VerdictError and keeps the old state on a bad snapshot. */
  alertsRestore(text: string | Uint8Array): void;
  /** AlertDedup: a stream over one policy ("" when exactly one AlertDedup policy is loaded). */
  alertStream(options?: { policy?: string }): AlertStream;
  /** Releases the engine's memory inside the module. */
  free(): void;
}

export interface AlertPushOptions {
  /** RFC 3339 receipt time of this batch; group notifications due by then are included. */
  now?: string;
  format?: 'auto' | 'json' | 'ndjson';
}

/** One output line of an alert stream (docs/alerts.md, "Output"). */
export interface AlertLine {
  type: 'alert' | 'notification' | 'silence' | 'error';
  line?: number;
  index?: number;
  at?: string;
  fingerprint?: string;
  decision?: 'new' | 'grouped' | 'duplicate' | 'resolved' | 'silenced' | 'inhibited' | 'rate_limited' | 'flapping'
    | 'unknown_resolved' | 'acknowledged' | 'ignored';
  [key: string]: unknown;
}

export interface AlertStats {
  policy: string;
  events: number;
  errors: number;
  notifications: number;
  noise_reduction_pct: number;
  by_decision: Record<string, number>;
  alerts: number;
  firing: number;
  groups: number;
  clock?: string;
}

export interface AlertStream {
  push(input: string | Uint8Array, options?: AlertPushOptions): AlertLine[];
  pushRaw(input: string | Uint8Array, options?: AlertPushOptions): { code: number; json: string };
  snapshot(): string;
  restore(text: string | Uint8Array): void;
  stats(): AlertStats | undefined;
}

export interface VerdictModule {
  version(): string;
  abiVersion(): number;
  createEngine(): Engine;
  /**
   * How many times the instance was restarted after running out of memory. A call that hits
   * the cap throws VerdictError('out_of_memory'); the module then restarts and every engine
   * reloads its policies and data (alert stream state since the last snapshot is lost).
   */
  readonly restarts: number;
}

/** verdict.wasm's memory cap: 1 GiB. */
export declare const MEMORY_CAP_BYTES: number;

/** The module, instantiated once and shared (Node: from the package; browser: fetched once). */
export declare function load(location?: string | URL): Promise<VerdictModule>;
export declare function createEngine(): Promise<Engine>;
