import type { Logger } from '../core/ports';

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A {@link Logger} that writes `[mcp-trust-guard] <level>: <message>` lines to stderr (the host shows a stdio
 * server's stderr in its log). The proxy never writes logs to stdout: stdout is the JSON-RPC channel. Control
 * characters in messages are escaped, so attacker-written text cannot forge log lines or drive a terminal.
 *
 * @param level lowest level written (default `info`; `$MCP_TRUST_GUARD_LOG` overrides in the CLI).
 */
export function stderrLogger(level: LogLevel = 'info', write: (s: string) => void = (s) => void process.stderr.write(s)): Logger {
  const min = ORDER[level] ?? 1;
  const line = (l: LogLevel, m: string): void => {
    if (ORDER[l] < min) return;
    // eslint-disable-next-line no-control-regex
    const safe = m.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\n/g, '\\n');
    write(`[mcp-trust-guard] ${l}: ${safe}\n`);
  };
  return {
    debug: (m) => line('debug', m),
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}
