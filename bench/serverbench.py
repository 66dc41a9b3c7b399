"""The network server's benchmarks (docs/netserver.md), in the same run as
bench/netbench.py, whose direct-mode amphi and Linux VM figures they are
compared with:

  HTTP   the same build/progs/net_httpd and page as netbench, in one app
         behind a network server (`amphi server start` on slirp with the
         port forwarded, `amphi run --server`): `wrk -t1 -c10 --latency`.
  redis  the same redis-server behind the server: redis-benchmark SET/GET.
  apps   1, 4 and 16 apps behind one server, each net_httpd on its own
         forwarded port, a wrk on each at once: the aggregate requests/s.

Every server and app is killed (by process group) when its part is done.
"""

import os
import signal
import subprocess
import tempfile
import threading

import netbench

APP_MEM_MIB = 64	# each app VM behind the server
SERVER_MEM_MIB = 64
AGGREGATE = (1, 4, 16)


class Server:
    """`amphi server start` in a runtime folder of its own, and its apps."""

    def __init__(self, s, tmp, forwards):
        self.s, self.apps = s, []
        self.runtime = tempfile.mkdtemp(prefix="rt-", dir=tmp)
        self.env = dict(s.env, AMPHI_RUNTIME_DIR=self.runtime)
        argv = [s.amphi, "server", "start", "bench", "--accel", "tcg",
                "--slots", str(max(len(forwards), 1)), "-m", "%dM" % SERVER_MEM_MIB]
        for host, guest in forwards:
            argv += ["-p", "%d:%d" % (host, guest)]
        r = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise netbench.NetError("amphi server start: %s" % r.stderr.strip()[-300:])

    def app(self, name, program, args, files=()):
        argv = [self.s.amphi, "run", "--accel", "tcg", "--machine", "pc", "--smp", "1",
                "-m", "%dM" % APP_MEM_MIB, "--server", "bench", "--name", name]
        for host_dir, guest_dir in files:
            argv += ["--files", "%s:%s" % (host_dir, guest_dir)]
        vm = netbench.VM(name, argv + [program] + list(args), self.env)
        self.apps.append(vm)
        return vm

    def stop(self):
        for vm in self.apps:
            vm.stop()
        pid = None
        try:
            pid = int(open(os.path.join(self.runtime, "bench", "pid")).read())
        except (OSError, ValueError):
            pass
        subprocess.run([self.s.amphi, "server", "stop", "bench"], env=self.env,
                       capture_output=True, timeout=60)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)	# its QEMU dies with it
            except ProcessLookupError:
                pass


def docroot(tmp):
    d = os.path.join(tmp, "www")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "wb") as f:
        f.write(netbench.PAGE)
    return d


def one_app(s, tmp, program, args, guest_port, answers, client, files=()):
    port = netbench.free_port()
    srv = Server(s, tmp, [(port, guest_port)])
    try:
        vm = srv.app("app", program, args, files)
        vm.wait_ready(answers, port)
        client(port, True)
        return client(port, False)
    finally:
        srv.stop()


def http_one(s, tmp, httpd):
    def client(port, warmup):
        return netbench.run_wrk(port, netbench.PAGE_PATH, 2 if warmup else s.seconds, 10)
    res = one_app(s, tmp, httpd, [str(netbench.HTTP_PORT), "/www"], netbench.HTTP_PORT,
                  netbench.http_answers, client, [(docroot(tmp), "/www")])
    s.log("  server mode HTTP %s: %.0f requests/s, p99 %.2f ms"
          % (netbench.PAGE_PATH, res["rps"], res["p99"]))
    return res


