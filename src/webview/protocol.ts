/**
 * The one message protocol between the extension host and the two webview pages (diff panel, tool inspector),
 * after the `shared/protocol.ts` of microsoft/vscode-hexeditor: one `const enum MessageType`, one documented
 * interface per message, and the `ToWebviewMessage` / `FromWebviewMessage` unions.
 *
 * Both sides validate what they receive with {@link parseToWebview} / {@link parseFromWebview}: the page is
 * untrusted (it renders attacker-written text), and the page does not trust a malformed model either. Unknown
 * message types and malformed shapes give `undefined` and are ignored. Transport: `Webview.postMessage` /
 * `acquireVsCodeApi().postMessage` (VS Code API, "Webviews": structured-clone JSON).
 *
 * Flow: the page loads and sends {@link ReadyMessage}; the host answers with the model
 * ({@link ShowDiffMessage} or {@link ShowInspectorMessage}), and again whenever the model changes or the page
 * reloads (a hidden panel is torn down and sends `ready` again when shown). The diff panel follows the
 * extension's state: after a decision, a Block or Restore, or an edit of the file it gets the server's new
 * model, or {@link ServerGoneMessage} when the entry is no longer in its file. The diff page sends
 * {@link ApproveMessage} / {@link BlockMessage} carrying the `revision` it shows; the host acts only when that
 * is the revision it last sent, and answers with {@link ActionResultMessage}.
 *
 * Browser-safe: no Node, no `vscode`.
 */
import type {
  DiffPartView,
  DiffViewModel,
  FieldRowView,
  FindingView,
  InspectorItemView,
  InspectorViewModel,
  ItemChangeView,
  JsonBlockView,
  ServerGoneView,
  ServerHeaderView,
} from './model';

/** Discriminant of every message, both directions. */
export const enum MessageType {
  /** Page → host: the page's script runs and listens; send the model. */
  Ready = 'ready',
  /** Page → host: the user pressed Approve in the diff panel. */
  Approve = 'approve',
  /** Page → host: the user pressed Block in the diff panel. */
  Block = 'block',
  /** Host → page: render this diff model. */
  ShowDiff = 'showDiff',
  /** Host → page: render this inspector model. */
  ShowInspector = 'showInspector',
  /** Host → page: an Approve/Block finished (or failed). */
  ActionResult = 'actionResult',
  /** Host → page: the diff panel's server is no longer in its file (blocked or removed). */
  ServerGone = 'serverGone',
}

/** Which page sent a message. */
export type ViewKind = 'diff' | 'inspector';

/** Page → host: the page is ready to receive its model. */
export interface ReadyMessage {
  type: MessageType.Ready;
  view: ViewKind;
}

/** Page → host: approve the launch spec shown at `revision`. */
export interface ApproveMessage {
  type: MessageType.Approve;
  /** The {@link ShowDiffMessage.revision} on screen when the button was pressed. */
  revision: number;
}

/** Page → host: block (deny) the server shown at `revision`. */
export interface BlockMessage {
  type: MessageType.Block;
  /** The {@link ShowDiffMessage.revision} on screen when the button was pressed. */
  revision: number;
}

/** Host → page: the diff panel's model. */
export interface ShowDiffMessage {
  type: MessageType.ShowDiff;
  /** Increases with every model the host sends to this panel; actions name the revision they answer. */
  revision: number;
  model: DiffViewModel;
}

/**
 * Host → page: the server of this diff panel is no longer a server entry of its file (it was blocked into the
 * quarantine key, or its entry was removed); the page shows why instead of the stale diff, without buttons.
 */
export interface ServerGoneMessage {
  type: MessageType.ServerGone;
  /** Increases with every message of this kind or {@link ShowDiffMessage}: the same counter. */
  revision: number;
  gone: ServerGoneView;
}

/** Host → page: the tool inspector's model. */
export interface ShowInspectorMessage {
  type: MessageType.ShowInspector;
  model: InspectorViewModel;
}

