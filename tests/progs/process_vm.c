/* Reaching another process's memory, as debuggers and tools do, one case
 * per run:
 *   vm    process_vm_readv and process_vm_writev on a forked child:
 *         scattered and gathered bytes, a transfer cut at an unmapped
 *         page, PROT_NONE and read-only memory, bad arguments, and a
 *         process of another user
 *   mem   /proc/PID/mem: reads at the child's addresses (PROT_NONE too),
 *         writes (into a read-only page as well), EIO where nothing is
 *         mapped, EACCES for another user, nothing once the child is gone
 * Lines from Linux 6.18 (the same program built with musl), run as root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

static char data[64] = "the child's data, 64 bytes of it, more or less......";
static char *area;	/* 4 pages: rw, rw, PROT_NONE, unmapped */
static int to_child[2], from_child[2];

/* The child's side: wait for a word, then report its data, until EOF. */
static void child_loop(void)
{
	char c;

	while (read(to_child[0], &c, 1) == 1) {
		char line[160];
		int n = snprintf(line, sizeof line, "child sees: \"%.20s\" \"%.8s\" \"%.8s\"\n", data,
				 area + 4090, area + 4096);
		write(1, line, n);
		write(from_child[1], "k", 1);
	}
	_exit(0);
}

static pid_t start_child(void)
{
	area = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(area + 3 * 4096, 4096);
	mprotect(area + 2 * 4096, 4096, PROT_NONE);
	memcpy(area + 4090, "abcdefghijklmnop", 16);
	pipe(to_child);
	pipe(from_child);
	fflush(stdout);
	pid_t pid = fork();
	char c;
	if (!pid) {
		close(to_child[1]);
		close(from_child[0]);
		mprotect(area + 4096, 4096, PROT_READ);	/* the child's second page: read-only */
		write(from_child[1], "r", 1);
		child_loop();
	}
	close(to_child[0]);
	close(from_child[1]);
	read(from_child[0], &c, 1);	/* its protection set */
	return pid;
}

static void ask_child(void)
{
	char c;

	write(to_child[1], "?", 1);
	read(from_child[0], &c, 1);
}

static void end_child(pid_t pid)
{
	close(to_child[1]);
	waitpid(pid, NULL, 0);
}

