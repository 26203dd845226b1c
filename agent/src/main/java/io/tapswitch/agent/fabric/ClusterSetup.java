package io.tapswitch.agent.fabric;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.tapswitch.agent.config.ClusterSpec;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link ClusterSpec} becomes Hazelcast's and the event bus's configuration: a TCP/IP member
 * list and no multicast or cloud discovery; every socket on the underlay address only; a member
 * silent for {@code heartbeatSeconds} dropped; after a partition heals, merges tried after
 * {@code mergeSeconds} and then every half of it (Hazelcast's defaults let healed halves stay apart
 * for minutes, measured in NOTES-FABRIC); Hazelcast's phone-home off, since it must never reach
 * beyond the underlay.
 */
public final class ClusterSetup {
    /** The Hazelcast cluster name: agents of other products on the same underlay never merge with ours. */
    public static final String CLUSTER_NAME = "tapswitch";

    private ClusterSetup() {
    }

    /**
     * The Hazelcast member attribute where Vert.x's cluster manager keeps a member's Vert.x node id
     * ({@code HazelcastClusterManager.NODE_ID_ATTRIBUTE}, private there). Since Vert.x 4 that id is
     * a UUID of Vert.x's own, not the member's Hazelcast UUID.
     */
    static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

    /**
     * The Vert.x node id of a Hazelcast member, the id {@code ClusterManager.getNodeId()} gave that
     * agent and that it put in its adverts; the member's Hazelcast UUID only when the attribute is
     * missing (a member that is not a Vert.x node).
     */
    public static String nodeIdOf(com.hazelcast.cluster.Member member) {
        String id = member.getAttribute(VERTX_NODE_ID_ATTRIBUTE);
        return id != null ? id : member.getUuid().toString();
    }

    /** This host's id: the configured one, else the machine's host name. */
    public static String hostId(ClusterSpec spec) {
        if (spec.hostId() != null) {
            return spec.hostId();
        }
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (java.net.UnknownHostException e) {
            return "host-" + spec.address().replace('.', '-');
        }
    }

    /** Vert.x's default cluster configuration (the maps and multimaps it needs) adapted to {@code spec}. */
    public static Config hazelcast(ClusterSpec spec) {
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(CLUSTER_NAME);
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        // The member list is explicit: waiting Hazelcast's default 5 s for more of them to answer only delays the join.
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(spec.heartbeatSeconds()));
        config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(spec.mergeSeconds()));
        config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(Math.max(1, spec.mergeSeconds() / 2)));
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(spec.port()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(spec.address()));
        network.setPublicAddress(spec.address() + ":" + spec.port());
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members(spec));
        return config;
    }

    /** The member list Hazelcast joins over: every configured peer, with the default port made explicit. */
    static List<String> members(ClusterSpec spec) {
        List<String> out = new ArrayList<>();
        for (String m : spec.members()) {
            out.add(m.contains(":") ? m : m + ":" + ClusterSpec.DEFAULT_PORT);
        }
        return out;
    }

    /** The event bus: bound to the underlay address, on a fixed port, with TLS and client certificates when configured. */
    public static EventBusOptions eventBus(ClusterSpec spec) {
        EventBusOptions options = new EventBusOptions()
                .setHost(spec.address())
                .setPort(spec.eventBusPort())
                .setClusterPublicHost(spec.address())
                .setClusterPublicPort(spec.eventBusPort());
        ClusterSpec.TlsSpec tls = spec.tls();
        if (tls != null) {
            options.setSsl(true)
                    .setClientAuth(ClientAuth.REQUIRED)
                    .setKeyCertOptions(new PfxOptions().setPath(tls.keyStore()).setPassword(tls.keyStorePassword()))
                    .setTrustOptions(new PfxOptions().setPath(tls.trustStore()).setPassword(tls.trustStorePassword()));
        }
        return options;
    }
}
