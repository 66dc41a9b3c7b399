"""Network scaling and bulk data: HTTP servers in amphi and in the Linux
VM, in one run, at each vCPU count asked for (1, 2 and 4 by default):

  epoll   net_httpd (tests/progs), one thread, file bodies sent by pread
          and send ("read+send") or by sendfile (`net_httpd -s`, nginx's
          "sendfile on")
  Go      go_httpd (tests/progs), Go's net/http file server: as many
          threads as vCPUs, bodies by sendfile

  small  `wrk -t1 -c10` on a 1 KiB file: requests/s
  1 MiB  `wrk -t1 -c4` on a 1 MiB file: MB/s (wrk's Transfer/sec)

Over slirp QEMU's virtio-net has one queue and no checksum offload (no
vnet header), so these runs show the data path and the sendfile path,
not multiqueue; the multiqueue tap is checked for correctness in
tests/vm/test_net_offload.py.  Method and caveats: docs/bench.md.
"""

import functools
import os
import subprocess
import tempfile

import netbench
from netbench import HTTP_PORT, NetError, http_answers, measure, run_wrk

SMALL = b"x" * 1023 + b"\n"
BIG = bytes(range(256)) * 4096     # 1 MiB
# (name in the table, program in build/progs, its flags before PORT DOCROOT)
SERVERS = (("epoll read+send", "net_httpd", []),
           ("epoll sendfile", "net_httpd", ["-s"]),
           ("Go net/http", "go_httpd", []))


def side(s, tmp, side_name, httpd, smp, flags, label):
    docroot = os.path.join(tmp, "www")
    os.makedirs(docroot, exist_ok=True)
    for name, data in (("small.html", SMALL), ("big.bin", BIG)):
        with open(os.path.join(docroot, name), "wb") as f:
            f.write(data)
    args = flags + [str(HTTP_PORT), "/www"]
    files = [(docroot, "/www")]
    if side_name == "amphi":
        start = lambda port: netbench.amphi_vm(s, httpd, args, port, HTTP_PORT, files, smp)
    else:
        start = lambda port: netbench.linux_vm(s, tmp, httpd, args, port, HTTP_PORT, files, smp)

    def client(port, warmup):
        secs = 2 if warmup else s.seconds
        small = run_wrk(port, "/small.html", secs, 10)
        big = run_wrk(port, "/big.bin", secs, 4)
        if not warmup:
            s.log("  %s smp %d %s: small %.0f requests/s, 1 MiB %.1f MB/s%s"
                  % (side_name, smp, label, small["rps"],
                     big.get("mbps", 0),
                     "".join(" (%s)" % r["errors"] for r in (small, big) if r["errors"])))
        return {"small": small["rps"], "big": big.get("mbps")}
    # Go's file server redirects /index.html to /, so every server is
    # probed on the small file.
    answers = functools.partial(http_answers, path="/small.html", page=SMALL)
    return measure(s, side_name, start, answers, client)


def run_all(s, sides, smps, problems):
    """{(smp, server, side): {"small": rps, "big": MB/s}}."""
    res = {}
    tmp = tempfile.mkdtemp(prefix="amphi-netscale-")
    try:
        for smp in smps:
            for label, prog, flags in SERVERS:
                httpd = os.path.join(s.root, "build", "progs", prog)
                for name in sides:
                    s.log("%s: HTTP at %d vCPU%s, %s" % (name, smp, "s"[:smp > 1], label))
                    try:
                        res[(smp, label, name)] = side(s, tmp, name, httpd, smp, flags, label)
                    except (NetError, subprocess.TimeoutExpired, RuntimeError, OSError) as e:
                        problems.append("%s smp %d %s: %s"
                                        % (name, smp, label, str(e).splitlines()[0][:300]))
    finally:
        subprocess.run(["rm", "-rf", tmp])
    return res


def rows(res, smps, ratio):
    """(what, amphi, Linux, amphi/Linux, amphi n/1, Linux n/1)."""
    def get(smp, server, side, key):
        r = res.get((smp, server, side))
        return r.get(key) if r else None

    def fmt(x, key):
        if x is None:
            return "n/a"
        return "%.0f /s" % x if key == "small" else "%.1f MB/s" % x

    def scale(x, one):
        return "%.2fx" % (x / one) if x and one else ""

    out = []
    for key, label in (("small", "1 KiB file, requests/s"), ("big", "1 MiB file, MB/s")):
        for server, _, _ in SERVERS:
            for smp in smps:
                a, l = get(smp, server, "amphi", key), get(smp, server, "linux", key)
                out.append(("%s, %s, %d vCPU" % (label, server, smp), fmt(a, key), fmt(l, key),
                            ratio(l, a, True),
                            scale(a, get(smps[0], server, "amphi", key)) if smp != smps[0] else "",
                            scale(l, get(smps[0], server, "linux", key)) if smp != smps[0] else ""))
    return out
