package io.tapswitch.tests.lab;

import io.tapswitch.agent.Agent;
import io.tapswitch.agent.AgentOptions;
import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.StormSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.agent.event.Events;
import io.tapswitch.agent.host.HostCommand;
import io.tapswitch.agent.state.Change;
import io.tapswitch.agent.state.ControlPlane;
import io.tapswitch.agent.state.SwitchView;
import io.tapswitch.core.capture.Capture;
import io.tapswitch.core.capture.CaptureSpec;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.StormControl;
import io.tapswitch.core.engine.SwitchPort;
import io.tapswitch.core.vlan.VlanConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The switch under test in integration tests: a whole agent in the test's JVM, with its API on an
 * ephemeral loopback port, whose ports, mirrors and captures are made through its control plane,
 * exactly as the API, the CLI and VM labs make them. Tests read the switch through its read-only
 * {@link SwitchView} and see port state changes as the event stream announces them.
 *
 * <p>The agent keeps no configuration file and its lab state lives in a temporary directory, so a
 * test never touches a user's labs; closing it closes every port (removing the TAPs it created).
 */
public final class SwitchUnderTest implements AutoCloseable {
    /** A port going operationally up or down, as announced on the event bus. */
    public record StateChange(String port, boolean up) {
    }

    private final Agent agent;
    private final Path state;
    private final List<StateChange> changes = new CopyOnWriteArrayList<>();

    private SwitchUnderTest(Agent agent, Path state) {
        this.agent = agent;
        this.state = state;
        agent.vertx().eventBus().<JsonObject>consumer(Events.PORT, m -> {
            String event = m.body().getString("event");
            if ("up".equals(event) || "down".equals(event)) {
                changes.add(new StateChange(m.body().getString("port"), "up".equals(event)));
            }
        });
    }

    /** An agent running switch {@code name} with no ports and the default MAC table. */
    public static SwitchUnderTest start(String name) {
        return start(new AgentConfig(name, null, null, List.of()));
    }

    /** An agent running the switch {@code config} describes (its ports opened as real devices). */
    public static SwitchUnderTest start(AgentConfig config) {
        try {
            Path state = Files.createTempDirectory("tapswitch-test-state");
            Agent agent = Agent.start(config, new AgentOptions().setHttp(HttpSpec.EPHEMERAL).setStateDirectory(state));
            return new SwitchUnderTest(agent, state);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the switch under test: " + e.getMessage(), e);
        }
    }

    public Agent agent() {
        return agent;
    }

    public ControlPlane control() {
        return agent.controlPlane();
    }

    /** The running switch, read-only. */
    public SwitchView view() {
        return agent.view();
    }

    /** Port state changes announced so far, oldest first. */
    public List<StateChange> changes() {
        return List.copyOf(changes);
    }

    /**
     * Adds a TAP port whose fd side the switch holds; the netdev, up, stays in this namespace until a
     * test moves it into a host. The TAP is made first with IPv6 off, so that the machine sends
     * nothing into the switch through it (router solicitations, MLD reports) behind the test's back;
     * the port then takes it over ('auto', not persistent) and removes it when it closes.
     */
    public String addTap(String name, VlanConfig vlan) {
        HostCommand.check("ip", "tuntap", "add", "dev", name, "mode", "tap");
        try {
            HostCommand.check("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
            return addPort(new PortSpec(name, PortSpec.PortKindSpec.TAP, PortSpec.CreateMode.AUTO, false, true,
                    VlanSpec.of(vlan)));
        } catch (RuntimeException e) {
            HostCommand.run("ip", "link", "del", name);
            throw e;
        }
    }

    /** Adds an AF_PACKET port on existing interface {@code name} (a veth end, a TAP someone holds). */
    public String addNetdev(String name, VlanConfig vlan) {
        return addPort(new PortSpec(name, PortSpec.PortKindSpec.NETDEV, PortSpec.CreateMode.ATTACH, false, true,
                VlanSpec.of(vlan)));
    }

    /** Adds a port as {@code spec} describes it. */
    public String addPort(PortSpec spec) {
        return control().submit(new Change.AddPort(spec), null).value().name();
    }

    /** Removes a port (closing its device) and the static entries on it. */
    public void removePort(String name) {
        control().submit(new Change.RemovePort(name), null);
    }

    public void addMirror(MirrorConfig mirror) {
        control().submit(new Change.AddMirror(MirrorSpec.of(mirror)), null);
    }

    public void removeMirror(String name) {
        control().submit(new Change.RemoveMirror(name), null);
    }

    /** Sets a port's flood rate limits. */
    public void setStorm(String port, StormControl storm) {
        control().submit(new Change.SetStorm(port,
                new StormSpec(storm.broadcastPps(), storm.multicastPps(), storm.unknownUnicastPps())), null);
    }

    /** Starts capturing a port to {@code out}, both directions, as on its wire. */
    public Capture capturePort(CaptureSpec spec, OutputStream out) {
        try {
            return control().capturePort(spec, out, c -> { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id the switch gave port {@code name} (the number its MAC table stores), or -1. */
    public int portId(String name) {
        return view().topology().idOf(name);
    }

    /** Port {@code name} as the switch holds it: state and counters. */
    public SwitchPort port(String name) {
        int id = portId(name);
        if (id < 0) {
            throw new IllegalArgumentException("the switch has no port " + name);
        }
        return view().topology().port(id);
    }

    /** Stops the agent (its ports close and the TAPs it created go) and removes its state directory. */
    @Override
    public void close() {
        try {
            agent.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the switch under test", e);
        } finally {
            HostCommand.run("rm", "-rf", state.toString());
        }
    }
}
