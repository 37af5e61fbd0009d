// ESLint flat config. The layering rules are enforced here:
// only src/vscode may import `vscode`; only src/core/probe may import the MCP SDK.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only src/core/hosts knows host names: the ids are read from the one list (src/core/hosts/ids.ts), and a string
// literal equal to one of them anywhere else in src is an error (import sources excepted: `vscode` is also the
// module name).
const hostIds = [...readFileSync(new URL('./src/core/hosts/ids.ts', import.meta.url), 'utf8').match(/HOST_IDS = \[([^\]]*)\]/)[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
const hostLiteral = new RegExp(`^(${hostIds.map((h) => h.replace(/[-]/g, '\\$&')).join('|')})$`).toString();
const noHostNames = [
  'error',
  { selector: `Literal[value=${hostLiteral}]:not(ImportDeclaration > Literal):not(ImportExpression > Literal)`, message: 'Host names live in src/core/hosts: ask an adapter instead.' },
  { selector: `TSLiteralType > Literal[value=${hostLiteral}]`, message: 'Host names live in src/core/hosts: ask an adapter instead.' },
];

// src/core imports no entry point (cli, proxy, vscode, webview): they wire ports into core, never the reverse.
const noEntryPoints = { regex: '^(\\.\\./)+(cli|proxy|vscode|webview)(/|$)', message: 'src/core imports no entry point (cli, proxy, vscode, webview).' };

const noVscode = {
  paths: [{ name: 'vscode', message: 'Only src/vscode may import vscode: src/core, the CLI and the proxy run without an editor.' }],
  patterns: [
    {
      group: ['@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*', '@modelcontextprotocol/core', '@modelcontextprotocol/core/*', '@modelcontextprotocol/client', '@modelcontextprotocol/client/*', '@modelcontextprotocol/server', '@modelcontextprotocol/server/*'],
      message: 'Only src/core/probe imports the MCP SDK.',
    },
  ],
};
const coreImports = { paths: noVscode.paths, patterns: [...noVscode.patterns, noEntryPoints] };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'out/**', '*.vsix', 'media/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/proxy/**/*.ts', 'src/webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/probe/**'],
    rules: { 'no-restricted-imports': ['error', coreImports] },
  },
  {
    files: ['src/core/probe/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: noVscode.paths, patterns: [noEntryPoints] }] },
  },
  {
    files: ['src/**/*.ts'],
    // Only the adapters know host names; the veto levers and the policy sources read theirs from them.
    ignores: ['src/core/hosts/**'],
    rules: { 'no-restricted-syntax': noHostNames },
  },
  {
    // The proxy's stdout is the JSON-RPC channel, and core has no console: log through the Logger port.
    files: ['src/core/**/*.ts', 'src/proxy/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: noVscode.patterns }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Test extensions are CommonJS, as the extension host loads them without a build.
    files: ['test/fixtures/extensions/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
