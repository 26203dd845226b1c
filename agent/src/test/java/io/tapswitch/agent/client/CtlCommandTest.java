package io.tapswitch.agent.client;

import io.tapswitch.agent.CliRun;
import io.tapswitch.core.vlan.VlanConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tapswitch ctl} against a real agent: tables, --json, changes, and readable errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CtlCommandTest {
    private CtlAgent agent;

    @BeforeAll
    void start() throws Exception {
        agent = CtlAgent.start("tsapi", "name: ctl\nhttp: {port: 0}\n");
    }

    @AfterAll
    void stop() throws Exception {
        agent.close();
    }

    @Test
    void portsAreAddedConfiguredListedAndRemoved() throws Exception {
        CliRun.Result add = agent.ctl("port", "add", "tsapicli1");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("port tsapicli1 added");
        assertThat(agent.ctl("port", "add", "tsapicli2", "--mode", "trunk", "--trunks", "10,20-29").code()).isZero();

        CliRun.Result set = agent.ctl("port", "set", "tsapicli1", "vlan", "--mode", "access", "--tag", "10");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("access 10");
        var t = agent.view().topology();
        assertThat(t.config(t.idOf("tsapicli1")).vlan()).isEqualTo(VlanConfig.access(10));
        assertThat(agent.ctl("port", "set", "tsapicli1", "admin", "down").code()).isZero();
        CliRun.Result storm = agent.ctl("port", "set", "tsapicli1", "storm", "--broadcast", "500", "--unknown-unicast", "20");
        assertThat(storm.code()).as(storm.err()).isZero();
        assertThat(storm.out()).contains("broadcast 500 pps, multicast 0 pps, unknown unicast 20 pps");
        CliRun.Result secured = agent.ctl("port", "set", "tsapicli1", "security", "--max-macs", "4", "--violation", "drop");
        assertThat(secured.out()).contains("max 4 MACs, drop");
        t = agent.view().topology();
        assertThat(t.config(t.idOf("tsapicli1")).security().maxMacs()).isEqualTo(4);
        CliRun.Result refused = agent.ctl("port", "set", "tsapicli1", "security", "--violation", "shout");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("violation");

        CliRun.Result ports = agent.ctl("ports");
        assertThat(ports.code()).isZero();
        String[] lines = ports.out().split("\n");
        assertThat(lines[0]).startsWith("NAME").contains("KIND", "ADMIN", "OPER", "VLAN");
        assertThat(ports.out()).containsPattern("tsapicli1\\s+\\d+\\s+tap\\s+down\\s+up\\s+access 10");
        assertThat(ports.out()).contains("trunk [10,20-29]");
        assertThat(lines[1].indexOf("tap")).isEqualTo(lines[2].indexOf("tap"));

        CliRun.Result json = agent.ctl("--json", "ports");
        assertThat(json.out()).contains("\"ports\"").contains("\"name\" : \"tsapicli1\"");

        CliRun.Result vlans = agent.ctl("vlans");
        assertThat(vlans.out()).containsPattern("10\\s+tsapicli1\\s+tsapicli2");

        assertThat(agent.ctl("port", "del", "tsapicli1").out()).contains("removed");
        assertThat(agent.ctl("port", "del", "tsapicli2").code()).isZero();
    }

    @Test
    void fdbMirrorTraceAndStats() {
        assertThat(agent.ctl("port", "add", "tsapicli3").code()).isZero();
        assertThat(agent.ctl("port", "add", "tsapicli4").code()).isZero();
        CliRun.Result pin = agent.ctl("fdb", "add-static", "02:00:00:00:0c:04", "--port", "tsapicli4", "--vlan", "0");
        assertThat(pin.code()).as(pin.err()).isZero();
        CliRun.Result fdb = agent.ctl("fdb", "--port", "tsapicli4");
        assertThat(fdb.out()).containsPattern("0\\s+02:00:00:00:0c:04\\s+tsapicli4\\s+-\\s+static");
        assertThat(agent.ctl("fdb", "--vlan", "7").out().trim()).isEqualTo("VLAN  MAC  PORT  AGE  TYPE");

        CliRun.Result trace = agent.ctl("trace", "--in", "tsapicli3", "--src", "02:00:00:00:0c:03", "--dst", "02:00:00:00:0c:04");
        assertThat(trace.code()).as(trace.err()).isZero();
        assertThat(trace.out()).contains("verdict: FORWARD_UNICAST").contains("egress:  tsapicli4");
        assertThat(agent.ctl("--json", "trace", "--in", "tsapicli3", "--src", "02:00:00:00:0c:03", "--dst", "ff:ff:ff:ff:ff:ff",
                "--vlan", "5").out()).contains("\"verdict\" : \"FLOOD_BROADCAST\"");

        CliRun.Result mirror = agent.ctl("mirror", "add", "cli", "--src", "tsapicli3", "--output-port", "tsapicli4");
        assertThat(mirror.code()).as(mirror.err()).isZero();
        assertThat(agent.ctl("mirror", "list").out()).containsPattern("cli\\s+src=tsapicli3\\s+tsapicli4\\s+all\\s+\\d+\\s+\\d+");
        assertThat(agent.ctl("mirror", "del", "cli").code()).isZero();
        assertThat(agent.ctl("fdb", "del-static", "02:00:00:00:0c:04").code()).isZero();

        CliRun.Result stats = agent.ctl("stats");
        assertThat(stats.out()).startsWith("PORT").contains("tsapicli3").contains("FDB").contains("LEARNED");
        assertThat(agent.ctl("switch").out()).containsPattern("name\\s+ctl");
        assertThat(agent.ctl("--json", "stats").out()).contains("\"fdb\"");
        agent.ctl("port", "del", "tsapicli3");
        agent.ctl("port", "del", "tsapicli4");
    }

    @Test
    void errorsAreReadableAndExitNonZero() {
        CliRun.Result bad = agent.ctl("port", "set", "nosuch", "vlan", "--mode", "access", "--tag", "10");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("HTTP 404").contains("no port named 'nosuch'");
        CliRun.Result invalid = agent.ctl("port", "add", "bad name");
        assertThat(invalid.err()).contains("HTTP 400").contains("name: interface name 'bad name'");
        CliRun.Result down = CliRun.run("ctl", "--url", "http://127.0.0.1:1", "ports");
        assertThat(down.code()).isEqualTo(1);
    }

    @Test
    void fabricOfAnAgentThatRunsAloneIsItself() {
        CliRun.Result fabric = agent.ctl("fabric");
        assertThat(fabric.code()).as(fabric.err()).isZero();
        assertThat(fabric.out()).contains("this agent runs alone").containsPattern("local \\(this\\)\\s+up");
        assertThat(agent.ctl("--json", "fabric").out()).contains("\"clustered\" : false");
    }
}
