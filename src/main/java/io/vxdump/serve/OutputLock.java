package io.vxdump.serve;

import io.vxdump.config.ConfigException;
import io.vxdump.pcap.FileModes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One vxdump per output directory and instance id: an exclusive lock on
 * {@code <output>/.vxdump-<instance>.lock}, taken before anything touches a capture file (a second
 * instance's "recovery" would otherwise finish the first one's live {@code .part} files). The lock
 * is the kernel's (fcntl), so it goes with the process however it ends; the file holds the pid of
 * its holder, for the refusal's message.
 */
public final class OutputLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of an instance. */
    static Path file(Path output, String instanceId) {
        return output.resolve(".vxdump-" + instanceId + ".lock");
    }

    /**
     * Takes the lock, or refuses in one line naming the process that holds it. Writes nothing to
     * the file unless the lock is ours.
     */
    public static OutputLock take(Path output, String instanceId) throws ConfigException, IOException {
        Path path = file(output, instanceId);
        FileChannel c;
        try {
            c = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), FileModes.created(path));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("output: " + output + ": permission denied (vxdump must be able to write there)");
        } catch (java.nio.file.FileSystemException e) {
            throw new ConfigException("output: " + output + ": " + (e.getReason() == null ? e.getClass().getSimpleName()
                    : e.getReason().toLowerCase(java.util.Locale.ROOT)));
        }
        FileLock l;
        try {
            l = c.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // this very process holds it (two daemons in one JVM: tests)
        } catch (IOException e) {
            c.close();
            throw e;
        }
        if (l == null) {
            String holder = holder(c);
            c.close();
            throw new ConfigException("output: " + output + " is in use by another vxdump" + holder + " with instance id '"
                    + instanceId + "': one instance per output directory and instance id (stop it, or give this one "
                    + "another --output or --instance-id)");
        }
        FileModes.restrict(path);
        String pid = ProcessHandle.current().pid() + "\n";
        c.truncate(0);
        c.write(ByteBuffer.wrap(pid.getBytes(StandardCharsets.US_ASCII)), 0);
        return new OutputLock(c, l);
    }

    private static String holder(FileChannel c) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            c.read(b, 0);
            String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
