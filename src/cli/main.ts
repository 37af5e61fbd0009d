import { Command, CommanderError, Option } from 'commander';
import { approveAllCommand, decideCommand, forgetCommand } from './commands/decide';
import { diffCommand } from './commands/diff';
import { policyCheckCommand, policyExportCommand, policyShowCommand, type PolicyExportOptions } from './commands/policy';
import { reviewCommand } from './commands/review';
import { runCommand, type RunOptions } from './commands/run';
import { scanCommand } from './commands/scan';
import { vetoesCommand } from './commands/vetoes';
import { CliError, closeAudit, Exit, processIo, type GlobalOptions, type Io } from './context';

declare const __VERSION__: string | undefined;
/** This tool's version (injected by the bundler; "dev" when run from source). */
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

/**
 * Builds the `mcp-trust-guard` command line (commander). Each action stores its exit status in `result`.
 * Global options: `--store <file>`, `--json`, `--strict`, `--no-user`.
 */
export function buildProgram(io: Io, result: { code: Exit }): Command {
  const program = new Command('mcp-trust-guard')
    .description('Pin the launch spec and tool metadata of every MCP server your editors run; report every change.')
    .version(VERSION)
    .option('--store <file>', 'trust store file (default: $MCP_TRUST_GUARD_STORE, else the per-OS config dir)')
    .option('--json', 'machine-readable output')
    .option('--strict', 'any byte change of an entry counts as a change (Cursor >= 1.3 behaviour)')
    .option('--no-user', 'skip user-level config files (home directory)')
    .option('--policy <file>', 'CI mode: only this organization policy decides (no trust store, no user-level files)')
    .option('--probe-timeout <ms>', 'time limit of connect and of each list request when probing (default 10000)')
    .option('--client-name <name>', 'clientInfo.name presented when probing (default: as the host presents itself)')
    .option('--client-version <version>', 'clientInfo.version presented when probing')
    .option('--workspace <dir>', 'approve/deny/forget/diff: the workspace folder a user-level entry naming ${workspaceFolder} is resolved in')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('scan')
    .description('list every MCP server in the configs of the given folders (default: cwd) and the user, with its state')
    .argument('[dir...]', 'workspace folders')
    .option('--sarif', 'SARIF 2.1.0 output (GitHub code scanning)')
    .option('--probe', 'also launch each approved server and compare its tools, prompts and resources with their pins')
    .action(async (dirs: string[], _o, cmd: Command) => {
      result.code = await scanCommand(dirs, globals(cmd), io, VERSION);
    });

  program
    .command('vetoes')
    .description("show (and with --sync write) the hosts' own pre-launch vetoes for every new, changed or denied server: VS Code chat.mcp.deniedServers, Claude Code deniedMcpServers")
    .argument('[dir...]', 'workspace folders')
    .option('--sync', 'write the entries into the user settings (only the guard\'s own entries are added or removed)')
    .option('--strict-allow', "also keep VS Code's chat.mcp.allowedServers to exactly the approved launches")
    .option('--vscode-user-data-dir <dir>', "VS Code's user data folder (default: the per-OS Code folder)")
    .action(async (dirs: string[], _o, cmd: Command) => {
      result.code = await vetoesCommand(dirs, cmd.optsWithGlobals(), io);
    });

  program
    .command('approve')
    .description('approve a server as it is now (pins its launch spec and referenced files)')
    .argument('[configFile]', 'config file')
    .argument('[server]', 'server name (or JSON Pointer of the entry)')
    .addOption(new Option('--all [dir...]', 'approve every new or changed server of the folders (default: cwd)'))
    .option('--probe', 'then launch the approved server(s) and pin their tools, prompts and resources')
    .action(async (configFile: string | undefined, server: string | undefined, o: { all?: string[] | boolean }, cmd: Command) => {
      if (o.all) {
        const dirs = [...(Array.isArray(o.all) ? o.all : []), ...(configFile ? [configFile] : []), ...(server ? [server] : [])];
        result.code = await approveAllCommand(dirs, globals(cmd), io);
        return;
      }
      if (!configFile || !server) throw new CliError('approve needs <configFile> <server>, or --all [dir...]');
      result.code = await decideCommand('approved', configFile, server, globals(cmd), io);
    });

  program
    .command('deny')
    .description('deny a server: it stays reported as denied until approved or forgotten')
    .argument('<configFile>')
    .argument('<server>')
    .action(async (configFile: string, server: string, _o, cmd: Command) => {
      result.code = await decideCommand('denied', configFile, server, globals(cmd), io);
    });

  program
    .command('diff')
    .description('show what changed in a server since it was approved or denied')
    .argument('<configFile>')
    .argument('<server>')
    .option('--probe', 'also launch the server (only if its launch spec is approved) and diff its tool metadata')
    .action(async (configFile: string, server: string, _o, cmd: Command) => {
      result.code = await diffCommand(configFile, server, globals(cmd), io);
    });

  program
    .command('forget')
    .description('remove the decision about a server (it becomes new again)')
    .argument('<configFile>')
    .argument('<server>')
    .action(async (configFile: string, server: string, _o, cmd: Command) => {
      result.code = await forgetCommand(configFile, server, globals(cmd), io);
    });

  // Guard proxy: flags documented in src/cli/commands/run.ts; the server command follows `--`.
  program
    .command('run')
    .description('guard proxy: start the server after "--" only if its config entry is approved as is; filter unapproved tools')
    .argument('[command...]', 'the server command and its args, after "--"')
    .option('--config <file>', 'config file whose entry launches this proxy')
    .option('--name <server>', 'server name of that entry')
    .option('--url <url>', 'bridge to a remote server (streamable HTTP, SSE fallback) instead of a command')
    .option('--max-message-bytes <n>', 'cap of one JSON-RPC message (default 4 MiB)')
    .action(async (command: string[], o: RunOptions, cmd: Command) => {
      result.code = (await runCommand(command, o, globals(cmd), io, VERSION)) as Exit;
    });

  program
    .command('review')
    .description('show pending reviews recorded by guard proxies, items in full; "review show|approve|dismiss <id>"')
    .argument('[action]', 'show | approve | dismiss')
    .argument('[id]', 'review id (a unique prefix is enough)')
    .option('--page <n>', 'page of the listing (200 lines a page)', '1')
    .action(async (action: string | undefined, id: string | undefined, o: { page: string }, cmd: Command) => {
      result.code = await reviewCommand(action, id, globals(cmd), io, Number(o.page));
    });

  const policy = program.command('policy').description('organization policy: export the approvals as a policy, check a policy file, show what is in force');
  policy
    .command('export')
    .description('write the trust store\'s decisions (fingerprints and tool pins; no command lines or secrets) as a policy file')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--managed-only', 'set allowManagedMcpServersOnly: servers the policy does not list are blocked')
    .option('--require-guard', 'set requireGuard: every server must launch through the guard proxy')
    .action(async (_o, cmd: Command) => {
      result.code = await policyExportCommand(cmd.optsWithGlobals<PolicyExportOptions>(), io);
    });
  policy
    .command('check')
    .description('validate a policy file against the policy schema (exit 0 valid, 1 invalid, 2 unreadable)')
    .argument('<file>')
    .option('--kind <kind>', 'guard (default), claude-code or github-copilot (a host\'s managed-settings.json)')
    .action(async (file: string, _o, cmd: Command) => {
      result.code = await policyCheckCommand(file, cmd.optsWithGlobals(), io);
    });
  policy
    .command('show')
    .description('the policy in force on this machine and where it came from (exit 2 when a policy file is unusable)')
    .action(async (_o, cmd: Command) => {
      result.code = await policyShowCommand(globals(cmd), io);
    });

  return program;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit status:
 * 0 all approved and nothing high, 1 something new/changed/denied/high, 2 usage error, unreadable store or
 * unusable organization policy.
 */
export async function runCli(argv: string[], io: Io = processIo): Promise<Exit> {
  const result = { code: Exit.Ok };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    await closeAudit(io);
    return result.code;
  } catch (e) {
    await closeAudit(io);
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? Exit.Ok : Exit.Usage;
    }
    if (e instanceof CliError) {
      io.err(`mcp-trust-guard: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`mcp-trust-guard: ${(e as Error)?.stack ?? String(e)}\n`);
    return Exit.Usage;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mcp-trust-guard: ${String(e)}\n`);
      process.exitCode = Exit.Usage;
    },
  );
}
