// Hand-written types for @verdict/engine. The decision types are checked against the
// decisions of every policy test case (js/test/package.test.mjs, tsc --strict).

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
  /** code 'out_of_memory': whether the engine's alert stream state (since its last snapshot) was lost. */
  lostAlertState?: boolean;
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
  /** 'yaml': YAML documents (OpenSLO, Sloth), each read as one NDJSON line; errors at the YAML's line:column. */
  format?: 'auto' | 'json' | 'ndjson' | 'yaml';
}

/** The policy that made a decision. */
export interface PolicyRef<K extends PolicyKind = PolicyKind> {
  name: string;
  version?: string;
  kind: K;
}

export type PolicyKind = 'Rules' | 'TriageRouting' | 'ChangeRisk' | 'ErrorBudget' | 'AlertDedup';

/** The explanation (`explain: true`): the rules, routes, factors or thresholds considered and the values they read. */
export type Explanation = Record<string, unknown>;

/** One evaluation's result, as `verdict eval --format json` prints it. */
export interface Result<K extends PolicyKind, D> {
  ok: boolean;
  line?: number;          // NDJSON input; a record's line in its document
  record?: string;        // a record of an API envelope: its JSON pointer ("/result/3")
  policy: PolicyRef<K>;
  bundle: string;         // "sha256:..." of the policies and data that decided
  now?: string;
  decision: D;
  errors: ErrorDetail[];
  explain?: Explanation;
}

/** An NDJSON line that could not be decided (a broken line, a wrong shape). */
export interface FailedResult {
  ok: false;
  line?: number;
  record?: string;
  policy?: PolicyRef;
  bundle?: string;
  now?: string;
  errors: ErrorDetail[];
}

// ---- TriageRouting (docs/triage.md) --------------------------------------------------

export interface RouteRef {
  name: string;
  path: string[];         // from the root route down to this one
}

export interface TriageDecision {
  priority: {
    number: number;       // 1 is the highest
    name: string;         // "P1"
    impact: string;
    urgency: string;
    /** "input", "default" or "derive: <rule>" */
    impact_from: 'input' | 'default' | `derive: ${string}`;
    urgency_from: 'input' | 'default' | `derive: ${string}`;
    before_adjustment?: string;
  };
  team: string;
  team_from: 'route' | 'cmdb' | 'default';
  escalation: string | null;
  notify: 'page' | 'ticket' | 'none';
  runbook: string | null;
  labels: Record<string, string>;
  route: RouteRef;        // the route that decided
  routes: RouteRef[];     // every matching route (continue: true)
  reasons: string[];
  input: {
    shape: 'native' | 'servicenow' | 'jira' | 'alertmanager' | 'pagerduty' | (string & {});
    fields: Record<string, string>;   // canonical field -> the source field that filled it
  };
}
export type TriageResult = Result<'TriageRouting', TriageDecision>;

// ---- ChangeRisk (docs/change.md) -----------------------------------------------------

export type ChangeOutcome = 'auto_approve' | 'peer_review' | 'cab_review' | 'deny';

export interface ChangeFinding {
  type: 'gate' | 'blackout' | 'related_blackout' | 'outside_maintenance' | 'same_item' | 'related_item'
    | 'double_booked' | 'budget_exhausted' | 'budget_freeze' | 'budget_burning' | 'unknown_target' | 'no_targets';
  action: ChangeOutcome | 'note';
  message: string;
  name?: string;          // the gate or window
  item?: string;
  change?: string;        // the conflicting change
  exception?: string;     // the exception that changed the action
}

