"""Network scaling and bulk data: the same servers in amphi and in the
Linux VM, in one run, at each vCPU count asked for (1, 2 and 4 by default):

  epoll   net_httpd (tests/progs), one thread, file bodies sent by pread
          and send ("read+send") or by sendfile (`net_httpd -s`, nginx's
          "sendfile on")
  Go      go_httpd (tests/progs), Go's net/http file server: as many
          threads as vCPUs, bodies by sendfile
  nginx   Debian's /usr/sbin/nginx (dynamically linked; its libraries go
          into the Linux VM's initramfs, amphi brings them itself), a
          master process and a worker per vCPU, `sendfile on` and `off`
  redis   build/redis/redis-server, `redis-benchmark -t set,get -c 50`
  memcached  Debian's memcached 1.6.18 (dynamically linked, unpacked by
          tools/fetch-deb.sh; as nginx, its libraries are the host's), a
          worker thread per vCPU; `memcaslap -T1 -c 32`, libmemcached's
          load generator, its 9:1 get:set mix of 1 KiB values: ops/s
  stream  net_stream (tests/progs): one TCP connection moving data from the
          server ("download") and to it ("upload"), MB/s

  small  `wrk -t1 -c10` on a 1 KiB file: requests/s
  1 MiB  `wrk -t1 -c4` on a 1 MiB file: MB/s (wrk's Transfer/sec)

Each figure comes with the host CPU the VM's processes took meanwhile
(QEMU's vCPU threads and its slirp): on a host with few cores that, not
the vCPU count, is what bounds a VM, and per request it shows what each
vCPU added costs.

Two links (run_all's tap): QEMU's user networking with a forwarded port,
where QEMU's virtio-net has one queue and no offloads (slirp has no vnet
header), and slirp itself runs in QEMU's main thread; and a multiqueue tap
in a network namespace (netbench.tap_namespace, root), a queue pair per
vCPU on both sides, checksum offload and merged buffers, the clients in
the namespace.  Method and caveats: docs/bench.md.
"""

import os
import shutil
import subprocess
import tempfile
import time

import netbench
from linux_net import TAP_GUEST_IP
from netbench import (HTTP_PORT, MEMCACHED_PORT, REDIS_ARGS, REDIS_PORT, NetError,
                      http_answers, measure, memcached_answers, redis_answers,
                      run_memcaslap, run_redis_benchmark, run_stream, run_wrk,
                      stream_answers)

SMALL = b"x" * 1023 + b"\n"
BIG = bytes(range(256)) * 4096     # 1 MiB
# (name, program under the source tree, its arguments, the guest's port)
HTTP_SERVERS = (("epoll read+send", "build/progs/net_httpd", [str(HTTP_PORT), "/www"]),
                ("epoll sendfile", "build/progs/net_httpd", ["-s", str(HTTP_PORT), "/www"]),
                ("Go net/http", "build/progs/go_httpd", [str(HTTP_PORT), "/www"]),
                ("nginx sendfile on", "/usr/sbin/nginx", ["-c", "/ng/on.conf", "-e", "stderr"]),
                ("nginx sendfile off", "/usr/sbin/nginx", ["-c", "/ng/off.conf", "-e", "stderr"]))
NGINX_CONF = """daemon off;
worker_processes auto;
user root root;
pid /tmp/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile %s;
    keepalive_requests 1000000;
    client_body_temp_path /tmp/body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    server {
        listen %d;
        root /www;
    }
}
"""
REDIS = ("redis", "build/redis/redis-server", REDIS_ARGS)
# Unpacked by `make bench` (tools/fetch-deb.sh memcached).  It will not run
# as root without -u; side() adds `-t N`, a worker thread per vCPU.
MEMCACHED = ("memcached", "deps/deb/memcached/root/usr/bin/memcached",
             ["-u", "nobody", "-p", str(MEMCACHED_PORT), "-U", "0", "-m", "64"])
