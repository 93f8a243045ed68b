#!/usr/bin/env bash
# Installs everything mc needs on a fresh Debian machine with Node 20, then installs the workspace.
# Idempotent: every step checks first and does nothing when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
say() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js >= 20.19 is required and was not found on PATH."

# Debian packages: memcached for the tests, python3-pymemcache for the interop tests, openssl for TLS tests,
need_apt=()
command -v memcached >/dev/null || need_apt+=(memcached)
/usr/bin/python3 -c 'import pymemcache' 2>/dev/null || need_apt+=(python3-pymemcache)
command -v openssl >/dev/null || need_apt+=(openssl)
# twemproxy (a real proxy for the noreply/proxy tests) and saslpasswd2 (SASL users for the binary protocol tests).
command -v nutcracker >/dev/null || need_apt+=(nutcracker)
command -v saslpasswd2 >/dev/null || need_apt+=(sasl2-bin)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    die "missing Debian packages: ${need_apt[*]}. Run as root, or install them: apt-get install ${need_apt[*]}"
  fi
  command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${need_apt[*]}"
  say "installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null || die "apt-get install ${need_apt[*]} failed"
fi
command -v memcached >/dev/null || die "memcached is still missing after apt-get"

# pnpm, pinned in package.json. corepack cannot install it here (signature check), npm can.
if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing pnpm@$PNPM_VERSION with npm"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || die "npm install -g pnpm@$PNPM_VERSION failed"
fi

say "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile --reporter=append-only >/dev/null || die "pnpm install --frozen-lockfile failed"
say "ready: memcached $(memcached -V | awk '{print $2}'), pnpm $(pnpm --version), node $(node --version)"
