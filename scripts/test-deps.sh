#!/usr/bin/env bash
# Installs the Debian packages that some tests use (called by `make test`):
# python3 (extraction checked against Python's ast, Python candidates in the
# eval sandbox), chromium (the report and the web page in a real browser),
# openssh-server (the deploy script against a real SSH server) and
# util-linux (prlimit, for the sandbox). Without root or apt-get it only
# says what is missing; those tests then skip, except under CI.
set -uo pipefail
pkgs=(python3 chromium openssh-server openssh-client iproute2 util-linux)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "test-deps: not installing ${missing[*]} (needs root and apt-get); the tests that use them will skip" >&2
  exit 0
fi
echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  echo "test-deps: could not install ${missing[*]}; the tests that use them will skip (or fail under CI)" >&2
fi
exit 0
