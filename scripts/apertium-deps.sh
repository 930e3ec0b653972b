#!/usr/bin/env bash
# Debian's Apertium and the language pairs highlights translates subtitles with (es, fr, pt, it
# among themselves and with English, through Spanish or Catalan; ru <-> uk). cg3 provides
# cg-proc, which stands in for the tagger that crashes in apertium-rus-ukr as shipped.
#   scripts/apertium-deps.sh              install them (root, or sudo); fail when it cannot
#   scripts/apertium-deps.sh --optional   the same, but only say how when it cannot, and go on
set -euo pipefail
optional=false
[ "${1:-}" = "--optional" ] && optional=true
packages=(apertium cg3 apertium-eng-spa apertium-fr-es apertium-es-pt apertium-spa-ita apertium-rus-ukr
          apertium-eng-cat apertium-fra-cat apertium-por-cat apertium-cat-ita apertium-spa-cat)
need=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0
how="sudo apt-get install ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Apertium (offline translation of es, fr, pt, it, ru<->uk subtitles) is a Debian package; not a Debian system, so not installed. On Debian or Ubuntu: $how" >&2
  $optional && exit 0 || exit 1
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then sudo="sudo"
else
  echo "Apertium is not installed, so subtitles are translated only where an Argos package covers the pair. To install it: $how" >&2
  $optional && exit 0 || exit 1
fi
echo "Installing Apertium for offline subtitle translation: ${need[*]}" >&2
if ! { $sudo apt-get update -qq >/dev/null || true; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
  echo "Could not install Apertium; run: $how" >&2
  $optional && exit 0 || exit 1
fi