def redis_one(s, tmp, redis):
    def client(port, warmup):
        return netbench.run_redis_benchmark(port, max(500, s.redis_n // 10) if warmup
                                            else s.redis_n, 50)
    res = one_app(s, tmp, redis, netbench.REDIS_ARGS, netbench.REDIS_PORT,
                  netbench.redis_answers, client)
    s.log("  server mode redis: SET %.0f/s, GET %.0f/s" % (res["SET"]["rps"], res["GET"]["rps"]))
    return res


def aggregate(s, tmp, httpd, n):
    """n apps, each serving the page on its own port; a wrk on each at once."""
    ports = netbench.free_ports(n)
    guest = [10000 + i for i in range(n)]
    www = docroot(tmp)	# once: apps read it while they start
    srv = Server(s, tmp, list(zip(ports, guest)))
    try:
        vms = [srv.app("app%d" % i, httpd, [str(guest[i]), "/www"], [(www, "/www")])
               for i in range(n)]
        for vm, port in zip(vms, ports):
            vm.wait_ready(netbench.http_answers, port)
        results = [None] * n

        def one(i, seconds):
            results[i] = netbench.run_wrk(ports[i], netbench.PAGE_PATH, seconds, 4)
        for seconds in (2, s.seconds):	# a warm-up, then the measurement
            threads = [threading.Thread(target=one, args=(i, seconds)) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        total = sum(r["rps"] for r in results)
        s.log("  %d apps behind one server: %.0f requests/s in all" % (n, total))
        return {"rps": total, "p99": max(r["p99"] for r in results)}
    finally:
        srv.stop()


def run_all(s, problems):
    httpd = os.path.join(s.root, "build", "progs", "net_httpd")
    redis = os.path.join(s.root, "build", "redis", "redis-server")
    res = {}
    tmp = tempfile.mkdtemp(prefix="amphi-serverbench-")
    parts = [("http", lambda: http_one(s, tmp, httpd)), ("redis", lambda: redis_one(s, tmp, redis))]
    parts += [("apps%d" % n, (lambda n=n: aggregate(s, tmp, httpd, n))) for n in AGGREGATE]
    try:
        for name, fn in parts:
            s.log("amphi server mode: %s" % name)
            try:
                res[name] = fn()
            except (netbench.NetError, subprocess.TimeoutExpired, RuntimeError, OSError) as e:
                problems.append("server mode %s: %s" % (name, str(e).splitlines()[0][:300]))
    finally:
        subprocess.run(["rm", "-rf", tmp])
    return res


def rows(res, net_res, ratio):
    """(what, server mode, direct mode, Linux VM, server/direct, target)."""
    def get(d, *keys):
        for k in keys:
            d = d.get(k) if d else None
        return d

    def rate(x):
        return "%.0f /s" % x if x is not None else "n/a"

    def ms(x):
        return "%.2f ms" % x if x is not None else "n/a"

    direct, linux = net_res.get(("http", "amphi")), net_res.get(("http", "linux"))
    out = [("HTTP %s requests/s" % netbench.PAGE_PATH, rate(get(res, "http", "rps")),
            rate(get(direct, "file", "rps")), rate(get(linux, "file", "rps")),
            ratio(get(direct, "file", "rps"), get(res, "http", "rps"), True), ">= 0.8x"),
           ("HTTP %s latency p99" % netbench.PAGE_PATH, ms(get(res, "http", "p99")),
            ms(get(direct, "file", "p99")), ms(get(linux, "file", "p99")),
            ratio(get(direct, "file", "p99"), get(res, "http", "p99")), "")]
    rd, rl = net_res.get(("redis", "amphi")), net_res.get(("redis", "linux"))
    for op in ("SET", "GET"):
        out.append(("redis %s requests/s" % op, rate(get(res, "redis", op, "rps")),
                    rate(get(rd, op, "rps")), rate(get(rl, op, "rps")),
                    ratio(get(rd, op, "rps"), get(res, "redis", op, "rps"), True), ">= 0.8x"))
    one = get(res, "apps1", "rps")
    for n in AGGREGATE:
        out.append(("%d app%s, aggregate requests/s" % (n, "s" if n > 1 else ""),
                    rate(get(res, "apps%d" % n, "rps")), "", "",
                    ratio(one, get(res, "apps%d" % n, "rps"), True) if n > 1 else "",
                    "does not fall" if n > 1 else ""))
    return out


def targets(res, net_res):
    lines = []
    direct = netbench_rate(net_res, "http", "file")
    mine = res.get("http", {}).get("rps")
    if direct and mine:
        lines.append("HTTP server mode/direct mode %.2fx (target >= 0.8x): %s"
                     % (mine / direct, "met" if mine / direct >= 0.8 else "NOT met"))
    rates = [res.get("apps%d" % n, {}).get("rps") for n in AGGREGATE]
    if all(rates):
        ok = all(b >= a * 0.95 for a, b in zip(rates, rates[1:]))
        lines.append("aggregate requests/s with %s apps: %s (target: does not fall): %s"
                     % ("/".join(map(str, AGGREGATE)), " / ".join("%.0f" % r for r in rates),
                        "met" if ok else "NOT met"))
    return lines


def netbench_rate(net_res, bench, page):
    r = net_res.get((bench, "amphi"))
    return r.get(page, {}).get("rps") if r else None
