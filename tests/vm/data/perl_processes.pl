# Run by Debian's perl in the guest and on the host
# (tests/vm/test_debian_programs.py): the outputs must be the same.
use strict;
use warnings;
use POSIX ();

my %h = (apple => 3, pear => 5, fig => 1);
print join(",", map { "$_=$h{$_}" } sort keys %h), "\n";
print "sorted: @{[sort { $a <=> $b } (10, 2, 33, 4)]}\n";
my $pid = fork();
if ($pid == 0) { exit 3 }
waitpid($pid, 0);
print "child status: ", $? >> 8, "\n";
my $out = `echo from a backtick; echo second line`;
print "backtick: $out";
open(my $p, "-|", "sh", "-c", "echo read from a pipe") or die "pipe: $!";
print while <$p>;
close $p;
open(my $w, "|-", "sh", "-c", "read x; echo \"the child read: \$x\"") or die "pipe: $!";
print $w "written to a pipe\n";
close $w;
system("sh", "-c", "exit 4");
print "system status: ", $? >> 8, "\n";
pipe(my $r, my $wr) or die;
my @kids;
for my $n (1 .. 3) {
	my $k = fork();
	if (!$k) { close $r; print $wr "worker $n\n"; exit 0 }
	push @kids, $k;
}
close $wr;
print sort <$r>;
waitpid($_, 0) for @kids;
local $SIG{ALRM} = sub { print "alarm caught\n" };
alarm 1; sleep 3;
my $file = "/tmp/perl-test.txt";
open(my $f, ">", $file) or die; print $f "line $_\n" for 1 .. 3; close $f;
open($f, "<", $file) or die; my @lines = <$f>; close $f;
print "lines: ", scalar(@lines), ", last: $lines[-1]";
printf "pid is positive: %s, uname: %s\n", ($$ > 0 ? "yes" : "no"), (POSIX::uname())[0];
