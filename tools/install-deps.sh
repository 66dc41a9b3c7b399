#!/bin/sh
# Installs the Debian packages the build and the tests need, if any is missing.
set -e
need=""
for p in gcc make qemu-system-x86 musl-tools libcmocka-dev python3-pytest busybox-static \
	dpkg-dev patch curl iproute2 wrk redis-tools python3-scapy \
	python3 perl lua5.4 ruby nodejs nginx erlang-base openjdk-17-jdk-headless \
	gdb grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf libvirt-clients \
	libvirt-daemon libvirt-daemon-driver-qemu groff-base; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "installing:$need"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
