# Run by Debian's python3 in the guest and on the host
# (tests/vm/test_debian_programs.py): the two outputs must be the same.
# Modules in C and Python, threads, subprocesses (python again, and a
# shell: argv[1]), sqlite3 on a file, multiprocessing with two workers.
import hashlib, json, multiprocessing, os, sqlite3, subprocess, sys, tempfile, threading


def square(x):
    return x * x


if __name__ == "__main__":
    print("json", json.dumps({"a": [1, 2]}, sort_keys=True))
    print("sha256", hashlib.sha256(b"amphi").hexdigest()[:16])
    out = []
    threads = [threading.Thread(target=lambda i=i: out.append(i * 10)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("threads", sorted(out))
    print("python child", subprocess.run([sys.executable, "-c", "print(6 * 7)"],
                                         capture_output=True, text=True).stdout.strip())
    r = subprocess.run([sys.argv[1], "-c", "echo from sh; exit 3"], capture_output=True, text=True)
    print("sh child", r.stdout.strip(), r.returncode)
    db = sqlite3.connect(os.path.join(tempfile.mkdtemp(), "t.db"))
    db.execute("create table t (a integer, b text)")
    db.executemany("insert into t values (?, ?)", [(i, str(i) * i) for i in range(5)])
    db.commit()
    print("sqlite", list(db.execute("select a, b from t where a > 2 order by a")))
    with multiprocessing.Pool(2) as pool:
        print("pool", pool.map(square, range(8)))
    print("done")
