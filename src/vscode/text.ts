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
import { fileChangeParts } from '../core/scan/evaluate';

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

/**
 * The field a JSON Pointer of a launch spec names, in the user's words (dialogs, tooltips, Problems; the diff
 * panel keeps the pointers): `/command` → `command`, `/args/2` → `argument 3`, `/env/TOKEN` → `env TOKEN`,
 * `/headers/X` → `header X`, `/$files/src~1s.js` → `the file src/s.js it runs`, a manifest key → `the file
 * package.json it runs, key "scripts"`, `/a/b` → `a.b`. Safe and cut.
 */
export function fieldName(pointer: string): string {
  if (pointer === '') return 'the whole entry';
  const file = fileChangeParts(pointer);
  if (file) return `the file ${safeText(file.file, 80)} it runs${file.key !== undefined ? `, key ${safeText(JSON.stringify(file.key), 60)}` : ''}`;
  const t = pointer.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (t[0] === 'args' && t.length === 2 && /^\d+$/.test(t[1]!)) return `argument ${Number(t[1]) + 1}`;
  if ((t[0] === 'env' || t[0] === 'headers') && t.length === 2) return `${t[0] === 'env' ? 'env' : 'header'} ${safeText(t[1]!, 60)}`;
  return safeText(t.join('.'), 80);
}

/**
 * One change in the user's words: `command: "echo" → "cmd.exe"`, `argument 2: added "--x"`, `the file
 * server.js it runs changed`. Pass changes through {@link shownChanges} first (secrets masked).
 */
export function changeLine(c: Change, max = 80): string {
  const p = fieldName(c.pointer);
  if (c.pointer.startsWith('/$files/')) {
    // referenced files: the values are content hashes, null = missing
    if (c.before === null || c.before === undefined) return `${p} appeared`;
    if (c.after === null || c.after === undefined) return `${p} is missing`;
    return `${p} changed`;
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
