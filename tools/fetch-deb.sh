#!/bin/sh
# Fetches Debian's binary package PKG (the version apt would install) and
# unpacks it, without installing it or starting anything, into
# deps/deb/PKG/root, for tests that run Debian's own build of a program
# under amphi (its libraries must be installed on the host:
# tools/install-deps.sh).  Idempotent.  Prints the unpacked tree.
#   usage: tools/fetch-deb.sh PKG
set -eu
pkg=$1
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/deps/deb/$pkg
if [ -f "$dest/.unpacked" ]; then
	echo "$dest/root"
	exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
# As root, apt warns that the _apt user cannot write here; harmless.
(cd "$dest" && apt-get download -qq "$pkg" 2>&1 | grep -v -e '^W: Download is performed unsandboxed' >&2) || true
deb=$(ls "$dest"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "fetch-deb: could not download $pkg" >&2; exit 1; }
dpkg-deb -x "$deb" "$dest/root"
touch "$dest/.unpacked"
echo "$dest/root"
