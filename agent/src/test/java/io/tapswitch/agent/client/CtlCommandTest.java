package io.tapswitch.agent.client;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.CliRun;
import io.tapswitch.agent.MemoryDevices;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;
import io.tapswitch.core.vlan.VlanConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tapswitch ctl} against a real agent: tables, --json, changes, and readable errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CtlCommandTest {
    private Agent agent;
    private Path dir;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("tsapi");
        Path file = dir.resolve("switch.yaml");
        Files.writeString(file, "name: ctl\nhttp: {port: 0}\n");
        AgentConfig config = new ConfigLoader().load(file);
        agent = Agent.start(config, new AgentOptions().setConfigFile(file).setDeviceOpener(new MemoryDevices())
                .setStateDirectory(dir.resolve("state")));
    }

    @AfterAll
    void stop() throws Exception {
        agent.close();
    }

    private CliRun.Result ctl(String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "ctl";
        full[1] = "--url";
        full[2] = agent.apiUrl();
        System.arraycopy(args, 0, full, 3, args.length);
        return CliRun.run(full);
    }

    @Test
    void portsAreAddedConfiguredListedAndRemoved() throws Exception {
        CliRun.Result add = ctl("port", "add", "tsapicli1");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("port tsapicli1 added");
        assertThat(ctl("port", "add", "tsapicli2", "--mode", "trunk", "--trunks", "10,20-29").code()).isZero();

        CliRun.Result set = ctl("port", "set", "tsapicli1", "vlan", "--mode", "access", "--tag", "10");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("access 10");
        var t = agent.view().topology();
        assertThat(t.config(t.idOf("tsapicli1")).vlan()).isEqualTo(VlanConfig.access(10));
        assertThat(ctl("port", "set", "tsapicli1", "admin", "down").code()).isZero();
        CliRun.Result storm = ctl("port", "set", "tsapicli1", "storm", "--broadcast", "500", "--unknown-unicast", "20");
        assertThat(storm.code()).as(storm.err()).isZero();
        assertThat(storm.out()).contains("broadcast 500 pps, multicast 0 pps, unknown unicast 20 pps");
        CliRun.Result secured = ctl("port", "set", "tsapicli1", "security", "--max-macs", "4", "--violation", "drop");
        assertThat(secured.out()).contains("max 4 MACs, drop");
        t = agent.view().topology();
        assertThat(t.config(t.idOf("tsapicli1")).security().maxMacs()).isEqualTo(4);
        CliRun.Result refused = ctl("port", "set", "tsapicli1", "security", "--violation", "shout");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("violation");

        CliRun.Result ports = ctl("ports");
        assertThat(ports.code()).isZero();
        String[] lines = ports.out().split("\n");
        assertThat(lines[0]).startsWith("NAME").contains("KIND", "ADMIN", "OPER", "VLAN");
        assertThat(ports.out()).containsPattern("tsapicli1\\s+\\d+\\s+tap\\s+down\\s+up\\s+access 10");
        assertThat(ports.out()).contains("trunk [10,20-29]");
        assertThat(lines[1].indexOf("tap")).isEqualTo(lines[2].indexOf("tap"));

        CliRun.Result json = ctl("--json", "ports");
        assertThat(json.out()).contains("\"ports\"").contains("\"name\" : \"tsapicli1\"");

        CliRun.Result vlans = ctl("vlans");
        assertThat(vlans.out()).containsPattern("10\\s+tsapicli1\\s+tsapicli2");

        assertThat(ctl("port", "del", "tsapicli1").out()).contains("removed");
        assertThat(ctl("port", "del", "tsapicli2").code()).isZero();
    }

    @Test
    void fdbMirrorTraceAndStats() {
        assertThat(ctl("port", "add", "tsapicli3").code()).isZero();
        assertThat(ctl("port", "add", "tsapicli4").code()).isZero();
        CliRun.Result pin = ctl("fdb", "add-static", "02:00:00:00:0c:04", "--port", "tsapicli4", "--vlan", "0");
        assertThat(pin.code()).as(pin.err()).isZero();
        CliRun.Result fdb = ctl("fdb", "--port", "tsapicli4");
        assertThat(fdb.out()).containsPattern("0\\s+02:00:00:00:0c:04\\s+tsapicli4\\s+-\\s+static");
        assertThat(ctl("fdb", "--vlan", "7").out().trim()).isEqualTo("VLAN  MAC  PORT  AGE  TYPE");

        CliRun.Result trace = ctl("trace", "--in", "tsapicli3", "--src", "02:00:00:00:0c:03", "--dst", "02:00:00:00:0c:04");
        assertThat(trace.code()).as(trace.err()).isZero();
        assertThat(trace.out()).contains("verdict: FORWARD_UNICAST").contains("egress:  tsapicli4");
        assertThat(ctl("--json", "trace", "--in", "tsapicli3", "--src", "02:00:00:00:0c:03", "--dst", "ff:ff:ff:ff:ff:ff",
                "--vlan", "5").out()).contains("\"verdict\" : \"FLOOD_BROADCAST\"");

        CliRun.Result mirror = ctl("mirror", "add", "cli", "--src", "tsapicli3", "--output-port", "tsapicli4");
        assertThat(mirror.code()).as(mirror.err()).isZero();
        assertThat(ctl("mirror", "list").out()).containsPattern("cli\\s+src=tsapicli3\\s+tsapicli4\\s+all\\s+\\d+\\s+\\d+");
        assertThat(ctl("mirror", "del", "cli").code()).isZero();
        assertThat(ctl("fdb", "del-static", "02:00:00:00:0c:04").code()).isZero();

        CliRun.Result stats = ctl("stats");
        assertThat(stats.out()).startsWith("PORT").contains("tsapicli3").contains("FDB").contains("LEARNED");
        assertThat(ctl("switch").out()).containsPattern("name\\s+ctl");
        assertThat(ctl("--json", "stats").out()).contains("\"fdb\"");
        ctl("port", "del", "tsapicli3");
        ctl("port", "del", "tsapicli4");
    }

    @Test
    void errorsAreReadableAndExitNonZero() {
        CliRun.Result bad = ctl("port", "set", "nosuch", "vlan", "--mode", "access", "--tag", "10");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("HTTP 404").contains("no port named 'nosuch'");
        CliRun.Result invalid = ctl("port", "add", "bad name");
        assertThat(invalid.err()).contains("HTTP 400").contains("name: interface name 'bad name'");
        CliRun.Result down = CliRun.run("ctl", "--url", "http://127.0.0.1:1", "ports");
        assertThat(down.code()).isEqualTo(1);
    }

    @Test
    void fabricOfAnAgentThatRunsAloneIsItself() {
        CliRun.Result fabric = ctl("fabric");
        assertThat(fabric.code()).as(fabric.err()).isZero();
        assertThat(fabric.out()).contains("this agent runs alone").containsPattern("local \\(this\\)\\s+up");
        assertThat(ctl("--json", "fabric").out()).contains("\"clustered\" : false");
    }
}
