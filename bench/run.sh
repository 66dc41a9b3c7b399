#!/bin/sh
# `make bench`: amphi against a Linux VM under the same QEMU, in the same run.
# The Makefile has built build/amphi, build/amphi.elf and build/progs/ first.
# Extra arguments go to bench/bench.py (e.g. --runs 3, --linux-only).
# Method and caveats: docs/bench.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for tool in qemu-system-x86_64 busybox dpkg apt-get /usr/bin/python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "bench: $tool not found (run \`make deps\`)" >&2
		exit 1
	fi
done
if [ ! -x build/progs/hello ]; then
	echo "bench: build/progs/hello not built (run \`make bench\`)" >&2
	exit 1
fi

vmlinuz=$(sh bench/fetch-linux.sh)
# QEMU's slirp listens on forwarded ports with a backlog of 1; amphi run
# preloads build/amphi-slirp.so into its QEMU, and the Linux VM's QEMU gets
# the same (tools/amphi-slirp.c says why).
if [ ! -f build/amphi-slirp.so ]; then
	echo "bench: build/amphi-slirp.so not built (run \`make bench\`)" >&2
	exit 1
fi
exec /usr/bin/python3 bench/bench.py --linux-kernel "$vmlinuz" \
	--slirp-preload build/amphi-slirp.so "$@"
