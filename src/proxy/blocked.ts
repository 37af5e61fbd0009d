/**
 * The blocked stand-in server: when the launch gate refuses, the proxy spawns nothing and answers as a
 * minimal MCP server (MCP spec 2025-06-18: "Lifecycle" `initialize`, "Server Features › Tools") whose only tool
 * tells the host, and the model, plainly which server is blocked and why.
 */

/** Name of the single tool the blocked stand-in lists. */
export const BLOCKED_TOOL_NAME = 'mcp_trust_guard_blocked';

/** Protocol versions the stand-in answers with (the requested one when listed, else the first). */
export const SUPPORTED_PROTOCOL_VERSIONS = ['2025-06-18', '2025-03-26', '2024-11-05'];

/** JSON-RPC 2.0 error codes used by the proxy. */
export const RpcError = {
  MethodNotFound: -32601,
  InvalidRequest: -32600,
  /** Implementation-defined server error: a request refused by the guard. */
  Blocked: -32001,
} as const;

type Id = string | number | null;

/** A JSON-RPC message as parsed; only the members the proxy looks at are typed. */
export interface RpcMessage {
  jsonrpc?: unknown;
  id?: Id;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/**
 * Answers one message of the host as the blocked stand-in: `initialize` (serverInfo `mcp-trust-guard`,
 * instructions saying the server is blocked pending review), `ping`, `tools/list` (one tool, see
 * {@link BLOCKED_TOOL_NAME}), `tools/call` (a result with `isError` and the reason), empty `prompts/list` /
 * `resources/list` / `resources/templates/list`; any other request gets "method not found"; notifications get
 * nothing.
 *
 * @param serverName the blocked server's name (from the config), shown in texts.
 * @param reason why it is blocked, one or a few sentences.
 * @returns the response to write, or undefined for notifications and responses.
 */
export function blockedAnswer(msg: RpcMessage, serverName: string, reason: string, version: string): object | undefined {
  if (typeof msg.method !== 'string' || msg.id === undefined) return undefined;
  const id = msg.id;
  const text =
    `MCP Trust Guard blocked the MCP server "${serverName}": ${reason}. ` +
    `Nothing was started. Review it in MCP Trust Guard (VS Code) or with "mcp-trust-guard review", then restart the server.`;
  const ok = (result: unknown) => ({ jsonrpc: '2.0', id, result });
  switch (msg.method) {
    case 'initialize': {
      const p = msg.params as { protocolVersion?: unknown } | undefined;
      const asked = typeof p?.protocolVersion === 'string' ? p.protocolVersion : '';
      return ok({
        protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : SUPPORTED_PROTOCOL_VERSIONS[0],
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'mcp-trust-guard', version },
        instructions: `The MCP server "${serverName}" is blocked pending review by MCP Trust Guard: ${reason}. Tell the user; do not try to work around it.`,
      });
    }
    case 'ping':
      return ok({});
    case 'tools/list':
      return ok({
        tools: [
          {
            name: BLOCKED_TOOL_NAME,
            title: `Blocked: ${serverName}`,
            description: text,
            inputSchema: { type: 'object', properties: {} },
            annotations: { readOnlyHint: true, openWorldHint: false },
          },
        ],
      });
    case 'tools/call':
      return ok({ content: [{ type: 'text', text }], isError: true });
    case 'prompts/list':
      return ok({ prompts: [] });
    case 'resources/list':
      return ok({ resources: [] });
    case 'resources/templates/list':
      return ok({ resourceTemplates: [] });
    default:
      return { jsonrpc: '2.0', id, error: { code: RpcError.MethodNotFound, message: `${msg.method} is not available: ${text}` } };
  }
}
