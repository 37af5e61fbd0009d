/**
 * Static checks of launch specs: the list of rules, the per-spec entry point,
 * and the cross-config check. Each rule lives in its own file of this folder.
 */
import type { Finding, ServerSpec } from '../../types';
import type { LaunchRule } from '../rule';
import { confusableNameRule } from './confusable-name';
import { checkDuplicateServerNames } from './duplicate-server-name';
import { envInjection } from './env-injection';
import { hostEnv } from './host-env';
import { inlineSecret } from './inline-secret';
import { invisibleUnicode } from './invisible-unicode';
import { checkLookAlikeServerNames } from './lookalike-server-name';
import { pipeToShell } from './pipe-to-shell';
import { plainHttp } from './plain-http';
import { remoteServer } from './remote-server';
import { shellInlineScript } from './shell-inline-script';
import { trustBypass } from './trust-bypass';
import { unpinnedImage } from './unpinned-image';
import { unpinnedPackage } from './unpinned-package';

export { DUPLICATE_SERVER_NAME } from './duplicate-server-name';

/** Every launch-spec rule, in the order their findings are reported. */
export const launchRules: readonly LaunchRule[] = [
  shellInlineScript,
  pipeToShell,
  unpinnedPackage,
  unpinnedImage,
  envInjection,
  hostEnv,
  plainHttp,
  inlineSecret,
  invisibleUnicode,
  confusableNameRule,
  trustBypass,
  remoteServer,
];

/**
 * Runs every rule of {@link launchRules} on one launch spec.
 *
 * @param spec a normalized server entry (any field may hold hostile data).
 * @returns findings with RFC 6901 pointers into the server entry. Never throws: a rule that fails on
 *   unexpected input yields an `internal-error` finding (info) instead of an exception.
 */
export function checkLaunchSpec(spec: ServerSpec): Finding[] {
  const out: Finding[] = [];
  for (const rule of launchRules) {
    try {
      const found = rule.check(spec);
      for (const f of found) out.push(f);
    } catch (err) {
      out.push({ ruleId: 'internal-error', severity: 'info', message: `check ${rule.id} failed: ${err instanceof Error ? err.message : String(err)}`, pointer: '' });
    }
  }
  return out;
}

/**
 * Checks that look across config files: the same server name in several config files
 * (`duplicate-server-name`, info or medium; see {@link checkDuplicateServerNames}), and a server name that
 * imitates another's by look-alike characters (`confusable-name`, high; see {@link checkLookAlikeServerNames}).
 *
 * @param specs every server of a scan.
 * @returns findings per spec, only for specs that have some. Never throws.
 */
export function checkAcrossConfigs(specs: readonly ServerSpec[]): Map<ServerSpec, Finding[]> {
  const out = checkDuplicateServerNames(specs);
  for (const [s, fs] of checkLookAlikeServerNames(specs)) out.set(s, [...(out.get(s) ?? []), ...fs]);
  return out;
}
