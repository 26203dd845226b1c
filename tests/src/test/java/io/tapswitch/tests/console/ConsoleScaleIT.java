package io.tapswitch.tests.console;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.port.PacketPort;
import io.tapswitch.tests.netns.Root;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console at lab scale, in a real headless Chromium against a real agent: 256 TAP ports in four
 * VLANs and 2 000 stations learned behind them. Each station is a frame written into a port's
 * netdev through an AF_PACKET socket, so it enters the switch as a guest's frame would; its
 * destination is its own source, so the switch learns it and then drops it (same port) instead of
 * flooding it to 255 ports.
 *
 * <p>The page must be interactive within three seconds of its load (a Performance API mark the
 * console sets once the first full load is drawn), draw the ports in VLAN groups that collapse and
 * expand, find a port and a MAC from its search box, keep the ports in place when a port comes, and
 * draw no two labels over each other. Names are {@code tscs-*}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleScaleIT {
    private static final String PREFIX = "tscs";
    private static final int PORTS = 256;
    private static final int[] VLANS = {10, 20, 30, 40};
    private static final int MACS = 2000;
    private static final long INTERACTIVE_BUDGET_MS = 3000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    static final Path SCREENSHOT = Path.of("target", "console-256.png");

    private static Agent agent;
    private static Browser browser;
    private static ChromeDriver page;
    private static Rest rest;

    static String port(int i) {
        return PREFIX + "-p" + i;
    }

    static int vlanOf(int i) {
        return VLANS[(i - 1) % VLANS.length];
    }

    /** Station k's MAC: locally administered, unicast, distinct. */
    static long mac(int k) {
        return 0x0274_7363_0000L | k;
    }

    static String macText(int k) {
        long m = mac(k);
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", m >>> 40 & 0xff, m >>> 32 & 0xff, m >>> 24 & 0xff,
                m >>> 16 & 0xff, m >>> 8 & 0xff, m & 0xff);
    }

    /** The port station k sits behind. */
    static int portOf(int k) {
        return k % PORTS + 1;
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        List<PortSpec> ports = new ArrayList<>();
        for (int i = 1; i <= PORTS; i++) {
            ports.add(new PortSpec(port(i), PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true,
                    new VlanSpec("access", vlanOf(i), null, null)));
        }
        long began = System.nanoTime();
        agent = Agent.start(new AgentConfig("lab-256", null, null, HttpSpec.EPHEMERAL, ports, null, null));
        System.out.printf("ConsoleScaleIT: agent with %d TAP ports up in %d ms%n", PORTS, (System.nanoTime() - began) / 1_000_000);
        // The netdevs stay in this namespace: keep them from chattering (IPv6 autoconfiguration)
        // so that the stations the page shows are the test's.
        for (int i = 1; i <= PORTS; i++) {
            Files.writeString(Path.of("/proc/sys/net/ipv6/conf", port(i), "disable_ipv6"), "1");
        }
        rest = new Rest(agent.apiUrl());
        rest.delete("/fdb");
        injectStations();
        eventually().untilAsserted(() ->
                assertThat(rest.get("/switch").get("fdb").get("entries").asInt()).isGreaterThanOrEqualTo(MACS));
        browser = Browser.start();
        page = browser.driver();
        page.get(agent.apiUrl() + "/");
        eventually().until(() -> "true".equals(page.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    /** One frame per station into its port's netdev, from the station's MAC to itself. */
    private static void injectStations() throws Exception {
        for (int i = 1; i <= PORTS; i++) {
            try (PacketPort injector = PacketPort.open(port(i), false)) {
                Frame frame = new Frame(4);
                byte[] bytes = new byte[60];
                bytes[12] = (byte) 0x88;
                bytes[13] = (byte) 0xb5;
                frame.load(bytes);
                ByteBuffer buf = frame.buffer();
                int at = frame.frame();
                for (int k = i - 1; k < MACS; k += PORTS) {
                    putMac(buf, at, mac(k));
                    putMac(buf, at + 6, mac(k));
                    while (injector.send(frame) != 0) {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }

    private static void putMac(ByteBuffer buf, int at, long mac) {
        buf.putInt(at, (int) (mac >>> 16));
        buf.putShort(at + 4, (short) mac);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (agent != null) {
                agent.close();
            }
        }
    }

    @AfterEach
    void noScriptErrors() {
        List<String> severe = browser.log().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    private static ConditionFactory eventually() {
        return await().atMost(WAIT).ignoreExceptions();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> snapshot() {
        return (Map<String, Object>) page.executeScript("return window.tapswitch.snapshot()");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> drawn(String kind) {
        return (List<Map<String, Object>>) snapshot().get(kind);
    }

    private static Map<String, Object> drawnPort(String name) {
        return drawn("ports").stream().filter(p -> name.equals(p.get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> group(int vlan) {
        return drawn("groups").stream().filter(g -> ((Number) g.get("vlan")).intValue() == vlan).findFirst().orElseThrow();
    }

    @Test
    @Order(1)
    void theLabIsInteractiveWithinThreeSeconds() {
        double interactive = ((Number) page.executeScript(
                "return performance.getEntriesByName('tapswitch-interactive')[0].startTime")).doubleValue();
        double loaded = ((Number) page.executeScript(
                "const n = performance.getEntriesByType('navigation')[0]; return n.domContentLoadedEventEnd")).doubleValue();
        System.out.printf("ConsoleScaleIT: %d ports, %d MACs: DOMContentLoaded %.0f ms, interactive (drawn) %.0f ms after navigation start%n",
                PORTS, MACS, loaded, interactive);
        assertThat(interactive).isLessThan(INTERACTIVE_BUDGET_MS);
        assertThat(drawn("ports")).hasSize(PORTS);
    }

    @Test
    @Order(2)
    void portsAreGroupedByVlanAndStationsCountedPerPort() {
        List<Map<String, Object>> groups = drawn("groups");
        assertThat(groups).extracting(g -> ((Number) g.get("vlan")).intValue()).containsExactly(10, 20, 30, 40);
        assertThat(groups).allSatisfy(g -> {
            assertThat(((Number) g.get("ports")).intValue()).isEqualTo(PORTS / VLANS.length);
            assertThat(((Number) g.get("drawnPorts")).intValue()).isEqualTo(PORTS / VLANS.length);
        });
        assertThat(drawnPort(port(6)).get("group")).isEqualTo("group:vlan20");
        // Stations are counted, not drawn one by one; the counts add up to what the switch learned.
        eventually().untilAsserted(() -> {
            int counted = drawn("stationCounts").stream().mapToInt(c -> ((Number) c.get("count")).intValue()).sum();
            assertThat(counted).isEqualTo(rest.get("/switch").get("fdb").get("entries").asInt()).isGreaterThanOrEqualTo(MACS);
        });
        assertThat(drawn("hosts")).isEmpty();
    }

    @Test
    @Order(3)
    void noTwoLabelsOverlapAtTheDefaultZoom() throws Exception {
        page.findElement(By.id("fit-view")).click();
        // Every port's name is drawn (and the switch's and the groups'), none over another.
        eventually().untilAsserted(() -> Drawing.assertLabelsApart(page, PORTS + 1 + VLANS.length));
        Drawing.assertEdgesAreLines(page);
        save(SCREENSHOT);
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(20_000);
    }

    @Test
    @Order(4)
    void searchFindsAndSelectsAPortAndAMac() {
        search(port(77));
        eventually().untilAsserted(() -> {
            assertThat(drawnPort(port(77)).get("selected")).isEqualTo(true);
            assertThat(page.findElement(By.cssSelector("[data-testid='port-title']")).getText()).startsWith(port(77));
            // centred: the port is in the middle of the topology pane
            assertCentred(Drawing.box(drawnPort(port(77))));
        });
        // Selected, its stations are listed instead of counted.
        assertThat(drawn("hosts")).extracting(h -> h.get("port")).isNotEmpty().containsOnly(port(77));

        int k = 1234;
        search(macText(k).toUpperCase());
        eventually().untilAsserted(() -> {
            assertThat(drawnPort(port(portOf(k))).get("selected")).isEqualTo(true);
            assertThat(drawn("hosts")).anyMatch(h -> macText(k).equals(h.get("mac")));
            assertThat(page.findElement(By.cssSelector("[data-testid='search-result']")).getText()).contains(port(portOf(k)));
        });
        search("no-such-thing");
        eventually().untilAsserted(() -> assertThat(page.findElement(By.cssSelector("[data-testid='search-result']")).getText())
                .contains("nothing named"));
        page.findElement(By.id("fit-view")).click();
    }

    private static void search(String text) {
        WebElement box = page.findElement(By.cssSelector("[data-testid='search']"));
        box.clear();
        box.sendKeys(text, Keys.ENTER);
    }

    private static void assertCentred(double[] box) {
        org.openqa.selenium.Rectangle r = page.findElement(By.id("topology")).getRect();
        double cx = (box[0] + box[2]) / 2;
        double cy = (box[1] + box[3]) / 2;
        assertThat(Math.abs(cx - r.getWidth() / 2.0)).isLessThan(40);
        assertThat(Math.abs(cy - r.getHeight() / 2.0)).isLessThan(40);
    }

    @Test
    @Order(5)
    void aGroupCollapsesAndExpandsWhenClicked() {
        page.executeScript("window.tapswitch.selectPort(null)");
        page.findElement(By.id("fit-view")).click();
        // A click inside the group's border, above its first row of ports: the group itself.
        double[] g = Drawing.box(group(30));
        clickAt(new double[] {g[0] + 6, g[1] + 6});
        eventually().untilAsserted(() -> {
            assertThat(group(30).get("collapsed")).isEqualTo(true);
            assertThat(((Number) group(30).get("drawnPorts")).intValue()).isZero();
            assertThat(drawn("ports")).hasSize(PORTS - PORTS / VLANS.length);
        });
        Drawing.assertLabelsApart(page, PORTS - PORTS / VLANS.length + 1 + VLANS.length);
        double[] shut = Drawing.box(group(30));
        clickAt(new double[] {(shut[0] + shut[2]) / 2, (shut[1] + shut[3]) / 2});
        eventually().untilAsserted(() -> {
            assertThat(group(30).get("collapsed")).isEqualTo(false);
            assertThat(drawn("ports")).hasSize(PORTS);
        });
    }

    private static void clickAt(double[] point) {
        WebElement topology = page.findElement(By.id("topology"));
        org.openqa.selenium.Rectangle r = topology.getRect();
        new Actions(page).moveToElement(topology, (int) Math.round(point[0] - r.getWidth() / 2.0),
                (int) Math.round(point[1] - r.getHeight() / 2.0)).click().perform();
    }

    @Test
    @Order(6)
    @SuppressWarnings("unchecked")
    void aPortThatComesMovesNoOther() {
        page.findElement(By.id("fit-view")).click();
        Map<String, Object> before = (Map<String, Object>) page.executeScript(
                "const out = {}; window.tapswitch.topology.cy.nodes('.port').forEach((n) => { out[n.id()] = n.position(); }); return out;");
        String extra = PREFIX + "-x1";
        rest.post("/ports", "{\"name\":\"" + extra + "\",\"kind\":\"tap\",\"create\":\"create\",\"vlan\":{\"mode\":\"access\",\"tag\":20}}");
        try {
            eventually().untilAsserted(() -> assertThat(drawnPort(extra).get("group")).isEqualTo("group:vlan20"));
            Map<String, Object> after = (Map<String, Object>) page.executeScript(
                    "const out = {}; window.tapswitch.topology.cy.nodes('.port').forEach((n) => { out[n.id()] = n.position(); }); return out;");
            for (Map.Entry<String, Object> e : before.entrySet()) {
                assertThat(after.get(e.getKey())).as("%s stayed", e.getKey()).isEqualTo(e.getValue());
            }
        } finally {
            rest.delete("/ports/" + extra);
        }
        eventually().untilAsserted(() -> assertThat(drawn("ports")).hasSize(PORTS));
    }

    /** Zoomed into a few ports, their stations are listed; zoomed out again, they are counted again. */
    @Test
    @Order(8)
    void zoomingIntoPortsListsTheirStations() {
        page.executeScript("window.tapswitch.selectPort(null)");
        page.findElement(By.id("fit-view")).click();
        eventually().untilAsserted(() -> assertThat(drawn("hosts")).isEmpty());
        page.executeScript("const cy = window.tapswitch.topology.cy; const p = cy.getElementById(arguments[0]).position();"
                + " cy.zoom({level: 2.5, position: p}); cy.center(cy.getElementById(arguments[0]));", "port:" + port(77));
        eventually().untilAsserted(() -> {
            List<Map<String, Object>> hosts = drawn("hosts");
            assertThat(hosts).extracting(h -> h.get("port")).contains(port(77));
            assertThat(hosts.stream().map(h -> h.get("port")).distinct().count()).isBetween(1L, 12L);
            Drawing.assertLabelsApart(page, 10);
        });
        page.findElement(By.id("fit-view")).click();
        eventually().untilAsserted(() -> assertThat(drawn("hosts")).isEmpty());
    }

    /**
     * Counters of 256 ports each second, and a burst of learned MACs, do not freeze the page: a
     * 20 ms timer in the page is never held up for long while they arrive.
     */
    @Test
    @Order(7)
    void liveUpdatesDoNotFreezeThePage() throws Exception {
        page.executeScript("window.__lag = 0; window.__last = performance.now();"
                + "window.__timer = setInterval(() => { const now = performance.now();"
                + " window.__lag = Math.max(window.__lag, now - window.__last - 20); window.__last = now; }, 20);");
        rest.delete("/fdb");
        injectStations();
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
            Thread.sleep(200);
        }
        double lag = ((Number) page.executeScript("clearInterval(window.__timer); return window.__lag;")).doubleValue();
        System.out.printf("ConsoleScaleIT: longest main-thread stall while %d MACs were relearned and counters streamed: %.0f ms%n", MACS, lag);
        assertThat(lag).isLessThan(1000);
        eventually().untilAsserted(() -> assertThat(drawn("stationCounts").stream()
                .mapToInt(c -> ((Number) c.get("count")).intValue()).sum()).isGreaterThanOrEqualTo(MACS));
    }

    private static void save(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Path shot = page.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
    }
}
