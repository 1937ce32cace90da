#!/usr/bin/env bash
# Set up Hercules on a fresh Debian machine: the Debian libraries Qt needs, a virtual
# environment in .venv and the package itself. `--dev` also installs the test tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
      libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
      libxcb-randr0 libxcb-render-util0 libxcb-image0 libx11-xcb1 fonts-dejavu-core)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

python3 -m venv .venv
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"
# pip's own notices about unreachable extra indexes are noise here; real errors still show.
quiet() { grep -v -e "^WARNING: Location" -e "^$" || true; }
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | quiet
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}" 2>&1 | quiet
