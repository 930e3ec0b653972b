#!/usr/bin/env bash
# System programs the tests use beside the Python packages: Debian's ffprobe, to check our
# clips with a tool that is not our own code, and Debian's Chromium with its WebDriver, to open
# the recap and review pages in a real browser, and espeak-ng. The tool itself needs none of them.
# Apertium and its language pairs, which the translation tests run for real
# (scripts/apertium-deps.sh, also used by `make demo`).
set -euo pipefail
"$(dirname "$0")/apertium-deps.sh"
need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# espeak-ng voices the evaluation fixture a test rebuilds end to end (benchmarks/mentions_eval.py).
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "Please install these Debian packages first: ${need[*]}" >&2; exit 1
fi
echo "Installing system packages for the tests: ${need[*]}" >&2
$sudo apt-get update -qq >/dev/null || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