export interface ChangeDecision {
  status: 'approved' | 'needs_approval' | 'denied';
  outcome: ChangeOutcome;
  change: {
    id: string;
    title: string;
    type: 'standard' | 'normal' | 'emergency' | '';
    source: string;       // native, servicenow, pipeline
    start: string | null;
    end: string | null;
    targets: string[];
    services: string[];
  };
  risk: {
    score: number;        // 0-100
    class: string;
    class_outcome: ChangeOutcome;
    auto_approved: boolean;
    factors: Array<{ name: string; points: number; reason: string }>;
  };
  findings: ChangeFinding[];
  approvals: {
    satisfied: boolean;
    required: Array<{ count: number; from: string[]; by: string[]; missing: number }>;
  };
  blast_radius: {
    targets: Array<{ id?: string; name: string; found: boolean; class?: string; tier?: number; service?: string; owner?: string }>;
    count: number;
    max_depth: number;
    min_tier: number | null;
    services: string[];
    truncated: boolean;
    items: Array<{ id: string; class: string; tier: number; service: string; depth: number; via: string }>;
  };
  budget: Array<{
    service: string;
    slo: string;
    status: BudgetStatus;
    burn_state: BurnState;
    budget_remaining: number;
    freeze: boolean;
    actions: string[];
  }>;
  reasons: string[];
}
export type ChangeResult = Result<'ChangeRisk', ChangeDecision>;

// ---- ErrorBudget (docs/budget.md) ----------------------------------------------------

export type BudgetStatus = 'ok' | 'warning' | 'exhausted' | 'no_data';
export type BurnState = 'ok' | 'ticket' | 'page' | 'no_data';

export interface SloStatus {
  slo: string;
  service: string;
  sli: string;
  source: string;
  objective: number;
  window: string;
  window_start: string;
  status: BudgetStatus;
  compliance: number | null;
  budget_consumed: number | null;
  budget_remaining: number | null;
  events: { good: number; bad: number; total: number; budget: number; budget_left: number };
  samples: { total: number; in_window: number; after_now: number; input_errors: number; first: string | null; last: string | null };
  burn_rates: Record<string, number | null>;   // by window: "5m", "1h", "6h", ...
  burn_state: BurnState;
  alerts: Array<{ name: string; severity: string; factor: number; long: string; short: string;
    long_burn: number | null; short_burn: number | null; firing: boolean; disabled?: true }>;
  /** Sloth SLOs with an `alerting` block: Sloth's page and ticket alerts. */
  alerting?: { name: string } & Record<'page' | 'ticket', { disabled: boolean; firing: boolean;
    labels: Record<string, string>; annotations: Record<string, string> }>;
  /** OpenSLO Timeslices and RatioTimeslices SLOs: events and samples count time slices. */
  budgeting?: { method: 'Timeslices' | 'RatioTimeslices'; time_slice: string; time_slice_target?: number };
  thresholds: Array<{ name: string; consumed?: number; fired: boolean }>;
  actions: string[];
  freeze: boolean;
  exhaustion: { burn_rate_window: string; seconds: number | null; at: string | null };
  messages: string[];
  warnings: string[];
  burndown?: Array<{ t: string; remaining: number | null }>;
}

/** The error-budget status document (also an input of ChangeRisk: verdict change --budget). */
export interface BudgetDecision {
  kind: string;           // "ErrorBudgetStatus"
  version: number;
  policy: string;
  at: string;
  summary: { slos: number; ok: number; warning: number; exhausted: number; no_data: number; frozen_services: string[] };
  /** Documents of the input read but not used, and why (only when there are some). */
  notes?: string[];
  slos: SloStatus[];
}
export type BudgetResult = Result<'ErrorBudget', BudgetDecision>;

// ---- Rules (docs/policies.md) --------------------------------------------------------

export interface RulesDecision {
  matched: Array<{ rule: string; reason: string }>;
  outputs: Record<string, unknown>;
}
export type RulesResult = Result<'Rules', RulesDecision>;

// ---- AlertDedup, evaluated without a stream (a stateless preview) --------------------

export interface AlertPreviewDecision {
  stateless: true;
  alerts: Array<{
    fingerprint: string;
    status: 'firing' | 'resolved';
    groups: Array<{ key: string; receiver: string; route: string }>;
    silenced_by: string[];
    inhibition: { source_of: string[]; target_of: string[] };
  }>;
}
export type AlertPreviewResult = Result<'AlertDedup', AlertPreviewDecision>;

