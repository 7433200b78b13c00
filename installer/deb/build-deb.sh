#!/usr/bin/env bash
# A .deb from the PyInstaller folder: /opt/onewindow (the program), /usr/bin/onewindow, desktop entries for
# the three shells, and the system libraries Qt needs as Depends (resources/config/debian-qt-libs.json, the
# list `onewindow selftest` checks). Usage: build-deb.sh FOLDER OUTDIR VERSION
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
folder="$(cd "$1" && pwd)"; out="$2"; version="$3"
arch="$(dpkg --print-architecture)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications"
cp -a "$folder" "$root/opt/onewindow"
ln -s /opt/onewindow/onewindow "$root/usr/bin/onewindow"
cp "$here"/onewindow-*.desktop "$root/usr/share/applications/"

depends="$(python3 - "$repo/resources/config/debian-qt-libs.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
packages = sorted({v for k, v in data.items() if not k.startswith("_")})
print(", ".join(packages + ["fonts-noto-cjk | fonts-wqy-microhei"]))
PY
)"
size="$(du -sk "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
  "$here/control.in" > "$root/DEBIAN/control"
mkdir -p "$out"
deb="$out/onewindow_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-gzip}" --build "$root" "$deb" >/dev/null
echo "installer/build: $deb"
