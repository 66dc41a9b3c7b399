"""What tests/progs/perms.c prints on Linux.  Both transcripts were taken by
running the program natively (musl, static) on the Debian 12 host as root
(in a container whose root lacks CAP_SYS_RESOURCE: the program prints only
the capabilities amphi checks):

    ./perms root /tmp/perms
    setpriv --reuid=1000 --regid=1000 --clear-groups ./perms user /tmp/perms

One line per check (fs_check.h's "what: result"); tabs in the status lines
are Linux's.
"""

PERMS_ROOT = r"""uids 0 0 0 fsuid 0 gids 0 0 0 fsgid 0 groups
status Uid:	0	0	0	0
status Gid:	0	0	0	0
status Groups:	 
status CapInh: 0
status CapPrm: 2005ff
status CapEff: 2005ff
status CapBnd: 2005ff
status CapAmb: 0
status NoNewPrivs:	0
root: eff 2005ff prm 2005ff inh 0
root opens a 0000 file: ok
root lists a 0000 dir: ok
root stats in a 0000 dir: ok
root executes 0644: EACCES
hello: uids 0 0 0 fsuid 0 gids 0 0 0 fsgid 0 groups
after exec: eff 2005ff prm 2005ff inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 0 euid 0 gid 0 egid 0 secure 0
root executes another's 0700: status 3
bind tcp4 low port: ok
bind udp4 low port: ok
bind tcp6 low port: ok
bind udp6 low port: ok
bind tcp4 port 0: ok
bind tcp4 high port: ok
root capget: eff 2005ff prm 2005ff inh 0
PR_CAPBSET_READ CHOWN: 1
setfsuid 1000: ok
setfsgid 2000: ok
capget with fsuid 1000: eff 2005e0 prm 2005ff inh 0
open a 0000 file with fsuid 1000: EACCES
create in a root dir with fsuid 1000: EACCES
create in a 0777 dir with fsuid 1000: ok
its owner: 100644 1000:2000
setfsuid back gives: 1000
open a 0000 file again: ok
-- dropped to uid 1000
after setuid: eff 0 prm 0 inh 0
PR_GET_DUMPABLE after setuid: 0
hello: uids 1000 0 0 fsuid 0 gids 1000 1000 1000 fsgid 1000 groups 2000
after exec: eff 2005ff prm 2005ff inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 0
auxv uid 1000 euid 0 gid 1000 egid 1000 secure 1
exec a set-user-ID root file: status 3
hello: uids 1000 1000 1000 fsuid 1000 gids 1000 3000 3000 fsgid 3000 groups 2000
after exec: eff 0 prm 0 inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 0
auxv uid 1000 euid 1000 gid 1000 egid 3000 secure 1
exec a set-group-ID file: status 3
unlink root's file in a sticky dir: EPERM
rename root's file in a sticky dir: EPERM
write root's 0666 file in a sticky dir: ok
create own file in a sticky dir: ok
unlink own file in a sticky dir: ok
hard link to root's 0600 file: EPERM
hard link to root's 0666 file: ok
hard link to a set-user-ID file: EPERM
read a 0640 file of a supplementary group: ok
access R_OK through a group: ok
access W_OK through a group: EACCES
stat in a 0700 root dir: EACCES
read root's 0600 file: EACCES
chmod 02755 own file of another group: ok
mode after: 100755 1000:0
chmod root's file: EPERM
create in a set-gid dir: ok
file in a set-gid dir: 100755 1000:3000
mkdir in a set-gid dir: ok
dir in a set-gid dir: 42755 1000:3000
symlink in a set-gid dir: ok
mkfifo in a set-gid dir: ok
mknod a character device: EPERM
fifo in a set-gid dir: 10644 1000:3000
uids 1000 1000 1000 fsuid 1000 gids 1000 1000 1000 fsgid 1000 groups 2000
status Uid:	1000	1000	1000	1000
status Gid:	1000	1000	1000	1000
status Groups:	2000 
status CapInh: 0
status CapPrm: 0
status CapEff: 0
status CapBnd: 2005ff
status CapAmb: 0
status NoNewPrivs:	0
/proc/self/status: 100444 0:0
access W_OK /proc/self/status: EACCES
list /proc/self/fd: ok
reopen a pipe through /proc/self/fd: ok
write /proc/sys/net/core/somaxconn: EACCES
mkdir base: ok
create a file: ok
new file: 100600 1000:1000
chmod 0: ok
open 0000 for reading: EACCES
open 0000 for writing: EACCES
access R_OK on 0000: EACCES
access F_OK on 0000: ok
chmod 0400: ok
open 0400 for reading: ok
open 0400 for writing: EACCES
open 0400 O_RDONLY|O_TRUNC: EACCES
truncate 0400: EACCES
chmod 0644: ok
open O_NOATIME on own file: ok
open O_NOATIME on /dev/null: EPERM
execute 0644: EACCES
hello: uids 1000 1000 1000 fsuid 1000 gids 1000 1000 1000 fsgid 1000 groups 2000
after exec: eff 0 prm 0 inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 1000 euid 1000 gid 1000 egid 1000 secure 0
execute 0755: status 3
chmod prog 0644: ok
execute prog 0644: EACCES
chmod prog 04755: ok
write to a set-uid file: ok
after the write: 100755 1000:1000
mkdir: ok
create in it: ok
chmod dir 0600: ok
stat without search: EACCES
open without search: EACCES
list without search: ok
chmod dir 0300: ok
list without read: EACCES
stat with search only: ok
chmod dir 0500: ok
unlink without write: EACCES
create without write: EACCES
mkdir without write: EACCES
rename out without write: EACCES
chmod dir 0600 again: ok
chdir without search: EACCES
fchdir without search: EACCES
chmod dir 0700: ok
chdir with search: ok
chdir /: ok
mkdir in /: EACCES
create in /: EACCES
chown own file to root: EPERM
chgrp own file to root: EPERM
chown own file to itself: ok
chown / to itself: EPERM
chmod /: EPERM
chmod /dev/null: EPERM
touch own file: ok
touch /dev/null: ok
set times of /dev/null: EPERM
set times of own file: ok
touch /: EACCES
bind tcp4 low port: EACCES
bind udp4 low port: EACCES
bind tcp6 low port: EACCES
bind udp6 low port: EACCES
bind tcp4 port 0: ok
bind tcp4 high port: ok
bind a unix socket: ok
its node: 140755 1000:1000
listen: ok
connect: ok
chmod it 0555: ok
connect without write: EACCES
lower the NOFILE limits to 64, 128: ok
raise the hard one to 256: EPERM
sethostname: EPERM
setuid 0: EPERM
setgid 0: EPERM
setgroups: EPERM
setfsuid 0 gives: 1000
fsuid now: 1000
capget: eff 0 prm 0 inh 0
capget bad version: EINVAL
version it wrote: 20080522
capget bad version, no data: ok
capget pid -1: EINVAL
capset raising a capability: EPERM
PR_CAPBSET_READ CHOWN: 1
PR_CAPBSET_READ 64: EINVAL
PR_GET_KEEPCAPS: 0
PR_SET_KEEPCAPS 2: EINVAL
PR_CAP_AMBIENT IS_SET CHOWN: 0
PR_CAP_AMBIENT RAISE CHOWN: EPERM
PR_CAP_AMBIENT CLEAR_ALL: ok
PR_GET_SECUREBITS: 0
PR_GET_DUMPABLE: 0
PR_GET_NO_NEW_PRIVS: 0
PR_SET_NO_NEW_PRIVS 2: EINVAL
PR_SET_NO_NEW_PRIVS: ok
hello: uids 1000 1000 1000 fsuid 1000 gids 1000 1000 1000 fsgid 1000 groups 2000
after exec: eff 0 prm 0 inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 1000 euid 1000 gid 1000 egid 1000 secure 0
exec a set-user-ID root file with no new privileges: status 3
-- access with real ids
access R_OK with real uid 1000: EACCES
faccessat2 AT_EACCESS: ok
open with effective uid 0: ok
uids 1000 0 0 fsuid 0 gids 0 0 0 fsgid 0 groups
hello: uids 1000 0 0 fsuid 0 gids 0 0 0 fsgid 0 groups
after exec: eff 2005ff prm 2005ff inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 0
auxv uid 1000 euid 0 gid 0 egid 0 secure 1
exec with real uid 1000, effective 0: status 3
setresuid -1 1000 -1: ok
with saved uid 0: eff 0 prm 2005ff inh 0
hello: uids 1000 1000 1000 fsuid 1000 gids 0 0 0 fsgid 0 groups
after exec: eff 0 prm 0 inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 1000 euid 1000 gid 0 egid 0 secure 0
exec with saved uid 0: status 3
-- keep caps
PR_SET_KEEPCAPS 1: ok
root: capset inheritable NET_BIND_SERVICE: ok
root: ambient raise: ok
kept caps: eff 0 prm 2005ff inh 400
ambient after setuid: 0
PR_GET_KEEPCAPS: 1
PR_GET_SECUREBITS: 16
bind low port with nothing effective: EACCES
capset NET_BIND_SERVICE effective: ok
bind low port with NET_BIND_SERVICE: ok
ambient raise: ok
hello: uids 1000 1000 1000 fsuid 1000 gids 0 0 0 fsgid 0 groups
after exec: eff 400 prm 400 inh 400
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 1000 euid 1000 gid 0 egid 0 secure 0
exec with an ambient capability: status 3
capset effective beyond permitted: EPERM
capset permitted down to NET_BIND_SERVICE: ok
after capset: eff 400 prm 400 inh 0
capset permitted back up: EPERM
PR_CAPBSET_DROP without SETPCAP: EPERM
hello: uids 1000 1000 1000 fsuid 1000 gids 0 0 0 fsgid 0 groups
after exec: eff 0 prm 0 inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 1000 euid 1000 gid 0 egid 0 secure 0
exec as uid 1000: status 3
-- kill across uids
kill 0 to another uid: EPERM
SIGTERM to another uid: EPERM
SIGCONT to another uid in the session: ok
kill 0 to own process group: ok
kill -1 with 0: ok
root sends SIGTERM: ok
target ended by signal 15
perms root done
"""

