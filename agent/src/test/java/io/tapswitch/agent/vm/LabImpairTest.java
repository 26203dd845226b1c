package io.tapswitch.agent.vm;

import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code impair:} on a lab NIC: parsed, checked field by field, and carried into the port the lab attaches. */
class LabImpairTest {
    private static final String LAB = """
            name: imp
            guest: {kernel: k, initrd: i}
            vms:
              - name: vm1
                nics:
                  - port: ts-imp-1
                    mac: "52:54:00:74:73:21"
                    vlan: 10
                    impair:
                      egress: {delayMs: 20, jitterMs: 2, lossPercent: 10}
                      ingress: {rateKbit: 10000, duplicatePercent: 1}
            """;

    private static LabFile parse(String yaml) {
        return LabFile.parse(yaml, Path.of("/labs"), "imp.yaml");
    }

    private static List<String> problemsOf(String yaml) {
        return LabProblems.of(yaml, Path.of("/labs"), "imp.yaml");
    }

    @Test
    void theNicsPortCarriesTheImpairment() {
        LabFile.Nic nic = parse(LAB).vms().get(0).nics().get(0);
        assertThat(LabWiring.portOf(nic).toPortConfig().impair()).isEqualTo(new LinkImpairment(
                new Impairment(20, 2, 10, 0, 0, 0), new Impairment(0, 0, 0, 1, 0, 10_000)));
        LabFile.Nic plain = parse(LAB.replaceAll("(?s)\\n        impair:.*", "\n")).vms().get(0).nics().get(0);
        assertThat(LabWiring.portOf(plain).toPortConfig().impair()).isNull();
    }

    @Test
    void badSettingsNameTheirField() {
        assertThat(problemsOf(LAB.replace("lossPercent: 10", "lossPercent: 110")))
                .contains("vms[0].nics[0].impair.egress.lossPercent: must be 0 to 100 %, was 110.0");
        assertThat(problemsOf(LAB.replace("jitterMs: 2", "jitterMs: 30")))
                .contains("vms[0].nics[0].impair.egress.jitterMs: must be 0 to delayMs (20.0) ms, was 30.0");
        assertThat(problemsOf(LAB.replace("rateKbit: 10000", "rateKbit: 4")))
                .contains("vms[0].nics[0].impair.ingress.rateKbit: must be 8 to 100000000 kbit/s, was 4");
        assertThat(problemsOf(LAB.replace("duplicatePercent: 1", "reorderPercent: 5")))
                .contains("vms[0].nics[0].impair.ingress.reorderPercent: needs delayMs > 0: a reordered frame skips the delay");
        assertThatThrownBy(() -> parse(LAB.replace("lossPercent: 10", "lossPercent: lots")))
                .isInstanceOf(InvalidLabException.class).hasMessageContaining("vms[0].nics[0].impair.egress.lossPercent");
        assertThatThrownBy(() -> parse(LAB.replace("egress:", "outbound:")))
                .isInstanceOf(InvalidLabException.class).hasMessageContaining("vms[0].nics[0].impair.outbound");
    }
}
