package io.tapswitch.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void appliesDefaults() throws Exception {
        AgentConfig c = loader.parse("t.yaml", "ports:\n  - name: vm1\n");
        assertThat(c.name()).isEqualTo("tapswitch");
        assertThat(c.macTableSize()).isEqualTo(8192);
        assertThat(c.agingSeconds()).isEqualTo(300);
        assertThat(c.ports()).containsExactly(PortSpec.tap("vm1"));
        assertThat(c.datapath()).as("no datapath section").isNull();
        assertThat(c.datapathOrDefault()).isEqualTo(new DatapathSpec(1, 0));
    }

    @Test
    void readsTheDatapathSectionAndWritesItLast() throws Exception {
        AgentConfig c = loader.parse("t.yaml", "datapath: {threads: 1, spinMicros: 50}\nname: lab\n");
        assertThat(c.datapath()).isEqualTo(new DatapathSpec(1, 50));
        assertThat(loader.parse("t.yaml", "datapath: {spinMicros: 20}\n").datapath()).isEqualTo(new DatapathSpec(1, 20));
        String yaml = loader.toYaml(c);
        assertThat(yaml.trim()).as("the last section written").endsWith("spinMicros: 50");
        assertThat(loader.parse("t.yaml", yaml)).as("written back and read again").isEqualTo(c);
        assertThat(loader.toYaml(c.withDatapath(null))).doesNotContain("datapath");
    }

    @Test
    void rejectsMoreThreadsThanProcessors() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThatThrownBy(() -> loader.parse("cfg.yaml", "datapath: {threads: " + (cores + 1) + "}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml: datapath.threads: must be 1 to " + cores + " (the available processors), was "
                        + (cores + 1));
    }

    @Test
    void readsEveryField() throws Exception {
        AgentConfig c = loader.parse("t.yaml", """
                name: lab
                macTableSize: 100
                agingSeconds: 15
                ports:
                  - {name: a, kind: tap, create: attach, persistent: true, enabled: false}
                """);
        assertThat(c).isEqualTo(new AgentConfig("lab", 100, 15,
                java.util.List.of(new PortSpec("a", PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.ATTACH, true, false))));
    }

    @Test
    void readsTheClusterAndVxlanSections() throws Exception {
        AgentConfig c = loader.parse("t.yaml", """
                cluster: {hostId: a, address: 198.19.77.1, members: [198.19.77.2, '198.19.77.3:5801']}
                vxlan: {port: 14789, underlayMtu: 9000, vniMap: {10: 5010}, staticVteps: [{address: 198.19.77.9, vnis: [5010, 10020]}]}
                """);
        assertThat(c.cluster().port()).isEqualTo(ClusterSpec.DEFAULT_PORT);
        assertThat(c.cluster().heartbeatSeconds()).isEqualTo(5);
        assertThat(c.vxlan().vlanOf(5010)).isEqualTo(10);
        assertThat(c.vxlan().vlanOf(10010)).as("VLAN 10 is mapped explicitly").isEqualTo(-1);
        assertThat(c.vxlan().vlanOf(10020)).isEqualTo(20);
        assertThat(c.vxlan().vniOf(10)).isEqualTo(5010);
        assertThat(c.vxlan().staticVteps().get(0).port()).isEqualTo(VxlanSpec.DEFAULT_PORT);
        assertThat(loader.parse("t.yaml", loader.toYaml(c))).as("written back and read again").isEqualTo(c);
    }

    @Test
    void acceptsJson() throws Exception {
        AgentConfig c = loader.parse("t.json", "{\"name\":\"j\",\"ports\":[{\"name\":\"p1\"}]}");
        assertThat(c.name()).isEqualTo("j");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "agingSecond: 10|agingSecond: unknown field 'agingSecond'",
            "macTableSize: 5|macTableSize: must be between 16 and 1000000, was 5",
            "agingSeconds: 0|agingSeconds: must be between 1 and 86400, was 0",
            "macTableSize: lots|macTableSize:",
            "ports: [{name: averyveryverylongname}]|ports[0].name: interface name 'averyveryverylongname' is longer than 15",
            "ports: [{name: 'a/b'}]|ports[0].name: interface name 'a/b' contains '/'",
            "ports: [{name: 'a;rm'}]|ports[0].name: interface name 'a;rm' contains ';'",
            "ports: [{name: 'a b'}]|ports[0].name: interface name 'a b' contains ' '",
            "ports: [{name: p1}, {name: p1}]|ports[1].name: duplicate port name 'p1'",
            "ports: [{name: p1, kind: bridge}]|ports[0].kind:",
            "ports: [{name: p1, colour: red}]|ports[0].colour: unknown field 'colour'",
            "ports: [{kind: tap}]|ports[0].name: is required",
            "'[1, 2]'|(document): Cannot deserialize",
            "ports: [{name: p1, vlan: {mode: access, tag: 5000}}]|ports[0].vlan.tag: must be a VLAN ID in 1-4094",
            "cluster: {members: [198.19.0.2]}|cluster.address: is required",
            "cluster: {address: 10.0.0.300}|cluster.address: must be an IPv4 address",
            "cluster: {address: 127.0.0.1}|cluster.address: must be a unicast address on the underlay",
            "cluster: {address: 198.19.0.1, port: 70000}|cluster.port: must be a port 1 to 65535",
            "cluster: {address: 198.19.0.1, eventBusPort: 5701}|cluster.eventBusPort: must differ from port 5701",
            "cluster: {address: 198.19.0.1, members: ['198.19.0.2:x']}|cluster.members[0]: must be ADDRESS or ADDRESS:PORT",
            "cluster: {address: 198.19.0.1, members: [somehost]}|cluster.members[0]: must be an IPv4 address",
            "cluster: {address: 198.19.0.1, hostId: 'a b'}|cluster.hostId: use 1 to 63 letters",
            "cluster: {address: 198.19.0.1, heartbeatSeconds: 0}|cluster.heartbeatSeconds: must be 1 to 300, was 0",
            "cluster: {address: 198.19.0.1, tls: {keyStore: k.p12}}|cluster.tls.trustStore: is required",
            "cluster: {address: 198.19.0.1, colour: red}|cluster.colour: unknown field 'colour'",
            "vxlan: {port: 4789}|vxlan.address: is required without a cluster section",
            "vxlan: {address: 198.19.0.1, underlayMtu: 100}|vxlan.underlayMtu: must be 576 to 65535, was 100",
            "vxlan: {address: 198.19.0.1, vniBase: 0}|vxlan.vniBase: must be 1 to",
            "vxlan: {address: 198.19.0.1, vniMap: {10: 16777215}}|vxlan.vniMap.10: must be a VNI 1 to 16777214",
            "vxlan: {address: 198.19.0.1, vniMap: {5000: 7}}|vxlan.vniMap.5000: the key must be a VLAN 0 to 4094",
            "vxlan: {address: 198.19.0.1, staticVteps: [{address: 198.19.0.3, vnis: [5]}]}|vxlan.staticVteps[0].vnis[0]: VNI 5 is not mapped to a VLAN",
            "vxlan: {address: 198.19.0.1, staticVteps: [{address: 198.19.0.3}]}|vxlan.staticVteps[0].vnis: give at least one VNI",
            "vxlan: {address: 198.19.0.1, staticVteps: [{vnis: [10010]}]}|vxlan.staticVteps[0].address: is required",
            "vxlan: {address: 198.19.0.1, underlayMtu: big}|vxlan.underlayMtu:",
            "ports: [{name: p1, kind: vtep, remote: '198.19.0.3:4789'}]|ports[0].kind: tunnel ports come from the vxlan section",
            "ports: [{name: p1, remote: '198.19.0.3:4789'}]|ports[0].remote: only a vtep port has a remote end",
            "ports: [{name: p1, vlan: {mode: access}}]|ports[0].vlan.tag: access needs a VLAN ID",
            "ports: [{name: p1, vlan: {mode: trunk, trunks: '5-1'}}]|ports[0].vlan.trunks: range '5-1' is reversed",
            "ports: [{name: p1, vlan: {mode: fancy}}]|ports[0].vlan.mode: unknown VLAN mode 'fancy'",
            "ports: [{name: p1, vlan: {mode: trunk, vid: 3}}]|ports[0].vlan.vid: unknown field 'vid'",
            "mirrors: [{name: m, srcPorts: [nope], outputVlan: 5}]|mirrors[0].srcPorts[0]: no port named 'nope'",
            "mirrors: [{name: m, outputVlan: 5}]|mirrors[0].select: give srcPorts, dstPorts, vlans or all",
            "staticMacs: [{mac: '01:00:00:00:00:01', port: p}]|staticMacs[0].mac: must be a unicast",
            "staticMacs: [{mac: '02:00:00:00:00:01', port: nope}]|staticMacs[0].port: no port named 'nope'",
            "http: {port: 70000}|http.port: must be 0 (any free port) to 65535",
            "http: {token: short}|http.token: must be at least 16",
            "http: {tls: true}|http.tls: unknown field 'tls'",
            "datapath: {threads: 0}|datapath.threads: must be 1 to",
            "datapath: {threads: -3}|datapath.threads: must be 1 to",
            "datapath: {spinMicros: -1}|datapath.spinMicros: must be 0 to 1000, was -1",
            "datapath: {spinMicros: 1001}|datapath.spinMicros: must be 0 to 1000, was 1001",
            "datapath: {threads: many}|datapath.threads:",
            "datapath: {thread: 2}|datapath.thread: unknown field 'thread'",
    })
    void rejectsBadInputNamingTheField(String yaml, String expected) {
        assertThatThrownBy(() -> loader.parse("cfg.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml: " + expected);
    }

    @Test
    void rejectsSyntaxErrorsWithTheLine() {
        assertThatThrownBy(() -> loader.parse("cfg.yaml", "name: a\n  b: c\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml: (document): not valid YAML/JSON at line 2");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> loader.parse("c.yaml", "macTableSize: 1\nagingSeconds: 0\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).hasSize(2));
    }

    @Test
    void namesAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader.load(missing)).hasMessageContaining(missing + ": (document): file does not exist");
    }

    @Test
    void roundTripsThroughYaml(@TempDir Path dir) throws Exception {
        AgentConfig c = loader.parse("t.yaml", "name: x\nports: [{name: p1, persistent: true}]\n");
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, loader.toYaml(c));
        assertThat(loader.load(f)).isEqualTo(c);
    }

    @Test
    void readsVlansMirrorsStaticEntriesAndHttp() throws Exception {
        AgentConfig c = loader.parse("t.yaml", """
                http: {host: 0.0.0.0, port: 9000, token: 0123456789abcdef}
                ports:
                  - {name: a, vlan: {mode: dot1q-tunnel, tag: 100, tpid: 0x8100}}
                  - {name: b, vlan: {mode: trunk, trunks: '10,20-29'}}
                mirrors:
                  - {name: m, srcPorts: [a], outputPort: b, snaplen: 64}
                staticMacs:
                  - {mac: '02:00:00:00:00:01', vlan: 100, port: a}
                """);
        assertThat(c.http()).isEqualTo(new HttpSpec("0.0.0.0", 9000, "0123456789abcdef"));
        assertThat(c.ports().get(0).vlan()).isEqualTo(new VlanSpec("dot1q-tunnel", 100, null, 0x8100));
        assertThat(c.ports().get(1).vlan().toVlanConfig().trunks().toString()).isEqualTo("10,20-29");
        assertThat(c.mirrors().get(0).toMirrorConfig().outputPort()).isEqualTo("b");
        assertThat(c.staticMacs()).containsExactly(new StaticMacSpec("02:00:00:00:00:01", 100, "a"));
        assertThat(loader.parse("again.yaml", loader.toYaml(c))).isEqualTo(c);
    }

    @Test
    void defaultsTheApiToLoopback8080() throws Exception {
        AgentConfig c = loader.parse("t.yaml", "name: x\n");
        assertThat(c.http()).isEqualTo(HttpSpec.DEFAULT);
        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.mirrors()).isEmpty();
        assertThat(c.staticMacs()).isEmpty();
    }
}
