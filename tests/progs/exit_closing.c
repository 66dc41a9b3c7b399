/* Ends many processes at once, each holding sockets open: ROUNDS rounds
 * (argument 1) of CHILDREN children (argument 2) that each open SOCKETS
 * UDP sockets (argument 3), wait on a pipe until the parent closes it,
 * and exit with the sockets open, so that exit closes them.  Closing an
 * inet socket takes the network stack's lock, which sleeps while another
 * CPU holds it: so children sleep in exit after their address spaces
 * were taken down, and the CPUs run the others meanwhile.  Prints "R
 * rounds of C children: all exited 0", or the first thing that went
 * wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

static int child(int sockets, int go)
{
	char c;

	for (int i = 0; i < sockets; i++)
		if (socket(AF_INET, SOCK_DGRAM, 0) < 0)
			return 1;
	if (read(go, &c, 1) != 0)	/* EOF: the parent closed its end */
		return 2;
	return 0;
}

/* One round: 0, -1 if a call failed, else the first status that was not
 * a clean exit 0. */
static int round_of(int children, int sockets)
{
	int fds[2], bad = 0;

	if (pipe(fds))
		return -1;
	for (int i = 0; i < children; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			close(fds[1]);
			_exit(child(sockets, fds[0]));
		}
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < children; i++) {
		int status;
		if (wait(&status) < 0)
			return -1;
		if (!bad && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			bad = status;
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: exit_closing ROUNDS CHILDREN SOCKETS\n");
		return 2;
	}
	int rounds = atoi(argv[1]), children = atoi(argv[2]), sockets = atoi(argv[3]);

	for (int r = 0; r < rounds; r++) {
		int bad = round_of(children, sockets);
		if (bad) {
			printf("round %d: %s %#x\n", r, bad < 0 ? "fork, pipe or wait failed" : "a child's status",
			       bad);
			return 1;
		}
	}
	printf("%d rounds of %d children: all exited 0\n", rounds, children);
	return 0;
}
