"""What an execve leaves behind: /proc/PID/cmdline is the new image's even
when another thread's execve loses the race, and an image cut short dies
without leaking the call's buffers."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_cmdline_is_the_winning_execs():
    """The loser of two concurrent execve calls (EAGAIN) used to set the
    process's cmdline and exe before finding it had lost: main's kernel
    showed the loser's arguments to the new image in 5 rounds of 20."""
    expect(run("exec_race_identity"), "cmdline not the new image's: 0 of 20\n")


def test_an_image_cut_short_leaks_no_page():
    """A file that ends inside its segments is killed with SIGSEGV past the
    point of no return; that used to happen inside the call, so its path
    buffer never went back: main's kernel lost exactly 300 pages over 300
    execs (about 10 go to caches either way)."""
    r = run("exec_cut_short")
    out = r.stdout.decode().splitlines()
    assert r.status == 0 and r.stderr == b"" and len(out) == 2, r.describe()
    assert out[0] == "each died of SIGSEGV: yes", r.describe()
    assert int(out[1].split(": ")[1]) < 150, r.describe()


def test_proc_self_exe_keeps_a_long_path_whole():
    """The process kept 255 bytes of its program's path: on main a program
    at a 387-byte path read a cut /proc/self/exe, and its exec of
    /proc/self/exe failed with ENOENT (Linux: the whole path, and it runs)."""
    expect(run("exec_long_path"), "exe is the path: yes (387 bytes)\n" * 2 + "exec_long_path ok\n")
