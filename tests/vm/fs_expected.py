"""What the fs_* test programs print on Linux: each transcript was taken by
running the program natively (musl, static) on a Debian host as root, in a
fresh directory on ext4 (fs_full and fs_limits on a 16 MiB tmpfs, since they
fill the file system and need tmpfs's largest file size), then piped through cat, exactly as test_fs.py runs it in the guest.
One line per step: ok, a value, or the errno's name (tests/progs/fs_check.h).
"""

FS_FILES = r"""open missing: ENOENT
created mode: 100644
O_EXCL on existing: EEXIST
O_DIRECTORY on a file: ENOTDIR
O_WRONLY on a directory: EISDIR
O_RDWR on a directory: EISDIR
O_CREAT on a directory: EISDIR
O_CREAT with a trailing slash: EISDIR
file used as a directory: ENOTDIR
file with a trailing slash: ENOTDIR
empty path: ENOENT
O_NOFOLLOW on a symlink: ELOOP
O_PATH|O_NOFOLLOW fstat is a link: 1
read on O_PATH: EBADF
O_CLOEXEC gives FD_CLOEXEC: 1
F_GETFL: 0
O_CREAT through a dangling link made its target: 1
O_CREAT|O_EXCL on a symlink: EEXIST
write: 5
offset: 5
SEEK_END: 5
pread at 1: 4 "ello"
write past the end: 1
size: 11
contents: "hello\0\0\0\0\0X"
pwrite: 1
offset after pwrite: 11
contents: "Jello\0\0\0\0\0X"
lseek before 0: EINVAL
lseek bad whence: EINVAL
read past the end: 0
write on O_RDONLY: EBADF
read on O_WRONLY: EBADF
O_APPEND write: 1
O_APPEND offset: 12
F_GETFL: 2001
contents: "Jello\0\0\0\0\0XZ"
writev: 4
readv: 4 ab cd
FIONREAD: ok
bytes left to read: 10
TCGETS on a file: ENOTTY
dup shares the offset: 3
O_TRUNC size: 0
ftruncate grow: ok
size: 8192
grown part reads 100 zeros: 1
ftruncate shrink: ok
ftruncate grow again: ok
contents: "012\0\0\0"
ftruncate on O_RDONLY: EINVAL
ftruncate negative: EINVAL
truncate: ok
size: 5
truncate a directory: EISDIR
truncate missing: ENOENT
fallocate: ok
size: 10000
fallocate inside keeps size: ok
size: 10000
fallocate length 0: EINVAL
fallocate punch without keep-size: EOPNOTSUPP
fallocate on O_RDONLY: EBADF
fsync: ok
fdatasync: ok
fsync bad fd: EBADF
syncfs: ok
3 MiB read back: 1
sparse size: 1073741825, few blocks: 1
open after unlink: ENOENT
nlink after unlink: 0
read after unlink: 5 still
O_TMPFILE write: 3
O_TMPFILE nlink: 0
linkat gives it a name: ok
nlink after linkat: 1
linkat a second time: ok
linkat with O_EXCL: ENOENT
O_TMPFILE read-only: EINVAL
memfd write: 6, size 6
memfd FD_CLOEXEC: 1
memfd link: /memfd:scratch (deleted)
memfd seals: 1
memfd add seal without sealing: EPERM
sealable seals: 0
seal shrink and grow: ok
shrink when sealed: EPERM
grow when sealed: EPERM
write inside when sealed: ok
write past the end when sealed: EPERM
seal write: ok
write when write-sealed: EPERM
seal the seals: ok
seal after F_SEAL_SEAL: EPERM
seals: 15
memfd name too long: EINVAL
memfd bad flags: EINVAL
sendfile: 100000
source offset: 100000
copy equal: 1
sendfile with an offset: 20, offset 30, file offset 5
sendfile at the end: 0
sendfile to O_APPEND: EINVAL
sendfile bad fd: EBADF
copy_file_range: 50, in 150, out 50
range equal: 1
copy_file_range flags: EINVAL
copy_file_range overlapping: EINVAL
copy_file_range from a directory: EISDIR
fs_files done
"""