MEMCACHED_CONNS = 32
STREAM_PORT = 5001
STREAM = ("TCP stream", "build/progs/net_stream", [str(STREAM_PORT)])
SERVERS = HTTP_SERVERS + (REDIS, MEMCACHED, STREAM)
# What the table shows of each: (key, label, unit).
HTTP_FIGURES = (("small", "1 KiB file, requests/s", "req"), ("big", "1 MiB file, MB/s", "MB"))
REDIS_FIGURES = (("SET", "requests/s", "req"), ("GET", "requests/s", "req"))
MEMCACHED_FIGURES = (("mix", "9:1 get:set, ops/s", "req"),)
STREAM_FIGURES = (("down", "download, MB/s", "MB"), ("up", "upload, MB/s", "MB"))


def docroot(tmp):
    """The files every HTTP server is given: the pages, nginx's two
    configurations."""
    root, ng = os.path.join(tmp, "www"), os.path.join(tmp, "ng")
    for d in (root, ng):
        os.makedirs(d, exist_ok=True)
    for name, data in (("small.html", SMALL), ("big.bin", BIG)):
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    for mode in ("on", "off"):
        with open(os.path.join(ng, mode + ".conf"), "w") as f:
            f.write(NGINX_CONF % (mode, HTTP_PORT))
    return [(root, "/www"), (ng, "/ng")]


def http_client(s, vm, side_name, label, at):
    """Runs wrk on both files; each figure with the VM's host CPU.  at:
    the server's (host, port) for the port measure() forwarded."""
    def wrk(port, path, secs, conns):
        cpu = vm().cpu_seconds()
        host, port = at(port)
        r = run_wrk(port, path, secs, conns, host)
        return r, (vm().cpu_seconds() - cpu) / secs

    def client(port, warmup):
        secs = 2 if warmup else s.seconds
        (small, small_cpu), (big, big_cpu) = (wrk(port, "/small.html", secs, 10),
                                              wrk(port, "/big.bin", secs, 4))
        if not warmup:
            s.log("  %s %s: small %.0f requests/s (host CPU %.0f%%), 1 MiB %.1f MB/s "
                  "(host CPU %.0f%%)%s"
                  % (side_name, label, small["rps"], small_cpu * 100, big.get("mbps", 0),
                     big_cpu * 100,
                     "".join(" (%s)" % r["errors"] for r in (small, big) if r["errors"])))
        return {"small": (small["rps"], small_cpu), "big": (big.get("mbps"), big_cpu)}
    return client