/** Whatever eval() returns for one document, by the policy's kind. */
export type AnyResult = TriageResult | ChangeResult | BudgetResult | RulesResult | AlertPreviewResult;
/** @deprecated the old name of AnyResult. */
export type Decision = AnyResult;

export interface ReadOptions {
  format?: 'auto' | 'json' | 'ndjson';
  values?: boolean;
}

/** explain()'s result: the decision (of any kind) with its explanation. */
export interface Explained {
  ok: boolean;
  decision: AnyResult['decision'] | undefined;
  explain: Explanation | undefined;
  errors: ErrorDetail[];
}

export declare class Engine {
  /** Reads a JSON document or NDJSON stream; throws VerdictError if nothing could be read. */
  read(input: string | Uint8Array | ArrayBuffer, options?: ReadOptions): ReadReport;
  /** The engine's result text byte for byte, and the return code of the C ABI. */
  readRaw(input: string | Uint8Array | ArrayBuffer, flags?: number): { code: number; json: string };
  /** Loads a policy file (one document or an array); throws VerdictError with file:line:column. */
  loadPolicy(text: string | Uint8Array | ArrayBuffer, source?: string): LoadReport;
  loadPolicyRaw(text: string | Uint8Array | ArrayBuffer, source?: string): { code: number; json: string };
  /** Loads data documents (the CMDB: native, ServiceNow or Backstage shapes). */
  loadData(text: string | Uint8Array | ArrayBuffer, source?: string): LoadReport;
  /** Static checks without loading. */
  lint(text: string | Uint8Array | ArrayBuffer, source?: string): LoadReport;
  /** Forgets all policies and data. */
  clear(): void;
  /** Evaluates a policy: the engine's bytes (one decision, or NDJSON of decisions). */
  evalRaw(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions): { code: number; json: string };
  /** Evaluates and parses: a result, or an array of them for NDJSON input. */
  eval(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions): AnyResult | Array<AnyResult | FailedResult>;
  /**
   * The decisions of an NDJSON batch one at a time, parsed as they are asked for: the input goes
   * into the module in pieces of whole lines (`pieceBytes`, default 1 MiB), so memory stays bounded
   * by a piece and its decisions whatever the batch's size; lines and positions count from the
   * batch's start, as eval() gives them. Not for ErrorBudget (one decision over the whole input).
   */
  decisions(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions & { pieceBytes?: number }): Generator<AnyResult | FailedResult, void, undefined>;
  /** `verdict triage`: eval with a TriageRouting policy (a VerdictError when the policy is of another kind). */
  triage(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions): TriageResult | Array<TriageResult | FailedResult>;
  /** `verdict change`: eval with a ChangeRisk policy; decision.status is approved, needs_approval or denied. */
  change(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions): ChangeResult | Array<ChangeResult | FailedResult>;
  /** `verdict budget`: SLO definitions and SLI data (one input) with an ErrorBudget policy; the decision is the error-budget status. */
  budget(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions): BudgetResult;
  /** The decision with its explanation (rules, routes, factors or thresholds considered and the values they read). */
  explain(input: string | Uint8Array | ArrayBuffer, options?: EvalOptions): Explained | Explained[];
  /** AlertDedup: pushes alert events; the engine's NDJSON (decisions, notifications, errors) byte for byte. */
  alertsPushRaw(input: string | Uint8Array | ArrayBuffer, options?: AlertPushOptions & { policy?: string }): { code: number; json: string };
  /** AlertDedup: statistics of every stream. */
  alertsStats(): AlertStatsReport;
  /** AlertDedup: the whole stream state as versioned JSON text. */
  alertsSnapshot(): string;
  /** AlertDedup: replaces the stream state; throws VerdictError and keeps the old state on a bad snapshot. */
  alertsRestore(text: string | Uint8Array | ArrayBuffer): void;
  /** AlertDedup: a stream over one policy ("" when exactly one AlertDedup policy is loaded). */
  alertStream(options?: { policy?: string }): AlertStream;
  /** Releases the engine's memory (its instance of the module). */
  free(): void;
  /** The engine's memory cap in bytes (EngineOptions.memoryCap; MEMORY_CAP_BYTES by default). */
  readonly memoryCap: number;
  /**
   * How many times this engine's instance was replaced after running out of memory. A call
   * that hits the cap throws VerdictError('out_of_memory') with `lostAlertState` set when this
   * engine's alert stream state (since its last snapshot) was lost; the engine reloads its
   * policies and data and decides again. Other engines are not affected.
   */
  readonly restarts: number;
}

