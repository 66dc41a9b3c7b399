"""/proc/sysvipc/msg, sem and shm (tests/progs/proc_sysvipc.c): the System V
IPC objects in Linux's header lines and columns, each row checked against
Linux's format by the program, an object of root's listed to uid 65534
as Linux lists every object to every user, a removed segment still
attached shown with SHM_DEST (1600) under key 0, the files root's and
0444, a read a byte at a time the same as a whole one.  The transcript is
Linux 6.18's, taken natively as root under `unshare --ipc` (the program
becomes uid 65534 after making root's objects): ids 0, 1, 2... as in a
fresh IPC namespace, which amphi's now are (Linux's cyclic allocation;
before, each new object moved the sequence on, ids 0, 32769, 65538...).
Debian's ipcs (util-linux, which reads these files) lists the same objects
as on Linux.  Before, /proc/sysvipc did not exist (ENOENT)."""
import os
import shutil

import pytest

from conftest import PROGS, ROOT, expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

# What the program says as it makes the objects, before either listing.
MADE = """\
root's msgget 0x7001 0600: 0
root's shmget 0x7003 0600: 0
msgget 0x1234 0640: 1
msgsnd 5: 0
msgsnd 3: 0
msgget private 0604: 2
msgget 0x1235 0666: 3
msgsnd 5: 0
msgrcv: 5
semget 0x2345 3 0600: 0
semget private 1 0644: 1
semop: 0
shmget 0x3456 10000 0644: 1
shmat: ok
shmget private 4096 0600: 2
shmat: ok
IPC_RMID while attached: 0
shmget 0x3457 4096 0640: 3
shmat, shmdt: 0
"""

LINUX = MADE + """\
/proc/sysvipc/msg: mode 100444 uid 0 size 0
       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime
msg: key 28673 id 0 perms 600 cbytes 0 qnum 0 lspid 0 lrpid 0 uid 0 gid 0 cuid 0 cgid 0 stime 0 rtime 0 ctime now
msg: key 4660 id 1 perms 640 cbytes 8 qnum 2 lspid self lrpid 0 uid 65534 gid 65534 cuid 65534 cgid 65534 stime now rtime 0 ctime now
msg: key 0 id 2 perms 604 cbytes 0 qnum 0 lspid 0 lrpid 0 uid 65534 gid 65534 cuid 65534 cgid 65534 stime 0 rtime 0 ctime now
msg: key 4661 id 3 perms 666 cbytes 0 qnum 0 lspid self lrpid self uid 65534 gid 65534 cuid 65534 cgid 65534 stime now rtime now ctime now
/proc/sysvipc/sem: mode 100444 uid 0 size 0
       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime
sem: key 9029 id 0 perms 600 nsems 3 uid 65534 gid 65534 cuid 65534 cgid 65534 otime now ctime now
sem: key 0 id 1 perms 644 nsems 1 uid 65534 gid 65534 cuid 65534 cgid 65534 otime 0 ctime now
/proc/sysvipc/shm: mode 100444 uid 0 size 0
       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap
shm: key 28675 id 0 perms 600 size 5000 cpid self lpid 0 nattch 0 uid 0 gid 0 cuid 0 cgid 0 atime 0 dtime 0 ctime now rss 0 swap 0
shm: key 13398 id 1 perms 644 size 10000 cpid self lpid self nattch 1 uid 65534 gid 65534 cuid 65534 cgid 65534 atime now dtime 0 ctime now rss 8192 swap 0
shm: key 0 id 2 perms 1600 size 4096 cpid self lpid self nattch 1 uid 65534 gid 65534 cuid 65534 cgid 65534 atime now dtime 0 ctime now rss 0 swap 0
shm: key 13399 id 3 perms 640 size 4096 cpid self lpid self nattch 0 uid 65534 gid 65534 cuid 65534 cgid 65534 atime now dtime now ctime now rss 0 swap 0
msg: read, a byte at a time: the same
sem: read, a byte at a time: the same
shm: read, a byte at a time: the same
open for writing: EACCES
uid now: 65534
"""

IPCS = """\

------ Message Queues --------
key        msqid      owner      perms      used-bytes   messages    
0x00007001 0          root       600        0            0           
0x00001234 1          nobody     640        8            2           
0x00000000 2          nobody     604        0            0           
0x00001235 3          nobody     666        0            0           

------ Shared Memory Segments --------
key        shmid      owner      perms      bytes      nattch     status      
0x00007003 0          root       600        5000       0                       
0x00003456 1          nobody     644        10000      0                       
0x00003457 3          nobody     640        4096       0                       

------ Semaphore Arrays --------
key        semid      owner      perms      nsems     
0x00002345 0          nobody     600        3         
0x00000000 1          nobody     644        1         

"""

IPCS_C = """\

------ Message Queues Creators/Owners --------
msqid      perms      cuid       cgid       uid        gid       
0          600        root       root       root       root      
1          640        nobody     nogroup    nobody     nogroup   
2          604        nobody     nogroup    nobody     nogroup   
3          666        nobody     nogroup    nobody     nogroup   

------ Shared Memory Segment Creators/Owners --------
shmid      perms      cuid       cgid       uid        gid       
0          600        root       root       root       root      
1          644        nobody     nogroup    nobody     nogroup   
3          640        nobody     nogroup    nobody     nogroup   

------ Semaphore Arrays Creators/Owners --------
semid      perms      cuid       cgid       uid        gid       
0          600        nobody     nogroup    nobody     nogroup   
1          644        nobody     nogroup    nobody     nogroup   

"""


def test_proc_sysvipc():
    expect(run("proc_sysvipc"), LINUX)


@pytest.mark.parametrize("smp", [1, 2])
def test_proc_sysvipc_hostile(smp):
    """Two threads make and remove objects of every kind while two open
    and read the files, some a byte at a time: it ends, the tables empty
    again.  With the snapshot taken at open (under vfs_lock) it hung most
    runs: shmget holds the segments' lock while it makes the segment's
    file, which takes vfs_lock."""
    expect(run("proc_sysvipc", "hostile", smp=smp), "hostile: ended, shm lines 1\n")


DASH = "/usr/bin/dash"
IPCS_BIN = "/usr/bin/ipcs"


@pytest.mark.skipif(not os.path.exists(IPCS_BIN) or not os.path.exists(DASH),
                    reason="needs Debian's util-linux and dash")
@pytest.mark.parametrize("args,want", [("", IPCS), ("-a -c", IPCS_C)])
def test_ipcs(tmp_path, args, want):
    """Debian's ipcs, started by the program once it has made the objects
    (they outlive it), run with Debian's dash bringing the C library."""
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(IPCS_BIN, str(app / "ipcs"))
    shutil.copy(os.path.join(ROOT, PROGS, "proc_sysvipc"), str(app / "proc_sysvipc"))
    r = run(os.path.realpath(DASH), "-c", ("/app/proc_sysvipc exec /app/ipcs " + args).strip(),
            options=["--files", "%s:/app" % app])
    expect(r, MADE + want)
