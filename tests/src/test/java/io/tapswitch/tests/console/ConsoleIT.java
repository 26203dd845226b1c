package io.tapswitch.tests.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.Agent;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.AutoAttachSpec;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.host.Netns;
import io.tapswitch.tests.lab.GuestImage;
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
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.Select;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console in a real headless Chromium against a real agent: five namespace hosts on TAP
 * ports in two VLANs, and two more ports with nothing behind them. What the page shows is read from
 * the drawn topology ({@code window.tapswitch.snapshot()}) and the DOM; what the page changes is
 * checked through the REST API, never through the page itself.
 *
 * <p>Names ({@code tswc-*}) differ from the demo's so that this test and the namespace ITs never
 * fight over interfaces or namespaces.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private static final String PREFIX = "tswc";
    private static final int HOSTS = 5;
    private static final int PORTS = 7;
    private static final Duration WAIT = Duration.ofSeconds(40);
    /** Rate samples (one a second) the port panel's chart gains before the screenshot is taken. */
    private static final int CHART_SAMPLES_FOR_SCREENSHOT = 6;
    static final Path SCREENSHOT = Path.of("target", "console-screenshot.png");
    static final Path SCREENSHOT_50 = Path.of("target", "console-50-ports.png");
    /** The agent's one auto-attach rule, and an interface it attaches (issue 17). */
    private static final String AUTO_RULE = PREFIX + "a-*";
    private static final String AUTO_TAP = PREFIX + "a-x1";

    private static Agent agent;
    private static final List<Netns> hosts = new ArrayList<>();
    private static Browser browser;
    private static ChromeDriver page;
    private static Rest rest;

    static String port(int i) {
        return PREFIX + "-p" + i;
    }

    static String mac(int i) {
        return String.format("02:74:73:77:63:%02x", i);
    }

    static String ipv4(int i) {
        return "198.18.0." + i;
    }

    /** Hosts 1–3 in VLAN 10, 4–5 in VLAN 20; ports 6 and 7 (no hosts) in VLAN 30. */
    static int vlanOf(int i) {
        return i <= 3 ? 10 : i <= 5 ? 20 : 30;
    }

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        List<PortSpec> ports = new ArrayList<>();
        for (int i = 1; i <= PORTS; i++) {
            ports.add(new PortSpec(port(i), PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true,
                    new VlanSpec("access", vlanOf(i), null, null)));
        }
        HostCommand.run(List.of("ip", "link", "del", AUTO_TAP));
        agent = Agent.start(new AgentConfig("console-lab", null, null, HttpSpec.EPHEMERAL, ports, null, null)
                .withAutoAttach(List.of(new AutoAttachSpec(AUTO_RULE, new VlanSpec("access", 30, null, null)))));
        for (int i = 1; i <= HOSTS; i++) {
            Netns ns = Netns.create(PREFIX + "-h" + i);
            hosts.add(ns);
            ns.adopt(port(i));
            ns.configure(port(i), mac(i), ipv4(i) + "/24", null);
        }
        for (int i = HOSTS + 1; i <= PORTS; i++) {
            // Ports without a host keep their netdev in this namespace; it must not chatter either.
            HostCommand.run(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + port(i) + ".disable_ipv6=1"));
        }
        rest = new Rest(agent.apiUrl());
        browser = Browser.start();
        page = browser.driver();
        page.get(agent.apiUrl() + "/");
        eventually().until(() -> "true".equals(page.findElement(By.tagName("body")).getDomAttribute("data-ready"))
                && "open".equals(page.findElement(By.tagName("body")).getDomAttribute("data-stream")));
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
            hosts.forEach(Netns::close);
        }
    }

    /** Every test leaves the page without script errors; failed API calls the tests provoke are expected. */
    @AfterEach
    void noScriptErrors() {
        List<String> severe = browser.log().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
        assertThat(severe).as("errors in the browser console").isEmpty();
    }

    /** Waits for a condition; the page may not have drawn an element yet, so lookups may fail meanwhile. */
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

    private static List<String> drawnPorts() {
        return drawn("ports").stream().map(p -> (String) p.get("name")).toList();
    }

    private static boolean hostDrawn(String mac, String port) {
        return drawn("hosts").stream().anyMatch(h -> mac.equals(h.get("mac")) && port.equals(h.get("port")));
    }

    private static void openTab(String tab) {
        page.findElement(By.cssSelector(".tabs [data-tab='" + tab + "']")).click();
    }

    private static Netns host(int i) {
        return hosts.get(i - 1);
    }

    @Test
    @Order(1)
    void drawsTheSwitchAndANodePerPort() {
        List<String> expected = IntStream.rangeClosed(1, PORTS).mapToObj(ConsoleIT::port).toList();
        eventually().untilAsserted(() -> assertThat(drawnPorts()).containsExactlyElementsOf(expected));
        assertThat(page.findElement(By.id("switch-name")).getText()).isEqualTo("console-lab");
        assertThat(page.findElement(By.id("stream-state")).getText()).isEqualTo("live");
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aMacLearnedAfterAPingAppearsWithoutReload() {
        rest.delete("/fdb");
        eventually().untilAsserted(() -> assertThat(drawn("hosts")).isEmpty());
        page.executeScript("window.__sameDocument = true");

        CommandResult ping = host(1).run("ping", "-c", "1", "-W", "2", ipv4(2));
        assertThat(ping.output()).contains("1 received");

        eventually().until(() -> hostDrawn(mac(1), port(1)) && hostDrawn(mac(2), port(2)));
        assertThat(page.executeScript("return window.__sameDocument === true")).as("the page was not reloaded").isEqualTo(true);
        Map<String, Object> h1 = drawn("hosts").stream().filter(h -> mac(1).equals(h.get("mac"))).findFirst().orElseThrow();
        assertThat((List<Object>) h1.get("vlans")).containsExactly(10L);
        // Every host the REST API knows is drawn, and nothing else (eventually: another host's
        // neighbour discovery may be learned between the two reads).
        eventually().untilAsserted(() -> {
            List<String> known = new ArrayList<>();
            rest.get("/fdb").get("entries").forEach(e -> known.add(e.get("mac").asText() + "@" + e.get("port").asText()));
            assertThat(drawn("hosts")).extracting(h -> h.get("mac") + "@" + h.get("port"))
                    .containsExactlyInAnyOrderElementsOf(known.stream().distinct().toList());
        });
    }

    @Test
    @Order(3)
    void changingAPortsVlanInTheMatrixChangesTheSwitch() {
        openTab("vlans");
        String row = "[data-testid='vlan-matrix'] tr[data-port='" + port(3) + "'] ";
        // A value the API refuses: its reason appears in the row, and nothing changes.
        setVlanInRow(row, "access", "5000");
        eventually().untilAsserted(() ->
                assertThat(page.findElement(By.cssSelector(row + ".field-error")).getText()).contains("4094"));
        assertThat(page.findElement(By.cssSelector(row + "input[name='tag']")).getAttribute("class")).contains("invalid");
        assertThat(rest.get("/ports/" + port(3)).get("vlan").get("tag").asInt()).isEqualTo(10);

        setVlanInRow(row, "access", "20");
        eventually().untilAsserted(() -> {
            JsonNode vlan = rest.get("/ports/" + port(3)).get("vlan");
            assertThat(vlan.get("mode").asText()).isEqualTo("access");
            assertThat(vlan.get("tag").asInt()).isEqualTo(20);
        });
        // The matrix follows: port 3 is now an untagged member of VLAN 20, not of 10.
        eventually().untilAsserted(() -> {
            List<WebElement> heads = page.findElements(By.cssSelector("[data-testid='vlan-matrix'] thead th"));
            List<String> cols = heads.stream().map(WebElement::getText).toList();
            List<WebElement> cells = page.findElements(By.cssSelector(row + "td, " + row + "th"));
            assertThat(cells.get(cols.indexOf("20")).getText()).isEqualTo("U");
            assertThat(cells.get(cols.indexOf("10")).getText()).isEmpty();
        });
        // And the datapath agrees: host 3 now reaches host 4 (VLAN 20) and no longer host 1 (VLAN 10).
        assertThat(host(3).run("ping", "-c", "1", "-W", "2", ipv4(4)).output()).contains("1 received");
        assertThat(host(3).run("ping", "-c", "1", "-W", "1", ipv4(1)).output()).contains("0 received");
    }

    private static void setVlanInRow(String row, String mode, String tag) {
        new Select(page.findElement(By.cssSelector(row + "select[name='mode']"))).selectByValue(mode);
        WebElement tagInput = page.findElement(By.cssSelector(row + "input[name='tag']"));
        tagInput.clear();
        tagInput.sendKeys(tag);
        page.findElement(By.cssSelector(row + "[data-testid='vlan-apply']")).click();
    }

    @Test
    @Order(4)
    @SuppressWarnings("unchecked")
    void creatingAMirrorInTheFormCreatesItInTheSwitch() {
        openTab("mirrors");
        createMirror("span-p1", port(1), port(6));
        eventually().untilAsserted(() -> {
            JsonNode mirrors = rest.get("/mirrors").get("mirrors");
            assertThat(mirrors).hasSize(1);
            JsonNode config = mirrors.get(0).get("config");
            assertThat(config.get("name").asText()).isEqualTo("span-p1");
            assertThat(config.get("srcPorts").get(0).asText()).isEqualTo(port(1));
            assertThat(config.get("outputPort").asText()).isEqualTo(port(6));
        });
        eventually().untilAsserted(() -> {
            Map<String, Object> out = drawn("ports").stream().filter(p -> port(6).equals(p.get("name"))).findFirst().orElseThrow();
            assertThat(out.get("mirrorOutput")).isEqualTo(true);
            assertThat((List<Object>) snapshot().get("mirrorEdges")).containsExactly("mirror:span-p1:" + port(1));
            assertThat(page.findElement(By.cssSelector("[data-testid='mirror-list'] tr[data-mirror='span-p1']")).getText())
                    .contains(port(6));
        });

        // The same name again: the agent's 409 is shown in the form.
        createMirror("span-p1", port(2), port(6));
        eventually().untilAsserted(() ->
                assertThat(page.findElement(By.cssSelector("[data-testid='mirror-form'] .error-list")).getText())
                        .contains("already exists"));
        assertThat(rest.get("/mirrors").get("mirrors")).hasSize(1);
    }

    private static void createMirror(String name, String src, String output) {
        String form = "[data-testid='mirror-form'] ";
        WebElement nameInput = page.findElement(By.cssSelector(form + "input[name='name']"));
        nameInput.clear();
        nameInput.sendKeys(name);
        new Select(page.findElement(By.cssSelector(form + "select[name='srcPorts']"))).selectByValue(src);
        new Select(page.findElement(By.cssSelector(form + "select[name='outputPort']"))).selectByValue(output);
        page.findElement(By.cssSelector(form + "[data-testid='mirror-create']")).click();
    }

    @Test
    @Order(5)
    void aTraceShowsTheVerdictChain() {
        openTab("trace");
        new Select(page.findElement(By.cssSelector("#panel-trace select[name='inPort']"))).selectByValue(port(1));
        WebElement src = page.findElement(By.cssSelector("#panel-trace input[name='src']"));
        src.clear();
        src.sendKeys(mac(1));
        WebElement dst = page.findElement(By.cssSelector("#panel-trace input[name='dst']"));
        dst.clear();
        dst.sendKeys(mac(2));
        page.findElement(By.cssSelector("[data-testid='trace-run']")).click();
        eventually().untilAsserted(() -> {
            assertThat(page.findElement(By.cssSelector("[data-testid='trace-verdict']")).getText()).isEqualTo("FORWARD_UNICAST");
            assertThat(page.findElements(By.cssSelector("[data-testid='trace-steps'] li"))).hasSizeGreaterThan(2);
        });

        dst.clear();
        dst.sendKeys("not-a-mac");
        page.findElement(By.cssSelector("[data-testid='trace-run']")).click();
        eventually().untilAsserted(() -> {
            assertThat(page.findElement(By.cssSelector("#panel-trace input[name='dst']")).getAttribute("class")).contains("invalid");
            assertThat(page.findElement(By.cssSelector("#panel-trace .error-list")).getText()).startsWith("dst");
        });
    }

    @Test
    @Order(6)
    void disablingAPortInItsPanelDisablesItAndGreysItOut() {
        page.executeScript("window.tapswitch.selectPort(arguments[0])", port(7));
        eventually().untilAsserted(() -> assertThat(page.findElement(By.cssSelector("[data-testid='port-title']")).getText())
                .startsWith(port(7)));
        // the agent documents its capture route, so the panel's capture button is usable
        eventually().untilAsserted(() -> {
            WebElement capture = page.findElement(By.cssSelector("[data-testid='capture']"));
            assertThat(capture.isEnabled()).isTrue();
            assertThat(capture.getDomAttribute("title")).contains("pcap");
        });
        page.findElement(By.cssSelector("[data-testid='port-admin']")).click();
        eventually().untilAsserted(() -> assertThat(rest.get("/ports/" + port(7)).get("enabled").asBoolean()).isFalse());
        eventually().untilAsserted(() -> {
            Map<String, Object> p7 = drawn("ports").stream().filter(p -> port(7).equals(p.get("name"))).findFirst().orElseThrow();
            assertThat(p7.get("up")).isEqualTo(false);
            assertThat(page.findElement(By.cssSelector("[data-testid='port-title']")).getText()).contains("disabled");
            assertThat(page.findElement(By.cssSelector("[data-testid='port-admin']")).getText()).isEqualTo("Enable port");
        });
    }

    @Test
    @Order(7)
    void portPanelShowsLiveRatesAndTheTopologyScreenshot() throws Exception {
        // Traffic in both VLANs, so that edges carry rates and the port panel's chart has lines.
        List<Process> traffic = List.of(
                pingFlood(1, 2),
                pingFlood(4, 5),
                pingFlood(3, 4));
        try {
            page.executeScript("window.tapswitch.selectPort(arguments[0])", port(1));
            eventually().untilAsserted(() -> {
                assertThat(((List<?>) snapshot().get("uplinkLabels")).stream().filter(l -> !"".equals(l))).hasSizeGreaterThanOrEqualTo(4);
                assertThat(page.findElement(By.cssSelector("[data-testid='port-rates']")).getText()).doesNotContain("in 0 b/s");
                assertThat(page.findElements(By.cssSelector("[data-testid='rate-chart'] polyline"))).hasSize(2);
                assertThat(page.findElement(By.cssSelector("[data-testid='port-counters']")).getText()).contains("received");
            });
            // A few more chart samples (one a second) before the screenshot, counted rather than slept for.
            long newest = newestRateSample(port(1));
            eventually().until(() -> ratesSampledSince(port(1), newest) >= CHART_SAMPLES_FOR_SCREENSHOT);
            page.findElement(By.id("fit-view")).click();
            save(SCREENSHOT);
        } finally {
            traffic.forEach(Process::destroy);
        }
        // The file is the README's picture: a PNG of the whole viewport, not a blank or error page.
        BufferedImage image = ImageIO.read(SCREENSHOT.toFile());
        assertThat(image).as("a PNG").isNotNull();
        long width = ((Number) page.executeScript("return Math.round(window.innerWidth * window.devicePixelRatio)")).longValue();
        assertThat((long) image.getWidth()).as("width of the viewport").isEqualTo(width);
        assertThat(distinctColours(image)).as("colours in the picture").isGreaterThan(16);
    }

    private static int distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    /** When the page took its latest rate sample of {@code port} (ms since the epoch), or 0 before the first. */
    private static long newestRateSample(String port) {
        return ((Number) page.executeScript(
                "const h = window.tapswitch.store.rates.get(arguments[0]) || []; return h.length ? h[h.length - 1].t : 0;",
                port)).longValue();
    }

    /** How many rate samples of {@code port} the page took after {@code since}. */
    private static int ratesSampledSince(String port, long since) {
        return ((Number) page.executeScript(
                "return (window.tapswitch.store.rates.get(arguments[0]) || []).filter((s) => s.t > arguments[1]).length;",
                port, since)).intValue();
    }

    private static Process pingFlood(int from, int to) throws Exception {
        return new ProcessBuilder(host(from).inside("ping", "-q", "-i", "0.02", "-s", "1200", "-c", "2000", ipv4(to)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void save(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Path shot = page.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * A VM lab brought up on the agent appears as VM nodes behind their ports without a reload, and
     * goes away when the lab goes down. The guests need not finish booting: the lab is up once
     * QEMU runs.
     */
    @Test
    @Order(8)
    @SuppressWarnings("unchecked")
    void vmsOfALabAppearBehindTheirPorts() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        GuestImage.build();
        page.executeScript("window.__sameDocument = true");
        agent.labs().up(root.resolve("vm-configs/two-vms.yaml").toString());
        try {
            eventually().untilAsserted(() -> assertThat(drawn("vms"))
                    .extracting(v -> v.get("name") + "@" + ((List<String>) v.get("ports")).get(0))
                    .containsExactlyInAnyOrder("vm1@ts-vm1-0", "vm2@ts-vm2-0"));
            assertThat(drawnPorts()).contains("ts-vm1-0", "ts-vm2-0");
            assertThat(page.executeScript("return window.__sameDocument === true")).as("the page was not reloaded").isEqualTo(true);
            // Issue 17: each VM's edge to its port is a thin line, not a grey slab, and the labels
            // of the VMs and of the stations on one port do not cover each other.
            page.findElement(By.id("fit-view")).click();
            eventually().untilAsserted(() -> {
                Drawing.assertEdgesAreLines(page);
                Drawing.assertLabelsApart(page, 2 + 2 + PORTS);
            });
        } finally {
            agent.labs().down("two-vms");
        }
        eventually().untilAsserted(() -> assertThat(drawn("vms")).isEmpty());
        assertThat(drawnPorts()).doesNotContain("ts-vm1-0", "ts-vm2-0");
    }

    /**
     * Issue 17: the agent's auto-attach rules are listed under its ports, and a TAP that appears with
     * a matching name is drawn as a port, live, marked as the rule's in the topology, the port list
     * and its panel, which names the rule; when the TAP goes, so does its node.
     */
    @Test
    @Order(9)
    void autoAttachRulesAndThePortsTheyMakeAreShown() {
        page.executeScript("window.tapswitch.selectPort(null)");
        String rule = "[data-testid='auto-attach-rules'] tr[data-rule='" + AUTO_RULE + "'] ";
        eventually().untilAsserted(() -> {
            assertThat(page.findElement(By.cssSelector(rule + "td:nth-child(1)")).getText()).isEqualTo(AUTO_RULE);
            assertThat(page.findElement(By.cssSelector(rule + "td:nth-child(2)")).getText()).isEqualTo("access 30");
            assertThat(page.findElement(By.cssSelector(rule + "td:nth-child(3)")).getText()).isEqualTo("0");
        });
        page.executeScript("window.__sameDocument = true");
        HostCommand.check("ip", "tuntap", "add", AUTO_TAP, "mode", "tap");
        try {
            eventually().untilAsserted(() -> {
                Map<String, Object> node = drawn("ports").stream().filter(p -> AUTO_TAP.equals(p.get("name"))).findFirst().orElseThrow();
                assertThat(node.get("autoAttached")).isEqualTo(true);
                assertThat(page.findElements(By.cssSelector("[data-testid='port-list'] tr[data-port='" + AUTO_TAP
                        + "'] [data-testid='auto-attached']"))).hasSize(1);
                assertThat(page.findElement(By.cssSelector(rule + "td:nth-child(3)")).getText()).isEqualTo("1");
            });
            assertThat(page.executeScript("return window.__sameDocument === true")).as("the page was not reloaded").isEqualTo(true);
            assertThat(drawn("ports")).filteredOn(p -> Boolean.TRUE.equals(p.get("autoAttached")))
                    .extracting(p -> p.get("name")).containsExactly(AUTO_TAP);
            assertThat(page.findElements(By.cssSelector("[data-testid='port-list'] [data-testid='auto-attached']"))).hasSize(1);

            page.executeScript("window.tapswitch.selectPort(arguments[0])", AUTO_TAP);
            eventually().untilAsserted(() -> {
                assertThat(page.findElement(By.cssSelector("[data-testid='port-title'] [data-testid='auto-attached']")).getText())
                        .isEqualTo("auto");
                assertThat(page.findElement(By.cssSelector("[data-testid='port-rule']")).getText())
                        .startsWith("auto-attach rule " + AUTO_RULE + " (access 30)");
            });
        } finally {
            HostCommand.run(List.of("ip", "link", "del", AUTO_TAP));
        }
        eventually().untilAsserted(() -> assertThat(drawnPorts()).doesNotContain(AUTO_TAP));
    }

    /** Fifty ports: one node each, and no two port nodes overlap on screen. */
    @Test
    @Order(10)
    void fiftyPortsStayApart() throws Exception {
        int count = 50;
        List<PortSpec> ports = IntStream.rangeClosed(1, count)
                .mapToObj(i -> new PortSpec(PREFIX + "-q" + i, PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.CREATE, false, true,
                        new VlanSpec("access", 100 + i % 4, null, null)))
                .toList();
        try (Agent big = Agent.start(new AgentConfig("fifty", null, null, HttpSpec.EPHEMERAL, ports, null, null))) {
            page.get(big.apiUrl() + "/");
            eventually().until(() -> "true".equals(page.findElement(By.tagName("body")).getDomAttribute("data-ready")));
            eventually().untilAsserted(() -> assertThat(drawnPorts()).hasSize(count));
            List<Map<String, Object>> drawnPorts = drawn("ports");
            for (int a = 0; a < count; a++) {
                for (int b = a + 1; b < count; b++) {
                    assertThat(overlap(box(drawnPorts.get(a)), box(drawnPorts.get(b))))
                            .as("%s and %s overlap", drawnPorts.get(a).get("name"), drawnPorts.get(b).get("name")).isFalse();
                }
            }
            save(SCREENSHOT_50);
        }
    }

    @SuppressWarnings("unchecked")
    private static double[] box(Map<String, Object> port) {
        Map<String, Number> b = (Map<String, Number>) port.get("box");
        return new double[] {b.get("x1").doubleValue(), b.get("y1").doubleValue(), b.get("x2").doubleValue(), b.get("y2").doubleValue()};
    }

    private static boolean overlap(double[] a, double[] b) {
        return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    }
}
