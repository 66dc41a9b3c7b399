#!/bin/sh
# Installs the Debian packages the build and the tests need, if any is missing.
set -e
need=""
for p in gcc make qemu-system-x86 musl-tools libcmocka-dev python3-pytest python3-pytest-timeout busybox-static \
	dpkg-dev patch curl iproute2 net-tools wrk redis-tools libmemcached-tools python3-scapy \
	python3 perl lua5.4 ruby nodejs nginx erlang-base openjdk-17-jdk-headless gawk \
	gdb grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf libvirt-clients \
	libvirt-daemon libvirt-daemon-driver-qemu groff-base golang-go \
	libevent-2.1-7 libsasl2-2 libssl3 fdisk e2fsprogs libaio-dev libcap2 libidn2-0 \
	libjansson4 libncurses6 libtinfo6; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
# libvirtd's QEMU driver runs guests as libvirt-qemu, a user that Debian's
# libvirt-daemon-system makes; that package would also start libvirtd and a
# default bridge on the host, so only the user is made here (tests start
# libvirtd themselves: tests/vm/test_libvirt.py).
if [ "$(id -u)" = 0 ] && ! getent passwd libvirt-qemu >/dev/null; then
	useradd --system --user-group --home-dir /var/lib/libvirt --no-create-home \
		--shell /usr/sbin/nologin libvirt-qemu
fi
[ -z "$need" ] && exit 0
echo "installing:$need"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
