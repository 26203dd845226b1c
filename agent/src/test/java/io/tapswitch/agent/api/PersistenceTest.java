package io.tapswitch.agent.api;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.Topology;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Changes made through the API survive a restart: the same file starts the same switch. */
class PersistenceTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws Exception {
    }

    @Test
    void aRestartRestoresPortsVlansMirrorsStaticEntriesAndAging() throws Exception {
        AgentConfig changed;
        try (RunningAgent a = RunningAgent.start(dir, "name: keep\nmacTableSize: 512\nhttp: {port: 0}\n")) {
            Http h = a.http;
            assertThat(h.post("/ports", "{\"name\":\"tsapip1\",\"vlan\":{\"mode\":\"access\",\"tag\":10}}").status()).isEqualTo(201);
            assertThat(h.post("/ports", "{\"name\":\"tsapip2\"}").status()).isEqualTo(201);
            assertThat(h.post("/ports", "{\"name\":\"tsapip3\",\"enabled\":false}").status()).isEqualTo(201);
            assertThat(h.put("/ports/tsapip2/vlan", "{\"mode\":\"native-tagged\",\"tag\":10,\"trunks\":\"10,20-29\"}").status()).isEqualTo(200);
            assertThat(h.put("/ports/tsapip3/vlan", "{\"mode\":\"dot1q-tunnel\",\"tag\":300,\"tpid\":33024}").status()).isEqualTo(200);
            assertThat(h.post("/mirrors", "{\"name\":\"span\",\"srcPorts\":[\"tsapip1\"],\"outputPort\":\"tsapip3\",\"snaplen\":96}").status()).isEqualTo(201);
            assertThat(h.post("/mirrors", "{\"name\":\"rspan\",\"vlans\":\"20-22\",\"outputVlan\":999}").status()).isEqualTo(201);
            assertThat(h.post("/fdb/static", "{\"mac\":\"02:00:00:00:00:10\",\"vlan\":10,\"port\":\"tsapip1\"}").status()).isEqualTo(201);
            assertThat(h.patch("/switch", "{\"agingSeconds\":42}").status()).isEqualTo(200);
            changed = a.agent.controlPlane().config();
        }
        try (RunningAgent b = RunningAgent.start(dir.resolve("switch.yaml"))) {
            assertThat(b.agent.controlPlane().config()).isEqualTo(changed);
            SwitchView sw = b.agent.view();
            Topology t = sw.topology();
            assertThat(t.ports()).extracting(p -> p.name()).containsExactly("tsapip1", "tsapip2", "tsapip3");
            assertThat(t.config(t.idOf("tsapip1")).vlan()).isEqualTo(VlanConfig.access(10));
            assertThat(t.config(t.idOf("tsapip2")).vlan()).isEqualTo(VlanConfig.nativeTagged(10, VlanSet.parse("10,20-29")));
            assertThat(t.config(t.idOf("tsapip3")).vlan()).isEqualTo(VlanConfig.dot1qTunnel(300).withTpid(0x8100));
            assertThat(t.config(t.idOf("tsapip3")).adminUp()).isFalse();
            assertThat(t.mirrorConfigs()).extracting(MirrorConfig::name).containsExactly("span", "rspan");
            assertThat(t.mirrorConfigs().get(0).snaplen()).isEqualTo(96);
            assertThat(t.mirrorConfigs().get(1).vlans()).isEqualTo(VlanSet.parse("20-22"));
            assertThat(sw.fdb().lookup(10, MacAddress.parse("02:00:00:00:00:10"))).isEqualTo(t.idOf("tsapip1"));
            assertThat(sw.fdb().agingMillis()).isEqualTo(42_000);
            assertThat(sw.fdb().capacity()).isEqualTo(512);
            assertThat(b.http.get("/switch").json().path("staticMacs").asInt()).isEqualTo(1);
            assertThat(b.persisted().mirrors()).hasSize(2);
            assertThat(List.of(b.persisted().ports().get(2).vlan().tpid())).containsExactly(0x8100);
        }
    }
}
