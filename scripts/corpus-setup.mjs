#!/usr/bin/env node
// Installs the real-server corpus (test/fixtures/corpus/servers.json) at exact versions from the npm registry,
// each package in its own folder under .corpus/ (git-ignored), with install scripts off (no browser or binary
// download). Tests never run this: they read the committed fixtures that scripts/corpus-probe.ts writes.
// Usage: node scripts/corpus-setup.mjs [id...]   (default: every server; already installed ones are kept)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'test/fixtures/corpus/servers.json'), 'utf8'));
const want = new Set(process.argv.slice(2));
const servers = manifest.servers.filter((s) => want.size === 0 || want.has(s.id));
const dir = join(root, '.corpus');
mkdirSync(dir, { recursive: true });

function install(s) {
  const target = join(dir, s.id);
  const marker = join(target, 'node_modules', ...s.package.split('/'), 'package.json');
  if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).version === s.version) return Promise.resolve(`${s.id}: already installed`);
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'package.json'), JSON.stringify({ name: `corpus-${s.id.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}`, private: true }) + '\n');
  return new Promise((done) => {
    const p = spawn('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', `${s.package}@${s.version}`], { cwd: target, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => done(code === 0 ? `${s.id}: installed ${s.version}` : `${s.id}: FAILED (${code}) ${err.split('\n').slice(-4).join(' ')}`));
  });
}

const queue = [...servers];
const workers = Array.from({ length: 3 }, async () => {
  for (let s = queue.shift(); s; s = queue.shift()) console.log(await install(s));
});
await Promise.all(workers);
