#!/usr/bin/env bash
# Installs the system packages the test suite needs when they are missing:
# Debian's Chromium (the browser test) and PostgreSQL (the scale-out tests).
# Playwright's own browser download cannot work offline, so we use Debian's build.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
  echo "The tests that need them will be skipped with that reason." >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
