package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The {@code cluster} section: how this agent joins the others of a multi-host fabric. Membership
 * and messaging are Vert.x's clustered event bus on the Hazelcast cluster manager, joined over a
 * TCP/IP member list (no multicast), with every socket bound to the underlay address only.
 *
 * <p>Neither Hazelcast's open-source membership nor VXLAN authenticates anyone: the underlay must be
 * a trusted network. {@link TlsSpec} adds TLS with client certificates to the event bus.
 *
 * @param hostId           this host's name in the fabric (default: the machine's host name)
 * @param address          the underlay IPv4 address; Hazelcast, the event bus and the VTEP bind here
 * @param port             Hazelcast's member port (default {@value #DEFAULT_PORT})
 * @param eventBusPort     the event bus's TCP port (default {@value #DEFAULT_EVENT_BUS_PORT})
 * @param members          the other agents, {@code address[:port]} (port default {@value #DEFAULT_PORT})
 * @param heartbeatSeconds a member silent this long is dropped (default {@value #DEFAULT_HEARTBEAT_SECONDS})
 * @param mergeSeconds     after a partition heals, the halves try to merge after this long, then
 *                         every half of it (default {@value #DEFAULT_MERGE_SECONDS})
 * @param tls              TLS with client certificates on the event bus; absent means plain TCP
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterSpec(String hostId, String address, int port, int eventBusPort, List<String> members,
                          int heartbeatSeconds, int mergeSeconds, TlsSpec tls) {
    public static final int DEFAULT_PORT = 5701;
    public static final int DEFAULT_EVENT_BUS_PORT = 5711;
    public static final int DEFAULT_HEARTBEAT_SECONDS = 5;
    public static final int DEFAULT_MERGE_SECONDS = 10;

    @JsonCreator
    public ClusterSpec(@JsonProperty("hostId") String hostId,
                       @JsonProperty("address") String address,
                       @JsonProperty("port") Integer port,
                       @JsonProperty("eventBusPort") Integer eventBusPort,
                       @JsonProperty("members") List<String> members,
                       @JsonProperty("heartbeatSeconds") Integer heartbeatSeconds,
                       @JsonProperty("mergeSeconds") Integer mergeSeconds,
                       @JsonProperty("tls") TlsSpec tls) {
        this(hostId, address, port == null ? DEFAULT_PORT : port,
                eventBusPort == null ? DEFAULT_EVENT_BUS_PORT : eventBusPort,
                members == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(members)),
                heartbeatSeconds == null ? DEFAULT_HEARTBEAT_SECONDS : heartbeatSeconds,
                mergeSeconds == null ? DEFAULT_MERGE_SECONDS : mergeSeconds, tls);
    }

    /**
     * TLS on the event bus: this agent's certificate and key, and the certificates it trusts;
     * peers must present a certificate the trust store accepts.
     *
     * @param keyStore           PKCS#12 file with this agent's certificate and key
     * @param keyStorePassword   its password
     * @param trustStore         PKCS#12 file with the certificates (or CA) of the peers
     * @param trustStorePassword its password
     */
    public record TlsSpec(String keyStore, String keyStorePassword, String trustStore, String trustStorePassword) {
        @JsonCreator
        public TlsSpec(@JsonProperty("keyStore") String keyStore,
                       @JsonProperty("keyStorePassword") String keyStorePassword,
                       @JsonProperty("trustStore") String trustStore,
                       @JsonProperty("trustStorePassword") String trustStorePassword) {
            this.keyStore = keyStore;
            this.keyStorePassword = keyStorePassword;
            this.trustStore = trustStore;
            this.trustStorePassword = trustStorePassword;
        }

        /** Keeps the passwords out of logs and error messages. */
        @Override
        public String toString() {
            return "TlsSpec[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
        }
    }
}