FS_META = r"""stat f: file 0640 nlink 1 size 123
lstat l: link 0777 nlink 1 size 1
stat l: file 0640 nlink 1 size 123
lstat dangling: link 0777 nlink 1 size 7
stat dangling: ENOENT
stat d: dir 0750 nlink 3 size 0
stat d/: dir 0750 nlink 3 size 0
stat f/: ENOTDIR
lstat l/: ENOTDIR
stat empty: ENOENT
stat missing: ENOENT
stat d/sub/..: dir 0750 nlink 3 size 0
fstat: file 0640 nlink 1 size 123
fstatat nofollow: link 0777 nlink 1 size 1
fstatat empty path: file 0640 nlink 1 size 123
fstatat empty path without flag: ENOENT
fstatat bad flag: EINVAL
fstatat relative to a dirfd: dir 0755 nlink 2 size 0
fstatat relative to a file: ENOTDIR
fstatat bad dirfd: EBADF
fstatat absolute ignores dirfd: ok
link leads to the same inode: 1
statx: 0
statx size 123 mode 100640 mask has basics 1
statx ino matches: 1
statx nofollow: ok
statx of a link: link
statx empty path: ok
statx of the dirfd: dir
statx missing: ENOENT
statfs: ok
statfs block size 4096, name max 255
statfs missing: ENOENT
fstatfs bad fd: EBADF
access F_OK: ok
access R_OK|W_OK: ok
access X_OK without x bits: EACCES
access X_OK on a directory: ok
access missing: ENOENT
access bad mode: EINVAL
access through a file: ENOTDIR
faccessat AT_EACCESS: ok
faccessat nofollow dangling: ok
faccessat dangling: ENOENT
chmod: ok
access X_OK with x bits: ok
after chmod: file 0711 nlink 1 size 123
chmod through a link: ok
after chmod: file 0604 nlink 1 size 123
fchmod: ok
after fchmod: file 2755 nlink 1 size 123
fchmodat: ok
after fchmodat: file 0644 nlink 1 size 123
chmod missing: ENOENT
fchmod bad fd: EBADF
fchmod on O_PATH: ok
chown: ok
owner 1000:1001
fchown gid only: ok
owner 1000:5
lchown: ok
link owner 7:8
target owner 1000:5
fchownat nofollow: ok
fchownat empty path: ok
owner 0:0
chown clears set-id bits: ok
after chown: file 0755 nlink 1 size 123
chown keeps a directory's set-id bits: ok
after chown: dir 2755 nlink 3 size 0
chown missing: ENOENT
umask was: 022
file made under umask 077: file 0600 nlink 1 size 0
directory made under umask 077: dir 0700 nlink 2 size 0
umask was: 077
mkdir keeps the sticky bit: dir 1755 nlink 2 size 0
utimensat: ok
atime 1000.000000500 mtime 2000.000000000
ctime is now: 1
utimensat UTIME_OMIT: ok
atime 1000 mtime 3000.000000007
utimensat UTIME_NOW: ok
atime is now: 1, mtime kept: 1
utimensat bad nsec: EINVAL
utimensat missing: ENOENT
utimensat nofollow: ok
link mtime 2000
futimens: ok
mtime 2000
futimens now: ok
mtime is now: 1
utimes: ok
atime 40.000001000 mtime 50.000002000
utimes bad usec: EINVAL
utime: ok
atime 60 mtime 70
utime now: ok
mtime is now: 1
write moved mtime: 1
mkdir moved the directory's mtime: 1
fs_meta done
"""

