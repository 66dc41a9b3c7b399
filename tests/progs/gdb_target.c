/* For amphi run --gdb (tests/vm/test_gdb.py): built with -g -O0, so gdb
 * finds main, the global `answer` and main's local `doubled` by name. */
#include <unistd.h>

int answer = 21;

int main(void)
{
	int doubled = answer * 2;

	if (write(1, "gdb target\n", 11) != 11)
		return 1;
	return doubled == 42 ? 0 : 1;
}