export interface AlertPushOptions {
  /** RFC 3339 receipt time of this batch; group notifications due by then are included. */
  now?: string;
  /**
   * RFC 3339 receipt time of this batch, instead of `now`: the time of its events without an
   * `at` (never before the stream's clock), not their `startsAt`; no closing flush. Not with `now`.
   */
  received?: string;
  format?: 'auto' | 'json' | 'ndjson';
}

/** How AlertDedup decided about one alert event. */
export type AlertDecisionKind = 'new' | 'grouped' | 'duplicate' | 'resolved' | 'silenced' | 'inhibited' | 'rate_limited'
  | 'flapping' | 'unknown_resolved' | 'acknowledged' | 'ignored';

/** An alert event's decision (docs/alerts.md, "Output"). */
export interface AlertDecisionLine {
  type: 'alert';
  line: number;           // the event's line in the input
  index?: number;         // its place in a JSON array (Alertmanager webhook)
  at: string;
  fingerprint: string;
  decision: AlertDecisionKind;
  status?: 'firing' | 'resolved';
  count?: number;
  first_seen?: string;
  duplicate_of?: string;
  dedup_key?: string;
  groups?: Array<{ key: string; receiver: string; flush_at: string }>;
  silenced_by?: string;
  inhibited_by?: { alert: string; rule: string; ci?: string };
  rate_limit?: string;
  changes?: number;       // flapping: state changes in the window
  reopened?: boolean;
  reason?: string;
}

/** A group notification that became due. */
export interface NotificationLine {
  type: 'notification';
  at: string;
  group: string;
  receiver: string;
  reason: string;         // first, new_alerts, repeat, resolved, ...
  firing: string[];       // fingerprints
  resolved: string[];
}

/** A silence added or expired by the stream. */
export interface SilenceLine {
  type: 'silence';
  line: number;
  at: string;
  id: string;
  action: 'added' | 'expired';
}

/** An input line that could not be read; the stream went on. */
export interface AlertErrorLine {
  type: 'error';
  line: number;
  errors: ErrorDetail[];
}

/** One output line of an alert stream (docs/alerts.md, "Output"). */
export type AlertLine = AlertDecisionLine | NotificationLine | SilenceLine | AlertErrorLine;

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

/** alertsStats(): every stream's statistics. */
export interface AlertStatsReport {
  ok: boolean;
  streams: AlertStats[];
}

export interface AlertStream {
  push(input: string | Uint8Array | ArrayBuffer, options?: AlertPushOptions): AlertLine[];
  pushRaw(input: string | Uint8Array | ArrayBuffer, options?: AlertPushOptions): { code: number; json: string };
  snapshot(): string;
  restore(text: string | Uint8Array | ArrayBuffer): void;
  stats(): AlertStats | undefined;
}

export interface VerdictModule {
  version(): string;
  abiVersion(): number;
  /** A new engine, in an instance of the module of its own. */
  createEngine(options?: EngineOptions): Engine;
  /** How many engine instances were replaced after running out of memory, over all engines. */
  readonly restarts: number;
}

export interface EngineOptions {
  /**
   * The engine's memory cap in bytes, from 32 MiB to MEMORY_CAP_BYTES (the default). Each
   * engine has an instance of its own: a call that needs more fails that engine alone.
   */
  memoryCap?: number;
}

/** verdict.wasm's memory cap per instance (so per engine): 1 GiB. */
export declare const MEMORY_CAP_BYTES: number;

/** The module, instantiated once and shared (Node: from the package; browser: fetched once). */
export declare function load(location?: string | URL): Promise<VerdictModule>;
export declare function createEngine(options?: EngineOptions): Promise<Engine>;
