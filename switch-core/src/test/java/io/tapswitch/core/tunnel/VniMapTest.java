package io.tapswitch.core.tunnel;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VniMapTest {
    @Test
    void mapsEveryVlanToBasePlusVlanBothWays() {
        VniMap m = VniMap.defaults();
        assertThat(m.vni(0)).isEqualTo(10000);
        assertThat(m.vni(10)).isEqualTo(10010);
        assertThat(m.vni(4094)).isEqualTo(14094);
        assertThat(m.vlan(10010)).isEqualTo(10);
        assertThat(m.vlan(10000)).isEqualTo(0);
        assertThat(m.vlan(9999)).isEqualTo(-1);
        assertThat(m.vlan(14095)).isEqualTo(-1);
    }

    @Test
    void neverMapsVid4095OrTheProbeVni() {
        VniMap m = VniMap.base(0);
        assertThat(m.vni(4095)).isEqualTo(-1);
        assertThat(m.vni(-1)).isEqualTo(-1);
        assertThat(m.vlan(VniMap.PROBE_VNI)).isEqualTo(-1);
        assertThat(VniMap.base(VniMap.MAX_VNI - 4094).vni(4094)).isEqualTo(VniMap.MAX_VNI);
        assertThatThrownBy(() -> VniMap.base(VniMap.MAX_VNI - 4093)).hasMessageStartingWith("base:");
        assertThatThrownBy(() -> VniMap.explicit(Map.of(5, VniMap.PROBE_VNI))).hasMessageContaining("reserved");
    }

    @Test
    void explicitMappingsWinAndFreeTheirBaseVni() {
        VniMap m = VniMap.of(10000, Map.of(20, 5020, 30, 90030));
        assertThat(m.vni(20)).isEqualTo(5020);
        assertThat(m.vlan(5020)).isEqualTo(20);
        assertThat(m.vlan(10020)).as("VLAN 20's base VNI is no longer used").isEqualTo(-1);
        assertThat(m.vni(21)).isEqualTo(10021);
        assertThat(m.vlan(90030)).isEqualTo(30);
    }

    @Test
    void anExplicitOnlyMapCarriesOnlyItsVlans() {
        VniMap m = VniMap.explicit(Map.of(10, 100, 0, 7));
        assertThat(m.vni(10)).isEqualTo(100);
        assertThat(m.vni(0)).isEqualTo(7);
        assertThat(m.vni(11)).isEqualTo(-1);
        assertThat(m.vlan(100)).isEqualTo(10);
        assertThat(m.vlan(7)).isEqualTo(0);
        assertThat(m.vlan(101)).isEqualTo(-1);
        assertThat(m.base()).isEqualTo(VniMap.NO_BASE);
    }

    @Test
    void refusesTwoVlansOnOneVniNamingBoth() {
        assertThatThrownBy(() -> VniMap.explicit(Map.of(10, 100, 11, 100)))
                .hasMessageContaining("vni: 100").hasMessageContaining("VLAN 10").hasMessageContaining("VLAN 11");
        assertThatThrownBy(() -> VniMap.of(10000, Map.of(5, 10020)))
                .hasMessageContaining("vni: 10020").hasMessageContaining("VLAN 5").hasMessageContaining("VLAN 20");
        assertThatThrownBy(() -> VniMap.explicit(Map.of(4095, 100))).hasMessageStartingWith("vlan:");
    }

    @Test
    void equalMapsAreEqual() {
        assertThat(VniMap.of(5, Map.of(1, 2))).isEqualTo(VniMap.of(5, Map.of(1, 2))).hasSameHashCodeAs(VniMap.of(5, Map.of(1, 2)));
        assertThat(VniMap.base(5)).isNotEqualTo(VniMap.base(6));
    }

    @Test
    void optionsHaveDocumentedDefaultsAndRefuseBadValuesNamingTheField() {
        TunnelOptions o = TunnelOptions.defaults("198.19.0.1");
        assertThat(o.port()).isEqualTo(4789);
        assertThat(o.underlayMtu()).isEqualTo(1500);
        assertThat(o.maxInnerFrame()).as("1450 bytes of payload behind a 14-byte header").isEqualTo(1464);
        assertThat(o.vnis()).isEqualTo(VniMap.defaults());
        assertThat(o.withUnderlayMtu(9000).maxInnerFrame()).isEqualTo(8964);
        assertThatThrownBy(() -> o.withPort(0)).hasMessageStartingWith("port:");
        assertThatThrownBy(() -> o.withUnderlayMtu(500)).hasMessageStartingWith("underlayMtu:");
        assertThatThrownBy(() -> new TunnelOptions(null, 4789, 1500, null)).hasMessageStartingWith("local:");
        assertThatThrownBy(() -> TunnelOptions.parse("198.19.0.256")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TunnelOptions.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThat(TunnelOptions.parse("198.18.3.4").getHostAddress()).isEqualTo("198.18.3.4");
    }
}