FS_DIRS = r"""mkdir: ok
mkdir existing: EEXIST
mkdir with a trailing slash: ok
mkdir missing parent: ENOENT
mkdir under a file: ENOTDIR
mkdir .: EEXIST
mkdir ..: EEXIST
mkdir on a dangling symlink: EEXIST
mkdirat: ok
rmdir non-empty: ENOTEMPTY
rmdir a file: ENOTDIR
rmdir missing: ENOENT
rmdir .: EINVAL
rmdir ..: ENOTEMPTY
rmdir a symlink to a directory: ENOTDIR
unlink a directory: EISDIR
unlink a file with a trailing slash: ENOTDIR
unlink missing: ENOENT
unlink: ok
unlinkat AT_REMOVEDIR: ok
unlinkat a directory without AT_REMOVEDIR: EISDIR
unlinkat bad flags: EINVAL
rmdir with a trailing slash: ok
unlink a symlink: ok
left: . .. a dl file
mknod regular: ok
mknod fifo: ok
mknod char device: ok
mknod directory: EPERM
mknod existing: EEXIST
fifo is a fifo: 1
device 1,3
write to a made null device: 3
mkfifo: ok
link: ok
nlink: 2
link existing: EEXIST
link a directory: EPERM
link missing: ENOENT
symlink: ok
symlink existing: EEXIST
symlink empty target: ENOENT
readlink: t
readlink a file: EINVAL
readlink missing: ENOENT
readlink truncates: 1
readlink size 0: ok
linkat a symlink itself: ok
hard link to a symlink is a link: 1
linkat following: ok
followed link is a file with nlink 3
linkat bad flags: EINVAL
unlink one name: ok
nlink: 2
symlinkat: ok
readlinkat: ok
target: t2
rename: ok
rename missing: ENOENT
rename into a directory: ok
rename over a file: ok
rename a file over a directory: EISDIR
rename a directory over a file: ENOTDIR
rename a directory over an empty one: ok
rename a directory over a non-empty one: ENOTEMPTY
rename a directory into itself: EINVAL
rename .: EBUSY
rename a file with a trailing slash: ENOTDIR
rename to the same file: ok
both names kept: nlink 2
renameat2 NOREPLACE: EEXIST
renameat2 NOREPLACE to a new name: ok
renameat2 EXCHANGE: ok
exchanged: fresh is a directory
renameat2 EXCHANGE with a missing one: ENOENT
renameat2 both flags: EINVAL
renameat: ok
rd: . .. in moved r2
moved directory's .. is its new parent: 1
left: . .. a dl file
d_type of a file: 1
300 files listed: 302 entries, 2 dots
seekdir comes back: 1
removed while listing: 300
empty again: . ..
read on a directory: EISDIR
getdents64 tiny buffer: EINVAL
getdents64 on a file: ENOTDIR
getdents64 bad fd: EBADF
getdents64 first call fills: 1
getdents64 at the end: 0
getdents at the end: 0
old getdents after rewinding fills: 1
chdir: ok
getcwd: right
getcwd too small: ERANGE
getcwd returns the length with the NUL: 1
chdir ..: ok
chdir to a file: ENOTDIR
chdir missing: ENOENT
fchdir: ok
getcwd: right
fchdir to O_PATH: ok
fchdir to a file: ENOTDIR
fchdir bad fd: EBADF
rmdir the current directory: ok
getcwd of a removed directory: ENOENT
create in a removed directory: ENOENT
chdir .. from a removed directory: ok
back: 1
dots: ok
double slashes: ok
dotdot above the root: ok
/.. is /: 1
symlink loop: ELOOP
lstat of a loop: ok
open a loop: ELOOP
40 links: ok
41 links: ELOOP
42 links: ELOOP
symlink as a directory: ok
symlink with a trailing slash: ok
followed: 1
absolute symlink: ok
name of 256: ENAMETOOLONG
name of 255: ENOENT
create a name of 255: ok
path of 4096: ENAMETOOLONG
path of 4095: ok
file as a directory: ENOTDIR
file with /.: ENOTDIR
dirfd is a file: ENOTDIR
fs_dirs done
"""

FS_LOCKS = r"""POSIX write lock: ok
POSIX test from this process: none
POSIX lock over it from another descriptor: ok
OFD lock over a POSIX one: EAGAIN
OFD test over a POSIX one: write 0+150 by this process
POSIX unlock: ok
after unlock: none
OFD write lock: ok
OFD lock from another open file: EAGAIN
OFD test from another open file: write 0+11 by an open file
OFD test from the same open file: none
POSIX test over an OFD lock: write 0+11 by an open file
POSIX lock over an OFD lock: EAGAIN
OFD read lock: ok
OFD read lock shared: ok
OFD write lock over shared reads: EAGAIN
OFD range: ok
OFD unlock the middle: ok
in the hole: none
after the hole: write 130+70 by an open file
before the hole: write 100+20 by an open file
OFD lock to the end: ok
far beyond the end: write 500+0 by an open file
SEEK_CUR with a negative length: ok
below the offset: write 290+10 by an open file
SEEK_END: ok
after SEEK_END unlock: none
start before 0: EINVAL
negative length before 0: EINVAL
bad type: EINVAL
bad whence: EINVAL
read lock on O_WRONLY: EBADF
write lock on O_RDONLY: EBADF
F_GETLK with F_UNLCK: EINVAL
OFD with l_pid set: EINVAL
bad fd: EBADF
OFD unlock everything: ok
F_OFD_SETLKW waits: ok
now the other holds it: write 0+0 by an open file
closing drops OFD locks: ok
F_OFD_SETLKW interrupted by a signal: EINTR
F_SETLKW interrupted by a signal: EINTR
flock exclusive: ok
flock exclusive again, same file: ok
flock exclusive from another open file: EAGAIN
flock shared from another open file: EAGAIN
flock convert to shared: ok
flock shared from another open file: ok
flock exclusive while shared: EAGAIN
flock unlock: ok
flock upgrade when alone: ok
flock through a dup: ok
lock kept while a dup is open: EAGAIN
fcntl locks do not see flock: ok
OFD lock over this process's POSIX lock: EAGAIN
flock waits: ok
the dup sees it held: EAGAIN
closing drops flock locks: ok
flock bad operation: EINVAL
flock bad fd: EBADF
fs_locks done
"""

