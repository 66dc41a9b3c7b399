# Run by busybox sh in the guest and on the host (tests/vm/test_procs.py):
# the two outputs must be the same.  Each line exercises processes: fork
# for pipelines, subshells, substitutions and background jobs, exec for the
# applets busybox runs as programs, wait for all of them.
cd /
d=/tmp/shtest
rm -rf $d; mkdir -p $d/a/b
echo one > $d/a/1.txt; echo two > $d/a/b/2.txt; echo three > $d/3.log
echo "pipeline: $(echo hello world | tr a-z A-Z | cut -d' ' -f2)"
x=$(echo outer $(echo inner))
echo "nested substitution: $x"
(cd $d/a && echo "subshell cwd: $(basename $(pwd))")
echo "parent cwd: $(pwd)"
(exit 7); echo "subshell status: $?"
sleep 0.3 & p1=$!
(sleep 0.1; echo "background job ran") & p2=$!
wait $p2; echo "wait for one: $?"
wait; echo "wait for all: $?"
sh -c 'exit 5' & wait $!; echo "background status: $?"
find $d -name '*.txt' | sort | xargs cat
find $d -name '*.txt' -exec basename {} \; | sort
echo 1 2 3 4 | xargs -n 2 echo pair
printf 'a\nb\nc\n' | while read l; do echo "line $l"; done
echo "exit code: $(sh -c 'exit 3'; echo $?)"
seq 1 5 | awk '{s += $1} END {print "awk sum", s}'
echo abc > $d/f; sed -i 's/b/B/' $d/f; cat $d/f
ls $d | wc -l
grep -r o $d/a | sort
yes | head -n 3
sh -c 'kill -TERM $$'; echo "killed child: $?"
exec 3> $d/out; echo "to fd 3" >&3; exec 3>&-; cat $d/out
trap 'echo trapped at exit' EXIT
echo done