def redis_client(s, vm, side_name, at):
    """redis-benchmark's SET and GET rates; the VM's host CPU over both."""
    def client(port, warmup):
        n = max(500, s.redis_n // 10) if warmup else s.redis_n
        cpu, t = vm().cpu_seconds(), time.monotonic()
        host, port = at(port)
        res = run_redis_benchmark(port, n, 50, host=host)
        used = (vm().cpu_seconds() - cpu) / (time.monotonic() - t)
        if not warmup:
            s.log("  %s redis: SET %.0f/s, GET %.0f/s (host CPU %.0f%%)"
                  % (side_name, res["SET"]["rps"], res["GET"]["rps"], used * 100))
        return {op: (res[op]["rps"], used) for op in ("SET", "GET")}
    return client


def memcached_client(s, vm, side_name, at):
    """memcaslap's operations/s, with the VM's host CPU over its run."""
    def client(port, warmup):
        cpu = vm().cpu_seconds()
        host, port = at(port)
        ops, secs = run_memcaslap(port, 2 if warmup else s.seconds, MEMCACHED_CONNS, host)
        used = (vm().cpu_seconds() - cpu) / secs
        if not warmup:
            s.log("  %s memcached: %.0f ops/s (host CPU %.0f%%)" % (side_name, ops, used * 100))
        return {"mix": (ops, used)}
    return client


def stream_client(s, vm, side_name, at):
    """A download, then an upload, each with the VM's host CPU."""
    def client(port, warmup):
        secs = 2 if warmup else s.seconds
        res = {}
        for direction in ("down", "up"):
            cpu = vm().cpu_seconds()
            host, p = at(port)
            res[direction] = (run_stream(p, direction, secs, host),
                              (vm().cpu_seconds() - cpu) / secs)
        if not warmup:
            s.log("  %s stream: download %.1f MB/s (host CPU %.0f%%), upload %.1f MB/s "
                  "(host CPU %.0f%%)" % (side_name, res["down"][0], res["down"][1] * 100,
                                        res["up"][0], res["up"][1] * 100))
        return res
    return client


def side(s, tmp, side_name, smp, server, tap):
    """Boots one side's VM with the server, measures, stops it."""
    label, prog, args = server
    prog = os.path.join(s.root, prog)
    http = server in HTTP_SERVERS
    files = docroot(tmp) if http else []
    port = HTTP_PORT if http else STREAM_PORT if server is STREAM \
        else MEMCACHED_PORT if server is MEMCACHED else REDIS_PORT
    if server is MEMCACHED:
        args = args + ["-t", str(smp)]
    vms = []

    def start(host_port):
        if side_name == "amphi":
            vms.append(netbench.amphi_vm(s, prog, args, host_port, port, files, smp, tap))
        else:
            vms.append(netbench.linux_vm(s, tmp, prog, args, host_port, port, files, smp, tap))
        return vms[-1]
    vm = lambda: vms[-1]
    # Over slirp measure()'s port is forwarded to the guest's on 127.0.0.1;
    # over the tap the guest is reached where it is.
    at = (lambda _: (TAP_GUEST_IP, port)) if tap else (lambda p: ("127.0.0.1", p))
    name = "%s smp %d%s" % (side_name, smp, " tap" if tap else "")
    if http:
        # Go's file server redirects /index.html to /, so every server is
        # probed on the small file.
        answers = lambda p: http_answers(at(p)[1], "/small.html", SMALL, at(p)[0])
        client = http_client(s, vm, name, label, at)
    elif server is STREAM:
        answers = lambda p: stream_answers(*at(p))
        client = stream_client(s, vm, name, at)
    elif server is MEMCACHED:
        answers = lambda p: memcached_answers(at(p)[1], at(p)[0])
        client = memcached_client(s, vm, name, at)
    else:
        answers = lambda p: redis_answers(at(p)[1], at(p)[0])
        client = redis_client(s, vm, name, at)
    return measure(s, side_name, start, answers, client)


def server_name(server):
    """What bench.py's --net-servers calls a server: its label's first
    word, lower case (both epoll servers are "epoll", both nginx ones
    "nginx"), and "stream"."""
    return "stream" if server is STREAM else server[0].split()[0].lower()


def missing(s, server):
    """Why a server cannot be measured here, or None."""
    if not os.path.isfile(os.path.join(s.root, server[1])):
        return "%s not found (`make bench` builds or fetches it)" % server[1]
    if server is MEMCACHED and shutil.which("memcaslap") is None:
        return "memcaslap not found (`make deps` installs libmemcached-tools)"
    return None


def run_all(s, sides, smps, problems, tap=None, servers=SERVERS):
    """{(smp, server, side): {figure: (value, host CPU share)}} for the
    servers given; over the tap when given the netbench.tap_namespace the
    caller has entered.  A server missing here (not built, not fetched, no
    client) is a problem, not a crash."""
    res = {}
    runnable = []
    for server in servers:
        why = missing(s, server)
        if why is None:
            runnable.append(server)
        elif "%s: %s" % (server[0], why) not in problems:
            problems.append("%s: %s" % (server[0], why))
    tmp = tempfile.mkdtemp(prefix="amphi-netscale-")
    try:
        for smp in smps:
            for server in runnable:
                for name in sides:
                    s.log("%s: %s at %d vCPU%s%s" % (name, server[0], smp, "s"[:smp > 1],
                                                     " over the tap" if tap else ""))
                    try:
                        res[(smp, server[0], name)] = side(s, tmp, name, smp, server, tap)
                    except (NetError, subprocess.TimeoutExpired, RuntimeError, OSError) as e:
                        problems.append("%s smp %d %s: %s"
                                        % (name, smp, server[0], str(e).splitlines()[0][:300]))
    finally:
        subprocess.run(["rm", "-rf", tmp])
    return res


def figures(servers=SERVERS):
    """(server, key, what the row says, unit) in table order."""
    out = []
    for key, label, unit in HTTP_FIGURES:
        out += [(server[0], key, "%s, %s" % (label, server[0]), unit)
                for server in HTTP_SERVERS if server in servers]
    if REDIS in servers:
        out += [(REDIS[0], key, "redis %s, %s" % (key, label), unit)
                for key, label, unit in REDIS_FIGURES]
    if MEMCACHED in servers:
        out += [(MEMCACHED[0], key, "memcached " + label, unit)
                for key, label, unit in MEMCACHED_FIGURES]
    if STREAM in servers:
        out += [(STREAM[0], key, "TCP stream " + label, unit)
                for key, label, unit in STREAM_FIGURES]
    return out


def rows(res, smps, ratio, servers=SERVERS):
    """(what, amphi, Linux, amphi/Linux, amphi n/1, Linux n/1, each side's
    host CPU: its share of the host's cores and what one request or one
    MB cost)."""
    def get(smp, server, side, key, i=0):
        r = res.get((smp, server, side), {}).get(key)
        return r[i] if r else None

    def fmt(x, unit):
        if x is None:
            return "n/a"
        return "%.0f /s" % x if unit == "req" else "%.1f MB/s" % x

    def scale(x, one):
        return "%.2fx" % (x / one) if x and one else ""

    def cpu(smp, server, side, key, unit):
        rate, used = get(smp, server, side, key), get(smp, server, side, key, 1)
        if not rate or used is None:
            return ""
        if unit == "req":
            return "%.0f%%, %.0f us/req" % (used * 100, used / rate * 1e6)
        return "%.0f%%, %.1f ms/MB" % (used * 100, used / rate * 1e3)

    out = []
    for server, key, what, unit in figures(servers):
        for smp in smps:
            a, l = get(smp, server, "amphi", key), get(smp, server, "linux", key)
            first = smp == smps[0]
            out.append(("%s, %d vCPU" % (what, smp), fmt(a, unit), fmt(l, unit),
                        ratio(l, a, True),
                        "" if first else scale(a, get(smps[0], server, "amphi", key)),
                        "" if first else scale(l, get(smps[0], server, "linux", key)),
                        cpu(smp, server, "amphi", key, unit), cpu(smp, server, "linux", key, unit)))
    return out


def targets(res, smps, servers=SERVERS):
    """amphi against Linux at each size and vCPU count (1.5x on small
    requests, 1.2x on bulk data, at least even on the rest), and amphi's
    own scaling wherever Linux's scales (n/1 of 1.2x or more): 1.6x."""
    lines = []
    for server, key, what, unit in figures(servers):
        want = 1.5 if key == "small" else 1.2 if key in ("big", "down", "up") else 1.0
        for smp in smps:
            a, l = res.get((smp, server, "amphi"), {}), res.get((smp, server, "linux"), {})
            if not (a.get(key) and l.get(key) and a[key][0] and l[key][0]):
                continue
            q = a[key][0] / l[key][0]
            lines.append("%s at %d vCPU amphi/Linux %.2fx (target >= %.1fx): %s"
                         % (what, smp, q, want, "met" if q >= want else "NOT met"))
            a1, l1 = (res.get((smps[0], server, side), {}).get(key) for side in ("amphi", "linux"))
            if smp == smps[0] or not (a1 and l1 and a1[0] and l1[0]):
                continue
            if l[key][0] / l1[0] >= 1.2:
                q = a[key][0] / a1[0]
                lines.append("%s at %d vCPU amphi n/%d %.2fx where Linux's is %.2fx "
                             "(target >= 1.6x): %s" % (what, smp, smps[0], q, l[key][0] / l1[0],
                                                      "met" if q >= 1.6 else "NOT met"))
    return lines
