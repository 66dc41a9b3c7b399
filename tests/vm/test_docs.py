"""`amphi help` and the man page (docs/amphi.1) agree with the code.

Nothing here is a list to keep up to date: the commands come from the
subcommand tables in tools/amphi/*.c (`struct command NAME[] = {...}`,
nested ones too, as amphi server's), and each command's options from the
getopt tables and option strings of the file that defines its function
(macros such as NET_LONG_OPTIONS expanded from the headers).  So an option
added anywhere is checked at once: it must appear in `amphi help CMD` (a
subcommand's in its parent's help) and in the man page section named after
the command; and every option those list must exist in the code.  The man
page must also format without a warning."""

import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import AMPHI, ROOT

TOOL = os.path.join(ROOT, "tools", "amphi")
MAN = os.path.join(ROOT, "docs", "amphi.1")


def sources():
    return {p: open(p).read() for p in glob.glob(os.path.join(TOOL, "*.[ch]"))}


def macros(src):
    """#define NAME \\ ... option rows, by name."""
    out = {}
    for text in src.values():
        for m in re.finditer(r"^#define (\w+_OPTIONS)\s*\\\n((?:.*\\\n)*.*)$", text, re.M):
            out[m.group(1)] = m.group(2)
    return out


def command_tables(src):
    """[(name, function)] of every `struct command X[] = {...}` table, by
    the file that holds it."""
    tables = {}
    for path, text in src.items():
        for m in re.finditer(r"struct command \w+\[\] = \{(.*?)\n\};", text, re.S):
            rows = re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*(\w+),', m.group(1))
            tables.setdefault(path, []).extend(rows)
    return tables


def defining_file(src, fn):
    for path, text in src.items():
        if path.endswith(".c") and re.search(r"^int %s\(int argc, char \*\*argv\)" % fn, text, re.M):
            return path
    return None


def function_file(src, fn):
    """The file that defines function fn, whatever it returns."""
    for path, text in src.items():
        if path.endswith(".c") and re.search(r"^[\w ]+?\**%s\(" % fn, text, re.M):
            return path
    return None


def optstrings(text):
    return re.findall(r'getopt_long\(argc, argv, "([^"]*)"', text)


def options_of(src, path):
    """(long names, short letters) that the file's getopt calls accept;
    a table handed to another function (server status's, to the helper
    that parses for every server command) takes that one's letters."""
    text, mac = src[path], macros(src)
    longs, shorts = set(), set()
    for m in re.finditer(r"struct option (\w+)\[\] = \{(.*?)\};", text, re.S):
        for fn in re.findall(r"(\w+)\([^;()]*\b%s\b" % m.group(1), text):
            other = function_file(src, fn) if fn != "getopt_long" else None
            for optstring in optstrings(src[other]) if other and other != path else ():
                shorts |= set(c for c in optstring if c.isalnum())
        body, seen = m.group(2), set()
        new = set(re.findall(r"\b(\w+_LONG_OPTIONS)\b", body))
        while new:	# a macro's rows may name another macro
            seen |= new
            body += "".join(mac.get(name, "") for name in new)
            new = set(re.findall(r"\b(\w+_LONG_OPTIONS)\b", body)) - seen
        longs |= set(re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*\w+_argument', body))
    # Short options are what getopt's option string takes (a table row's
    # letter may only be the value --json returns).
    for optstring in optstrings(text):
        shorts |= set(c for c in optstring if c.isalnum())
    return longs, shorts


def commands():
    """{"run": (longs, shorts, help argv), "server start": ...} for every
    command and subcommand."""
    src = sources()
    tables = command_tables(src)
    main = os.path.join(TOOL, "main.c")
    out = {}
    for name, fn in tables.get(main, []):
        path = defining_file(src, fn)
        assert path, "no file defines %s (command %s)" % (fn, name)
        nested = tables.get(path)
        for sub, subfn in nested or ():
            subpath = defining_file(src, subfn)
            assert subpath, "no file defines %s (command %s %s)" % (subfn, name, sub)
            out["%s %s" % (name, sub)] = options_of(src, subpath) + (name,)
        if not nested:		# a command of commands has its subcommands' options
            out[name] = options_of(src, path) + (name,)
    return out


def help_text(cmd):
    r = subprocess.run([os.path.join(ROOT, AMPHI), "help", cmd], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def man_sections():
    """The man page's command sections ("amphi run", "amphi server start",
    ...) as plain text: roff's escapes and fonts taken out."""
    text = open(MAN).read().replace("\\-", "-")
    text = re.sub(r"\\f[BIRP]", "", text)
    parts = re.split(r'^\.SS "?', text, flags=re.M)[1:]
    out = {}
    for part in parts:
        head, body = part.split("\n", 1)
        words = head.strip('"').split()
        name = " ".join(w for w in words[1:3] if re.fullmatch(r"[a-z]+", w))
        out[name] = body.split("\n.SH", 1)[0]
    return out


def mentions(text, opt):
    return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), text) is not None


