# Job control from a shell (tests/vm/test_procs.py): kill -STOP and -CONT
# on a background job, its state in /proc/PID/stat, a TERM that waits for
# the CONT, and a KILL that does not.  Run by busybox sh in the guest and
# on the host; the outputs must be equal.
state() { cut -d' ' -f3 "/proc/$1/stat"; }

# Until the job's state is (or, with !, is not) $2; at most 30 s.
wait_state() {
	i=0
	while [ $i -lt 300 ]; do
		s=$(state "$1")
		if [ "$2" = "!T" ]; then [ "$s" != T ] && break; else [ "$s" = "$2" ] && break; fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "state: $s" | sed 's/: [^T]$/: not stopped/'
}

sleep 60 & p=$!
kill -STOP $p
wait_state $p T
kill -CONT $p
wait_state $p '!T'
kill $p
wait $p
echo "terminated: $?"

sleep 60 & p=$!
kill -STOP $p
wait_state $p T
kill -TERM $p
sleep 0.5
echo "after TERM, $(state $p)"
kill -CONT $p
wait $p
echo "TERM once continued: $?"

sleep 60 & p=$!
kill -STOP $p
wait_state $p T
kill -KILL $p
wait $p
echo "KILL while stopped: $?"