/** Host → page: outcome of an Approve/Block, shown in the panel. */
export interface ActionResultMessage {
  type: MessageType.ActionResult;
  action: 'approve' | 'block';
  ok: boolean;
  /** One sentence for the user. */
  message: string;
}

/** Every message the host sends to a page. */
export type ToWebviewMessage = ShowDiffMessage | ServerGoneMessage | ShowInspectorMessage | ActionResultMessage;
/** Every message a page sends to the host. */
export type FromWebviewMessage = ReadyMessage | ApproveMessage | BlockMessage;

// ---------------------------------------------------------------------------------------------------------
// Validation

/** Longest string accepted in a received message (UTF-16 units); the host caps its texts far below this. */
export const MAX_MESSAGE_STRING = 1_000_000;
/** Longest array accepted in a received message. */
export const MAX_MESSAGE_ARRAY = 20_000;

type Guard<T> = (v: unknown) => v is T;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** An own member of an object (inherited members never count: a message is plain data). */
const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_MESSAGE_STRING;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optional =
  <T>(g: Guard<T>): Guard<T | undefined> =>
  (v): v is T | undefined =>
    v === undefined || g(v);
const arrayOf =
  <T>(g: Guard<T>): Guard<T[]> =>
  (v): v is T[] =>
    Array.isArray(v) && v.length <= MAX_MESSAGE_ARRAY && v.every((x) => g(x));
const oneOf =
  <T extends string>(...values: T[]): Guard<T> =>
  (v): v is T =>
    typeof v === 'string' && (values as string[]).includes(v);

/** Builds a guard for an object whose listed members pass their guards (other members are ignored). */
function shape<T>(fields: { [K in keyof T]-?: Guard<T[K]> }): Guard<T> {
  return (v): v is T => {
    if (!isObj(v)) return false;
    for (const k of Object.keys(fields) as (keyof T & string)[]) {
      if (!fields[k](own(v, k))) return false;
    }
    return true;
  };
}

const isFinding = shape<FindingView>({
  severity: oneOf('high', 'medium', 'low', 'info'),
  ruleId: isStr,
  message: isStr,
  pointer: isStr,
});
const isServerHeader = shape<ServerHeaderView>({
  name: isStr,
  host: isStr,
  configFile: isStr,
  pointer: isStr,
  transport: isStr,
  state: isStr,
  launch: isStr,
  organization: optional(isStr),
  organizationBlocks: optional((v: unknown): v is boolean => typeof v === 'boolean'),
});
const isFieldRow = shape<FieldRowView>({
  pointer: isStr,
  status: oneOf('changed', 'added', 'removed', 'unchanged'),
  before: optional(isStr),
  after: optional(isStr),
});
const isDiffPart = shape<DiffPartView>({ kind: oneOf('added', 'removed', 'same'), text: isStr });
const isItemChange = shape<ItemChangeView>({
  kind: isStr,
  key: isStr,
  state: oneOf('new', 'changed', 'removed', 'pinned'),
  changedFields: arrayOf(isStr),
  descriptionDiff: optional(arrayOf(isDiffPart)),
  findings: arrayOf(isFinding),
  note: optional(isStr),
});

/** Whether `v` is a well-formed {@link DiffViewModel} (every member the page reads has the right type). */
export const isDiffViewModel = shape<DiffViewModel>({
  server: isServerHeader,
  decision: optional(shape<{ decision: string; decidedAt: string }>({ decision: isStr, decidedAt: isStr })),
  cosmetic: isBool,
  sameAs: optional(shape<{ configFile: string; name: string }>({ configFile: isStr, name: isStr })),
  fields: arrayOf(isFieldRow),
  specDiff: arrayOf(isDiffPart),
  items: arrayOf(isItemChange),
  findings: arrayOf(isFinding),
  probeError: optional(isStr),
  omitted: isCount,
  holds: optional(shape<{ lines: string[]; heldBack: boolean }>({ lines: arrayOf(isStr), heldBack: isBool })),
});

