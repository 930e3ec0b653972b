#!/usr/bin/env bash
# System programs the tests use beside the Python packages: Debian's ffprobe, to check our
# clips with a tool that is not our own code. The tool itself needs none of them.
set -euo pipefail
need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "Please install these Debian packages first: ${need[*]}" >&2; exit 1
fi
echo "Installing system packages for the tests: ${need[*]}" >&2
$sudo apt-get update -qq >/dev/null || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
