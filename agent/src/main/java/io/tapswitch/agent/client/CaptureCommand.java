package io.tapswitch.agent.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code tapswitch capture}: downloads a live pcap of a port or a mirror from a running agent, to a
 * file or to standard output, so that {@code tapswitch capture vm1 -c 10 | tcpdump -r -} works.
 *
 * <p>It is a thin client of {@code GET /api/v1/ports/{name}/capture} (or the mirror's), like the
 * {@code ctl} commands: the agent enforces the limits and names bad values, so the command line and
 * curl behave the same. Standard output carries only pcap bytes, flushed as they arrive so a reader
 * on the pipe sees each frame at once; every message goes to standard error. Whether the name is a
 * port or a mirror is asked of the agent unless {@code --mirror} says so.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Capture a port's traffic (both directions) or a mirror's copies from a running agent, as pcap.",
                "Writes the pcap to standard output (for example into 'tcpdump -r -') or to a file (-w); "
                        + "messages go to standard error. Without -c, --bytes or --seconds the agent stops after 10 s."})
public final class CaptureCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "PORT|MIRROR", description = "Port or mirror to capture.")
    String target;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Stop after N frames.")
    Long count;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE", description = "Write the pcap to FILE ('-' = standard output).")
    String file;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds (at most 3600).")
    Long seconds;

    @Option(names = "--bytes", paramLabel = "B", description = "Stop after B captured bytes.")
    Long bytes;

    @Option(names = "--snaplen", paramLabel = "N", description = "Keep at most N bytes of each frame (1-65535).")
    Integer snaplen;

    @Option(names = "--nanos", description = "Nanosecond timestamps (pcap magic 0xa1b23c4d).")
    boolean nanos;

    @Option(names = "--mirror", description = "PORT|MIRROR names a mirror (default: ask the agent).")
    boolean mirror;

    @Option(names = {"--url", "--api"}, paramLabel = "URL", defaultValue = ApiClient.DEFAULT_URL,
            description = "Agent URL (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:" + CtlCommand.TOKEN_ENV + "}",
            description = "Bearer token, when the agent requires one (default: $" + CtlCommand.TOKEN_ENV + ").")
    String token;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        boolean toStdout = file == null || file.equals("-");
        if (toStdout && System.console() != null) {
            err.println("error: refusing to write pcap to a terminal; use -w FILE or pipe it (| tcpdump -r -)");
            return 1;
        }
        try {
            String kind = mirror ? "mirror" : kindOf(new ApiClient(url, token));
            Counted counted = download(kind, toStdout);
            if (counted.partial()) {
                throw new CtlException("the capture stream ended in the middle of a frame");
            }
            err.println("tapswitch: " + counted.frames() + (counted.frames() == 1 ? " frame" : " frames") + " captured from "
                    + kind + " " + target + (toStdout ? "" : ", written to " + file));
            return 0;
        } catch (CtlException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** "port" or "mirror": the lists are asked rather than single items, so a 404 cannot hide a 401. */
    private String kindOf(ApiClient api) {
        for (JsonNode p : api.get("/ports").path("ports")) {
            if (target.equals(p.path("name").asText())) {
                return "port";
            }
        }
        for (JsonNode m : api.get("/mirrors").path("mirrors")) {
            if (target.equals(m.path("config").path("name").asText())) {
                return "mirror";
            }
        }
        throw new CtlException("the agent has no port or mirror named '" + target + "'");
    }

    private Counted download(String kind, boolean toStdout) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri = URI.create(base + "/api/v1/" + kind + "s/" + ApiClient.segment(target) + "/capture" + query());
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (token != null && !token.isEmpty()) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<InputStream> res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = res.body()) {
                if (res.statusCode() != 200) {
                    throw CtlException.fromResponse(res.statusCode(), parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
                if (toStdout) {
                    return copy(in, System.out);
                }
                try (OutputStream out = Files.newOutputStream(Path.of(file))) {
                    return copy(in, out);
                }
            }
        } catch (ConnectException e) {
            throw new CtlException("cannot reach the agent at " + base + " (is it running? see --url)");
        } catch (IOException e) {
            throw new CtlException("capture from " + uri + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted");
        }
    }

    private String query() {
        String q = ApiClient.query("count", text(count), "bytes", text(bytes), "seconds", text(seconds),
                "snaplen", text(snaplen), "nanos", nanos ? "true" : null).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + "&" + b).orElse("");
        return q.isEmpty() ? "" : "?" + q;
    }

    private static String text(Number n) {
        return n == null ? null : n.toString();
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    /** Copies the stream, flushing each piece so a reader on a pipe sees frames as they come. */
    private static Counted copy(InputStream in, OutputStream out) throws IOException {
        PcapCounter counter = new PcapCounter();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            out.flush();
            if (out instanceof PrintStream ps && ps.checkError()) {
                throw new CtlException("standard output was closed");
            }
            counter.feed(buf, n);
        }
        return new Counted(counter.frames, counter.partial());
    }

    record Counted(long frames, boolean partial) {
    }

    /**
     * Counts the records of a pcap stream as it passes, for the closing message and to notice a
     * stream cut in the middle of a frame. Reads only the 24-byte file header (for the byte order)
     * and each record's 16-byte header (for its captured length).
     */
    static final class PcapCounter {
        private final byte[] header = new byte[24];
        private int have;
        private boolean fileHeaderDone;
        private boolean bigEndian;
        private long skip;
        long frames;

        void feed(byte[] b, int len) {
            int i = 0;
            while (i < len) {
                if (skip > 0) {
                    int n = (int) Math.min(skip, len - i);
                    skip -= n;
                    i += n;
                    continue;
                }
                int want = fileHeaderDone ? 16 : 24;
                int n = Math.min(want - have, len - i);
                System.arraycopy(b, i, header, have, n);
                have += n;
                i += n;
                if (have < want) {
                    continue;
                }
                have = 0;
                if (!fileHeaderDone) {
                    fileHeaderDone = true;
                    bigEndian = (header[0] & 0xff) == 0xa1;
                } else {
                    frames++;
                    skip = readInt(8) & 0xffffffffL;
                }
            }
        }

        private int readInt(int at) {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int byteAt = bigEndian ? at + k : at + 3 - k;
                v = (v << 8) | (header[byteAt] & 0xff);
            }
            return v;
        }

        boolean partial() {
            return have != 0 || skip != 0;
        }
    }
}
