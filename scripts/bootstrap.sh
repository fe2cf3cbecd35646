#!/usr/bin/env bash
# Installs what MUKTA Desktop needs on a Debian/Ubuntu machine, then leaves a ready .venv:
# the system libraries Qt needs and PostgreSQL (for the server tests) when they are missing,
# a virtual environment, and the pinned Python packages of requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libpulse0 fonts-dejavu-core fonts-noto-core xvfb xauth poppler-utils
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  python3-venv
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    # Ubuntu 24.04 renamed some libraries with a t64 suffix (libglib2.0-0t64).
    installed=no
    for name in "$pkg" "${pkg}t64"; do
      status=$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null || true)
      [[ "$status" == "install ok installed" ]] && installed=yes
    done
    [[ $installed == yes ]] || missing+=("$pkg")
  done
fi
# PostgreSQL's server binaries: tests/server start a throwaway cluster of their own with
# initdb and pg_ctl (CI must run them). Debian keeps them off PATH, per major version.
have_initdb() {
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
if ! have_initdb && command -v apt-get >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if ((${#missing[@]})); then
  # python3-venv is not needed when the Python in use already has venv.
  if python3 -c 'import venv, ensurepip' 2>/dev/null; then
    missing=("${missing[@]/python3-venv/}")
  fi
  read -r -a missing <<<"${missing[*]}"
fi
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if [[ -n $SUDO ]] && ! command -v sudo >/dev/null 2>&1; then
    echo "Cannot install ${missing[*]}: not root and no sudo. Ask an administrator." >&2
    exit 1
  fi
  if [[ " ${missing[*]} " == *" postgresql "* && ! -e /usr/sbin/policy-rc.d ]]; then
    # Only the binaries are wanted: policy-rc.d answering 101 keeps the package from
    # starting the system's PostgreSQL service; removed again when this script ends.
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    trap "$SUDO rm -f /usr/sbin/policy-rc.d" EXIT
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-lock
if [[ ! -f $stamp ]] || ! cmp -s requirements.lock "$stamp"; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.lock
  cp requirements.lock "$stamp"
fi
# The project itself, editable, without touching the pinned dependencies.
log=$(mktemp)
if ! .venv/bin/python -m pip install -q --no-deps -e . >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -f "$log"
