/**
 * Rule `unpinned-package`: a package runner (`npx`, `bunx`, `pnpm dlx`, `pnpx`, `yarn dlx`, `npm exec`, `uvx`,
 * `uv tool run`, `pipx run`) fetches a package with no exact version, or with `@latest`: whatever the registry
 * serves at the next launch runs, so the pinned launch spec no longer pins the code.
 * Pinned: `pkg@1.2.3`, `@scope/pkg@1.2.3` (npm, exact semver), `pkg==1.2.3` / `pkg@1.2.3` (uv/pipx),
 * a git URL ending in a full commit hash, local paths.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { snippet } from '../text';
import { argv, type ArgToken } from './argv';

type Ecosystem = 'npm' | 'python';

/** npm/npx options that take a value; `-p`/`--package` name the package(s) to fetch. */
const NPM_VALUE_OPTS = new Set(['-p', '--package', '-c', '--call', '--registry', '--cache', '--userconfig', '--prefix', '-w', '--workspace', '--node-options', '--shell', '--script-shell']);
const NPM_PACKAGE_OPTS = new Set(['-p', '--package']);
/** uv / pipx options that take a value; `--from`/`--spec`/`--with` name packages. */
const PY_VALUE_OPTS = new Set(['--from', '--with', '--with-editable', '--with-requirements', '--spec', '--python', '-p', '--index-url', '-i', '--index', '--extra-index-url', '--default-index', '--pip-args', '--constraints', '-c', '--overrides', '--directory', '--project', '--config-file', '--cache-dir']);
const PY_PACKAGE_OPTS = new Set(['--from', '--spec', '--with']);

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const FULL_COMMIT = /#[0-9a-f]{40}$|@[0-9a-f]{40}$/i;
const LOCAL = /^(?:\.{1,2}[\\/]|[\\/]|~[\\/]|[a-z]:[\\/]|file:)/i;

/** Why an npm package spec is not pinned, or `null` when it is. */
export function npmSpecProblem(spec: string): string | null {
  if (LOCAL.test(spec) || FULL_COMMIT.test(spec)) return null;
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|https?:)/i.test(spec)) return 'is fetched from a URL or branch, not a version';
  if (/^[^@/\s]+\/[^@/\s]+(?:#.*)?$/.test(spec)) return 'is a GitHub shorthand without a commit hash';
  const at = spec.indexOf('@', 1);
  if (at < 0) return 'has no version';
  const version = spec.slice(at + 1);
  if (version === '' || version === 'latest') return `uses "${version || '@'}" (latest)`;
  if (!EXACT_SEMVER.test(version)) return `uses "${version}", a range or tag, not an exact version`;
  return null;
}

/** Why a Python package spec (PEP 508 / uv) is not pinned, or `null` when it is. */
export function pythonSpecProblem(spec: string): string | null {
  if (LOCAL.test(spec) || FULL_COMMIT.test(spec)) return null;
  if (/^(?:git\+|https?:)/i.test(spec)) return 'is fetched from a URL or branch, not a version';
  const eq = /===?\s*([^\s,;]+)\s*$/.exec(spec);
  if (eq && !/[*]/.test(eq[1]!)) return null;
  const at = /^[A-Za-z0-9._\-[\],]+@(.+)$/.exec(spec);
  if (at) {
    if (at[1] === 'latest') return 'uses "@latest"';
    if (/^\d+(?:\.\d+)*(?:[a-z0-9.+-]*)$/i.test(at[1]!)) return null;
  }
  if (/[<>~!]=?|\^/.test(spec)) return 'uses a version range, not an exact version';
  return 'has no version';
}

interface Runner {
  eco: Ecosystem;
  /** Index of the first token after the runner (and its subcommand). */
  start: number;
  name: string;
}

function findRunner(tokens: readonly ArgToken[]): Runner | null {
  for (let i = 0; i < tokens.length && i < 8; i++) {
    const p = tokens[i]!.program;
    const next = tokens[i + 1]?.text;
    const nextNext = tokens[i + 2]?.text;
    if (p === 'npx' || p === 'bunx' || p === 'pnpx') return { eco: 'npm', start: i + 1, name: p };
    if ((p === 'pnpm' || p === 'yarn' || p === 'bun') && (next === 'dlx' || next === 'x')) return { eco: 'npm', start: i + 2, name: `${p} ${next}` };
    if (p === 'npm' && (next === 'exec' || next === 'x')) return { eco: 'npm', start: i + 2, name: `npm ${next}` };
    if (p === 'uvx') return { eco: 'python', start: i + 1, name: 'uvx' };
    if (p === 'uv' && next === 'tool' && (nextNext === 'run' || nextNext === 'install')) return { eco: 'python', start: i + 3, name: `uv tool ${nextNext}` };
    if (p === 'uv' && next === 'x') return { eco: 'python', start: i + 2, name: 'uv x' };
    if (p === 'pipx' && next === 'run') return { eco: 'python', start: i + 2, name: 'pipx run' };
  }
  return null;
}

/** See the file comment. Severity medium; pointer at the package spec. */
export const unpinnedPackage: LaunchRule = {
  id: 'unpinned-package',
  description: 'npx/bunx/pnpm dlx/uvx/pipx run fetches a package without an exact version, or @latest.',
  check(spec: ServerSpec): Finding[] {
    const tokens = argv(spec);
    const runner = findRunner(tokens);
    if (!runner) return [];
    const valueOpts = runner.eco === 'npm' ? NPM_VALUE_OPTS : PY_VALUE_OPTS;
    const packageOpts = runner.eco === 'npm' ? NPM_PACKAGE_OPTS : PY_PACKAGE_OPTS;
    const problem = runner.eco === 'npm' ? npmSpecProblem : pythonSpecProblem;
    const packages: ArgToken[] = [];
    let explicit = false;
    let positional: ArgToken | null = null;
    for (let j = runner.start; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.text === '--') {
        if (!explicit) positional = tokens[j + 1] ?? null;
        break;
      }
      const eq = /^(--?[A-Za-z][\w-]*)=(.*)$/.exec(t.text);
      if (eq) {
        if (packageOpts.has(eq[1]!)) {
          packages.push({ text: eq[2]!, pointer: t.pointer, program: '' });
          if (eq[1] !== '--with') explicit = true;
        }
        continue;
      }
      if (t.text.startsWith('-')) {
        if (valueOpts.has(t.text)) {
          const v = tokens[j + 1];
          if (v && packageOpts.has(t.text)) {
            packages.push(v);
            if (t.text !== '--with') explicit = true;
          }
          j++;
        }
        continue;
      }
      positional = t;
      break;
    }
    if (!explicit && positional) packages.unshift(positional);
    const out: Finding[] = [];
    for (const p of packages) {
      // `--with a,b` lists several requirements.
      const specs = runner.eco === 'python' ? p.text.split(',').filter((s) => s.trim() !== '') : [p.text];
      for (const s of specs) {
        const why = problem(s.trim());
        if (why) {
          out.push(finding('unpinned-package', 'medium', `${runner.name} package ${snippet(s.trim(), 80)} ${why}: the code that runs can change at any launch`, p.pointer));
        }
      }
    }
    return out;
  },
};
