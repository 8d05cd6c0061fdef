#!/usr/bin/env bash
# Installs the Debian packages the tests drive as real parts, each only when its program
# is missing: browsers (chromium, firefox-esr), a TLS reverse proxy (nginx), a STUN/TURN
# server (coturn), and openssl/certutil for a test CA. Browser downloads by test tools are
# never used. Needs root or sudo when something is missing.
set -euo pipefail
declare -A PROGRAM_OF=(
  [chromium]=chromium
  [firefox-esr]=firefox-esr
  [nginx]=nginx
  [coturn]=turnserver
  [openssl]=openssl
  [libnss3-tools]=certutil
)
missing=()
for pkg in "${!PROGRAM_OF[@]}"; do
  if ! command -v "${PROGRAM_OF[$pkg]}" >/dev/null 2>&1 && ! [ -x "/usr/sbin/${PROGRAM_OF[$pkg]}" ] && ! [ -x "/usr/bin/${PROGRAM_OF[$pkg]}" ]; then missing+=("$pkg"); fi
done
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then missing=("${missing[@]/chromium}"); fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing Debian packages the tests use: ${missing[*]} (needs root)..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# The tests start nginx and coturn themselves on free loopback ports: keep the packages
# from starting system services of their own while they install.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && guard=1
fi
cleanup() { if [ -n "$guard" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
