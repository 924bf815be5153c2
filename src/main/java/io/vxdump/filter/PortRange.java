package io.vxdump.filter;

import java.util.Locale;
import java.util.Map;

/**
 * A TCP/UDP port range: {@code N}, {@code N-M}, or a service name (documented in the README).
 */
public record PortRange(int from, int to) {
    /** The service names a rule may use for a port. */
    public static final Map<String, Integer> SERVICES = Map.ofEntries(
            Map.entry("http", 80), Map.entry("https", 443), Map.entry("ssh", 22), Map.entry("dns", 53),
            Map.entry("ntp", 123), Map.entry("nfs", 2049), Map.entry("smtp", 25), Map.entry("ldap", 389),
            Map.entry("mysql", 3306), Map.entry("postgresql", 5432), Map.entry("ftp", 21), Map.entry("telnet", 23),
            Map.entry("kerberos", 88), Map.entry("imap", 143), Map.entry("snmp", 161), Map.entry("ldaps", 636),
            Map.entry("imaps", 993), Map.entry("pop3", 110), Map.entry("pop3s", 995), Map.entry("smb", 445),
            Map.entry("mssql", 1433), Map.entry("oracle", 1521), Map.entry("rdp", 3389), Map.entry("redis", 6379),
            Map.entry("syslog", 514), Map.entry("submission", 587));

    public static PortRange parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Integer service = SERVICES.get(t);
        if (service != null) {
            return new PortRange(service, service);
        }
        int dash = t.indexOf('-');
        try {
            int from = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).trim());
            int to = dash < 0 ? from : Integer.parseInt(t.substring(dash + 1).trim());
            if (from < 0 || to > 65535 || from > to) {
                throw new IllegalArgumentException("'" + text + "' is not a port range within 0..65535, low to high");
            }
            return new PortRange(from, to);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port, a range N-M or a known service name");
        }
    }

    boolean contains(int port) {
        return port >= from && port <= to;
    }

    @Override
    public String toString() {
        return from == to ? String.valueOf(from) : from + "-" + to;
    }
}
