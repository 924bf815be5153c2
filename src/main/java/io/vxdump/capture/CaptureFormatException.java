package io.vxdump.capture;

import java.io.IOException;

/** A capture file that is not one, or that ends in the middle of a record; the message says which. */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean truncated;

    CaptureFormatException(String message, boolean truncated) {
        super(message);
        this.truncated = truncated;
    }

    /** True when the file ended inside a record: the packets before it were good. */
    public boolean truncated() {
        return truncated;
    }
}
