"""Another process's memory, as Linux lets tools reach it: /proc/PID/cmdline
and environ read from the program's memory (tests/progs/proc_cmdline.c), so
a program that rewrites its arguments, as setproctitle does for redis and
nginx, shows its new title; process_vm_readv and process_vm_writev, and
/proc/PID/mem (tests/progs/process_vm.c).  Each line is the same program's
(built with musl) on Linux 6.18, run as root.  Before, cmdline and environ
were copies taken at exec, process_vm_* were ENOSYS and /proc/PID/mem did
not exist."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

CMDLINE = {
    "plain": ("cmdline (25): proc_cmdline|plain|again|\n"
              "environ (18): A=1|BB=22|CCC=333|\n"),
    "inplace": "cmdline (27): ab|c_cmdline|inplace|again|\n",
    "title": "cmdline (43): title: a long one that runs past the argum|\n",
    "env": "environ (18): A=1|ZB=22|CCC=333|\n",
    "child": "the parent's, from its child (43): title: a long one that runs past the argum|\n",
}

PROCESS_VM = {
    "vm": (
        'readv 2 from 2: 29 "the child" "\'sr less......"\n'
        'into PROT_NONE: 6 ""\n'
        "PROT_NONE only: EFAULT, unmapped: EFAULT\n"
        'across two pages: 10 "abcdefghij"\n'
        "writev: 7\n"
        "writev to its read-only page: EFAULT\n"
        "writev ending in it: 6\n"
        'child sees: "the CHANGED data, 64" "CHANGEgh" "ghijklmn"\n'
        "flags 1: EINVAL\n"
        "1025 iovecs: EINVAL\n"
        "bad local vector: EFAULT, bad remote vector: EFAULT\n"
        "local buffer in the kernel's half: EFAULT\n"
        "nothing to move, no such pid: 0; nothing remote: 0\n"
        "no such pid: ESRCH\n"
        "negative remote length: EINVAL\n"
        "as another user: EPERM\n"),
    "mem": (
        'pread its data: 10 "the child\'"\n'
        'pread PROT_NONE: 4 "0"\n'
        "pread unmapped: EIO\n"
        "pread running into it: 4\n"
        "pwrite its data: 3\n"
        "pwrite its read-only page: 3\n"
        "pwrite unmapped: EIO\n"
        'child sees: "MEM child\'s data, 64" "abcdefRO" "RO!jklmn"\n'
        'read at lseek\'s address: 3 "MEM", now at data + 3\n'
        'own memory: 3 "own"\n'
        "as another user, open: EACCES\n"
        "its process gone: 0\n"),
}


@pytest.mark.parametrize("case", sorted(CMDLINE))
def test_cmdline_from_memory(case):
    expect(run("proc_cmdline", case), CMDLINE[case])


@pytest.mark.parametrize("case", sorted(PROCESS_VM))
def test_process_vm(case):
    expect(run("process_vm", case), PROCESS_VM[case])

