#!/bin/sh
# Fetches Debian's cloud kernel (the Linux the benchmark compares against) into
# deps/linux without installing it: `apt-get download` the versioned package
# that linux-image-cloud-amd64 points at, then `dpkg -x` it.  Idempotent: does
# nothing when a kernel is already unpacked there.  Prints the vmlinuz path.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/deps/linux

found=$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | tail -n 1 || true)
if [ -n "$found" ]; then
	echo "$found"
	exit 0
fi

resolve() {
	apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n 1
}
pkg=$(resolve)
if [ -z "$pkg" ]; then
	echo "fetch-linux: updating the package lists to find linux-image-cloud-amd64" >&2
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq >&2
	pkg=$(resolve)
fi
if [ -z "$pkg" ]; then
	echo "fetch-linux: cannot resolve linux-image-cloud-amd64 to a versioned kernel package" >&2
	exit 1
fi

mkdir -p "$dir"
rm -f "$dir"/*.deb
echo "fetch-linux: downloading $pkg" >&2
# apt-get download writes into the current directory; as root it warns that
# the _apt user cannot write there, which is harmless.
(cd "$dir" && apt-get -q download "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
deb=$(ls "$dir"/"$pkg"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "fetch-linux: apt-get download $pkg failed" >&2
	exit 1
fi
rm -rf "$dir/root.tmp"
dpkg -x "$deb" "$dir/root.tmp"
mv "$dir/root.tmp" "$dir/root"
found=$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | tail -n 1 || true)
if [ -z "$found" ]; then
	echo "fetch-linux: $deb holds no boot/vmlinuz-*" >&2
	exit 1
fi
echo "$found"
