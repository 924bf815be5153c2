package io.vxdump.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The merge's heap: series come out by head timestamp, ties in series order, as heads advance. */
class SeriesHeapTest {
    @Test
    void seriesComeOutInTimeOrderWithTiesInSeriesOrder() {
        Random random = new Random(7);
        int n = 37;
        long[][] heads = new long[n][];
        for (int s = 0; s < n; s++) {
            int count = random.nextInt(50);
            heads[s] = new long[count];
            long t = random.nextInt(20);
            for (int k = 0; k < count; k++) {
                t += random.nextInt(3); // many equal timestamps, within and across series
                heads[s][k] = t;
            }
        }
        SeriesHeap heap = new SeriesHeap(n);
        int[] next = new int[n];
        for (int s = 0; s < n; s++) {
            if (heads[s].length > 0) {
                heap.add(s, heads[s][next[s]++]);
            }
        }
        List<long[]> out = new ArrayList<>();
        while (!heap.isEmpty()) {
            int s = heap.top();
            out.add(new long[] {heads[s][next[s] - 1], s});
            if (next[s] < heads[s].length) {
                heap.replaceTop(heads[s][next[s]++]);
            } else {
                heap.removeTop();
            }
        }
        int total = 0;
        for (long[] h : heads) {
            total += h.length;
        }
        assertEquals(total, out.size());
        for (int i = 1; i < out.size(); i++) {
            long[] a = out.get(i - 1);
            long[] b = out.get(i);
            assertTrue(a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]), "record " + i + ": " + a[0] + "/" + a[1] + " then "
                    + b[0] + "/" + b[1]);
        }
    }
}
