package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteBlocksTest {
    @Test
    void makeAllMakesEveryBlockAtOnceAndNoneIsMadeLater() {
        int blockSize = 64 << 10;
        WriteBlocks blocks = new WriteBlocks(8L * (blockSize + WriteBlocks.SPILL), blockSize, 4096);
        assertEquals(8, blocks.limit());
        assertEquals(0, blocks.made(), "lazily, until asked");
        blocks.makeAll();
        assertEquals(8, blocks.made());
        Set<WriteBlocks.Block> lent = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            WriteBlocks.Block b = blocks.spare();
            assertNotNull(b);
            assertEquals(0, b.nio.alignmentOffset(0, 4096), "aligned for direct I/O");
            assertTrue(b.nio.capacity() >= blockSize + WriteBlocks.SPILL);
            lent.add(b);
        }
        assertEquals(8, lent.size(), "distinct blocks");
        assertNull(blocks.spare(), "no more than the memory allows");
        assertEquals(8, blocks.made());
        assertEquals(8, blocks.lent());
    }
}
