package io.tapswitch.agent.attach;

import io.tapswitch.agent.config.AutoAttachSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ConflictException;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.NotFoundException;
import io.tapswitch.agent.state.TransientPorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Keeps the switch's ports in step with the interfaces that come and go, as a {@link LinkMonitor}
 * reports them:
 *
 * <ul>
 *   <li>an interface that appears and matches an auto-attach rule of the configuration
 *       ({@code autoAttach}) becomes a {@code netdev} port with the rule's VLAN settings, owned by
 *       {@value #OWNER} (a {@link TransientPorts transient} port, never written to the file);</li>
 *   <li>a port that lives only as long as its interface (an auto-attached one, one the
 *       {@code qemu-ifup} script added as transient, one the bridge helper made) is removed when
 *       its interface goes, whoever removed it and however QEMU ended.</li>
 * </ul>
 *
 * <p>Every change goes through the {@link ControlPlane}, like any other. Ports of the configuration
 * file, of labs and of the fabric are never touched: their owners remove them. An interface that is
 * already a port (a lab's TAP, one the ifup script was quicker to add) is left as it is.
 */
public final class AutoAttach implements LinkMonitor.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(AutoAttach.class);
    /** The owner of the ports the rules make. */
    public static final String OWNER = "auto-attach";
    /** The owner of the TAPs the bridge helper makes for unprivileged QEMU, before the user's name. */
    public static final String BRIDGE_OWNER = "bridge-helper";

    private final ControlPlane control;

    public AutoAttach(ControlPlane control) {
        this.control = control;
    }

    /** Whether the ports of {@code owner} live exactly as long as their interface. */
    public static boolean followsItsInterface(String owner) {
        return owner != null && (owner.equals(OWNER) || owner.equals(TransientPorts.API_OWNER)
                || owner.startsWith(BRIDGE_OWNER));
    }

    @Override
    public void appeared(String name) {
        if (control.config().port(name) != null) {
            return;
        }
        AutoAttachSpec rule = control.config().autoAttachRule(name);
        if (rule == null) {
            return;
        }
        PortSpec spec = new PortSpec(name, PortSpec.PortKindSpec.NETDEV, PortSpec.CreateMode.ATTACH, false, true,
                rule.vlan());
        try {
            control.submit(new Change.AddPort(spec, OWNER), null);
            LOG.info("auto-attach: {} is a port now (rule '{}'{})", name, rule.match(),
                    rule.vlan() == null ? "" : ", vlan " + rule.vlan().mode()
                            + (rule.vlan().tag() == null ? "" : " " + rule.vlan().tag()));
        } catch (ConflictException e) {
            // made a port meanwhile by someone else (the ifup script, a lab), or it went again at once
            LOG.debug("auto-attach: {} not attached: {}", name, e.getMessage());
        }
    }

    @Override
    public void gone(String name) {
        if (!followsItsInterface(control.ownerOf(name))) {
            return;
        }
        try {
            control.submit(new Change.RemovePort(name), null);
            LOG.info("auto-attach: {} has gone, and its port with it", name);
        } catch (NotFoundException e) {
            // removed already (qemu-ifdown)
        } catch (ConflictException e) {
            LOG.warn("auto-attach: {} has gone but its port stays: {}", name, e.getMessage());
        }
    }

    @Override
    public void present(Set<String> names) {
        for (PortSpec p : control.config().ports()) {
            if (!names.contains(p.name())) {
                gone(p.name());
            }
        }
        for (String name : names) {
            appeared(name);
        }
    }
}
