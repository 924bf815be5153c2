package io.vxdump.bench;

import io.vxdump.stage.StagingRing;

/** Empties a staging ring the way the writer's side does, minus the writing: stands in for the writer. */
public final class Drain {
    private Drain() {
    }

    public static void ring(StagingRing ring) {
        while (ring.hasRecord()) {
            ring.advance();
        }
        ring.release();
    }
}
