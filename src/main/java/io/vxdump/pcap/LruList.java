package io.vxdump.pcap;

/**
 * An intrusive least-recently-used list of session outputs: touching, removing and finding the
 * oldest take constant time and allocate nothing. Writer thread only.
 */
final class LruList {
    /** A session output's place in one list. */
    static final class Node {
        final SessionOutput owner;
        Node prev;
        Node next;
        boolean linked;

        Node(SessionOutput owner) {
            this.owner = owner;
        }
    }

    private Node newest;
    private Node oldest;
    private int size;

    /** Makes {@code n} the most recently used, adding it when absent. */
    void touch(Node n) {
        if (newest == n) {
            return;
        }
        if (n.linked) {
            unlink(n);
        }
        n.next = newest;
        n.prev = null;
        if (newest != null) {
            newest.prev = n;
        }
        newest = n;
        if (oldest == null) {
            oldest = n;
        }
        n.linked = true;
        size++;
    }

    void remove(Node n) {
        if (n.linked) {
            unlink(n);
        }
    }

    private void unlink(Node n) {
        if (n.prev != null) {
            n.prev.next = n.next;
        } else {
            newest = n.next;
        }
        if (n.next != null) {
            n.next.prev = n.prev;
        } else {
            oldest = n.prev;
        }
        n.prev = null;
        n.next = null;
        n.linked = false;
        size--;
    }

    /** The least recently used, or null. */
    SessionOutput oldest() {
        return oldest == null ? null : oldest.owner;
    }

    int size() {
        return size;
    }
}
