// ESLint flat config. The layering rule of ../shared/STYLE.md is enforced here:
// only src/vscode may import `vscode`; only src/core/probe may import the MCP SDK.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [{ name: 'vscode', message: 'Only src/vscode may import vscode (see shared/STYLE.md).' }],
  patterns: [
    { group: ['@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'], message: 'Only src/core/probe imports the MCP SDK.' },
  ],
};

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
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/proxy/**/*.ts', 'src/webview/**/*.ts'],
    ignores: ['src/core/probe/**'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['src/core/probe/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: noVscode.paths }] },
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
);