PERMS_USER = r"""uids 1000 1000 1000 fsuid 1000 gids 1000 1000 1000 fsgid 1000 groups
status Uid:	1000	1000	1000	1000
status Gid:	1000	1000	1000	1000
status Groups:	 
status CapInh: 0
status CapPrm: 0
status CapEff: 0
status CapBnd: 2005ff
status CapAmb: 0
status NoNewPrivs:	0
/proc/self/status: 100444 1000:1000
access W_OK /proc/self/status: EACCES
list /proc/self/fd: ok
reopen a pipe through /proc/self/fd: ok
write /proc/sys/net/core/somaxconn: EACCES
mkdir base: ok
create a file: ok
new file: 100600 1000:1000
chmod 0: ok
open 0000 for reading: EACCES
open 0000 for writing: EACCES
access R_OK on 0000: EACCES
access F_OK on 0000: ok
chmod 0400: ok
open 0400 for reading: ok
open 0400 for writing: EACCES
open 0400 O_RDONLY|O_TRUNC: EACCES
truncate 0400: EACCES
chmod 0644: ok
open O_NOATIME on own file: ok
open O_NOATIME on /dev/null: EPERM
execute 0644: EACCES
hello: uids 1000 1000 1000 fsuid 1000 gids 1000 1000 1000 fsgid 1000 groups
after exec: eff 0 prm 0 inh 0
PR_GET_KEEPCAPS after exec: 0
PR_GET_DUMPABLE after exec: 1
auxv uid 1000 euid 1000 gid 1000 egid 1000 secure 0
execute 0755: status 3
chmod prog 0644: ok
execute prog 0644: EACCES
chmod prog 04755: ok
write to a set-uid file: ok
after the write: 100755 1000:1000
mkdir: ok
create in it: ok
chmod dir 0600: ok
stat without search: EACCES
open without search: EACCES
list without search: ok
chmod dir 0300: ok
list without read: EACCES
stat with search only: ok
chmod dir 0500: ok
unlink without write: EACCES
create without write: EACCES
mkdir without write: EACCES
rename out without write: EACCES
chmod dir 0600 again: ok
chdir without search: EACCES
fchdir without search: EACCES
chmod dir 0700: ok
chdir with search: ok
chdir /: ok
mkdir in /: EACCES
create in /: EACCES
chown own file to root: EPERM
chgrp own file to root: EPERM
chown own file to itself: ok
chown / to itself: EPERM
chmod /: EPERM
chmod /dev/null: EPERM
touch own file: ok
touch /dev/null: ok
set times of /dev/null: EPERM
set times of own file: ok
touch /: EACCES
bind tcp4 low port: EACCES
bind udp4 low port: EACCES
bind tcp6 low port: EACCES
bind udp6 low port: EACCES
bind tcp4 port 0: ok
bind tcp4 high port: ok
bind a unix socket: ok
its node: 140755 1000:1000
listen: ok
connect: ok
chmod it 0555: ok
connect without write: EACCES
lower the NOFILE limits to 64, 128: ok
raise the hard one to 256: EPERM
sethostname: EPERM
setuid 0: EPERM
setgid 0: EPERM
setgroups: EPERM
setfsuid 0 gives: 1000
fsuid now: 1000
capget: eff 0 prm 0 inh 0
capget bad version: EINVAL
version it wrote: 20080522
capget bad version, no data: ok
capget pid -1: EINVAL
capset raising a capability: EPERM
PR_CAPBSET_READ CHOWN: 1
PR_CAPBSET_READ 64: EINVAL
PR_GET_KEEPCAPS: 0
PR_SET_KEEPCAPS 2: EINVAL
PR_CAP_AMBIENT IS_SET CHOWN: 0
PR_CAP_AMBIENT RAISE CHOWN: EPERM
PR_CAP_AMBIENT CLEAR_ALL: ok
PR_GET_SECUREBITS: 0
PR_GET_DUMPABLE: 1
PR_GET_NO_NEW_PRIVS: 0
PR_SET_NO_NEW_PRIVS 2: EINVAL
perms user done
"""