FS_FIFO = r"""mkfifo: ok
is a fifo: 1
O_WRONLY|O_NONBLOCK without a reader: ENXIO
O_RDONLY|O_NONBLOCK opens at once: ok
read with no writer: ok
O_WRONLY|O_NONBLOCK with a reader: ok
write: 3
read: 3 abc
lseek: ESPIPE
read after the writer left: 0
O_RDWR opens at once: ok
blocking open, then read: 16 through the fifo
open interrupted by a signal: EINTR
unlink: ok
fs_fifo done
"""

FS_PROC = r"""/dev/null reads nothing: yes
/dev/null swallows writes: yes
/dev/null is char device 1,3: yes
/dev/zero reads zeros: yes
/dev/zero takes writes: yes
/dev/full write gives ENOSPC: yes
/dev/full reads zeros: yes
/dev/urandom gives bytes: yes
/dev/random gives bytes: yes
/dev/stdin links to fd 0: yes
/dev/stdout links to fd 1: yes
/dev/stderr links to fd 2: yes
written to /dev/stdout
/proc/self/exe names the program: yes
/proc/self is the pid: yes
/proc/PID exists: yes
status has the pid: yes
status has the name: yes
status has one thread: yes
status has VmRSS: yes
cmdline is argv: yes
environ is the environment: yes
maps has the stack: yes
maps names the program: yes
cwd links to the current directory: yes
fd link names the file: yes
opening the fd link gives its own offset: yes
fd link of a removed file says so: yes
a removed file opens through its fd link: yes
fd lists 0 1 2: yes
fd entries are links: yes
a closed fd has no entry: yes
meminfo starts with MemTotal: yes
meminfo has MemFree and MemAvailable: yes
cpuinfo has one block per online CPU: yes
uptime has two numbers: yes
loadavg has three averages: yes
mounts has / and /proc: yes
stat starts with the cpu line: yes
version starts with Linux version: yes
filesystems has proc: yes
osrelease is uname's release: yes
/proc/meminfo cannot be written: yes
nothing new is made in /proc: yes
/proc is procfs: yes
/etc/passwd has root: yes
/etc/group has root: yes
/etc/hosts has localhost: yes
/tmp is a sticky, writable directory: yes
/root is a directory: yes
fs_proc done
"""

FS_FULL = r"""stopped with: ENOSPC
wrote at least 1 MiB: 1
next write: ENOSPC
unlink: ok
room again: 1
fs_full done
"""

FS_LIMITS = r"""fallocate 64 GiB: ENOSPC
after: size 0, blocks 0
fallocate over a sparse 64 GiB: ENOSPC
after: size 68719476736, blocks 8
8 MiB of memory after: ok
write: 3
read after every end closed: EAGAIN
FIFOs written once and closed: 2000
pread 1 at LLONG_MAX: EINVAL
pread 0 at LLONG_MAX: 0
pread 1 at LLONG_MAX-1: 0
preadv at LLONG_MAX: EINVAL
lseek to LLONG_MAX: 9223372036854775807
read 1 there: EINVAL
read 0 there: 0
write 1 there: EINVAL
pwrite at 2^48: 1
pwrite at 2^48+5: 1
pread at 2^48: 1
after: size 281474976710662, blocks 8
ftruncate to 2^50: 0
ftruncate to LLONG_MAX: 0
pwrite at LLONG_MAX-1: 1
pwrite at LLONG_MAX: EINVAL
pwritev at LLONG_MAX: EINVAL
after: size 9223372036854775807, blocks 16
lseek SEEK_END: 9223372036854775807
lseek 1 past SEEK_END: EINVAL
fallocate across LLONG_MAX: EFBIG
ftruncate back to 1: 0
after: size 1, blocks 0
/proc/self/status SEEK_END: EINVAL
/proc/self/status past the end: 100000
/proc/self/status read there: 0
/proc/meminfo SEEK_END: EINVAL
/proc/meminfo past the end: 100000
/proc/meminfo read there: 0
/proc/self/maps SEEK_END: EINVAL
/proc/self/maps past the end: 100000
/proc/self/maps read there: 0
/proc/self/stat SEEK_END: EINVAL
/proc/self/stat past the end: 100000
/proc/self/stat read there: 0
/proc/self/cmdline SEEK_END: 0
/proc/self/cmdline past the end: 100000
/proc/self/cmdline read there: 0
/proc/self/environ SEEK_END: 0
/proc/self/environ past the end: 100000
/proc/self/environ read there: 0
fs_limits done
"""
