import java.util.*;
import java.util.concurrent.*;
// Compiled by javac and run by java in the guest and on the host
// (tests/vm/test_debian_programs.py): the outputs must be the same.
public class JavaProcesses {
    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> parts = new ArrayList<>();
        for (int i = 0; i < 4; i++) { final int k = i; parts.add(pool.submit(() -> { long s = 0; for (int j = k; j < 1000000; j += 4) s += j; return s; })); }
        long sum = 0; for (Future<Long> f : parts) sum += f.get();
        pool.shutdown();
        System.out.println("sum: " + sum);
        Map<String, Integer> m = new TreeMap<>(Map.of("b", 2, "a", 1)); System.out.println(m);
        Process p = new ProcessBuilder("sh", "-c", "echo from a child; exit 3").start();
        System.out.print(new String(p.getInputStream().readAllBytes())); System.out.println("exit: " + p.waitFor());
    }
}
