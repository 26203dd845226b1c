package io.tapswitch.agent.fabric;

import io.vertx.core.json.JsonObject;

/**
 * What an agent tells the others about itself, once a second and at once when it changes: who it
 * is, where its tunnel endpoint is, where its API is, and which VLANs it has local ports in (the
 * VLANs others must flood to it). Published on {@link Fabric#ADVERTS}.
 *
 * @param hostId    the host's name in the fabric
 * @param nodeId    its cluster node id (Hazelcast's member UUID), to match membership events
 * @param vtep      its VTEP, {@code address:port}
 * @param apiUrl    its API's base URL
 * @param allVlans  whether a local port carries every VLAN (a trunk without a list)
 * @param vlans     otherwise the VLANs its local ports carry, as a VLAN list like {@code 10,20-29}
 * @param started   when the agent started (epoch millis): a restarted agent is a new incarnation
 * @param seq       grows with every advert of one incarnation
 */
public record HostAdvert(String hostId, String nodeId, String vtep, String apiUrl, boolean allVlans, String vlans,
                         long started, long seq) {
    public JsonObject toJson() {
        return new JsonObject().put("hostId", hostId).put("nodeId", nodeId).put("vtep", vtep).put("apiUrl", apiUrl)
                .put("allVlans", allVlans).put("vlans", vlans).put("started", started).put("seq", seq);
    }

    /** The advert in {@code json}, or null when it is not one (a field missing or of another type). */
    public static HostAdvert of(JsonObject json) {
        try {
            HostAdvert a = new HostAdvert(json.getString("hostId"), json.getString("nodeId"), json.getString("vtep"),
                    json.getString("apiUrl"), json.getBoolean("allVlans", false), json.getString("vlans", ""),
                    json.getLong("started", 0L), json.getLong("seq", 0L));
            return a.hostId() == null || a.vtep() == null || a.vtep().indexOf(':') < 0 ? null : a;
        } catch (ClassCastException e) {
            return null;
        }
    }

    /** Whether this advert carries the same facts as {@code other} (ignoring its sequence number). */
    public boolean sameFacts(HostAdvert other) {
        return other != null && hostId.equals(other.hostId) && java.util.Objects.equals(nodeId, other.nodeId)
                && vtep.equals(other.vtep) && java.util.Objects.equals(apiUrl, other.apiUrl)
                && allVlans == other.allVlans && vlans.equals(other.vlans) && started == other.started;
    }

    /** The VTEP's address. */
    public String vtepAddress() {
        return vtep.substring(0, vtep.lastIndexOf(':'));
    }

    /** The VTEP's UDP port. */
    public int vtepPort() {
        return Integer.parseInt(vtep.substring(vtep.lastIndexOf(':') + 1));
    }
}
