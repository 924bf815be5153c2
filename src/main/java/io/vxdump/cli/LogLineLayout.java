package io.vxdump.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One log line per event. On a terminal or in a file: {@code 2026-12-01T10:02:00.123Z INFO [thread]
 * Class: message}. Under systemd ({@code JOURNAL_STREAM} set), the journal keeps its own timestamp
 * and takes the priority from a {@code <N>} prefix (sd-daemon(3)), so each line, and each line of a
 * stack trace, starts with the syslog priority instead: {@code journalctl -p warning} then works.
 */
final class LogLineLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);
    private final boolean journal;

    LogLineLayout(boolean journal) {
        this.journal = journal;
    }

    /** The syslog priority of a level: err 3, warning 4, info 6, debug 7. */
    static int priority(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return 3;
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return 4;
        }
        return level.isGreaterOrEqual(Level.INFO) ? 6 : 7;
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder line = new StringBuilder(128);
        String prefix = journal ? "<" + priority(e.getLevel()) + ">" : "";
        line.append(prefix);
        if (!journal) {
            line.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ');
        }
        String logger = e.getLoggerName();
        line.append(String.format("%-5s", e.getLevel())).append(" [").append(e.getThreadName()).append("] ")
                .append(logger.substring(logger.lastIndexOf('.') + 1)).append(": ").append(e.getFormattedMessage())
                .append('\n');
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            for (String l : ThrowableProxyUtil.asString(t).split("\n")) {
                line.append(prefix).append(l).append('\n');
            }
        }
        return line.toString();
    }
}
