package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The bridge helper's section: where the agent listens for unprivileged QEMU's
 * {@code qemu-bridge-helper} requests, and the file that says who may attach guests.
 *
 * @param socket the UNIX socket the helper connects to; any local user may connect, the ACL decides
 * @param acl    the access list (see {@code BridgeAcl}); read at every request, so edits apply at once
 */
public record BridgeHelperSpec(String socket, String acl) {
    public static final String DEFAULT_SOCKET = "/run/tapswitch/bridge.sock";
    public static final String DEFAULT_ACL = "/etc/tapswitch/bridge.acl";

    @JsonCreator
    public BridgeHelperSpec(@JsonProperty("socket") String socket, @JsonProperty("acl") String acl) {
        this.socket = socket == null ? DEFAULT_SOCKET : socket;
        this.acl = acl == null ? DEFAULT_ACL : acl;
    }
}
