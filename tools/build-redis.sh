#!/bin/sh
# Builds build/redis/redis-server: Debian's redis source package (bookworm,
# Debian's patches applied), linked statically against musl, so the same binary
# runs natively, under amphi and in the benchmark's Linux VM.
#
# What the build uses, and why this is the honest route:
#  - Debian's tarball keeps the bundled deps/ (lua, hiredis, hdr_histogram,
#    linenoise, jemalloc) and src/lzf*; Debian's own build swaps in the
#    system jemalloc and liblzf (debian/rules), but those are glibc builds
#    and cannot be linked with musl.  So: MALLOC=libc (musl's malloc, the
#    route Alpine takes too) and the bundled lzf in src/ -- no
#    -I/usr/include/liblzf, no -llzf.  Lua scripting stays in, from the
#    bundled deps/lua (Debian's patches do not remove it in 7.0).
#  - USE_SYSTEMD=no: musl has no libsystemd.  BUILD_TLS=no: no musl OpenSSL.
#  - The tree is copied to build/redis-src first, so deps/src/redis stays as
#    fetched (redis's Makefile writes objects and .make-settings in place).
#   usage: tools/build-redis.sh   (prints the binary's path)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
src=$(sh "$root/tools/fetch-source.sh" redis)
work=$root/build/redis-src
out=$root/build/redis
jobs=${JOBS:-2}

command -v musl-gcc >/dev/null || {
	echo "build-redis: musl-gcc missing (Debian package musl-tools)" >&2; exit 1; }

# A fresh copy whenever the source is newer than the last copy.
if [ ! -f "$work/.copied" ] || [ "$src/.unpacked" -nt "$work/.copied" ]; then
	rm -rf "$work"
	mkdir -p "$(dirname "$work")"
	cp -a "$src" "$work"
	touch "$work/.copied"
fi

# GIT_DIR: redis stamps `git show-ref` into its version info, and the copy
# sits inside amphi's repository; no repository gives the honest 00000000.
# -static for the link; the deps' Makefiles take CC, so lua, hiredis and
# hdr_histogram are built with musl too.  `make` with these settings alone:
# redis's Makefile rebuilds the deps when the settings change.
GIT_DIR=/nonexistent make -C "$work/src" -j"$jobs" \
	CC=musl-gcc MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no \
	OPTIMIZATION=-O2 LDFLAGS=-static \
	redis-server >&2

mkdir -p "$out"
cp "$work/src/redis-server" "$out/redis-server.tmp"
mv "$out/redis-server.tmp" "$out/redis-server"
if ! file "$out/redis-server" | grep -q 'statically linked'; then
	echo "build-redis: $out/redis-server is not a static ELF" >&2
	file "$out/redis-server" >&2
	exit 1
fi
echo "$out/redis-server"
