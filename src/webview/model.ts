/**
 * View models of the two webviews (diff panel, tool inspector): plain JSON data that the extension host builds
 * from core reports (`src/vscode/panels/viewModel.ts`) and posts to the page. Every string in here is display
 * text, already made safe to look at on the host side (invisible characters revealed as `⟦U+200B⟧` /
 * `⟦TAG:…⟧`, see `revealInvisible` in `src/core/checks/text.ts`) and capped in length; the page still renders it
 * with `textContent` only, because every description is attacker-written.
 *
 * Browser-safe: types only, no Node, no `vscode`.
 */

/** Severity of a finding, highest first (same values as the core's `Severity`). */
export type SeverityView = 'high' | 'medium' | 'low' | 'info';

/** One static-check finding, as shown. `message` has invisible characters revealed. */
export interface FindingView {
  severity: SeverityView;
  /** Stable rule id, e.g. `hidden-instructions`. */
  ruleId: string;
  message: string;
  /** RFC 6901 JSON Pointer into the checked entry or item (`""` = the whole thing). */
  pointer: string;
}

/** The server a view is about. */
export interface ServerHeaderView {
  name: string;
  /** MCP host id (`vscode`, `cursor`, …). */
  host: string;
  /** Absolute path of the config file. */
  configFile: string;
  /** RFC 6901 JSON Pointer of the entry in the config file. */
  pointer: string;
  /** `stdio`, `http` or `sse`. */
  transport: string;
  /** Trust state against the trust store: `new`, `approved`, `changed` or `denied`. */
  state: string;
  /** The command line (stdio: command and args) or URL (remote), revealed. */
  launch: string;
  /** The organization policy's verdict (`approved by your organization`, `blocked by your organization (rule, file)`). */
  organization?: string;
  /** Whether the organization policy blocks the server. */
  organizationBlocks?: boolean;
}

/** One row of the launch-spec field table (approved vs current). Values are canonical JSON text, revealed. */
export interface FieldRowView {
  /** RFC 6901 pointer into the entry; `/$files/<ref>` for referenced files, `/$duplicateKeys` for duplicate keys. */
  pointer: string;
  /** `changed` (both sides), `added` (current only), `removed` (approved only), `unchanged`. */
  status: 'changed' | 'added' | 'removed' | 'unchanged';
  /** Approved value, absent when the field was not in the approved entry. */
  before?: string;
  /** Current value, absent when the field is gone. */
  after?: string;
}

/** One run of a line or word diff. `text` is revealed display text. */
export interface DiffPartView {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

/** One tool/prompt/resource/template/instructions item that differs from its pin (or is new or gone). */
export interface ItemChangeView {
  /** `tool`, `prompt`, `resource`, `resourceTemplate` or `instructions`. */
  kind: string;
  /** Tool/prompt name, resource URI, template, or `instructions` (revealed). */
  key: string;
  state: 'new' | 'changed' | 'removed' | 'pinned';
  /** Top-level members that differ (`description`, `inputSchema`, …). */
  changedFields: string[];
  /** Word diff of the description (of the text itself for instructions), when it changed. */
  descriptionDiff?: DiffPartView[];
  findings: FindingView[];
  note?: string;
}

/** Everything the diff panel shows. */
export interface DiffViewModel {
  server: ServerHeaderView;
  /** The decision on record (`approved`/`denied`) and its ISO 8601 time, when there is one. */
  decision?: { decision: string; decidedAt: string };
  /** True when only formatting/comments/key order changed. */
  cosmetic: boolean;
  /** An approved server elsewhere whose launch spec this entry carries exactly. */
  sameAs?: { configFile: string; name: string };
  /** Field-level table: changed fields first (in the order of the core's diff), then unchanged ones. */
  fields: FieldRowView[];
  /** Line diff of the approved vs current entry as pretty-printed RFC 8785 canonical JSON. */
  specDiff: DiffPartView[];
  /** Metadata items that are new, changed or removed, or that have findings. */
  items: ItemChangeView[];
  /** Launch-spec findings. */
  findings: FindingView[];
  /** Set when the probe of the metadata failed (its error message), so the user knows the list is partial. */
  probeError?: string;
  /** Number of field rows / items / diff lines left out by the caps, if any. */
  omitted: number;
  /**
   * What holds the server back before launch now, one display line each (a host veto in force, the guard
   * proxy), or one line saying nothing does (`heldBack` false). Absent when the host did not say.
   */
  holds?: { lines: string[]; heldBack: boolean };
}

/**
 * What the diff panel says when the server it was opened for is no longer a server entry of its file (shown
 * instead of a stale diff). Every string is display text (revealed, capped) built by the host.
 */
export interface ServerGoneView {
  /** `blocked`: the entry was moved into the file's quarantine key; `removed`: no entry at that pointer now. */
  reason: 'blocked' | 'removed';
  name: string;
  /** MCP host id (`vscode`, `cursor`, …). */
  host: string;
  /** Absolute path of the config file. */
  configFile: string;
  /** RFC 6901 JSON Pointer the entry had. */
  pointer: string;
  /** One or two sentences for the user: what happened and what can be done. */
  message: string;
}

/** One labelled JSON block of an inspected item (input schema, annotations, arguments, …). */
export interface JsonBlockView {
  label: string;
  /** Pretty-printed JSON, revealed. */
  json: string;
}

/** One tool, prompt, resource, resource template or the server instructions, as the inspector shows it. */
export interface InspectorItemView {
  kind: string;
  key: string;
  /** Against the pins: `pinned`, `new`, `changed` or `removed`. */
  state: string;
  name: string;
  title?: string;
  /** The description as text, invisible characters revealed. */
  description?: string;
  /** Number of invisible code points revealed in the description. */
  invisibleCount: number;
  /** Input schema, output schema, annotations, arguments, URI, MIME type… as JSON blocks. */
  blocks: JsonBlockView[];
  findings: FindingView[];
  note?: string;
}

/** Everything the tool inspector shows for one server. */
export interface InspectorViewModel {
  server: ServerHeaderView;
  /** `probe`: items from a probe just now; `pins`: items from the trust store's pins (not probed); `none`. */
  source: 'probe' | 'pins' | 'none';
  /** ISO 8601 time of the pins shown (source `pins`). */
  pinnedAt?: string;
  probe?: { ok: boolean; error?: string; ms: number; warnings: string[] };
  items: InspectorItemView[];
  /** Items left out by the cap, if any. */
  omitted: number;
  /** `<kind>:<key>` of the item to reveal (expanded and scrolled to), e.g. `tool:echo`. */
  focus?: string;
}
