/** Helpers of the webview tests: real server reports from real config files in a temp workspace. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scanConfigs } from '../../../src/core/scan/scan';
import type { ServerReport } from '../../../src/core/scan/evaluate';
import { buildRecord } from '../../../src/core/trust/decisions';
import { recordKey } from '../../../src/core/trust/store';
import type { TrustStoreData } from '../../../src/core/trust/types';

/** A temp workspace with a `.cursor/mcp.json`, a temp home, and an in-memory trust store. */
export class Workspace {
  readonly root = realpathSync(mkdtempSync(join(tmpdir(), 'mtg-webview-')));
  readonly ws = join(this.root, 'ws');
  readonly home = join(this.root, 'home');
  readonly store: TrustStoreData = { version: 1, records: {} };

  constructor() {
    mkdirSync(this.ws, { recursive: true });
    mkdirSync(this.home, { recursive: true });
  }

  /** Writes `.cursor/mcp.json` with these servers (as the `mcpServers` object). */
  writeCursor(servers: Record<string, unknown>): string {
    const file = join(this.ws, '.cursor', 'mcp.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ mcpServers: servers }, null, 2));
    return file;
  }

  /** Scans the workspace (no user-level files) and returns the report of server `name`. */
  async report(name: string): Promise<ServerReport> {
    const scan = await scanConfigs({ workspaceFolders: [this.ws], home: this.home, includeUser: false, platform: 'linux', env: {} }, this.store);
    const r = scan.servers.find((s) => s.spec.name === name);
    if (!r) throw new Error(`no server ${name} in the scan`);
    return r;
  }

  /** Records a decision on the report's current spec, with optional tool pins. */
  decide(report: ServerReport, decision: 'approved' | 'denied', metadata?: unknown): void {
    this.store.records[recordKey(report.spec.configFile, report.spec.pointer)] = buildRecord(
      report,
      decision,
      new Date('2025-07-01T12:00:00Z'),
      metadata,
    );
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every string anywhere in a JSON value. */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) allStrings(x, out);
  return out;
}
