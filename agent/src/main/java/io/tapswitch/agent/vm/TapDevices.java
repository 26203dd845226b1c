package io.tapswitch.agent.vm;

import io.tapswitch.agent.host.HostCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates and removes the persistent TAP devices that connect guests to the switch.
 *
 * <p>The TAPs are persistent (created with {@code ip tuntap}) rather than
 * created by QEMU so that they exist before the guest starts and the switch
 * can attach to them first; QEMU then opens the existing device by name
 * ({@code script=no}). Tearing them down with {@code ip link del} works from
 * any process, which is what makes {@code down} from a second invocation possible.
 */
public class TapDevices {
    private static final Path SYS_NET = Path.of("/sys/class/net");

    /**
     * Creates TAP {@code name}, owned by {@code owner}, and sets it up. An existing TAP of that name is
     * reused so a half-finished earlier run does not block a new one; an
     * existing interface of another kind is an error.
     */
    public void create(String name, GuestUser owner) {
        if (exists(name)) {
            if (!isTap(name)) {
                throw new IllegalStateException("interface " + name + " already exists and is not a TAP device");
            }
        } else {
            HostCommand.check(List.of("ip", "tuntap", "add", "dev", name, "mode", "tap",
                    "user", Integer.toString(owner.uid()), "group", Integer.toString(owner.gid())));
        }
        // The host side of a lab TAP only carries the guest's frames to the switch: without IPv6 the
        // host's stack sends nothing from it (router solicitations, MLD reports) when it comes up.
        HostCommand.run(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1"));
        HostCommand.check(List.of("ip", "link", "set", name, "up"));
    }

    /** Deletes TAP {@code name}; a missing interface is not an error. */
    public void delete(String name) {
        if (exists(name)) {
            HostCommand.check(List.of("ip", "link", "del", name));
        }
    }

    /** Whether a network interface of that name exists on the host. */
    public boolean exists(String name) {
        return Files.exists(SYS_NET.resolve(name));
    }

    private boolean isTap(String name) {
        return Files.exists(SYS_NET.resolve(name).resolve("tun_flags"));
    }
}
