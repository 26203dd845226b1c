package io.tapswitch.core.engine;

/**
 * The configurable part of a port, immutable: changing it means publishing a new {@link Topology}.
 *
 * @param name    port name (the network interface name)
 * @param adminUp whether the port forwards at all
 */
public record PortConfig(String name, boolean adminUp) {
    public static PortConfig enabled(String name) {
        return new PortConfig(name, true);
    }

    public PortConfig withAdminUp(boolean up) {
        return new PortConfig(name, up);
    }
}
