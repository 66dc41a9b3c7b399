# Run by Debian's bash in the guest and on the host, with the same Debian
# programs first in PATH (tests/vm/test_debian_programs.py): the outputs
# must be the same.  bash's own ways to start processes first, then the
# portable script that busybox sh runs too.
set -o pipefail
false | true; echo "pipefail: $?"; set +o pipefail
{ echo b; echo a; echo c; } | sort -r | tr '\n' ' '; echo
while read n; do echo "from process substitution: $n"; done < <(seq 2)
read -r w <<< "here string"; echo "$w"
cat <<END
here document: $(echo substituted)
END
f=/tmp/bash-f; echo "file contents" > $f; echo "\$(<file): $(<$f)"
declare -A colour=([sky]=blue [grass]=green); echo "assoc: ${colour[grass]}"
# The read end is duplicated first: bash closes a coprocess's descriptors
# when it reaps it, which may come before the read.
coproc UP { tr a-z A-Z; }; up_pid=$UP_PID; exec {from_up}<&"${UP[0]}"
echo coprocess >&"${UP[1]}"; exec {UP[1]}>&-
read -r line <&"$from_up"; echo "coproc: $line"; wait $up_pid; exec {from_up}<&-
(sleep 0.2; exit 4) & (sleep 0.05; exit 6) &
wait -n; echo "wait -n: $?"
wait; echo "all done: $?"
sleep 5 & kill $!; wait $!; echo "killed job: $?"
for i in 1 2 3; do (echo "job $i" > /tmp/bash-job$i) & done; wait
cat /tmp/bash-job1 /tmp/bash-job2 /tmp/bash-job3
trap 'echo got USR1' USR1; kill -USR1 $$; echo "after the trap"
x=$(bash -c 'echo inner bash $((6 * 7))'); echo "$x"
. "${0%/*}/shell_processes.sh"