/* Runs f as user 65534 in a child of ours, and waits for it. */
static void as_nobody(void (*f)(pid_t), pid_t target)
{
	fflush(stdout);
	pid_t pid = fork();

	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		f(target);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

static void nobody_reads(pid_t target)
{
	char buf[8];
	struct iovec l = { buf, 8 }, r = { data, 8 };

	printf("as another user: %s\n", res(process_vm_readv(target, &l, 1, &r, 1, 0)));
}

static void vm_case(void)
{
	pid_t pid = start_child();
	char a[10] = { 0 }, b[30] = { 0 };
	struct iovec l[2] = { { a, 9 }, { b, 20 } }, r[2] = { { data, 11 }, { data + 40, 18 } };

	printf("readv 2 from 2: %s \"%s\" \"%s\"\n", res(process_vm_readv(pid, l, 2, r, 2, 0)), a, b);
	char big[20] = { 0 };
	struct iovec lb = { big, 20 }, rb = { area + 2 * 4096 - 6, 20 };
	printf("into PROT_NONE: %s \"%.6s\"\n", res(process_vm_readv(pid, &lb, 1, &rb, 1, 0)), big);
	struct iovec rn = { area + 2 * 4096, 8 }, ru = { area + 3 * 4096, 8 };
	printf("PROT_NONE only: %s, unmapped: %s\n", res(process_vm_readv(pid, &lb, 1, &rn, 1, 0)),
	       res(process_vm_readv(pid, &lb, 1, &ru, 1, 0)));
	struct iovec rs = { area + 4090, 10 };
	printf("across two pages: %s \"%.10s\"\n", res(process_vm_readv(pid, &lb, 1, &rs, 1, 0)), big);

	struct iovec w = { "CHANGED", 7 }, rw = { data + 4, 7 };
	printf("writev: %s\n", res(process_vm_writev(pid, &w, 1, &rw, 1, 0)));
	struct iovec rro = { area + 4096, 4 };
	printf("writev to its read-only page: %s\n", res(process_vm_writev(pid, &w, 1, &rro, 1, 0)));
	struct iovec rpart = { area + 4090, 7 };
	printf("writev ending in it: %s\n", res(process_vm_writev(pid, &w, 1, &rpart, 1, 0)));
	ask_child();

	printf("flags 1: %s\n", res(process_vm_readv(pid, l, 2, r, 2, 1)));
	printf("1025 iovecs: %s\n", res(process_vm_readv(pid, l, 1025, r, 2, 0)));
	printf("bad local vector: %s, bad remote vector: %s\n",
	       res(process_vm_readv(pid, (void *)8, 1, r, 1, 0)),
	       res(process_vm_readv(pid, l, 1, (void *)8, 1, 0)));
	struct iovec lk = { (void *)0xffff800000000000ul, 8 };
	printf("local buffer in the kernel's half: %s\n", res(process_vm_readv(pid, &lk, 1, r, 1, 0)));
	struct iovec lz = { a, 0 }, rz = { data, 0 };
	printf("nothing to move, no such pid: %s; nothing remote: %s\n",
	       res(process_vm_readv(999999, &lz, 1, r, 1, 0)), res(process_vm_readv(pid, l, 1, &rz, 1, 0)));
	printf("no such pid: %s\n", res(process_vm_readv(999999, l, 1, r, 1, 0)));
	struct iovec neg = { a, (size_t)-1 };
	printf("negative remote length: %s\n", res(process_vm_readv(pid, l, 1, &neg, 1, 0)));
	as_nobody(nobody_reads, pid);
	end_child(pid);
}

static void nobody_opens(pid_t target)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/mem", (int)target);
	printf("as another user, open: %s\n", res(open(path, O_RDONLY)));
}

static void mem_case(void)
{
	pid_t pid = start_child();
	char path[64], buf[16] = { 0 };

	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDWR);
	printf("pread its data: %s \"%.10s\"\n", res(pread(fd, buf, 10, (off_t)data)), buf);
	memset(buf, 0, sizeof buf);
	printf("pread PROT_NONE: %s \"%d\"\n", res(pread(fd, buf, 4, (off_t)(area + 2 * 4096))), buf[0]);
	printf("pread unmapped: %s\n", res(pread(fd, buf, 4, (off_t)(area + 3 * 4096))));
	printf("pread running into it: %s\n", res(pread(fd, buf, 16, (off_t)(area + 3 * 4096 - 4))));
	printf("pwrite its data: %s\n", res(pwrite(fd, "MEM", 3, (off_t)data)));
	printf("pwrite its read-only page: %s\n", res(pwrite(fd, "RO!", 3, (off_t)(area + 4096))));
	printf("pwrite unmapped: %s\n", res(pwrite(fd, "x", 1, (off_t)(area + 3 * 4096))));
	ask_child();
	lseek(fd, (off_t)data, SEEK_SET);
	printf("read at lseek's address: %s", res(read(fd, buf, 3)));
	printf(" \"%.3s\", now at data + %ld\n", buf, (long)(lseek(fd, 0, SEEK_CUR) - (off_t)data));
	int self = open("/proc/self/mem", O_RDONLY);
	printf("own memory: %s \"%.3s\"\n", res(pread(self, buf, 3, (off_t)"own")), buf);
	as_nobody(nobody_opens, pid);
	end_child(pid);
	printf("its process gone: %s\n", res(pread(fd, buf, 4, (off_t)data)));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "vm"))
		vm_case();
	else if (argc > 1 && !strcmp(argv[1], "mem"))
		mem_case();
	else {
		fprintf(stderr, "usage: process_vm vm|mem\n");
		return 2;
	}
	return 0;
}