/** Whether `v` is a well-formed {@link ServerGoneView}. */
export const isServerGoneView = shape<ServerGoneView>({
  reason: oneOf('blocked', 'removed'),
  name: isStr,
  host: isStr,
  configFile: isStr,
  pointer: isStr,
  message: isStr,
});

const isJsonBlock = shape<JsonBlockView>({ label: isStr, json: isStr });
const isInspectorItem = shape<InspectorItemView>({
  kind: isStr,
  key: isStr,
  state: isStr,
  name: isStr,
  title: optional(isStr),
  description: optional(isStr),
  invisibleCount: isCount,
  blocks: arrayOf(isJsonBlock),
  findings: arrayOf(isFinding),
  note: optional(isStr),
});

/** Whether `v` is a well-formed {@link InspectorViewModel}. */
export const isInspectorViewModel = shape<InspectorViewModel>({
  server: isServerHeader,
  focus: optional(isStr),
  source: oneOf('probe', 'pins', 'none'),
  pinnedAt: optional(isStr),
  probe: optional(
    shape<{ ok: boolean; error?: string; ms: number; warnings: string[] }>({
      ok: isBool,
      error: optional(isStr),
      ms: (v): v is number => typeof v === 'number' && Number.isFinite(v),
      warnings: arrayOf(isStr),
    }),
  ),
  items: arrayOf(isInspectorItem),
  omitted: isCount,
});

const isRevision = isCount;

/**
 * Validates a message received by a page from the host (the `data` of a `message` event).
 * @returns the typed message, or `undefined` for anything else (unknown type, wrong shape). Never throws.
 */
export function parseToWebview(raw: unknown): ToWebviewMessage | undefined {
  if (!isObj(raw)) return undefined;
  const data = {
    type: own(raw, 'type'),
    revision: own(raw, 'revision'),
    model: own(raw, 'model'),
    gone: own(raw, 'gone'),
    action: own(raw, 'action'),
    ok: own(raw, 'ok'),
    message: own(raw, 'message'),
  };
  switch (data.type) {
    case MessageType.ShowDiff:
      return isRevision(data.revision) && isDiffViewModel(data.model)
        ? { type: MessageType.ShowDiff, revision: data.revision, model: data.model }
        : undefined;
    case MessageType.ServerGone:
      return isRevision(data.revision) && isServerGoneView(data.gone)
        ? { type: MessageType.ServerGone, revision: data.revision, gone: data.gone }
        : undefined;
    case MessageType.ShowInspector:
      return isInspectorViewModel(data.model) ? { type: MessageType.ShowInspector, model: data.model } : undefined;
    case MessageType.ActionResult:
      return oneOf('approve', 'block')(data.action) && isBool(data.ok) && isStr(data.message)
        ? { type: MessageType.ActionResult, action: data.action, ok: data.ok, message: data.message }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Validates a message received by the host from a page (`Webview.onDidReceiveMessage`). The page is
 * untrusted: only the exact shapes of {@link FromWebviewMessage} pass, rebuilt from their known members.
 * @returns the typed message, or `undefined` for anything else. Never throws.
 */
export function parseFromWebview(raw: unknown): FromWebviewMessage | undefined {
  if (!isObj(raw)) return undefined;
  const data = { type: own(raw, 'type'), view: own(raw, 'view'), revision: own(raw, 'revision') };
  switch (data.type) {
    case MessageType.Ready:
      return oneOf<ViewKind>('diff', 'inspector')(data.view) ? { type: MessageType.Ready, view: data.view } : undefined;
    case MessageType.Approve:
      return isRevision(data.revision) ? { type: MessageType.Approve, revision: data.revision } : undefined;
    case MessageType.Block:
      return isRevision(data.revision) ? { type: MessageType.Block, revision: data.revision } : undefined;
    default:
      return undefined;
  }
}
