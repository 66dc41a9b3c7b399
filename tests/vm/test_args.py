"""argv and the environment reach the program exactly as given."""

import pytest

from conftest import DEFAULT_ENV, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def expected(argv, env):
    out = ["argc=%d" % len(argv)]
    out += ["argv[%d]=%s" % (i, a) for i, a in enumerate(argv)]
    out += ["env[%d]=%s" % (i, e) for i, e in enumerate(env)]
    return ("\n".join(out) + "\n").encode()


def test_no_arguments_default_environment():
    r = run("args")
    assert r.status == 0, r.describe()
    assert r.stdout == expected(["build/progs/args"], DEFAULT_ENV), r.describe()


def test_arguments_and_extra_environment_in_order():
    args = ["a", "b c", "", "-v", "--smp", "3", "x=y", "ünï€ode", "tab\there"]
    env = ["FOO=bar", "EMPTY=", "SPACE=a b", "ZED=last"]
    r = run("args", *args, env=env)
    assert r.status == 0, r.describe()
    assert r.stdout == expected(["build/progs/args"] + args, DEFAULT_ENV + env), r.describe()


def test_environment_override_replaces_default():
    # HOME is the last default and the first -e, so "replace in place" and
    # "drop the default, append the -e" give the same order.
    r = run("args", env=["HOME=/root", "A=1"])
    assert r.status == 0, r.describe()
    want = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "A=1"]
    assert r.stdout == expected(["build/progs/args"], want), r.describe()


def test_many_and_long_arguments():
    args = ["arg%03d-" % i + "x" * 93 for i in range(100)] + ["L" * 4000]
    r = run("args", *args)
    assert r.status == 0, r.describe()
    assert r.stdout == expected(["build/progs/args"] + args, DEFAULT_ENV), r.describe()
