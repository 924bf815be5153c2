package io.vxdump.fetch;

/**
 * The merge's min-heap of series by their head packet's timestamp, ties by series index (the order
 * of the inputs): primitive arrays, no boxing, and a {@link #replaceTop} for the common step (the
 * series just written has another packet), one sift instead of a pop and a push.
 */
final class SeriesHeap {
    private final int[] series;
    private final long[] times;
    private int size;

    SeriesHeap(int capacity) {
        series = new int[Math.max(1, capacity)];
        times = new long[Math.max(1, capacity)];
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The series whose head packet is next. */
    int top() {
        return series[0];
    }

    void add(int s, long time) {
        int i = size++;
        series[i] = s;
        times[i] = time;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(i, parent)) {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    /** The top series has a new head packet at {@code time}. */
    void replaceTop(long time) {
        times[0] = time;
        siftDown();
    }

    /** The top series has no more packets. */
    void removeTop() {
        size--;
        series[0] = series[size];
        times[0] = times[size];
        siftDown();
    }

    private void siftDown() {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int r = l + 1;
            int c = r < size && before(r, l) ? r : l;
            if (!before(c, i)) {
                return;
            }
            swap(i, c);
            i = c;
        }
    }

    private boolean before(int a, int b) {
        return times[a] < times[b] || (times[a] == times[b] && series[a] < series[b]);
    }

    private void swap(int a, int b) {
        int s = series[a];
        series[a] = series[b];
        series[b] = s;
        long t = times[a];
        times[a] = times[b];
        times[b] = t;
    }
}
