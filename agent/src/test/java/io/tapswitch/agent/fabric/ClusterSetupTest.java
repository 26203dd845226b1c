package io.tapswitch.agent.fabric;

import com.hazelcast.cluster.Member;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSetupTest {
    /** A Hazelcast member with a UUID and attributes, and nothing else. */
    private static Member member(UUID uuid, Map<String, String> attributes) {
        return (Member) Proxy.newProxyInstance(Member.class.getClassLoader(), new Class<?>[]{Member.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getUuid" -> uuid;
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getAttributes" -> attributes;
                    case "toString" -> "Member " + uuid;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aMembersNodeIdIsTheVertxNodeIdItsAgentAdvertisesNotItsHazelcastUuid() {
        UUID hazelcast = UUID.randomUUID();
        String vertx = UUID.randomUUID().toString();
        Member m = member(hazelcast, Map.of(ClusterSetup.VERTX_NODE_ID_ATTRIBUTE, vertx));
        assertThat(ClusterSetup.nodeIdOf(m)).isEqualTo(vertx).isNotEqualTo(hazelcast.toString());
    }

    @Test
    void aMemberThatIsNoVertxNodeIsKnownByItsUuid() {
        UUID hazelcast = UUID.randomUUID();
        assertThat(ClusterSetup.nodeIdOf(member(hazelcast, Map.of()))).isEqualTo(hazelcast.toString());
    }

    @Test
    void theAttributeIsTheOneVertxsClusterManagerWrites() throws Exception {
        Field f = HazelcastClusterManager.class.getDeclaredField("NODE_ID_ATTRIBUTE");
        f.setAccessible(true);
        assertThat(f.get(null)).isEqualTo(ClusterSetup.VERTX_NODE_ID_ATTRIBUTE);
    }
}
