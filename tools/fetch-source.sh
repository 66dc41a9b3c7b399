#!/bin/sh
# Fetches and unpacks a Debian source package (bookworm) into deps/src/PKG,
# without touching the system's apt configuration: a private sources list and
# private package lists under deps/apt, then applies our own fixes from
# tools/patches/PKG/*.patch in order (each says why).  The tree's .unpacked
# holds a checksum of those patches: when they change, the tree is unpacked
# again from the package kept in deps/apt/pkgs/PKG, and the patches applied
# afresh.  Idempotent.  Prints the tree.
#   usage: tools/fetch-source.sh PKG
set -eu
pkg=$1
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/deps/src/$pkg
stamp=$(cat /dev/null "$root/tools/patches/$pkg"/*.patch 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -f "$dest/.unpacked" ] && [ "$(cat "$dest/.unpacked")" = "$stamp" ]; then
	echo "$dest"
	exit 0
fi
command -v dpkg-source >/dev/null || {
	echo "fetch-source: dpkg-source missing (Debian package dpkg-dev)" >&2; exit 1; }

apt=$root/deps/apt
mkdir -p "$apt/lists/partial" "$apt/sources"
cat > "$apt/sources/bookworm-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt/sources
      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -q"
if ! ls "$apt/lists/"*Sources* >/dev/null 2>&1; then
	echo "fetch-source: reading Debian's source index" >&2
	apt-get $opts update >&2
fi
pkgs=$apt/pkgs/$pkg
if ! ls "$pkgs"/*.dsc >/dev/null 2>&1; then
	rm -rf "$pkgs.tmp"
	mkdir -p "$pkgs.tmp"
	echo "fetch-source: downloading source package $pkg" >&2
	# As root, apt warns that the _apt user cannot write here; harmless.
	(cd "$pkgs.tmp" && apt-get $opts source --download-only "$pkg" 2>&1 |
		grep -v -e '^W: Download is performed unsandboxed' -e '^Reading' -e '^NOTICE' >&2) || true
	ls "$pkgs.tmp"/*.dsc >/dev/null 2>&1 || { echo "fetch-source: could not download $pkg" >&2; exit 1; }
	rm -rf "$pkgs"
	mv "$pkgs.tmp" "$pkgs"
fi
dsc=$(ls "$pkgs"/*.dsc | head -n 1)
work=$root/deps/src/.$pkg.tmp
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && dpkg-source --no-check -x "$dsc" tree >/dev/null)
for p in "$root/tools/patches/$pkg"/*.patch; do
	[ -f "$p" ] || continue
	echo "fetch-source: applying $(basename "$p")" >&2
	patch -s -p1 -d "$work/tree" < "$p"
done
rm -rf "$dest"
mv "$work/tree" "$dest"
rm -rf "$work"
echo "$stamp" > "$dest/.unpacked"
echo "$dest"
