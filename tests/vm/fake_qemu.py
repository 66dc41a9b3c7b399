"""A stand-in for QEMU (amphi run --qemu, amphi server start --qemu) that
plays a hostile guest: it ignores its arguments and writes the bytes of
the file named by its first argument to its standard output, CHUNK bytes
per write, then stays SLEEP seconds (the VM still running) and exits 0.
With a fourth argument "truncate" and the real QEMU's arguments after it,
it first plays a QEMU gone bad on a network server's slot: it takes what
the slot's ivshmem socket hands over and truncates every descriptor it
can (the region's memfd among them) to nothing.
Used by test_hostile_guest.py."""

import array
import os
import socket
import sys
import time


def truncate_slot(argv):
    """Connects to the ivshmem socket in -chardev socket,id=link,path=P
    (a path without commas) and truncates what comes with its messages."""
    path = next(a.split("path=", 1)[1] for a in argv if a.startswith("socket,id=link,"))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(2)
    try:
        while True:
            fds = array.array("i")
            msg, anc, _, _ = s.recvmsg(8, socket.CMSG_SPACE(16 * fds.itemsize))
            if not msg:
                break
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
            for fd in fds:
                try:
                    os.ftruncate(fd, 0)
                except OSError:
                    pass
    except socket.timeout:
        pass
    return s	# kept open: the app's QEMU stays on the slot


data = open(sys.argv[1], "rb").read()
chunk, sleep = int(sys.argv[2]), float(sys.argv[3])
if len(sys.argv) > 4 and sys.argv[4] == "truncate":
    held = truncate_slot(sys.argv[5:])
out = sys.stdout.buffer
for i in range(0, len(data), chunk):
    out.write(data[i:i + chunk])
    out.flush()
time.sleep(sleep)
