/* A store through a MAP_SHARED mapping into a hole of an ext4 file, with
 * no write() after it (tests/vm/test_ext4_fault_hole.py):
 * ext4_fault_hole FILE.  The file is made 8 KiB long by ftruncate (two
 * holes), "FAULTED-IN" stored at 4096 through the mapping, which is
 * unmapped; the file is closed and the program ends.  The host then reads
 * the image: the bytes and the block the fault took must be the file's. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ext4_fault_hole FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 8192)) {
		perror(argv[1]);
		return 1;
	}
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memcpy(m + 4096, "FAULTED-IN", 10);
	munmap(m, 8192);
	close(fd);
	printf("ok\n");
	return 0;
}
