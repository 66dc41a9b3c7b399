# Debian's gawk (tests/vm/test_debian_programs.py): commands read through
# a pipe, written to through one, system(), a two-way coprocess, and some
# of gawk's own functions.  What the shells print goes to files read back,
# so the order of the output does not depend on gawk's buffering.
BEGIN {
	cmd = "printf 'pear\\napple\\nfig\\n'"
	while ((cmd | getline fruit) > 0)
		fruits[++n] = fruit
	print "close of the input pipe:", close(cmd)
	asort(fruits)
	for (i = 1; i <= n; i++)
		printf "%d %s\n", i, fruits[i]

	out = "while read w; do echo \"shell read $w\"; done > /tmp/gawk.out; exit 4"
	print "alpha" | out
	print "beta" | out
	print "close of the output pipe:", close(out)
	while ((getline line < "/tmp/gawk.out") > 0)
		print line
	close("/tmp/gawk.out")

	print "system:", system("exit 3")

	co = "while read q; do echo \"answer to $q\"; done"
	print "ping" |& co
	co |& getline reply
	print reply
	print "pong" |& co
	close(co, "to")
	co |& getline reply
	print reply
	print "close of the coprocess:", close(co)

	print gensub(/([a-z]+)-([0-9]+)/, "\\2:\\1", "g", "abc-12 de-3")
	print strftime("%Y-%m-%d %H:%M:%S", 86400 * 365, 1)
	printf "%.3f %x %s\n", atan2(0, -1), 255, toupper("done")
}
