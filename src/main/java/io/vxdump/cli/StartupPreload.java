package io.vxdump.cli;

/**
 * {@code serve} binds its ports as early as it can, since a restarted daemon loses what arrives
 * before that. The JVM spends most of that time loading and initialising classes on one thread;
 * this loads the slow ones (logging, Netty's native epoll, direct-memory limits) on a second
 * thread while the command line is parsed, so both cores work. JMX is left until after the bind.
 * Purely an optimisation: whatever it has not done yet, the main thread does itself.
 */
final class StartupPreload {
    private StartupPreload() {
    }

    static void start() {
        Thread t = new Thread(() -> {
            try {
                org.slf4j.LoggerFactory.getLogger(StartupPreload.class);
                io.netty.channel.epoll.Epoll.isAvailable();
                io.netty.util.internal.PlatformDependent.maxDirectMemory();
                Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup");
                Class.forName("io.netty.bootstrap.Bootstrap");
            } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
                // the main thread meets the same problem, and reports it
            }
        }, "vxdump-preload");
        t.setDaemon(true);
        t.start();
    }
}
