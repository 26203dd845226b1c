package io.tapswitch.tests.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ClusterSpec;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.config.VxlanSpec;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
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
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.Select;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console against a real two-host fabric: two clustered agents, {@code a} and {@code b},
 * started in this JVM exactly as {@code tapswitch run} starts them (Vert.x's clustered event bus on
 * Hazelcast, each bound to its own underlay address), each with two TAP ports and a namespace host
 * on each. The page is {@code a}'s; what it draws of {@code b} comes through {@code a}'s API and
 * event stream alone.
 *
 * <p>The underlay is a veth in the root namespace holding both agents' addresses (this kernel has
 * no dummy links); everything is removed afterwards.
 *
 * <p>The agents' tunnels are real: each has a VXLAN endpoint on its underlay address, the hosts'
 * pings cross them, and the tunnel health the console draws is what the probes measured.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FabricConsoleIT {
    private static final Logger LOG = LoggerFactory.getLogger(FabricConsoleIT.class);
    private static final String UNDERLAY = "tsfc-ul";
    private static final String UNDERLAY_PEER = "tsfc-ulp";
    private static final String A_ADDRESS = "198.19.90.1";
    private static final String B_ADDRESS = "198.19.90.2";
    private static final Duration WAIT = Duration.ofSeconds(40);
    /**
     * Hazelcast waits this long for the members it was told of before it forms or joins a cluster
     * (5 s by default, most of a join's time on one machine). A system property, read when each
     * agent's Hazelcast starts; restored afterwards.
     */
    private static final String JOIN_WAIT = "hazelcast.wait.seconds.before.join";
    static final Path SCREENSHOT = Path.of("target", "console-fabric.png");


    private static Agent a;
    private static Agent b;
    private static final List<Netns> hosts = new ArrayList<>();
    private static Browser browser;
    private static ChromeDriver page;
    private static Rest rest;
    private static String joinWaitBefore;
    private static boolean underlayMade;

    static String mac(String host, int i) {
        return String.format("02:74:66:%02x:00:%02x", (int) host.charAt(0), i);
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        HostCommand.run(List.of("ip", "link", "del", UNDERLAY)); // left by a killed run
        HostCommand.check("ip", "link", "add", UNDERLAY, "type", "veth", "peer", "name", UNDERLAY_PEER);
        underlayMade = true;
        HostCommand.check("ip", "addr", "add", A_ADDRESS + "/24", "dev", UNDERLAY);
        HostCommand.check("ip", "addr", "add", B_ADDRESS + "/24", "dev", UNDERLAY);
        HostCommand.check("ip", "link", "set", UNDERLAY_PEER, "up");
        HostCommand.check("ip", "link", "set", UNDERLAY, "up");
        joinWaitBefore = System.setProperty(JOIN_WAIT, "1");
        long began = System.nanoTime();
        a = Agent.start(config("a", A_ADDRESS, B_ADDRESS), options());
        long aStarted = System.nanoTime();
        b = Agent.start(config("b", B_ADDRESS, A_ADDRESS), options());
        LOG.info("fabric console: a started in {} ms, b joined it in {} ms", (aStarted - began) / 1_000_000,
                (System.nanoTime() - aStarted) / 1_000_000);
        int n = 0;
        for (String host : List.of("a", "b")) {
            for (int i = 1; i <= 2; i++) {
                Netns ns = Netns.create("tsfc-h" + host + i);
                hosts.add(ns);
                ns.adopt(port(host, i));
                ns.configure(port(host, i), mac(host, i), "198.18.91." + (++n) + "/24", null);
            }
        }
        rest = new Rest(a.apiUrl());
        await().atMost(WAIT).ignoreExceptions().until(() -> "up".equals(fabricHost("b").get("state").asText()));
        browser = Browser.start();
        page = browser.driver();
        page.get(a.apiUrl() + "/");
        eventually().until(() -> "true".equals(page.findElement(By.tagName("body")).getDomAttribute("data-ready"))
                && "open".equals(page.findElement(By.tagName("body")).getDomAttribute("data-stream")));
    }

    static String port(String host, int i) {
        return "tsfc-" + host + i;
    }

    private static AgentConfig config(String host, String address, String peer) {
        List<PortSpec> ports = List.of(1, 2).stream()
                .map(i -> new PortSpec(port(host, i), PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true,
                        new VlanSpec("access", 10, null, null)))
                .toList();
        ClusterSpec cluster = new ClusterSpec(host, address, null, null, List.of(peer), null, null, null);
        VxlanSpec vxlan = new VxlanSpec(null, null, null, null, null, null);
        return new AgentConfig("sw-" + host, null, null, HttpSpec.EPHEMERAL, ports, null, null, cluster, vxlan);
    }

    /** The agents' state directories (empty: no labs run here), removed afterwards. */
    private static final List<Path> stateDirectories = new ArrayList<>();

    private static AgentOptions options() throws Exception {
        Path state = Files.createTempDirectory("tapswitch-fabric-console-");
        stateDirectories.add(state);
        return new AgentOptions().setStateDirectory(state);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            try {
                for (Agent agent : new Agent[] {b, a}) {
                    if (agent != null) {
                        agent.close();
                    }
                }
            } finally {
                hosts.forEach(Netns::close);
                if (underlayMade) {
                    HostCommand.run(List.of("ip", "link", "del", UNDERLAY));
                }
                stateDirectories.forEach(Browser::deleteTree);
                if (joinWaitBefore == null) {
                    System.clearProperty(JOIN_WAIT);
                } else {
                    System.setProperty(JOIN_WAIT, joinWaitBefore);
                }
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

    private static JsonNode fabricHost(String host) {
        for (JsonNode h : rest.get("/fabric").get("hosts")) {
            if (host.equals(h.get("host").asText())) {
                return h;
            }
        }
        throw new AssertionError("no host " + host + " in /fabric");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> drawn(String kind) {
        Map<String, Object> snapshot = (Map<String, Object>) page.executeScript("return window.tapswitch.snapshot()");
        return (List<Map<String, Object>>) snapshot.get(kind);
    }

    /** The labels of the uplinks that carry traffic, on either host. */
    @SuppressWarnings("unchecked")
    private static List<String> busyUplinks() {
        Map<String, Object> snapshot = (Map<String, Object>) page.executeScript("return window.tapswitch.snapshot()");
        return ((List<String>) snapshot.get("uplinkLabels")).stream().filter(l -> !l.isEmpty()).toList();
    }

    private static Map<String, Object> drawnHost(String host) {
        return drawn("fabricHosts").stream().filter(h -> host.equals(h.get("host"))).findFirst().orElseThrow();
    }

    private static List<String> drawnPortsOf(String host) {
        return drawn("ports").stream().filter(p -> java.util.Objects.equals(host, p.get("host")))
                .map(p -> (String) p.get("name")).sorted().toList();
    }

    private static void openTab(String tab) {
        page.findElement(By.cssSelector(".tabs [data-tab='" + tab + "']")).click();
    }

    private static Netns host(String host, int i) {
        return hosts.get((host.equals("a") ? 0 : 2) + i - 1);
    }

    @Test
    @Order(1)
    @SuppressWarnings("unchecked")
    void drawsACompoundPerHostAndATunnelBetweenThem() {
        eventually().untilAsserted(() -> {
            assertThat(drawn("fabricHosts")).extracting(h -> h.get("host") + ":" + h.get("local") + ":" + h.get("state"))
                    .containsExactly("a:true:up", "b:false:up");
            // This host's ports, its tunnel port to b among them, inside its compound.
            assertThat((List<String>) drawnHost("a").get("ports")).containsExactlyInAnyOrder(
                    port("a", 1), port("a", 2), "vtep-b");
            assertThat(drawnPortsOf(null)).containsExactly(port("a", 1), port("a", 2), "vtep-b");
            // b is not open yet: its switch stands for it.
            assertThat(drawnHost("b").get("open")).isEqualTo(false);
        });
        // The tunnel leaves a's tunnel port for b, with the health a's probes give it, as the API says.
        eventually().untilAsserted(() -> {
            List<Map<String, Object>> tunnels = drawn("tunnels");
            assertThat(tunnels).hasSize(1);
            Map<String, Object> t = tunnels.get(0);
            assertThat((List<String>) t.get("hosts")).containsExactly("a", "b");
            assertThat(t.get("source")).isEqualTo("port:vtep-b");
            assertThat(t.get("target")).isEqualTo("host:b/switch");
            assertThat(t.get("hasPort")).isEqualTo(true);
            assertThat(t.get("health")).isEqualTo(fabricHost("b").get("tunnel").asText());
            assertThat((String) t.get("label")).startsWith((String) t.get("health"));
        });
        // The two compounds do not overlap on screen.
        eventually().untilAsserted(() -> assertThat(overlap(box(drawnHost("a")), box(drawnHost("b")))).isFalse());

        // The fabric tab, hidden for an agent alone, lists both hosts.
        assertThat(page.findElement(By.cssSelector("[data-testid='fabric-badge']")).getText()).startsWith("a · 2 hosts");
        openTab("fabric");
        eventually().untilAsserted(() -> {
            List<WebElement> rows = page.findElements(By.cssSelector("[data-testid='fabric-hosts'] tbody tr"));
            assertThat(rows).extracting(r -> r.getDomAttribute("data-host") + ":" + r.getDomAttribute("data-state"))
                    .containsExactly("a:up", "b:up");
            WebElement b = page.findElement(By.cssSelector("[data-testid='fabric-hosts'] tr[data-host='b']"));
            assertThat(b.getText()).contains(B_ADDRESS + ":4789").contains("10010");
            assertThat(b.findElement(By.cssSelector("[data-testid='tunnel-health']")).getText())
                    .isEqualTo(fabricHost("b").get("tunnel").asText());
        });
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aRemoteHostsPortsFdbAndCountersOpenInTheSamePanels() throws Exception {
        // Each host's namespace hosts talk to each other, so that each switch learns their MACs and
        // counts traffic; b's counters reach this page through a's event stream only.
        assertThat(host("b", 1).run("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.91.4").output()).contains("2 received");
        assertThat(host("a", 1).run("ping", "-c", "1", "-W", "2", "198.18.91.2").output()).contains("1 received");
        // across the tunnel: a's first host and b's learn each other behind their tunnel ports
        assertThat(host("a", 1).run("ping", "-c", "2", "-W", "2", "198.18.91.3").output()).contains("2 received");

        // A click on b's switch in the topology opens b in the port panel.
        clickAt(centre(box(drawnHost("b"), "switchBox")));
        String list = "[data-testid='port-list'][data-host='b'] ";
        eventually().untilAsserted(() -> {
            // the list has every port, the tunnel endpoint too; the picture leaves the endpoint out
            assertThat(page.findElements(By.cssSelector(list + "tbody tr"))).extracting(r -> r.getDomAttribute("data-port"))
                    .containsExactlyInAnyOrder(port("b", 1), port("b", 2), "vxlan0", "vtep-a");
            assertThat(page.findElement(By.cssSelector("#panel-port [data-testid='remote-note']")).getText())
                    .contains("read-only").contains("this host (a) only");
        });
        // Opened, b's compound holds its own ports, and the tunnel now ends at b's tunnel port.
        eventually().untilAsserted(() -> {
            assertThat(drawnHost("b").get("open")).isEqualTo(true);
            assertThat(drawnPortsOf("b")).containsExactly(port("b", 1), port("b", 2), "vtep-a");
            assertThat(drawn("tunnels").get(0).get("target")).isEqualTo("host:b/port:vtep-a");
            assertThat(drawn("hosts")).anyMatch(h -> mac("b", 1).equals(h.get("mac")) && "b".equals(h.get("host")));
        });

        // One of b's ports, in the port panel: its counters as b counts them, live rates, no controls.
        Process traffic = pingFlood(host("b", 1), "198.18.91.4");
        try {
            // The list is redrawn every second with the rates: a row found may be gone when clicked.
            By row = By.cssSelector(list + "tr[data-port='" + port("b", 1) + "']");
            eventually().until(() -> {
                if (page.findElements(row).isEmpty()) {
                    return true;
                }
                page.findElement(row).click();
                return false;
            });
            eventually().untilAsserted(() -> {
                assertThat(page.findElement(By.cssSelector("[data-testid='port-title']")).getText())
                        .startsWith(port("b", 1)).contains("on b");
                assertThat(page.findElement(By.cssSelector("[data-testid='port-counters']")).getText()).contains("received");
                assertThat(page.findElement(By.cssSelector("[data-testid='port-rates']")).getText()).doesNotContain("in 0 b/s");
                assertThat(page.findElements(By.cssSelector("[data-testid='rate-chart'] polyline"))).hasSize(2);
            });
            assertThat(page.findElements(By.cssSelector("#panel-port [data-testid='port-admin']"))).isEmpty();
            assertThat(page.findElements(By.cssSelector("#panel-port [data-testid='capture']"))).isEmpty();
            assertThat(page.findElements(By.cssSelector("#panel-port [data-testid='vlan-apply']"))).isEmpty();
            long rx = rest.get("/hosts/b/ports").findValues("ports").get(0).findValue("rxPackets").asLong();
            assertThat(rx).as("b's own counters, through a's API").isPositive();

            // b's MAC table in the FDB panel, without the flush, which would act on a.
            openTab("fdb");
            eventually().untilAsserted(() -> {
                // Picking the host picked already changes nothing, so a picker redrawn meanwhile is picked again.
                new Select(page.findElement(By.cssSelector("[data-testid='fdb-host']"))).selectByValue("b");
                // b's own hosts on its ports; a's host, which pinged across, behind b's tunnel port to a
                Map<String, String> portOf = new java.util.HashMap<>();
                page.findElements(By.cssSelector("[data-testid='fdb-table'] tbody tr"))
                        .forEach(r -> portOf.put(r.getDomAttribute("data-mac"), r.getDomAttribute("data-port")));
                assertThat(portOf).containsEntry(mac("b", 1), port("b", 1)).containsEntry(mac("b", 2), port("b", 2))
                        .containsEntry(mac("a", 1), "vtep-a");
                assertThat(page.findElement(By.cssSelector("#panel-fdb [data-testid='remote-note']")).getText()).contains("read-only");
                assertThat(page.findElement(By.cssSelector("[data-testid='fdb-flush']")).isDisplayed()).isFalse();
            });
            eventually().untilAsserted(() -> {
                new Select(page.findElement(By.cssSelector("[data-testid='fdb-host']"))).selectByValue("a");
                Map<String, String> portOf = new java.util.HashMap<>();
                page.findElements(By.cssSelector("[data-testid='fdb-table'] tbody tr"))
                        .forEach(r -> portOf.put(r.getDomAttribute("data-mac"), r.getDomAttribute("data-port")));
                assertThat(portOf).containsEntry(mac("a", 1), port("a", 1)).containsEntry(mac("b", 1), "vtep-b");
                assertThat(page.findElement(By.cssSelector("[data-testid='fdb-flush']")).isDisplayed()).isTrue();
            });

            // The two hosts, both open, traffic on both: the console's two-host screenshot.
            Process more = pingFlood(host("a", 1), "198.18.91.2");
            try {
                page.executeScript("window.tapswitch.selectPort(arguments[0], 'b')", port("b", 1));
                eventually().untilAsserted(() -> assertThat(busyUplinks()).hasSizeGreaterThanOrEqualTo(4));
                // The tunnel's probes come back: up, and drawn as the API gives it.
                eventually().untilAsserted(() -> {
                    assertThat(fabricHost("b").get("tunnel").asText()).isEqualTo("up");
                    assertThat(drawn("tunnels").get(0).get("health")).isEqualTo("up");
                });
                page.findElement(By.id("fit-view")).click();
                eventually().untilAsserted(() -> assertThat(page.findElements(By.cssSelector("[data-testid='rate-chart'] polyline"))).hasSize(2));
                save(SCREENSHOT);
            } finally {
                more.destroy();
            }
        } finally {
            traffic.destroy();
        }
    }

    @Test
    @Order(3)
    @SuppressWarnings("unchecked")
    void aHostThatLeavesIsDrawnDownWithoutReload() throws Exception {
        page.executeScript("window.__sameDocument = true");
        openTab("fabric");
        long closing = System.nanoTime();
        b.close();
        eventually().untilAsserted(() -> {
            Map<String, Object> drawnB = drawnHost("b");
            assertThat(drawnB.get("state")).isEqualTo("down");
            assertThat(drawnB.get("down")).isEqualTo(true);
            assertThat((String) drawnB.get("label")).isEqualTo("b · down");
        });
        LOG.info("fabric console: b drawn down {} ms after its agent closed", (System.nanoTime() - closing) / 1_000_000);
        assertThat(page.executeScript("return window.__sameDocument === true")).as("the page was not reloaded").isEqualTo(true);
        // All of b greyed: what it last answered stays, drawn down; the tunnel to it too.
        assertThat(drawn("ports")).filteredOn(p -> "b".equals(p.get("host")))
                .isNotEmpty().allMatch(p -> Boolean.TRUE.equals(p.get("hostDown")));
        assertThat(drawn("ports")).filteredOn(p -> p.get("host") == null).noneMatch(p -> Boolean.TRUE.equals(p.get("hostDown")));
        eventually().untilAsserted(() -> {
            assertThat(drawn("tunnels")).singleElement().satisfies(t -> {
                assertThat(t.get("peerDown")).isEqualTo(true);
                // a removed its tunnel port to b with it: the tunnel now joins the switches.
                assertThat(t.get("source")).isEqualTo("switch");
            });
            assertThat(drawnPortsOf(null)).containsExactly(port("a", 1), port("a", 2));
            assertThat(page.findElement(By.cssSelector("[data-testid='fabric-hosts'] tr[data-host='b']")).getDomAttribute("data-state"))
                    .isEqualTo("down");
            assertThat(page.findElement(By.cssSelector("[data-testid='fabric-badge']")).getText()).contains("b down");
        });
        // The port of b still shown says that b is down and what it shows is what b last said.
        openTab("port");
        eventually().untilAsserted(() -> assertThat(page.findElement(By.cssSelector("#panel-port [data-testid='remote-note']")).getText())
                .contains("b is down"));
    }

    private static Process pingFlood(Netns from, String to) throws Exception {
        return new ProcessBuilder(from.inside("ping", "-q", "-i", "0.02", "-s", "1200", "-c", "1500", to))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void save(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Path shot = page.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private static double[] box(Map<String, Object> element) {
        return box(element, "box");
    }

    @SuppressWarnings("unchecked")
    private static double[] box(Map<String, Object> element, String key) {
        Map<String, Number> b = (Map<String, Number>) element.get(key);
        return new double[] {b.get("x1").doubleValue(), b.get("y1").doubleValue(), b.get("x2").doubleValue(), b.get("y2").doubleValue()};
    }

    private static double[] centre(double[] box) {
        return new double[] {(box[0] + box[2]) / 2, (box[1] + box[3]) / 2};
    }

    /** A real mouse click at a point of the topology (coordinates as cytoscape renders them). */
    private static void clickAt(double[] point) {
        WebElement topology = page.findElement(By.id("topology"));
        org.openqa.selenium.Rectangle r = topology.getRect();
        new Actions(page).moveToElement(topology, (int) Math.round(point[0] - r.getWidth() / 2.0),
                (int) Math.round(point[1] - r.getHeight() / 2.0)).click().perform();
    }

    private static boolean overlap(double[] p, double[] q) {
        return p[0] < q[2] && q[0] < p[2] && p[1] < q[3] && q[1] < p[3];
    }
}
