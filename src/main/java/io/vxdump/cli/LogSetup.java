package io.vxdump.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging set up in code: one line per event on standard error (the journal or the caller's
 * redirect keeps it; under systemd, with journal priorities: {@link LogLineLayout}),
 * {@code VXDUMP_LOG_LEVEL} (default INFO), Netty at WARN. In code rather than
 * logback.xml because parsing the XML took ~300 ms of the start, before the ports are bound: time
 * in which a restarted daemon loses traffic. {@code -Dlogback.configurationFile=...} still wins.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogLineLayout layout = new LogLineLayout(System.getenv("JOURNAL_STREAM") != null);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv("VXDUMP_LOG_LEVEL"), Level.INFO));
        root.addAppender(stderr);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("org.pcap4j").setLevel(Level.WARN); // fetch's filter: no library-loading chatter
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
