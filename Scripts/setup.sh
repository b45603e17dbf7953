#!/usr/bin/env bash
# Installs what Weft needs on Debian 12 (idempotent). Safe to run repeatedly.
set -euo pipefail

packages=(libopenblas-dev libsentencepiece-dev libsqlite3-dev pkg-config sentencepiece unzip zlib1g-dev python3 python3-pip)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: missing ${missing[*]} and apt-get is not available; install them with your package manager." >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "setup.sh: missing ${missing[*]}; run as root (or install sudo) to install them." >&2
            exit 1
        fi
    fi
    echo "setup.sh: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        [ -x "$d/swift" ] && export PATH="$d:$PATH"
    done
fi
command -v swift >/dev/null 2>&1 || { echo "setup.sh: Swift 6.3 is not on PATH; install it from swift.org." >&2; exit 1; }
echo "setup.sh: ready ($(swift --version 2>/dev/null | head -n 1))"
