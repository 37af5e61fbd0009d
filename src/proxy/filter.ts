/**
 * Run-time metadata filter of the guard proxy: every tool, prompt, resource and resource template a
 * server lists is compared with its pin in the trust store record (`MetadataPins`, hashed by the core's
 * `diffMetadata`: SHA-256 of RFC 8785 canonical JSON); an item that is new or differs is withheld from the host,
 * and calls to withheld items are refused.
 */
import { canonicalHash } from '../core/fingerprint/canonical';
import { diffMetadata, type MetadataPins } from '../core/pins';
import { emptyProbeResult, type ListKind } from '../core/probe/types';
import type { PendingItem, PendingItemKind } from '../core/trust/pending';

/** The list methods the proxy rewrites (MCP spec 2025-06-18, "Server Features"), and their result keys. */
export const LIST_METHODS: Readonly<Record<string, ListKind>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

/** The item kind of each list. */
export const ITEM_KIND: Readonly<Record<ListKind, PendingItemKind>> = {
  tools: 'tool',
  prompts: 'prompt',
  resources: 'resource',
  resourceTemplates: 'resourceTemplate',
};

const KEY_FIELD: Readonly<Record<ListKind, string>> = { tools: 'name', prompts: 'name', resources: 'uri', resourceTemplates: 'uriTemplate' };

/** Result of filtering one page of a list. */
export interface FilteredPage {
  /** Items passed to the host, in the server's order. */
  kept: unknown[];
  /** Their positions in the page. */
  keptIndexes: number[];
  /** Items withheld, as seen. */
  withheld: PendingItem[];
}


function rawKey(kind: ListKind, item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const v = (item as Record<string, unknown>)[KEY_FIELD[kind]];
  return typeof v === 'string' ? v : undefined;
}

function safeHash(item: unknown): string | undefined {
  try {
    return canonicalHash(item);
  } catch {
    return undefined;
  }
}

/**
 * Keeps the pins of one server and what this session has seen. `pins` of `undefined` means the launch spec was
 * approved without pinned metadata: every item is withheld (secure default). Not thread-safe; used from one
 * event loop.
 */
export class MetadataFilter {
  /** Per list, the state of each raw key (name/uri/uriTemplate) as last listed: true = passed, false = withheld. */
  private readonly seen: Record<ListKind, Map<string, boolean>> = {
    tools: new Map(),
    prompts: new Map(),
    resources: new Map(),
    resourceTemplates: new Map(),
  };
  /** True once the record was revoked (denied, forgotten, or its fingerprint moved): everything is withheld. */
  revoked = false;

  constructor(public pins: MetadataPins | undefined) {}

  /** Forgets what was listed this session (after the pins changed, calls are checked against the pins until the next list). */
  forget(): void {
    for (const m of Object.values(this.seen)) m.clear();
  }

  /** Whether the record has pinned metadata at all. */
  get hasPins(): boolean {
    return this.pins !== undefined && !this.revoked;
  }

  /**
   * Filters one page of a list result. `firstPage` (a request without a cursor) starts the list afresh.
   * Never throws: an item that cannot be hashed is withheld.
   */
  filterPage(kind: ListKind, items: readonly unknown[], firstPage: boolean): FilteredPage {
    const seen = this.seen[kind];
    if (firstPage) seen.clear();
    const out: FilteredPage = { kept: [], keptIndexes: [], withheld: [] };
    let states: ('pinned' | 'new' | 'changed')[];
    let keys: string[];
    if (!this.pins || this.revoked) {
      states = items.map(() => 'new');
      keys = items.map((it, i) => rawKey(kind, it) ?? `(${ITEM_KIND[kind]} #${i + 1})`);
    } else {
      const probe = emptyProbeResult();
      probe[kind] = [...items];
      const diff = diffMetadata(this.pins, probe).items.filter((d) => d.kind === ITEM_KIND[kind] && d.state !== 'removed');
      states = diff.map((d) => d.state as 'pinned' | 'new' | 'changed');
      keys = diff.map((d) => d.key);
    }
    items.forEach((item, i) => {
      const state = states[i] ?? 'new';
      const rk = rawKey(kind, item);
      if (state === 'pinned') {
        out.kept.push(item);
        out.keptIndexes.push(i);
        if (rk !== undefined && !seen.has(rk)) seen.set(rk, true);
      } else {
        const sha = safeHash(item);
        out.withheld.push({ kind: ITEM_KIND[kind], key: keys[i] ?? rk ?? `#${i + 1}`, state, item, ...(sha ? { sha256: sha } : {}) });
        if (rk !== undefined) seen.set(rk, false);
      }
    });
    return out;
  }

  /**
   * Checks server instructions (from `initialize` or `server/discover`) against their pin.
   * @returns undefined when they are pinned as they are, else the pending item to withhold and report.
   */
  checkInstructions(text: string): PendingItem | undefined {
    const sha = safeHash(text);
    const pinned = this.hasPins ? this.pins?.instructions?.sha256 : undefined;
    if (pinned !== undefined && pinned === sha) return undefined;
    const state = this.hasPins && this.pins?.instructions === undefined ? 'new' : 'changed';
    return { kind: 'instructions', key: 'instructions', state: this.hasPins ? state : 'new', item: text, ...(sha ? { sha256: sha } : {}) };
  }

  /**
   * Whether the host may use the item `key` of `kind` (a `tools/call` name, `prompts/get` name, `resources/read`
   * uri). As last listed when it was listed this session; otherwise allowed only when a pin exists under that
   * key. A `resources/read` of a URI that is not a listed or pinned resource (e.g. one made from a template) is
   * allowed unless the record has no pins.
   * @returns undefined when allowed, else the reason.
   */
  check(kind: 'tools' | 'prompts' | 'resources', key: string): string | undefined {
    const what = kind === 'tools' ? 'tool' : kind === 'prompts' ? 'prompt' : 'resource';
    if (this.revoked) return `the server's approval was withdrawn or its launch spec changed; every ${what} is withheld`;
    if (!this.pins) return `no ${what}s of this server were pinned yet (it was approved without a probe); every ${what} is withheld until you approve it`;
    const s = this.seen[kind].get(key);
    if (s === false) return `the ${what} "${key}" is new or changed since it was approved, and is withheld pending review`;
    if (s === true) return undefined;
    const rec = (this.pins as unknown as Record<string, unknown>)[kind];
    if (rec && typeof rec === 'object' && Object.prototype.hasOwnProperty.call(rec, key)) return undefined;
    if (kind === 'resources') return undefined;
    return `the ${what} "${key}" was never approved for this server`;
  }
}
