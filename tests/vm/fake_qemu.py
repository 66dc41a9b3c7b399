"""A stand-in for QEMU (amphi run --qemu, amphi server start --qemu) that
plays a hostile guest: it ignores its arguments and writes the bytes of
the file named by its first argument to its standard output, CHUNK bytes
per write, then stays SLEEP seconds (the VM still running) and exits 0.
Used by test_hostile_guest.py."""

import sys
import time

data = open(sys.argv[1], "rb").read()
chunk, sleep = int(sys.argv[2]), float(sys.argv[3])
out = sys.stdout.buffer
for i in range(0, len(data), chunk):
    out.write(data[i:i + chunk])
    out.flush()
time.sleep(sleep)
