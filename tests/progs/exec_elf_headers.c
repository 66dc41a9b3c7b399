/* execve of ELF files whose headers lie where the loader has not read:
 * the program headers or the PT_INTERP path past the first 64 KiB of the
 * file, or past its end while a PT_LOAD claims bytes far past it (the
 * loader's "cut short" second look).  The loader used to check them
 * against the file's size while reading them from its 4 KiB (or 64 KiB)
 * copy of the file's start: past that copy, into the kernel's heap, or
 * (2^40 bytes in) into nothing, which panicked the kernel.  Each is made
 * in DIR and run in a child; one line each: what execve did.  The same
 * ELF with its headers at the start runs (exit 42) as a control.  Then
 * PT_LOADs out of order (run, as on Linux: the loader took the lower one
 * for a page shared with the one before and failed with ENOMEM) and one
 * mapped over another's text, read-write (SIGSEGV at the entry, as on
 * Linux: the loader gave the page both protections and it ran). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define VADDR	0x400000ul
#define BIG	(72 * 1024)	/* a file longer than the loader's 64 KiB look */

static char dir[1024];

/* exit(42): mov edi, 42; mov eax, 60; syscall */
static const unsigned char code[] = { 0xbf, 42, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05 };

struct image {
	unsigned char *bytes;
	size_t size;
};

/* An ELF of size bytes: the header, the code at 64, and nph program
 * headers at phoff (the first a PT_LOAD of the whole file). */
static Elf64_Phdr *make(struct image *im, size_t size, uint64_t phoff, int nph)
{
	im->size = size;
	im->bytes = calloc(1, size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)im->bytes;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = VADDR + 64;
	eh->e_phoff = phoff;
	eh->e_ehsize = sizeof *eh;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (Elf64_Half)nph;
	memcpy(im->bytes + 64, code, sizeof code);
	Elf64_Phdr *ph = (Elf64_Phdr *)(im->bytes + phoff);
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
			      .p_vaddr = VADDR, .p_paddr = VADDR, .p_filesz = size,
			      .p_memsz = size, .p_align = 4096 };
	return ph;
}

static void interp(Elf64_Phdr *ph, struct image *im, uint64_t at, const char *path)
{
	*ph = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R, .p_offset = at,
			    .p_filesz = strlen(path) + 1, .p_align = 1 };
	if (at < im->size)
		memcpy(im->bytes + at, path, strlen(path) + 1);
}

/* Writes the image, runs it in a child, says what happened. */
static void try(const char *what, struct image *im)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/elf", dir);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0755);
	if (fd < 0 || write(fd, im->bytes, im->size) != (ssize_t)im->size) {
		printf("FAIL: cannot write %s: %m\n", path);
		exit(1);
	}
	close(fd);
	free(im->bytes);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = { path, NULL }, *envp[] = { NULL };
		execve(path, argv, envp);
		printf("%s: refused (%s)\n", what, strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st))
		printf("%s: ran, exit %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
}

int main(int argc, char **argv)
{
	struct image im;
	Elf64_Phdr *ph;

	snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp");
	make(&im, 4096, 1024, 1);
	try("headers at the start", &im);
	make(&im, BIG, BIG - 4096, 1);
	try("program headers past 64 KiB", &im);
	ph = make(&im, BIG, 1024, 2);
	interp(&ph[1], &im, BIG - 4096, "/no/such/ld.so");
	try("interpreter path past 64 KiB", &im);
	/* Cut short: the PT_LOAD wants 2 TiB of file, PT_INTERP lies 1 TiB in. */
	ph = make(&im, 4096, 1024, 2);
	ph[0].p_filesz = ph[0].p_memsz = 1ull << 41;
	interp(&ph[1], &im, 1ull << 40, "/no/such/ld.so");
	try("interpreter path 1 TiB past the end", &im);
	ph = make(&im, 4096, 1024, 1);
	ph[0].p_filesz = ph[0].p_memsz = 1ull << 41;
	((Elf64_Ehdr *)im.bytes)->e_phoff = 1ull << 40;
	try("program headers 1 TiB past the end", &im);
	ph = make(&im, 4096, 1024, 2);
	interp(&ph[1], &im, 2048, "/no/such/ld.so");
	try("a missing interpreter", &im);
	ph = make(&im, 8192, 1024, 2);
	ph[1] = ph[0];
	ph[0].p_vaddr = ph[0].p_paddr = 0x800000;
	ph[0].p_filesz = ph[0].p_memsz = 4096;
	try("PT_LOADs out of order", &im);
	ph = make(&im, 8192, 1024, 2);
	ph[1] = ph[0];
	ph[1].p_filesz = ph[1].p_memsz = 100;
	ph[1].p_flags = PF_R | PF_W;
	try("a PT_LOAD over another's first page", &im);
	printf("exec_elf_headers done\n");
	return 0;
}
