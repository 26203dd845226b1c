package io.tapswitch.agent.api;

import io.tapswitch.agent.CliRun;
import io.tapswitch.core.capture.PcapWriter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The capture download against a real agent on in-memory ports: bad limits and unknown names
 * refused before anything starts; the pcap header sent at once; frames streamed as they cross the
 * port; a mirror's copies; the capture ended when the client goes away; and the CLI's errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class CaptureRoutesTest {
    private static final String H1 = "tsapic1";
    private static final String H2 = "tsapic2";
    private static final String H3 = "tsapic3";
    private RunningAgent a;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        a = RunningAgent.start(Files.createTempDirectory("tsapi"), """
                name: capture
                http: {port: 0}
                ports:
                  - {name: tsapic1}
                  - {name: tsapic2}
                  - {name: tsapic3}
                mirrors:
                  - {name: cap, srcPorts: [tsapic1], outputPort: tsapic2}
                """);
    }

    @AfterAll
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
    }

    /**
     * A host behind {@value #H1} pings 198.18.12.2: {@code count} ICMP echo requests of 98 bytes
     * (as {@code ping} sends them) arrive on that port, once the capture that should see them runs.
     */
    private void ping(int count) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> !a.agent.view().captures().isEmpty());
        for (int seq = 1; seq <= count; seq++) {
            a.receive(H1, echoRequest(seq));
        }
    }

    /** An ICMP echo request from 02:00:00:0c:00:01 (198.18.12.1) to 02:00:00:0c:00:02 (198.18.12.2). */
    static byte[] echoRequest(int seq) {
        ByteBuffer f = ByteBuffer.allocate(98);
        f.put(new byte[] {2, 0, 0, 0x0c, 0, 2, 2, 0, 0, 0x0c, 0, 1}).putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) 84).putShort((short) seq).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 1).putShort((short) 0)
                .put(new byte[] {(byte) 198, 18, 12, 1}).put(new byte[] {(byte) 198, 18, 12, 2});
        f.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x7473).putShort((short) seq);
        return f.array();
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "/ports/tsapic1/capture?count=0|400|count",
            "/ports/tsapic1/capture?count=x|400|count",
            "/ports/tsapic1/capture?count=1&count=2|400|count",
            "/ports/tsapic1/capture?bytes=-1|400|bytes",
            "/ports/tsapic1/capture?seconds=3601|400|seconds",
            "/ports/tsapic1/capture?seconds=1.5|400|seconds",
            "/ports/tsapic1/capture?snaplen=0|400|snaplen",
            "/ports/tsapic1/capture?snaplen=65536|400|snaplen",
            "/ports/tsapic1/capture?nanos=maybe|400|nanos",
            "/ports/tsapic1/capture?frames=3|400|frames",
            "/ports/tsapic1/capture?count=0&seconds=0&snaplen=x|400|count;seconds;snaplen",
            "/ports/nosuch/capture?count=1|404|''",
            "/mirrors/nosuch/capture|404|''",
            "/mirrors/tsapic1/capture|404|''",
            "/mirrors/cap/capture?seconds=0|400|seconds",
    })
    void badRequestsAreRefusedWithTheFieldNamed(String path, int status, String fields) {
        Http.Reply r = a.http.get(path);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(String.join(";", r.fields())).isEqualTo(fields);
        assertThat(a.agent.view().captures()).isEmpty();
    }

    @Test
    void thePcapHeaderArrivesBeforeAnyFrameAndTheCaptureEndsOnTime() throws Exception {
        long started = System.nanoTime();
        HttpResponse<InputStream> res = open("/ports/" + H2 + "/capture?seconds=2&nanos=true&snaplen=128");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).hasValue(CaptureRoutes.PCAP_TYPE);
        assertThat(res.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"" + H2 + ".pcap\"");
        try (InputStream in = res.body()) {
            byte[] header = in.readNBytes(PcapWriter.GLOBAL_HEADER_LEN);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
            ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt(0)).isEqualTo(PcapWriter.MAGIC_NANOS);
            assertThat(b.getInt(16)).isEqualTo(128);
            assertThat(b.getInt(20)).isEqualTo(PcapWriter.LINKTYPE_ETHERNET);
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
    }

    @Test
    void framesCrossingThePortAreStreamedAsTheyCome() throws Exception {
        HttpResponse<InputStream> res = open("/ports/" + H1 + "/capture?count=3&snaplen=60&seconds=20");
        assertThat(res.statusCode()).isEqualTo(200);
        try (InputStream in = res.body()) {
            assertThat(in.readNBytes(PcapWriter.GLOBAL_HEADER_LEN)).hasSize(PcapWriter.GLOBAL_HEADER_LEN);
            ping(3);
            byte[] rest = in.readAllBytes();
            ByteBuffer b = ByteBuffer.wrap(rest).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 3; i++) {
                int captured = b.getInt(b.position() + 8);
                int original = b.getInt(b.position() + 12);
                assertThat(captured).isEqualTo(60);
                assertThat(original).isEqualTo(98);
                b.position(b.position() + PcapWriter.RECORD_HEADER_LEN);
                byte[] frame = new byte[captured];
                b.get(frame);
                // destination and source MACs, then IPv4, protocol ICMP
                assertThat(Arrays.copyOfRange(frame, 0, 6)).isEqualTo(new byte[] {2, 0, 0, 0x0c, 0, 2});
                assertThat(Arrays.copyOfRange(frame, 6, 12)).isEqualTo(new byte[] {2, 0, 0, 0x0c, 0, 1});
                assertThat(frame[12] & 0xff).isEqualTo(0x08);
                assertThat(frame[23]).isEqualTo((byte) 1);
            }
            assertThat(b.remaining()).isZero();
        }
    }

    @Test
    void aMirrorsCopiesCanBeCaptured() throws Exception {
        HttpResponse<InputStream> res = open("/mirrors/cap/capture?count=2&seconds=20");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"cap.pcap\"");
        try (InputStream in = res.body()) {
            assertThat(in.readNBytes(PcapWriter.GLOBAL_HEADER_LEN)).hasSize(PcapWriter.GLOBAL_HEADER_LEN);
            ping(2);
            byte[] rest = in.readAllBytes();
            ByteBuffer b = ByteBuffer.wrap(rest).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt(8)).isEqualTo(98);
            assertThat(rest).hasSize(2 * (PcapWriter.RECORD_HEADER_LEN + 98));
        }
    }

    @Test
    void aClientGoingAwayEndsItsCapture() throws Exception {
        HttpResponse<InputStream> res = open("/ports/" + H2 + "/capture?seconds=600");
        // closed whatever the assertions say: a capture left running would fail every later test
        try (InputStream in = res.body()) {
            assertThat(in.readNBytes(PcapWriter.GLOBAL_HEADER_LEN)).hasSize(PcapWriter.GLOBAL_HEADER_LEN);
            // the header is sent once the capture is on the frame path, so it is listed now
            Http.Reply running = a.http.get("/captures");
            assertThat(running.json().path("captures")).hasSize(1);
            assertThat(running.json().path("captures").get(0).path("target").asText()).isEqualTo(H2);
            assertThat(running.json().path("captures").get(0).path("kind").asText()).isEqualTo("port");
        }
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(a.agent.view().captures()).isEmpty();
            assertThat(a.http.get("/captures").json().path("captures")).isEmpty();
        });
    }

    @Test
    void theCliWritesAFileAndExplainsFailures() throws Exception {
        Path file = Files.createTempFile("tsapi", ".pcap");
        try {
            CompletableFuture<CliRun.Result> capture = CompletableFuture.supplyAsync(() ->
                    cli("capture", H1, "-c", "2", "--seconds", "20", "-w", file.toString(), "--api", a.agent.apiUrl()));
            ping(2);
            CliRun.Result done = capture.get(20, TimeUnit.SECONDS);
            assertThat(done.code()).as(done.err()).isZero();
            assertThat(done.out()).isEmpty();
            assertThat(done.err()).contains("2 frames captured from port " + H1);
            assertThat(Files.size(file)).isEqualTo(PcapWriter.GLOBAL_HEADER_LEN + 2L * (PcapWriter.RECORD_HEADER_LEN + 98));
        } finally {
            Files.deleteIfExists(file);
        }
        CliRun.Result unknown = cli("capture", "nosuch", "-c", "1", "--url", a.agent.apiUrl());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).contains("no port or mirror named 'nosuch'");
        CliRun.Result bad = cli("capture", H1, "--seconds", "99999", "--url", a.agent.apiUrl());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("HTTP 400").contains("seconds: must be an integer from 1 to 3600");
        CliRun.Result down = cli("capture", H1, "-c", "1", "--url", "http://127.0.0.1:1");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach the agent");
    }

    @Test
    void aSlowClientMakesTheWriterWaitAndAFastOneLetsItGoOn() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicLong written = new AtomicLong();
        CompletableFuture<IOException> failed = new CompletableFuture<>();
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(req -> {
                HttpServerResponse res = req.response();
                ResponseStream out = new ResponseStream(vertx.getOrCreateContext(), res,
                        () -> res.setChunked(true), 60_000);
                res.closeHandler(v -> out.abandon());
                Thread writer = new Thread(() -> {
                    byte[] chunk = new byte[8192];
                    try {
                        while (true) {
                            out.write(chunk);
                            out.flush();
                            written.addAndGet(chunk.length);
                        }
                    } catch (IOException e) {
                        failed.complete(e);
                    }
                }, "slow-client-writer");
                writer.setDaemon(true);
                writer.start();
            }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(16 * 1024);
                client.connect(new java.net.InetSocketAddress("127.0.0.1", server.actualPort()));
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                // nothing is read: the writer fills the socket buffers and the write queue, then waits
                await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(new java.util.concurrent.Callable<>() {
                    long last = -1;

                    @Override
                    public Boolean call() {
                        long now = written.get();
                        boolean still = now == last && now > 0;
                        last = now;
                        return still;
                    }
                });
                long stalled = written.get();
                assertThat(stalled).isLessThan(64L << 20);
                assertThat(failed).isNotDone();
                // reading lets the writer go on
                InputStream in = client.getInputStream();
                byte[] sink = new byte[1 << 16];
                long read = 0;
                while (read < stalled + (8L << 20)) {
                    int n = in.read(sink);
                    assertThat(n).as("bytes read").isPositive();
                    read += n;
                }
                assertThat(written.get()).isGreaterThan(stalled);
            }
            // the client went away: the writer is told so instead of waiting for ever
            assertThat(failed.get(10, TimeUnit.SECONDS)).hasMessageContaining("closed");
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static CliRun.Result cli(String... args) {
        return CliRun.run(args);
    }

    private HttpResponse<InputStream> open(String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(a.agent.apiUrl() + "/api/v1" + path))
                .timeout(Duration.ofSeconds(10));
        if (a.agent.access().token() != null) {
            b.header("Authorization", "Bearer " + a.agent.access().token());
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }
}
