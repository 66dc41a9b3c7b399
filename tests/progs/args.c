/* Prints what the program was started with: argc, every argv[i] and every
 * environment string, one per line, in order. */
#include <stdio.h>

int main(int argc, char **argv, char **envp)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	if (argv[argc] != NULL)
		printf("FAIL: argv[argc] is not NULL\n");
	for (int i = 0; envp[i]; i++)
		printf("env[%d]=%s\n", i, envp[i]);
	return argv[argc] != NULL;
}
