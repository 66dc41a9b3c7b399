"""What tests/progs/mm_ranges prints natively on Linux (6.18, x86_64), as
root without CAP_SYS_RAWIO, the way its header says to run it."""

MM_RANGES = """\
kernel text                mmap hint                ok, elsewhere
kernel text                mmap MAP_FIXED           ENOMEM
kernel text                mmap MAP_FIXED_NOREPLACE ENOMEM
kernel text                munmap                   EINVAL
kernel text                mprotect                 ENOMEM
kernel text                madvise DONTNEED         ENOMEM
kernel text                madvise NORMAL           ENOMEM
kernel text                mlock                    ENOMEM
kernel text                mlock2 ONFAULT           ENOMEM
kernel text                munlock                  ENOMEM
kernel text                msync ASYNC              ENOMEM
kernel text                mremap from              EFAULT
kernel text                mremap to                EINVAL
kernel text                brk                      unchanged
kernel, 1 MiB              mmap hint                ok, elsewhere
kernel, 1 MiB              mmap MAP_FIXED           ENOMEM
kernel, 1 MiB              mmap MAP_FIXED_NOREPLACE ENOMEM
kernel, 1 MiB              munmap                   EINVAL
kernel, 1 MiB              mprotect                 ENOMEM
kernel, 1 MiB              madvise DONTNEED         ENOMEM
kernel, 1 MiB              madvise NORMAL           ENOMEM
kernel, 1 MiB              mlock                    ENOMEM
kernel, 1 MiB              mlock2 ONFAULT           ENOMEM
kernel, 1 MiB              munlock                  ENOMEM
kernel, 1 MiB              msync ASYNC              ENOMEM
kernel, 1 MiB              mremap from              EFAULT
kernel, 1 MiB              mremap to                EINVAL
kernel, 1 MiB              brk                      unchanged
direct map                 mmap hint                ok, elsewhere
direct map                 mmap MAP_FIXED           ENOMEM
direct map                 mmap MAP_FIXED_NOREPLACE ENOMEM
direct map                 munmap                   EINVAL
direct map                 mprotect                 ENOMEM
direct map                 madvise DONTNEED         ENOMEM
direct map                 madvise NORMAL           ENOMEM
direct map                 mlock                    ENOMEM
direct map                 mlock2 ONFAULT           ENOMEM
direct map                 munlock                  ENOMEM
direct map                 msync ASYNC              ENOMEM
direct map                 mremap from              EFAULT
direct map                 mremap to                EINVAL
direct map                 brk                      unchanged
non-canonical              mmap hint                ok, elsewhere
non-canonical              mmap MAP_FIXED           ENOMEM
non-canonical              mmap MAP_FIXED_NOREPLACE ENOMEM
non-canonical              munmap                   EINVAL
non-canonical              mprotect                 ENOMEM
non-canonical              madvise DONTNEED         ENOMEM
non-canonical              madvise NORMAL           ENOMEM
non-canonical              mlock                    ENOMEM
non-canonical              mlock2 ONFAULT           ENOMEM
non-canonical              munlock                  ENOMEM
non-canonical              msync ASYNC              ENOMEM
non-canonical              mremap from              EFAULT
non-canonical              mremap to                EINVAL
non-canonical              brk                      unchanged
non-canonical high         mmap hint                ok, elsewhere
non-canonical high         mmap MAP_FIXED           ENOMEM
non-canonical high         mmap MAP_FIXED_NOREPLACE ENOMEM
non-canonical high         munmap                   EINVAL
non-canonical high         mprotect                 ENOMEM
non-canonical high         madvise DONTNEED         ENOMEM
non-canonical high         madvise NORMAL           ENOMEM
non-canonical high         mlock                    ENOMEM
non-canonical high         mlock2 ONFAULT           ENOMEM
non-canonical high         munlock                  ENOMEM
non-canonical high         msync ASYNC              ENOMEM
non-canonical high         mremap from              EFAULT
non-canonical high         mremap to                EINVAL
non-canonical high         brk                      unchanged
last page of 2^47          mmap hint                ok, elsewhere
last page of 2^47          mmap MAP_FIXED           ENOMEM
last page of 2^47          mmap MAP_FIXED_NOREPLACE ENOMEM
last page of 2^47          munmap                   EINVAL
last page of 2^47          mprotect                 ENOMEM
last page of 2^47          madvise DONTNEED         ENOMEM
last page of 2^47          madvise NORMAL           ENOMEM
last page of 2^47          mlock                    ENOMEM
last page of 2^47          mlock2 ONFAULT           ENOMEM
last page of 2^47          munlock                  ENOMEM
last page of 2^47          msync ASYNC              ENOMEM
last page of 2^47          mremap from              EFAULT
last page of 2^47          mremap to                EINVAL
last page of 2^47          brk                      unchanged
straddling 2^47            mmap hint                ok, elsewhere
straddling 2^47            mmap MAP_FIXED           ENOMEM
straddling 2^47            mmap MAP_FIXED_NOREPLACE ENOMEM
straddling 2^47            munmap                   EINVAL
straddling 2^47            mprotect                 ENOMEM
straddling 2^47            madvise DONTNEED         ENOMEM
straddling 2^47            madvise NORMAL           ENOMEM
straddling 2^47            mlock                    ENOMEM
straddling 2^47            mlock2 ONFAULT           ENOMEM
straddling 2^47            munlock                  ENOMEM
straddling 2^47            msync ASYNC              ENOMEM
straddling 2^47            mremap from              EFAULT
straddling 2^47            mremap to                EINVAL
straddling 2^47            brk                      unchanged
straddling into kernel     mmap hint                ok, elsewhere
straddling into kernel     mmap MAP_FIXED           ENOMEM
straddling into kernel     mmap MAP_FIXED_NOREPLACE ENOMEM
straddling into kernel     munmap                   EINVAL
straddling into kernel     mprotect                 ENOMEM
straddling into kernel     madvise DONTNEED         ENOMEM
straddling into kernel     madvise NORMAL           ENOMEM
straddling into kernel     mlock                    ENOMEM
straddling into kernel     mlock2 ONFAULT           ENOMEM
straddling into kernel     munlock                  ENOMEM
straddling into kernel     msync ASYNC              ENOMEM
straddling into kernel     mremap from              EFAULT
straddling into kernel     mremap to                EINVAL
straddling into kernel     brk                      unchanged
wrapping                   mmap hint                ok, elsewhere
wrapping                   mmap MAP_FIXED           ENOMEM
wrapping                   mmap MAP_FIXED_NOREPLACE ENOMEM
wrapping                   munmap                   EINVAL
wrapping                   mprotect                 ENOMEM
wrapping                   madvise DONTNEED         EINVAL
wrapping                   madvise NORMAL           EINVAL
wrapping                   mlock                    EINVAL
wrapping                   mlock2 ONFAULT           EINVAL
wrapping                   munlock                  EINVAL
wrapping                   msync ASYNC              ENOMEM
wrapping                   mremap from              EFAULT
wrapping                   mremap to                EINVAL
wrapping                   brk                      unchanged
own, len -1                mmap hint                ENOMEM
own, len -1                mmap MAP_FIXED           ENOMEM
own, len -1                mmap MAP_FIXED_NOREPLACE ENOMEM
own, len -1                munmap                   EINVAL
own, len -1                mprotect                 ENOMEM
own, len -1                madvise DONTNEED         EINVAL
own, len -1                madvise NORMAL           EINVAL
own, len -1                mlock                    ok
own, len -1                mlock2 ONFAULT           ok
own, len -1                munlock                  ok
own, len -1                msync ASYNC              ok
own, len -1                mremap from              EINVAL
own, len -1                mremap to                EINVAL
own, len -1                brk                      unchanged
own, len rounds to 0       mmap hint                ENOMEM
own, len rounds to 0       mmap MAP_FIXED           ENOMEM
own, len rounds to 0       mmap MAP_FIXED_NOREPLACE ENOMEM
own, len rounds to 0       munmap                   EINVAL
own, len rounds to 0       mprotect                 ENOMEM
own, len rounds to 0       madvise DONTNEED         EINVAL
own, len rounds to 0       madvise NORMAL           EINVAL
own, len rounds to 0       mlock                    ok
own, len rounds to 0       mlock2 ONFAULT           ok
own, len rounds to 0       munlock                  ok
own, len rounds to 0       msync ASYNC              ok
own, len rounds to 0       mremap from              EINVAL
own, len rounds to 0       mremap to                EINVAL
own, len rounds to 0       brk                      unchanged
own, len wraps             mmap hint                ENOMEM
own, len wraps             mmap MAP_FIXED           ENOMEM
own, len wraps             mmap MAP_FIXED_NOREPLACE ENOMEM
own, len wraps             munmap                   EINVAL
own, len wraps             mprotect                 ENOMEM
own, len wraps             madvise DONTNEED         EINVAL
own, len wraps             madvise NORMAL           EINVAL
own, len wraps             mlock                    EINVAL
own, len wraps             mlock2 ONFAULT           EINVAL
own, len wraps             munlock                  EINVAL
own, len wraps             msync ASYNC              ENOMEM
own, len wraps             mremap from              EINVAL
own, len wraps             mremap to                EINVAL
own, len wraps             brk                      unchanged
own, len 2^47              mmap hint                ENOMEM
own, len 2^47              mmap MAP_FIXED           ENOMEM
own, len 2^47              mmap MAP_FIXED_NOREPLACE ENOMEM
own, len 0                 mmap hint                EINVAL
own, len 0                 mmap MAP_FIXED           EINVAL
own, len 0                 mmap MAP_FIXED_NOREPLACE EINVAL
own, len 0                 munmap                   EINVAL
own, len 0                 mprotect                 ok
own, len 0                 madvise DONTNEED         ok
own, len 0                 madvise NORMAL           ok
own, len 0                 mlock                    ok
own, len 0                 mlock2 ONFAULT           ok
own, len 0                 munlock                  ok
own, len 0                 msync ASYNC              ok
own, len 0                 mremap from              EINVAL
own, len 0                 mremap to                EINVAL
own, len 0                 brk                      unchanged
own, unaligned             mmap hint                ok, elsewhere
own, unaligned             mmap MAP_FIXED           EINVAL
own, unaligned             mmap MAP_FIXED_NOREPLACE EINVAL
own, unaligned             munmap                   EINVAL
own, unaligned             mprotect                 EINVAL
own, unaligned             madvise DONTNEED         EINVAL
own, unaligned             madvise NORMAL           EINVAL
own, unaligned             mlock                    ENOMEM
own, unaligned             mlock2 ONFAULT           ok
own, unaligned             munlock                  ok
own, unaligned             msync ASYNC              EINVAL
own, unaligned             mremap from              EINVAL
own, unaligned             mremap to                EINVAL
own, unaligned             brk                      unchanged
page zero                  mmap hint                ok, elsewhere
page zero                  mmap MAP_FIXED           EPERM
page zero                  mmap MAP_FIXED_NOREPLACE EPERM
page zero                  munmap                   ok
page zero                  mprotect                 ENOMEM
page zero                  madvise DONTNEED         ENOMEM
page zero                  madvise NORMAL           ENOMEM
page zero                  mlock                    ENOMEM
page zero                  mlock2 ONFAULT           ENOMEM
page zero                  munlock                  ENOMEM
page zero                  msync ASYNC              ENOMEM
page zero                  mremap from              EFAULT
page zero                  mremap to                EPERM
page zero                  brk                      unchanged
own                        mremap grow by 2^47      EINVAL
own                        mremap grow past top     ENOMEM
own                        mremap new_len 0         EINVAL
own                        mremap new_len -1        EINVAL
own                        mremap grow, old_len past end EFAULT
own                        mremap FIXED overlapping EINVAL
own                        mremap FIXED unaligned   EINVAL
own                        mremap FIXED no MAYMOVE  EINVAL
own                        mremap flags 8           EINVAL
own                        madvise advice 999       EINVAL
own                        madvise unaligned        EINVAL
own                        mprotect PROT 0x10       EINVAL
own                        mprotect GROWSUP|DOWN    EINVAL
own                        msync SYNC|ASYNC         EINVAL
own                        msync flags 8            EINVAL
own                        mlock2 flags 2           EINVAL
own                        mlockall 0               EINVAL
own                        mlockall 8               EINVAL
own                        munlockall               ok
own                        mmap len 0               EINVAL
own                        mmap no type             EINVAL
own                        mmap offset unaligned    EINVAL
own                        NOREPLACE on own         EEXIST
mm_ranges done
"""