CMDS = commands()


def test_found_the_commands():
    """The parse found what a user sees in `amphi help`."""
    general = subprocess.run([os.path.join(ROOT, AMPHI), "help"], capture_output=True, text=True)
    listed = re.findall(r"^  ([a-z]+)\s", general.stdout, re.M)
    assert sorted(listed) == sorted(set(c.split()[0] for c in CMDS))
    assert {"run", "iso", "libvirt", "server start"} <= set(CMDS)
    longs, shorts, _ = CMDS["run"]
    assert {"trace", "trace-file", "gdb", "nic", "publish", "smp"} <= longs and "m" in shorts


@pytest.mark.parametrize("cmd", sorted(CMDS))
def test_every_option_in_help_and_man(cmd):
    longs, shorts, parent = CMDS[cmd]
    text = help_text(parent)
    man = man_sections()
    assert cmd in man, "the man page has no section for amphi %s" % cmd
    missing_help = ["--" + o for o in sorted(longs) if not mentions(text, "--" + o)]
    missing_help += ["-" + c for c in sorted(shorts) if not mentions(text, "-" + c)]
    missing_man = ["--" + o for o in sorted(longs) if not mentions(man[cmd], "--" + o)]
    missing_man += ["-" + c for c in sorted(shorts) if not mentions(man[cmd], "-" + c)]
    assert not missing_help, "amphi help %s does not document %s" % (parent, missing_help)
    assert not missing_man, "docs/amphi.1 (amphi %s) does not document %s" % (cmd, missing_man)


@pytest.mark.parametrize("cmd", sorted(set(c.split()[0] for c in CMDS)))
def test_help_lists_only_real_options(cmd):
    """Every option line of `amphi help CMD` names an option the code
    takes (for amphi server: one of its subcommands)."""
    accepted = set()
    for name, (longs, shorts, parent) in CMDS.items():
        if parent == cmd:
            accepted |= {"--" + o for o in longs} | {"-" + c for c in shorts}
    for line in help_text(cmd).splitlines():
        m = re.match(r"^  (?:(-\w), )?(--[a-z][a-z0-9-]*)", line)
        if m:
            for opt in m.groups():
                assert opt is None or opt in accepted, \
                    "amphi help %s lists %s, which the code does not take" % (cmd, opt)


def test_man_lists_only_real_options():
    man = man_sections()
    for cmd, body in man.items():
        if cmd not in CMDS:
            continue
        longs, shorts, _ = CMDS[cmd]
        for entry in re.findall(r"^\.TP\n(.*)$", body, re.M):
            for opt in re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", entry):
                ok = opt[2:] in longs if opt.startswith("--") else opt[1:] in shorts
                assert ok, "docs/amphi.1 (amphi %s) lists %s, which the code does not take" \
                    % (cmd, opt)


def test_man_page_formats_cleanly():
    if not shutil.which("groff"):
        pytest.fail("groff missing (Debian's groff-base, which make test installs)", pytrace=False)
    r = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
