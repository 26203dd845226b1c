package io.tapswitch.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapswitch.agent.vm.LabCheck;
import io.tapswitch.agent.vm.LabFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which address a check sends to, and who proves a target alive, in the shipped labs. */
class TargetsTest {
    private static LabFile shipped(String name) {
        return LabFile.load(Path.of("..", "vm-configs", name));
    }

    @Test
    void everyShippedLabStatesChecksThatBuildProbes() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "vm-configs"))) {
            List<Path> labs = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(labs).hasSizeGreaterThanOrEqualTo(6);
            for (Path f : labs) {
                LabFile lab = LabFile.load(f);
                assertThat(lab.checks()).as(f.toString()).isNotEmpty();
                for (LabCheck c : lab.checks()) {
                    assertThat(CheckRunner.probe(lab, c).vms()).as(f + " " + c.name()).isNotEmpty();
                }
            }
        }
    }

    @Test
    void theAddressOnTheSourcesSegmentIsChosen() {
        Targets interop = new Targets(shipped("vlan-interop.yaml"));
        assertThat(interop.address("vm4", "vm1")).isEqualTo("198.18.10.1");
        assertThat(interop.address("vm4", "vm3")).isEqualTo("198.18.20.3");
        assertThat(interop.address("vm5", "vm4")).as("QinQ: S-VLAN 100, C-VLAN 30").isEqualTo("198.18.30.4");
        assertThat(interop.address("vm1", "vm4")).isEqualTo("198.18.10.4");
        assertThat(interop.address("vm1", "198.18.10.9")).isEqualTo("198.18.10.9");
        Targets three = new Targets(shipped("three-vms-two-vlans.yaml"));
        assertThat(three.address("vm2", "vm3")).isEqualTo("198.18.20.13");
        assertThat(three.address("vm1", "vm2")).as("other VLAN, same /16").isEqualTo("198.18.20.12");
    }

    @Test
    void aWitnessSharesTheTargetsVlanNotJustItsPrefix() {
        Targets interop = new Targets(shipped("vlan-interop.yaml"));
        assertThat(interop.witness("vm3", List.of("vm1")).map(w -> w[0] + " " + w[1])).contains("vm4 198.18.20.3");
        assertThat(interop.witness("vm1", List.of("vm3")).map(w -> w[0] + " " + w[1])).contains("vm2 198.18.10.1");
        Targets three = new Targets(shipped("three-vms-two-vlans.yaml"));
        assertThat(three.witness("vm2", List.of("vm1")).map(w -> w[0])).contains("vm3");
        assertThat(new Targets(shipped("two-vms.yaml")).witness("vm2", List.of("vm1"))).isEmpty();
    }

    @Test
    void prefixesAreComparedBitwise() {
        assertThat(Targets.contains("198.18.10.11/16", "198.18.20.12")).isTrue();
        assertThat(Targets.contains("198.18.20.13/24", "198.18.10.11")).isFalse();
        assertThat(Targets.contains("198.18.0.1/23", "198.18.1.200")).isTrue();
        assertThat(Targets.contains("198.18.0.1/23", "198.18.2.1")).isFalse();
        assertThat(Targets.contains("fd00:7473::11/64", "fd00:7473::12")).isTrue();
        assertThat(Targets.contains("fd00:7473::11/64", "198.18.0.1")).isFalse();
    }
}
