# Run by Debian's ruby in the guest and on the host
# (tests/vm/test_debian_programs.py): the outputs must be the same.
h = {pear: 5, apple: 3}
puts h.sort.map { |k, v| "#{k}=#{v}" }.join(",")
pid = fork { exit 3 }
Process.wait(pid); puts "child status: #{$?.exitstatus}"
puts "backtick: #{`echo from a child`}"
r, w = IO.pipe
3.times.map { |n| fork { r.close; w.puts "worker #{n}"; exit! 0 } }.each { |p| Process.wait(p) }
w.close; puts r.read.lines.sort.join
t = Thread.new { 6 * 7 }; puts "thread: #{t.value}"
puts "system: #{system('sh', '-c', 'exit 4').inspect} #{$?.exitstatus}"
