package io.tapswitch.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapswitch.agent.config.VxlanSpec;
import io.tapswitch.agent.state.InvalidRequestException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabHostsTest {
    private static final VxlanSpec VXLAN = new VxlanSpec(null, null, null, null, null, null);

    private static final String LAB = """
            name: spread
            guest: {kernel: /k, initrd: /i}
            vms:
              - name: here
                nics: [{port: ts-lh-1, mac: "52:54:00:74:6c:01", vlan: 10}]
              - name: also-here
                host: a
                nics: [{port: ts-lh-2, mac: "52:54:00:74:6c:02", vlan: 20}]
              - name: there
                host: b
                nics: [{port: ts-lh-3, mac: "52:54:00:74:6c:03", vlan: 10}]
              - name: there2
                host: b
                nics: [{port: ts-lh-4, mac: "52:54:00:74:6c:04", trunk: [10, 30]}]
              - name: far
                host: c
                nics: [{port: ts-lh-5, mac: "52:54:00:74:6c:05", vlan: 20}]
            """;

    private static LabFile parse(String yaml) {
        return LabFile.parse(yaml, Path.of("/labs"), "t.yaml");
    }

    /** One item of a lab's {@code mirrors:} list, copying port {@code source} to port {@code output}. */
    private static String mirror(String name, String source, String output) {
        return "  - name: " + name + "\n    sources: [" + source + "]\n    output: " + output + "\n";
    }

    private static String field(Runnable r) {
        try {
            r.run();
        } catch (InvalidRequestException e) {
            return e.errors().get(0).field() + ": " + e.errors().get(0).reason();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void groupsVmsByHostInLabOrderWithUnnamedAndOwnNameHere() {
        LabHosts plan = LabHosts.of(parse(LAB), Set.of("a"), Set.of("b", "c"), VXLAN);

        assertThat(plan.local()).containsExactly("here", "also-here");
        assertThat(plan.remote()).isEqualTo(Map.of("b", List.of("there", "there2"), "c", List.of("far")));
        assertThat(plan.remote().keySet()).containsExactly("b", "c");
        assertThat(plan.hostOf("there2")).isEqualTo("b");
        assertThat(plan.hostOf("here")).isEmpty();
    }

    @Test
    void aHostNotInTheFabricIsRefusedNamingTheVmsHostField() {
        assertThat(field(() -> LabHosts.of(parse(LAB), Set.of("a"), Set.of("b"), VXLAN)))
                .startsWith("vms[4].host: ").contains("'c'").contains("others known: b");
        assertThat(field(() -> LabHosts.of(parse(LAB), Set.of("a"), Set.of(), null)))
                .startsWith("vms[2].host: ").contains("runs alone");
    }

    @Test
    void withoutAVxlanSectionNoVmMayRunElsewhere() {
        assertThat(field(() -> LabHosts.of(parse(LAB), Set.of("a"), Set.of("b", "c"), null)))
                .startsWith("vms[2].host: ").contains("no vxlan section");
    }

    @Test
    void aVlanTheFabricCannotCarryIsRefusedNamingIt() {
        VxlanSpec tight = new VxlanSpec(null, null, null, (1 << 24) - 20, null, null);
        assertThat(field(() -> LabHosts.of(parse(LAB), Set.of("a"), Set.of("b", "c"), tight)))
                .startsWith("vms[3].nics[0].trunk[1]: VLAN 30 of VM there2");
        VxlanSpec mapped = new VxlanSpec(null, null, null, (1 << 24) - 20, Map.of(30, 5000), null);
        assertThat(field(() -> LabHosts.of(parse(LAB), Set.of("a"), Set.of("b", "c"), mapped)))
                .startsWith("vms[4].nics[0].vlan: VLAN 20 of VM far");
    }

    @Test
    void aLabOnOneHostNeedsNoFabric() {
        LabHosts plan = LabHosts.of(parse(LAB.replaceAll("host: [bc]", "host: a")), Set.of("a"), Set.of(), null);
        assertThat(plan.remote()).isEmpty();
        assertThat(plan.local()).hasSize(5);
    }

    @Test
    void aMirrorWithPortsOnTwoHostsIsRefused() {
        String lab = LAB + "mirrors:\n" + mirror("span", "ts-lh-1", "ts-lh-3");
        assertThat(field(() -> LabHosts.of(parse(lab), Set.of("a"), Set.of("b", "c"), VXLAN)))
                .startsWith("mirrors[0]: mirror span has ports on hosts");
    }

    @Test
    void aShareKeepsItsVmsAndTheMirrorsWhollyItsOwnButNoChecks() {
        String lab = LAB + "mirrors:\n" + mirror("span", "ts-lh-3", "ts-lh-4") + mirror("other", "ts-lh-1", "ts-lh-2");
        LabFile share = LabHosts.share(parse(lab), List.of("there", "there2"));
        assertThat(share.vms()).extracting(LabFile.Vm::name).containsExactly("there", "there2");
        assertThat(share.ports()).containsExactly("ts-lh-3", "ts-lh-4");
        assertThat(share.mirrors()).extracting(LabFile.Mirror::name).containsExactly("span");
        assertThat(share.checks()).isEmpty();
        assertThat(share.guest().kernel()).isEqualTo("/k");
    }
}
