package io.tapswitch.tests.vm;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.client.ApiClient;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.tests.lab.GuestImage;
import io.tapswitch.tests.netns.Root;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tapswitch vm test} as a user types it, against {@code vm-configs/three-vms-two-vlans.yaml}
 * booted once: first a copy of the lab whose checks state what the lab does NOT do (vm1 reaching
 * vm2 across VLANs, vm1 isolated from the trunk guest), run with {@code --keep}, must fail with
 * evidence in the table and in the JUnit XML; then the shipped file's own checks, against the same
 * running guests, must all pass, and the lab goes down afterwards.
 */
class VmTestIT {
    private static final Path LAB = VmLab.ROOT.resolve("vm-configs/three-vms-two-vlans.yaml");
    private static final List<String> PORTS = List.of("ts-v2-vm1", "ts-v2-vm2", "ts-v2-vm3");
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        Root.require();
        agent = CliAgent.start("vmtest");
    }

    @AfterAll
    static void stop() throws Exception {
        CliAgent.stop(agent, PORTS);
    }

    /** The shipped lab with its checks replaced by two that state the opposite of what the lab does. */
    private static Path brokenCopy(Path dir) throws Exception {
        String yaml = Files.readString(LAB);
        String guest = GuestImage.output().toString();
        yaml = yaml.replace("guest/out", guest).substring(0, yaml.replace("guest/out", guest).indexOf("\nchecks:") + 1);
        yaml += """
                checks:
                  - name: vm1-reaches-vm2-across-vlans
                    ping: {from: vm1, to: vm2, count: 2}
                  - name: vm1-isolated-from-the-trunk
                    isolation: {from: [vm1], to: [vm3]}
                """;
        Path copy = dir.resolve("three-vms-two-vlans.yaml");
        Files.writeString(copy, yaml);
        return copy;
    }

    private static List<Element> testcases(Path xml) throws Exception {
        NodeList nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile())
                .getDocumentElement().getElementsByTagName("testcase");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    @Test
    void aBrokenCheckFailsWithEvidenceThenTheShippedChecksPassAndTheLabGoesDown(@TempDir Path dir) throws Exception {
        long start = System.nanoTime();
        Path brokenXml = dir.resolve("broken.xml");
        CommandResult broken = Cli.run(agent.apiUrl(), "vm", "test", brokenCopy(dir).toString(), "--junit", brokenXml.toString(), "--keep");
        System.out.printf("VmTestIT: boot and broken checks took %.1f s%n", (System.nanoTime() - start) / 1e9);
        assertThat(broken.exitCode()).as(broken.output()).isEqualTo(1);
        assertThat(broken.output()).contains("lab three-vms-two-vlans up, 3 guests ready")
                .containsPattern("vm1-reaches-vm2-across-vlans +ping +FAIL .*0/2 received from vm1 to vm2 \\(198\\.18\\.20\\.12\\)")
                .containsPattern("vm1-isolated-from-the-trunk +isolation +FAIL .*vm1 -> vm3 \\(198\\.18\\.10\\.13\\): 2/2 replies")
                .contains("0 passed, 2 failed, 0 errors")
                .doesNotContain("is down");
        List<Element> brokenCases = testcases(brokenXml);
        assertThat(brokenCases).extracting(e -> e.getAttribute("name"))
                .containsExactly("vm1-reaches-vm2-across-vlans", "vm1-isolated-from-the-trunk");
        for (Element c : brokenCases) {
            Element failure = (Element) c.getElementsByTagName("failure").item(0);
            assertThat(failure).as("failure of %s", c.getAttribute("name")).isNotNull();
            assertThat(failure.getAttribute("message")).containsAnyOf("vm1 -> vm3 (198.18.10.13): 2/2 replies", "0/2 received from vm1 to vm2");
        }

        // the shipped file against the same guests, while a client watches the event stream
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<?> stream = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(agent.apiUrl() + "/api/v1/events")).build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(new java.util.concurrent.Flow.Subscriber<String>() {
                    @Override
                    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(String line) {
                        if (line.contains("lab-check") || line.contains("\"status\"")) {
                            events.add(line);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onComplete() {
                    }
                }));
        Thread.sleep(300);
        long checksStart = System.nanoTime();
        Path xml = dir.resolve("out.xml");
        CommandResult ok = Cli.run(agent.apiUrl(), "vm", "test", LAB.toString(), "--junit", xml.toString());
        System.out.printf("VmTestIT: shipped checks took %.1f s, whole test %.1f s%n",
                (System.nanoTime() - checksStart) / 1e9, (System.nanoTime() - start) / 1e9);
        stream.cancel(true);
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        List<String> names = LabFile.load(LAB).checks().stream().map(LabCheck::name).toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(5);
        assertThat(ok.output()).contains("is up already").contains(names.size() + " passed, 0 failed, 0 errors")
                .containsPattern("vlans-isolated +isolation +PASS .*0/2 replies, 0 frames from vm1 seen on vm2; vm2 alive \\(vm3 -> vm2 2/2\\)")
                .containsPattern("tcp-over-the-trunk +tcp +PASS .*1048576 bytes vm1 -> vm3")
                .contains("lab three-vms-two-vlans is down");
        List<Element> cases = testcases(xml);
        assertThat(cases).extracting(e -> e.getAttribute("name")).containsExactlyElementsOf(names);
        assertThat(cases).allSatisfy(c -> {
            assertThat(c.getElementsByTagName("failure").getLength()).isZero();
            assertThat(c.getElementsByTagName("error").getLength()).isZero();
        });
        assertThat(events.stream().filter(l -> l.equals("event: lab-check")).count()).as("lab-check events")
                .isEqualTo(names.size());
        assertThat(new ApiClient(agent.apiUrl(), null).get("/vms").path("vms").size()).as("VMs left").isZero();
        for (String port : PORTS) {
            assertThat(NetDevice.exists(port)).as("TAP %s removed by vm test", port).isFalse();
        }
    }
}
