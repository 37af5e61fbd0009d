/**
 * Display helpers: everything shown from a config file or a server is attacker-written, so it is shown as
 * text, with invisible characters revealed (`⟦U+200B⟧`, see `revealInvisible`), control characters escaped,
 * and lengths cut.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { hostDisplayName } from '../core/hosts';
import { revealInvisible } from '../core/checks/text';
import { redactArgs, redactChanges, redactText, redactUrl } from '../core/redact';
import type { ServerReport } from '../core/scan';
import type { Change, ServerSpec } from '../core/types';

/**
 * `text` made safe to show in one line: invisible characters revealed, C0/C1 controls (newlines too) shown as
 * `\xNN`, cut to `max` characters with `…`.
 */
export function safeText(text: string, max = 120): string {
  const cut = text.length > max * 4 ? text.slice(0, max * 4) : text;
  // eslint-disable-next-line no-control-regex
  const shown = revealInvisible(cut).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > max ? shown.slice(0, max - 1) + '…' : shown;
}

/** A JSON value for a message: `JSON.stringify` (strings quoted), made safe and cut. `undefined` → `(none)`. */
export function safeValue(value: unknown, max = 80): string {
  if (value === undefined) return '(none)';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return safeText(s, max);
}

/**
 * The launch of a server in one line: `command arg…` for stdio, the URL for remote servers. Secrets masked
 * (`redactArgs`/`redactUrl` of core/redact: `--access-token …(5 chars)`), safe and cut.
 */
export function launchLine(spec: ServerSpec, max = 120): string {
  if (spec.transport !== 'stdio') return safeText(spec.url === undefined ? '(no url)' : redactUrl(String(spec.url)), max);
  const q = (s: string) => (/^[\w@%+=:,./~-]+$/.test(s) ? s : JSON.stringify(s));
  return safeText([redactText(spec.command ?? '(no command)'), ...redactArgs(spec.args ?? [])].map((a) => q(String(a))).join(' '), max);
}

/**
 * The changes of a server's launch spec as they may be shown: values read from the redacted approved and
 * current entries (`redactChanges` of core/redact), so a changed token is never put on screen.
 */
export function shownChanges(report: Pick<ServerReport, 'changes' | 'record' | 'spec'>): Change[] {
  return redactChanges(report.changes, report.record?.spec, report.spec.raw);
}

/**
 * Text for a notification, a modal or a quick pick, where VS Code renders `$(icon)` codicons and
 * `[label](command:…)` links: {@link safeText} (secrets are masked by the callers), with `$(` shown as `$\(`
 * no more an icon and `](` broken into `] (` no more a link, so a server name cannot draw an icon or a button.
 */
export function uiText(text: string, max = 120): string {
  return safeText(text, max).replace(/\$\(/g, '$\u200a(').replace(/\]\(/g, '] (');
}

/** One change as `pointer: before → after` (pointers of RFC 6901; values JSON-quoted and cut). */
export function changeLine(c: Change, max = 80): string {
  const p = safeText(c.pointer || '/', 60);
  if (c.pointer.startsWith('/$files/')) {
    // referenced files: the values are content hashes, null = missing
    const h = (v: unknown) => (v === null ? 'missing' : typeof v === 'string' ? `sha256 ${v.slice(0, 12)}…` : 'none');
    return `${p}: ${h(c.before)} → ${h(c.after)}`;
  }
  if (c.before === undefined) return `${p}: added ${safeValue(c.after, max)}`;
  if (c.after === undefined) return `${p}: removed (was ${safeValue(c.before, max)})`;
  return `${p}: ${safeValue(c.before, max)} → ${safeValue(c.after, max)}`;
}

/** The host's product name (`Cursor`, `VS Code`, …). */
export function hostName(host: ServerSpec['host']): string {
  return hostDisplayName(host);
}

/**
 * A config file path for display: relative to its workspace folder (prefixed with the folder's name when
 * there are several folders), `~/…` under the home directory, else absolute.
 */
export function displayPath(file: string, workspaceFolder: string | undefined, multiRoot: boolean): string {
  if (workspaceFolder && (file === workspaceFolder || file.startsWith(workspaceFolder + path.sep))) {
    const rel = path.relative(workspaceFolder, file);
    return multiRoot ? `${path.basename(workspaceFolder)}/${rel}` : rel;
  }
  const home = os.homedir();
  if (file.startsWith(home + path.sep)) return `~${path.sep}${path.relative(home, file)}`;
  return file;
}
