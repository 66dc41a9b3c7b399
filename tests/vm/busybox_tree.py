"""A small, deterministic file tree for comparing busybox applets run under
amphi with the same applets run on the host.

The host side runs in a chroot holding the same tree at the same paths, so
every path, owner and time an applet prints is the same on both sides; the
guest gets the tree with `amphi run --files`."""

import os
import shutil
import subprocess

FIXED_TIME = 1700000000  # 2023-11-14 22:13:20 UTC: every file's mtime

FILES = {
    "data/fruits.txt": "banana\napple\ncherry\napple\ndate\nbanana\nelderberry\n",
    "data/numbers.txt": "".join("%d\n" % (n * 7 % 23) for n in range(40)),
    "data/table.csv": "name,qty,price\npear,3,1.20\nfig,12,0.35\nkiwi,7,0.80\nplum,1,2.50\n",
    "data/poem.txt": ("The quick brown fox\njumps over\nthe lazy dog.\n\n"
                      "Pack my box with\nfive dozen liquor jugs.\n"),
    "data/dir/sub/deep.txt": "deep\n",
    "data/dir/notes.md": "# notes\n- one\n- two\n",
    "data/empty": "",
}
SYMLINKS = {"data/link-to-poem": "poem.txt"}
# Same on both sides; the guest kernel writes equal defaults (docs/status.md).
ETC = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
    "etc/group": "root:x:0:\n",
}


def build(root, busybox="/bin/busybox"):
    """Lays the tree out under root; returns root.  root/bin/busybox is a copy
    of the host's busybox (for the chroot), with a link for every applet:
    in the chroot there is no /proc/self/exe for its shell to start applets
    through, so it finds them on PATH=/bin as programs.  (In the guest it
    runs them through /proc/self/exe.)"""
    for rel, text in list(FILES.items()) + list(ETC.items()):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    for rel, target in SYMLINKS.items():
        os.symlink(target, os.path.join(root, rel))
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
    # The shell gives a background job /dev/null for its input: an empty
    # file stands in for the device in the chroot.
    os.makedirs(os.path.join(root, "dev"), exist_ok=True)
    open(os.path.join(root, "dev", "null"), "w").close()
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy2(os.path.realpath(busybox), os.path.join(root, "bin", "busybox"))
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
    for applet in applets:
        if applet != "busybox":
            os.symlink("busybox", os.path.join(root, "bin", applet))
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, "data"), topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (FIXED_TIME, FIXED_TIME), follow_symlinks=False)
        os.utime(dirpath, (FIXED_TIME, FIXED_TIME))
    return root
