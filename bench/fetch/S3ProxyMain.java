// The fetch benchmark's store: S3Proxy (the tests' S3Server) over DIR on a loopback port, with
// bucket BUCKET; prints the endpoint and serves until killed. Run with the project's test class path.
public class S3ProxyMain {
    public static void main(String[] args) throws Exception {
        var server = io.vxdump.testing.S3Server.start(java.nio.file.Path.of(args[0]), args[1]);
        System.out.println(server.endpoint());
        Thread.sleep(Long.MAX_VALUE);
    }
}
