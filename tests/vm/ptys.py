"""Programs typed at, as a user at a terminal would: each runs as a
session leader on a new pty (its controlling terminal, as pty.fork makes
it), and the keys of a script are typed as their prompts appear."""

import os
import pty
import select
import time


def typed_at(argv, script=(), limit=60):
    """argv on a new pty, each (prompt, keys) of script typed once the
    output holds prompt: (output with \\r dropped, exit status, or None
    when it did not end within limit seconds)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    out, step, deadline = b"", 0, time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            if not select.select([fd], [], [], 1)[0]:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:	# EIO: the other side is closed
                break
            if not data:
                break
            out += data
            while step < len(script) and script[step][0] in out.replace(b"\r", b""):
                os.write(fd, script[step][1])
                step += 1
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return out.replace(b"\r", b"").decode(), None
        return out.replace(b"\r", b"").decode(), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        os.close(fd)
