"""Writing an initramfs: the cpio "newc" format (what `cpio -H newc` writes),
shared by the boot benchmark and the network benchmark's Linux VM."""


def newc_entry(name, mode, data=b"", rdev=(0, 0), ino=1):
    """One cpio "newc" record."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    rec = hdr + name_b
    rec += b"\0" * (-len(rec) % 4)
    rec += data
    rec += b"\0" * (-len(rec) % 4)
    return rec


def write_newc(path, entries):
    """entries: (name, mode, data, rdev) in order, directories before what
    they hold.  Uncompressed, so the kernel spends no time decompressing."""
    with open(path, "wb") as f:
        for i, (name, mode, data, rdev) in enumerate(entries):
            f.write(newc_entry(name, mode, data, rdev, ino=i + 1))
        f.write(newc_entry("TRAILER!!!", 0, ino=0))
