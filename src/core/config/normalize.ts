import { escapePointerToken } from '../checks/pointer';
import { transportOfType, type HostAdapter } from '../hosts';
import type { Finding, ServerSpec, Transport } from '../types';
import { describeValue, hasOwn, isObject, setOwn } from './values';

/** The typed members of a {@link ServerSpec} read from its entry. */
export type SpecFields = Pick<ServerSpec, 'transport' | 'command' | 'args' | 'env' | 'envFile' | 'cwd' | 'url' | 'headers'>;

/**
 * The typed view of one server entry as `host` reads it (its adapter's `fields`: which members hold the command,
 * args, environment, URL, headers and transport; argv commands; the host's `type` spellings; env coercions), with
 * a medium `malformed-entry` finding pushed to `findings` for each member of the wrong shape. The entry itself is
 * pinned as written, whatever this view makes of it. Pure; never throws.
 *
 * @param name the server's name, for messages.
 * @param raw the entry as parsed.
 * @param pointer RFC 6901 pointer of the entry in its file (findings point below it).
 */
export function normalizeEntry(host: HostAdapter, name: string, raw: unknown, pointer: string, findings: Finding[]): SpecFields {
  const bad = (message: string, at = '') => findings.push({ ruleId: 'malformed-entry', severity: 'medium', message: `server "${name}": ${message}`, pointer: pointer + at });
  if (!isObject(raw)) {
    bad(`the entry is ${describeValue(raw)}, not an object`);
    return { transport: 'stdio' };
  }
  const f = host.fields;
  const has = (k: string) => hasOwn(raw, k);
  const at = (k: string) => `/${escapePointerToken(k)}`;
  const first = (keys: readonly string[] | undefined) => keys?.find(has);
  const spec: SpecFields = { transport: 'stdio' };

  let transport: Transport | undefined;
  const typeKey = first(f.type);
  if (typeKey !== undefined) {
    const t = raw[typeKey];
    if (typeof t !== 'string') bad(`"${typeKey}" is ${describeValue(t)}, not a string`, at(typeKey));
    else if (!(transport = transportOfType(t, f.typeValues)) && !(f.managed?.field === typeKey && f.managed.values.includes(t))) bad(`unknown transport type "${t}" (expected stdio, http or sse)`, at(typeKey));
  }

  let leadingArgs: string[] = [];
  const commandKey = first(f.command);
  if (commandKey !== undefined) {
    const v = raw[commandKey];
    if (typeof v === 'string') spec.command = v;
    else if (f.commandArgv && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) {
      spec.command = v[0] as string;
      leadingArgs = v.slice(1) as string[];
    } else bad(`"${commandKey}" is ${describeValue(v)}, not a string${f.commandArgv ? ' or an array of strings' : ''}`, at(commandKey));
  }
  for (const key of f.url) {
    if (!has(key)) continue;
    const v = raw[key];
    if (typeof v !== 'string') bad(`"${key}" is ${describeValue(v)}, not a string`, at(key));
    else spec.url ??= v;
  }

  const argsKey = first(f.args);
  if (argsKey !== undefined) {
    const a = raw[argsKey];
    if (!Array.isArray(a)) bad(`"${argsKey}" is ${describeValue(a)}, not an array of strings`, at(argsKey));
    else {
      const i = a.findIndex((x) => typeof x !== 'string');
      if (i < 0) spec.args = [...leadingArgs, ...(a as string[])];
      else bad(`${argsKey}[${i}] is ${describeValue(a[i])}, not a string`, `${at(argsKey)}/${i}`);
    }
  }
  if (leadingArgs.length && !spec.args) spec.args = leadingArgs;

  for (const [target, keys] of [['env', f.env], ['headers', f.headers]] as const) {
    const key = first(keys);
    if (key === undefined) continue;
    const v = raw[key];
    if (!isObject(v)) {
      bad(`"${key}" is ${describeValue(v)}, not an object of strings`, at(key));
      continue;
    }
    const map: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') setOwn(map, k, x);
      // VS Code documents numbers and null (unset) as env values; other hosts take strings only.
      else if (!(target === 'env' && host.envValueCoercion === 'numbers-and-null' && (x === null || typeof x === 'number'))) {
        bad(`${key}["${k}"] is ${describeValue(x)}, not a string`, `${at(key)}/${escapePointerToken(k)}`);
      }
    }
    spec[target] = map;
  }
  for (const [target, keys] of [['envFile', f.envFile], ['cwd', f.cwd]] as const) {
    const key = first(keys);
    if (key === undefined) continue;
    const v = raw[key];
    if (typeof v === 'string') spec[target] = v;
    else bad(`"${key}" is ${describeValue(v)}, not a string`, at(key));
  }

  if (!transport) {
    for (const [key, t] of host.implicitTransport) {
      const v = raw[key];
      if (has(key) && ((typeof v === 'string' && v !== '') || (f.commandArgv && Array.isArray(v) && v.length > 0))) {
        transport = t;
        break;
      }
    }
  }
  const managed = f.managed && has(f.managed.field) && f.managed.values.includes(String(raw[f.managed.field]));
  if (!transport) {
    if (typeKey === undefined && !managed) bad(`the entry has no "type", "command" or URL; ${host.displayName} cannot launch it`);
    transport = 'stdio';
  }
  spec.transport = transport;
  return spec;
}
