#!/usr/bin/env bash
# Installs what the end-to-end tests need (code-server, Chromium, playwright-core), idempotently:
#   - Debian packages `chromium` (the browser playwright-core drives) and `libkrb5-dev` (a native module of
#     code-server builds against it), only when missing and only as root;
#   - into .vscode-test/cs (git-ignored): the npm package `node@24` and, with that Node first on PATH,
#     `code-server@4.139.1` (a real VS Code whose extension host runs in Node 24).
# The project itself keeps building and unit-testing on the machine's Node 20.
# Prints a line when each step starts and one with the seconds it took; quiet otherwise (full logs go to .vscode-test/setup.log).
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_PACKAGE=node@24

# Run from `npm test`, this script inherits the outer npm's npm_* variables; the inner npm would take them as its
# own config (code-server's postinstall reads the Node version from npm_config_user_agent, which names the outer
# Node 20). Start the inner installs from a clean npm environment.
while read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_' || true)
unset NODE

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CS_DIR="$ROOT/.vscode-test/cs"
LOG="$ROOT/.vscode-test/setup.log"
mkdir -p "$CS_DIR"
: >"$LOG"

# step <label> <command...>: runs the command with output to the log, prints "<label>: <s>s".
step() {
  local label="$1"
  shift
  local t0 t1
  printf 'setup-e2e: %-40s …\n' "$label"
  t0=$(date +%s%N)
  if ! "$@" >>"$LOG" 2>&1; then
    echo "setup-e2e: $label FAILED (see $LOG)" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  local ds=$(((t1 - t0) / 100000000))
  printf 'setup-e2e: %-40s %4d.%ds\n' "$label" "$((ds / 10))" "$((ds % 10))"
}

skip() { printf 'setup-e2e: %-40s %6s\n' "$1" "skip"; }

missing_debs=()
for pkg in chromium libkrb5-dev; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then missing_debs+=("$pkg"); fi
done
if [ "${#missing_debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-e2e: missing Debian packages (${missing_debs[*]}); run this script as root" >&2
    exit 1
  fi
  step "apt-get update" apt-get update -q
  step "apt-get install ${missing_debs[*]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_debs[@]}"
else
  skip "apt packages (chromium libkrb5-dev)"
fi

cs_bin="$CS_DIR/node_modules/.bin/code-server"
node_bin_dir="$CS_DIR/node_modules/.bin"
cs_works() {
  [ -x "$cs_bin" ] && PATH="$node_bin_dir:$PATH" timeout 60 "$cs_bin" --version >/dev/null 2>&1
}

if cs_works; then
  skip "npm: node@24 + code-server@$CODE_SERVER_VERSION"
else
  cd "$CS_DIR"
  [ -f package.json ] || step "npm init" npm init -y
  step "npm install $NODE_PACKAGE" npm install --no-audit --no-fund "$NODE_PACKAGE"
  step "npm install code-server@$CODE_SERVER_VERSION" \
    env PATH="$node_bin_dir:$PATH" npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
  if ! cs_works; then
    echo "setup-e2e: code-server does not run after install (see $LOG)" >&2
    exit 1
  fi
fi
printf 'setup-e2e: ready: %s (%s)\n' "$cs_bin" "$(PATH="$node_bin_dir:$PATH" "$cs_bin" --version 2>/dev/null | head -n 1)"
