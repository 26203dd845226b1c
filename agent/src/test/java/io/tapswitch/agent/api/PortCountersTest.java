package io.tapswitch.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.Reason;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.Frame;
import io.tapswitch.core.frame.Frames;
import io.tapswitch.core.frame.VnetHeader;
import io.tapswitch.core.port.MemoryPort;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A port's counters as the API shows them, from a switch driven without devices. */
class PortCountersTest {

    @Test
    void showsTransmitDropsByReasonBesideTheExistingCounters() throws Exception {
        try (Switch sw = new Switch(SwitchOptions.defaults())) {
            SwitchPort in = sw.addPassivePort(new MemoryPort("in"), PortConfig.enabled("in"));
            SwitchPort plain = sw.addPassivePort(new MemoryPort("plain", false), PortConfig.enabled("plain"));
            Frame frame = new Frame(MacTable.MAX_PORTS);
            frame.load(Frames.ethernet(Frames.mac("ff:ff:ff:ff:ff:ff"), Frames.mac("02:00:00:00:00:01"), 0x0800, 100));
            frame.buffer().put(frame.start() + VnetHeader.FLAGS, (byte) VnetHeader.F_NEEDS_CSUM);
            frame.inPort = in.id();
            sw.process(frame);

            PortCounters counters = PortCounters.of("plain", plain.stats());
            assertThat(counters.txDrops()).isEqualTo(Map.of(Reason.DROP_OFFLOAD_UNSUPPORTED.name(), 1L));
            assertThat(counters.txErrors()).isEqualTo(1);
            assertThat(PortCounters.of("in", in.stats()).txDrops()).isEmpty();

            JsonNode json = ApiJson.MAPPER.readTree(ApiJson.writeString(counters));
            assertThat(json.path("txDrops").path("DROP_OFFLOAD_UNSUPPORTED").asLong()).isEqualTo(1);
            assertThat(json.fieldNames()).toIterable().containsExactly("name", "rxPackets", "rxBytes", "txPackets",
                    "txBytes", "rxErrors", "txErrors", "drops", "learnRefused", "decisions", "txDrops");
        }
    }
}
