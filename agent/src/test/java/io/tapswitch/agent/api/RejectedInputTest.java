package io.tapswitch.agent.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class of bad input is refused with the right status and the offending fields named, and
 * leaves the running switch, the revision and the configuration file exactly as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RejectedInputTest {
    private RunningAgent a;
    private Object fileKey;
    private FileTime modified;
    private byte[] bytes;

    @BeforeAll
    void start() throws Exception {
        a = RunningAgent.start(Files.createTempDirectory("tsapi"), """
                name: rejects
                http: {port: 0}
                ports:
                  - {name: tsapir1}
                  - {name: tsapir2}
                mirrors:
                  - {name: keep, srcPorts: [tsapir1], outputPort: tsapir2}
                """);
        fileKey = Files.readAttributes(a.file, BasicFileAttributes.class).fileKey();
        modified = Files.getLastModifiedTime(a.file);
        bytes = Files.readAllBytes(a.file);
    }

    @AfterAll
    void stop() throws Exception {
        a.close();
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "POST|/ports|{\"name\":\"bad name\"}|400|name",
            "POST|/ports|{\"name\":\"averyveryverylongname\"}|400|name",
            "POST|/ports|{\"name\":\"a/b\"}|400|name",
            "POST|/ports|{}|400|name",
            "POST|/ports|{\"name\":\"tsapir9\",\"colour\":\"red\"}|400|colour",
            "POST|/ports|{\"name\":\"tsapir9\",\"kind\":\"bridge\"}|400|kind",
            "POST|/ports|{\"name\":\"tsapir9\",\"persistent\":\"yes\"}|400|persistent",
            "POST|/ports|{\"name\":12}|400|name",
            "POST|/ports|{\"name\":\"tsapir9\",\"remote\":true}|400|remote",
            "PUT|/ports/tsapir1/vlan|{\"mode\":1}|400|mode",
            "POST|/ports|{\"name\":\"tsapir9\",\"vlan\":{\"mode\":\"access\",\"tag\":5000}}|400|vlan.tag",
            "POST|/ports|{\"name\":\"tsapir9\",\"vlan\":{\"mode\":\"access\"}}|400|vlan.tag",
            "POST|/ports|{\"name\":\"tsapir9\",\"vlan\":{\"mode\":\"trunk\",\"vid\":3}}|400|vlan.vid",
            "POST|/ports|{\"name\":\"tsapir9\",\"kind\":\"netdev\",\"create\":\"create\"}|400|create",
            "POST|/ports|not json|400|''",
            "POST|/ports|NULL|400|''",
            "POST|/ports|null|400|''",
            "POST|/ports|[1]|400|''",
            "POST|/ports|{\"name\":\"tsapir1\"}|409|''",
            "POST|/ports|{\"name\":\"tsapir9\",\"create\":\"attach\"}|409|''",
            "PUT|/ports/tsapir1/vlan|{\"mode\":\"trunk\",\"tag\":5000,\"trunks\":\"1-x\"}|400|tag;trunks",
            "PUT|/ports/tsapir1/vlan|{\"mode\":\"bogus\"}|400|mode",
            "POST|/ports|{\"name\":\"tsapir9\",\"storm\":{\"multicastPps\":\"x\"}}|400|storm.multicastPps",
            "POST|/ports|{\"name\":\"tsapir9\",\"security\":{\"maxMacs\":-1,\"violation\":\"shout\"}}|400|security.maxMacs;security.violation",
            "PUT|/ports/tsapir1/storm|{\"broadcastPps\":-1,\"unknownUnicastPps\":100000001}|400|broadcastPps;unknownUnicastPps",
            "PUT|/ports/tsapir1/storm|{\"broadcast\":10}|400|broadcast",
            "PUT|/ports/tsapir1/security|{\"maxMacs\":2000000}|400|maxMacs",
            "PUT|/ports/tsapir1/security|{\"maxMacs\":true}|400|maxMacs",
            "PUT|/ports/nosuch/storm|{\"broadcastPps\":10}|404|''",
            "PUT|/ports/nosuch/security|{\"maxMacs\":10}|404|''",
            "PUT|/ports/tsapir1/vlan|{\"tag\":3}|400|mode",
            "PUT|/ports/tsapir1/vlan|{\"mode\":\"trunk\",\"tpid\":34984}|400|tpid",
            "PUT|/ports/tsapir1/vlan|{\"mode\":\"access\",\"tag\":10,\"trunks\":\"20\"}|400|trunks",
            "PUT|/ports/nosuch/vlan|{\"mode\":\"trunk\"}|404|''",
            "PUT|/ports/tsapir1/admin|{}|400|enabled",
            "PUT|/ports/tsapir1/admin|{\"enabled\":\"yes\"}|400|enabled",
            "PUT|/ports/nosuch/admin|{\"enabled\":true}|404|''",
            "DELETE|/ports/nosuch|NULL|404|''",
            "DELETE|/ports/tsapir2|NULL|409|''",
            "GET|/ports/nosuch|NULL|404|''",
            "PATCH|/switch|{\"agingSeconds\":0}|400|agingSeconds",
            "PATCH|/switch|{\"agingSeconds\":1.5}|400|agingSeconds",
            "PATCH|/switch|{\"agingSeconds\":\"60\"}|400|agingSeconds",
            "PATCH|/switch|{\"macTableSize\":10}|400|macTableSize",
            "PATCH|/switch|{}|400|''",
            "GET|/fdb?vlan=9999|NULL|400|vlan",
            "GET|/fdb?vlan=x|NULL|400|vlan",
            "GET|/fdb?mac=zz|NULL|400|mac",
            "GET|/fdb?port=nosuch|NULL|404|''",
            "DELETE|/fdb?port=nosuch|NULL|404|''",
            "DELETE|/fdb?vlan=-2|NULL|400|vlan",
            "POST|/fdb/static|{\"mac\":\"01:00:5e:00:00:01\",\"port\":\"tsapir1\"}|400|mac",
            "POST|/fdb/static|{\"mac\":\"02:00:00:00:00:01\",\"port\":\"nosuch\",\"vlan\":5000}|400|vlan;port",
            "POST|/fdb/static|{\"port\":\"tsapir1\"}|400|mac",
            "DELETE|/fdb/static/0/02:00:00:00:00:99|NULL|404|''",
            "DELETE|/fdb/static/x/02:00:00:00:00:99|NULL|400|vlan",
            "DELETE|/fdb/static/0/nonsense|NULL|400|mac",
            "POST|/mirrors|{\"name\":\"m1\",\"outputVlan\":10}|400|select",
            "POST|/mirrors|{\"name\":\"m/1\",\"all\":true,\"outputVlan\":10}|400|name",
            "POST|/mirrors|{\"name\":\"m2\",\"srcPorts\":[\"nosuch\"],\"outputVlan\":10}|400|srcPorts[0]",
            "POST|/mirrors|{\"name\":\"m3\",\"all\":true,\"outputPort\":\"tsapir1\",\"outputVlan\":10}|400|output",
            "POST|/mirrors|{\"name\":\"m4\",\"all\":true,\"outputVlan\":10,\"vlans\":\"0\"}|400|vlans",
            "POST|/mirrors|{\"name\":\"keep\",\"all\":true,\"outputVlan\":10}|409|''",
            "POST|/mirrors|{\"name\":\"m5\",\"srcPorts\":[\"tsapir1\"],\"outputPort\":\"tsapir2\"}|409|''",
            "PUT|/mirrors/keep|{\"name\":\"other\",\"all\":true,\"outputVlan\":10}|400|name",
            "PUT|/mirrors/nosuch|{\"name\":\"nosuch\",\"all\":true,\"outputVlan\":10}|404|''",
            "GET|/mirrors/nosuch|NULL|404|''",
            "DELETE|/mirrors/nosuch|NULL|404|''",
            "POST|/trace|{\"inPort\":\"tsapir1\",\"src\":\"zz\",\"dst\":\"02:00:00:00:00:01\",\"vlan\":5000,\"pcp\":9}|400|src;vlan;pcp",
            "POST|/trace|{\"src\":\"02:00:00:00:00:02\",\"dst\":\"02:00:00:00:00:01\",\"ethertype\":5}|400|inPort;ethertype",
            "POST|/trace|{\"inPort\":\"nosuch\",\"src\":\"02:00:00:00:00:02\",\"dst\":\"02:00:00:00:00:01\"}|404|''",
            "POST|/labs|{}|400|file",
            "POST|/labs|{\"file\":\"vm-configs/two-vms.yaml\"}|400|file",
            "POST|/labs|{\"file\":\"/nonexistent/lab.yaml\"}|400|file",
            "POST|/labs|{\"file\":\"/etc/hostname\"}|400|file",
            "POST|/labs|{\"file\":\"/etc/hostname\",\"wait\":true}|400|wait",
            "DELETE|/labs/nosuch|NULL|404|''",
            "DELETE|/labs/a%2F..%2Fb|NULL|404|''",
            "POST|/labs/nosuch/test|NULL|409|''",
            "POST|/labs/nosuch/test|{\"file\":\"/etc/hostname\"}|409|''",
            "POST|/labs/nosuch/test|{\"file\":\"/etc/hostname\",\"wait\":true}|400|wait",
            "POST|/labs/nosuch/vms/vm1/stop|NULL|404|''",
            "POST|/labs/nosuch/vms/vm1/start|NULL|404|''",
            "POST|/labs/nosuch/vms/vm1/restart|NULL|404|''",
            "PUT|/labs/nosuch/vms/vm1/nics/eth0/link|{}|400|up",
            "PUT|/labs/nosuch/vms/vm1/nics/eth0/link|NULL|400|''",
            "PUT|/labs/nosuch/vms/vm1/nics/eth0/link|{\"up\":\"no\"}|400|up",
            "PUT|/labs/nosuch/vms/vm1/nics/eth0/link|{\"up\":false,\"carrier\":true}|400|carrier",
            "PUT|/labs/nosuch/vms/vm1/nics/wlan0/link|{\"up\":false}|400|nic",
            "PUT|/labs/nosuch/vms/vm1/nics/eth0/link|{\"up\":false}|404|''",
    })
    void isRefusedWithoutChangingAnything(String method, String path, String body, int status, String fields) throws Exception {
        byte[] fileBefore = Files.readAllBytes(a.file);
        long revisionBefore = a.agent.controlPlane().revision();
        var configBefore = a.agent.controlPlane().config();
        int portsBefore = a.agent.view().topology().size();
        var mirrorsBefore = a.agent.view().topology().mirrorConfigs();

        Http.Reply r = a.http.send(method, path, body, null);

        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        String[] expected = fields.isEmpty() ? new String[] {""} : fields.split(";");
        assertThat(r.fields()).as(r.raw().body()).containsExactlyInAnyOrder(expected);
        r.json().path("errors").forEach(e -> assertThat(e.path("reason").asText()).isNotBlank());
        assertThat(Files.readAllBytes(a.file)).isEqualTo(fileBefore);
        assertThat(a.agent.controlPlane().revision()).isEqualTo(revisionBefore);
        assertThat(a.agent.controlPlane().config()).isEqualTo(configBefore);
        assertThat(a.agent.view().topology().size()).isEqualTo(portsBefore);
        assertThat(a.agent.view().topology().mirrorConfigs()).isEqualTo(mirrorsBefore);
    }

    @Test
    void testingALabThatIsNotUpNamesIt() {
        Http.Reply r = a.http.send("POST", "/labs/nosuch/test", null, null);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.raw().body()).contains("lab nosuch is not up");
    }

    @Test
    void vmsAreListedFromTheLabsStateFiles() {
        Http.Reply r = a.http.send("GET", "/vms", null, null);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        assertThat(r.json().path("vms").isArray()).isTrue();
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIs415() throws Exception {
        byte[] before = Files.readAllBytes(a.file);
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(a.agent.apiUrl() + "/api/v1/ports"))
                        .header("Content-Type", "text/plain")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"tsapir9\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(r.body()).contains("Content-Type").contains("text/plain");
        assertThat(Files.readAllBytes(a.file)).isEqualTo(before);
        assertThat(a.agent.view().topology().idOf("tsapir9")).isEqualTo(-1);
    }

    @Test
    void aMalformedIfMatchIsABadRequest() {
        Http.Reply r = a.http.send("PATCH", "/switch", "{\"agingSeconds\":60}", "yesterday");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.fields()).containsExactly("If-Match");
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        char[] big = new char[ApiServer.DEFAULT_BODY_LIMIT + 1];
        Arrays.fill(big, ' ');
        byte[] before = Files.readAllBytes(a.file);
        Http.Reply r = a.http.post("/ports", "{\"name\":\"tsapir9\"" + new String(big) + "}");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().path("errors").get(0).path("reason").asText()).contains("larger than");
        assertThat(Files.readAllBytes(a.file)).isEqualTo(before);
        assertThat(a.agent.view().topology().idOf("tsapir9")).isEqualTo(-1);
    }

    /**
     * Runs after every refusal of the class: the file is the very one written at start, not an
     * equal copy. A refusal that saved anyway would replace it through a rename, which gives the
     * path a new inode even where the bytes come out the same.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void theConfigFileIsUntouchedByRefusals() throws Exception {
        assertThat(Files.readAttributes(a.file, BasicFileAttributes.class).fileKey()).as("inode").isEqualTo(fileKey);
        assertThat(Files.getLastModifiedTime(a.file)).isEqualTo(modified);
        assertThat(Files.readAllBytes(a.file)).isEqualTo(bytes);
    }
}
