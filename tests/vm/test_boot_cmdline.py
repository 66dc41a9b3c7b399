"""The kernel keeps 511 bytes of its command line (lib/boot_cmdline.h),
which carries the --share and --disk mounts: options that would make it
longer are refused before booting (status 2, one line), where the kernel
used to cut the line and mount the last share at a cut path without a
word; a --disk GUESTDIR longer than the kernel's 255 characters, or with a
blank, is refused as --share's is.  Shares whose line just fits are all
mounted where asked."""


import pytest

from conftest import amphi_argv, refused, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


def shares(tmp_path, n, length):
    """n shares of tmp_path's folders s0..., each at a GUESTDIR of length
    characters, each folder holding a file named after it."""
    opts, dirs = [], []
    for i in range(n):
        host = tmp_path / ("s%d" % i)
        host.mkdir()
        (host / "name").write_text("s%d\n" % i)
        guest = "/" + "d" * (length - 3) + ".%d" % i
        opts += ["--share", "%s:%s" % (host, guest)]
        dirs.append(guest)
    return opts, dirs


def test_shares_past_the_kernel_line_are_refused(tmp_path):
    opts, dirs = shares(tmp_path, 3, 200)	# 3 x "share=shareN:" + 200 > 511
    refused(amphi_argv(BUSYBOX, "true", options=opts), "command line", "511")


def test_shares_that_fit_are_all_mounted(tmp_path):
    opts, dirs = shares(tmp_path, 2, 240)
    r = run(BUSYBOX, "sh", "-c", "cat %s/name %s/name" % tuple(dirs), options=opts)
    assert (r.status, r.stdout) == (0, b"s0\ns1\n"), r.describe()


def test_disk_guestdir_too_long_or_blank_is_refused(tmp_path):
    img = tmp_path / "disk.img"
    img.write_bytes(b"\0" * 65536)
    refused(amphi_argv(BUSYBOX, "true", options=["--disk", "%s:/%s" % (img, "d" * 255)]),
            "GUESTDIR", "255")
    refused(amphi_argv(BUSYBOX, "true", options=["--disk", "%s:/a\tb" % img]), "GUESTDIR")
