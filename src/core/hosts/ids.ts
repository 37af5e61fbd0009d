/**
 * The ids of every MCP host the guard reads, in the order their configs are listed. Adding a host is adding its
 * id here, its adapter file next to this one, and the adapter to the registry (`./index.ts`).
 */
export const HOST_IDS = [
  'vscode',
  'cursor',
  'claude-code',
  'windsurf',
  'claude-desktop',
  'gemini-cli',
  'cline',
  'codex',
  'copilot-cli',
  'kilo',
  'opencode',
  'continue',
  'roo',
  'kiro',
  'amazon-q',
  'zed',
  'junie',
  'trae',
  'goose',
  'antigravity',
] as const;

/** An MCP host: the application that reads a config file and launches the servers in it. */
export type HostId = (typeof HOST_IDS)[number];
