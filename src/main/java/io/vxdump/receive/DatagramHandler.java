package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's end of the packet path: passes each datagram's payload to the thread's
 * {@link DatagramProcessor} and releases it before returning. The payload is a slice of the
 * recvmmsg batch buffer; nothing keeps a reference to it.
 */
final class DatagramHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramHandler.class);

    /** Set on this socket's thread before reading starts; the socket is bound earlier (start-up). */
    private DatagramProcessor processor;
    private final boolean geneve;
    private final io.vxdump.metrics.LongCounter received;

    /** @param received this socket's datagrams (the listener's count); this thread only writes it */
    DatagramHandler(io.vxdump.packet.Encapsulation encapsulation, io.vxdump.metrics.LongCounter received) {
        this.geneve = encapsulation == io.vxdump.packet.Encapsulation.GENEVE;
        this.received = received;
    }

    /** The processor this socket feeds; called on the socket's thread before reading starts. */
    void processor(DatagramProcessor p) {
        this.processor = p;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            try {
                ByteBuf content = packet.content();
                received.increment();
                if (geneve) {
                    processor.processGeneve(content, content.readerIndex(), content.readableBytes(),
                            packet.sender().getAddress());
                } else {
                    processor.process(content, content.readerIndex(), content.readableBytes(), packet.sender().getAddress());
                }
            } finally {
                packet.release();
            }
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        processor.readComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Socket errors (not per-packet events): worth a line each, and the socket stays open.
        LOG.warn("receive socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
