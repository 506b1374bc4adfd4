#!/usr/bin/env bash
# Fetch the King James Bible (public domain) as plain text, using Debian's
# bible-kjv package.  Usage:  data-samples/fetch_kjv.sh [OUTPUT]
# Default OUTPUT: data-samples/kjv.txt (relative to the current directory).
set -euo pipefail

out="${1:-data-samples/kjv.txt}"

if ! command -v bible >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "fetch_kjv.sh: 'bible' is missing and neither root nor sudo is available;" \
             "install the bible-kjv package" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq bible-kjv
fi

mkdir -p "$(dirname "$out")"
tmp="$(mktemp "${out}.tmp.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
bible gen1:1-rev22:21 > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT

size=$(wc -c < "$out")
md5=$(md5sum "$out" | cut -d' ' -f1)
echo "$out"
echo "size: $size bytes"
echo "md5:  $md5"
