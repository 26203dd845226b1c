package io.tapswitch.agent.state;

import io.tapswitch.agent.config.ConfigValidator;
import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.SecuritySpec;
import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.agent.config.StormSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.PortSecurity;
import io.tapswitch.core.engine.StormControl;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.vlan.VlanConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * A change of the switch's configuration, as a value: what the API, the CLI, VM labs and tests ask
 * the {@link ControlPlane} to do. Every change is made the same way, written once in
 * {@link ControlPlane#submit}: check it against the configuration in force ({@link #plan}, which
 * touches nothing and throws {@link InvalidRequestException}, {@link NotFoundException} or
 * {@link ConflictException}), apply it to the running switch, persist the configuration it leads
 * to, and take it back if that cannot be persisted.
 *
 * <p>Each variant checks in the order a caller would want its errors: the request's own fields
 * first (400), then whether what it names exists (404), then whether it collides (409).
 *
 * @param <T> what the caller is answered
 */
public sealed interface Change<T> {
    /** Checks the change against {@code live} and says what making it would do. Touches nothing. */
    Plan<T> plan(LiveState live);

    /**
     * Adds a port: opens its device and attaches it.
     *
     * @param owner who the port belongs to when it is not the configuration file's (a VM lab, the
     *              fabric: see {@link TransientPorts}); null for a port of the file
     */
    record AddPort(PortSpec spec, String owner) implements Change<PortSpec> {
        public AddPort(PortSpec spec) {
            this(spec, null);
        }

        @Override
        public Plan<PortSpec> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            ConfigValidator.port(spec, "", errors);
            if (spec != null && (spec.kind() == PortSpec.PortKindSpec.VTEP || spec.kind() == PortSpec.PortKindSpec.TUNNEL)
                    && owner == null) {
                errors.add(new FieldError("kind", "tunnel ports come from the vxlan section and the cluster, not by hand"));
            }
            LiveState.invalidIfAny(errors);
            if (live.config().port(spec.name()) != null) {
                throw new ConflictException("port '" + spec.name() + "' already exists");
            }
            if (live.config().ports().size() >= MacTable.MAX_PORTS) {
                throw new ConflictException("the switch already has " + MacTable.MAX_PORTS + " ports");
            }
            List<PortSpec> ports = new ArrayList<>(live.config().ports());
            ports.add(spec);
            return new Plan<>(live.config().withPorts(ports),
                    owner == null ? live.transientPorts() : live.transientPorts().with(spec.name(), owner),
                    "port " + spec.name() + " added",
                    () -> live.attach(spec), () -> live.sw().removePort(spec.name()), spec);
        }
    }

    /**
     * Removes a port and the static entries pointing at it. Refused while a mirror uses the port,
     * so that removing a port never silently changes what a mirror captures.
     */
    record RemovePort(String name) implements Change<Void> {
        @Override
        public Plan<Void> plan(LiveState live) {
            PortSpec spec = live.requirePort(name);
            for (MirrorSpec m : live.config().mirrors()) {
                if (m.portNames().contains(name)) {
                    throw new ConflictException("port '" + name + "' is used by mirror '" + m.name()
                            + "'; remove the mirror first");
                }
            }
            List<StaticMacSpec> pinned = live.config().staticMacs().stream().filter(s -> s.port().equals(name)).toList();
            List<StaticMacSpec> kept = live.config().staticMacs().stream().filter(s -> !s.port().equals(name)).toList();
            Switch sw = live.sw();
            return new Plan<>(live.config().withPorts(live.config().ports().stream().filter(p -> p != spec).toList())
                    .withStaticMacs(kept), live.transientPorts().without(name), "port " + name + " removed",
                    () -> {
                        for (StaticMacSpec s : pinned) {
                            sw.fdb().removeStatic(s.vlan(), MacAddress.parse(s.mac()));
                        }
                        sw.removePort(name);
                    },
                    () -> {
                        live.attach(spec);
                        int again = sw.topology().idOf(name);
                        for (StaticMacSpec s : pinned) {
                            sw.fdb().addStatic(s.vlan(), MacAddress.parse(s.mac()), again);
                        }
                    }, null);
        }
    }

    /** Sets a port's administrative state. */
    record SetAdmin(String name, boolean enabled) implements Change<PortSpec> {
        @Override
        public Plan<PortSpec> plan(LiveState live) {
            PortSpec before = live.requirePort(name);
            PortSpec after = before.withEnabled(enabled);
            Switch sw = live.sw();
            return new Plan<>(live.config().withPort(name, p -> after), live.transientPorts(),
                    "port " + name + (enabled ? " enabled" : " disabled"),
                    () -> sw.configurePort(name, c -> c.withAdminUp(enabled)),
                    () -> sw.configurePort(name, c -> c.withAdminUp(before.enabled())), after);
        }
    }

    /** Sets a port's VLAN mode and membership; the port is answered with its VLANs normalized. */
    record SetVlan(String name, VlanSpec vlan) implements Change<PortSpec> {
        @Override
        public Plan<PortSpec> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            VlanConfig parsed = ConfigValidator.vlan(vlan, "", errors);
            LiveState.invalidIfAny(errors);
            PortSpec before = live.requirePort(name);
            PortSpec after = before.withVlan(VlanSpec.of(parsed));
            Switch sw = live.sw();
            VlanConfig previous = sw.topology().config(sw.topology().idOf(name)).vlan();
            return new Plan<>(live.config().withPort(name, p -> after), live.transientPorts(),
                    "port " + name + " vlan " + parsed.mode().wireName(),
                    () -> sw.configurePort(name, c -> c.withVlan(parsed)),
                    () -> sw.configurePort(name, c -> c.withVlan(previous)), after);
        }
    }

    /** Bounds the stations a port may learn; a spec with no limit lifts the bound. */
    record SetSecurity(String name, SecuritySpec security) implements Change<PortSpec> {
        @Override
        public Plan<PortSpec> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            PortSecurity parsed = ConfigValidator.security(security, "", errors);
            LiveState.invalidIfAny(errors);
            PortSpec before = live.requirePort(name);
            PortSpec after = before.withSecurity(SecuritySpec.of(parsed));
            Switch sw = live.sw();
            PortSecurity previous = sw.topology().config(sw.topology().idOf(name)).security();
            return new Plan<>(live.config().withPort(name, p -> after), live.transientPorts(),
                    "port " + name + " security " + (parsed.limited() ? "max " + parsed.maxMacs() + " MACs" : "off"),
                    () -> sw.configurePort(name, c -> c.withSecurity(parsed)),
                    () -> sw.configurePort(name, c -> c.withSecurity(previous)), after);
        }
    }

    /** Sets a port's flood rate limits; a spec with no limit turns storm control off. */
    record SetStorm(String name, StormSpec storm) implements Change<PortSpec> {
        @Override
        public Plan<PortSpec> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            StormControl parsed = ConfigValidator.storm(storm, "", errors);
            LiveState.invalidIfAny(errors);
            PortSpec before = live.requirePort(name);
            PortSpec after = before.withStorm(StormSpec.of(parsed));
            Switch sw = live.sw();
            StormControl previous = sw.topology().config(sw.topology().idOf(name)).storm();
            return new Plan<>(live.config().withPort(name, p -> after), live.transientPorts(),
                    "port " + name + " storm control " + (parsed.enabled() ? "on" : "off"),
                    () -> sw.configurePort(name, c -> c.withStorm(parsed)),
                    () -> sw.configurePort(name, c -> c.withStorm(previous)), after);
        }
    }

    /**
     * Sets a port's link impairment (loss, delay, rate, duplicate, reorder per direction); a spec
     * that impairs nothing clears it. Frames an impairment holds are released by the datapath.
     */
    record SetImpair(String name, io.tapswitch.agent.config.ImpairSpec impair) implements Change<PortSpec> {
        @Override
        public Plan<PortSpec> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            io.tapswitch.core.impair.LinkImpairment parsed =
                    io.tapswitch.agent.config.ImpairValidator.impair(impair, "", errors);
            LiveState.invalidIfAny(errors);
            PortSpec before = live.requirePort(name);
            PortSpec after = before.withImpair(io.tapswitch.agent.config.ImpairSpec.of(parsed));
            Switch sw = live.sw();
            io.tapswitch.core.impair.LinkImpairment previous = sw.topology().config(sw.topology().idOf(name)).impair();
            return new Plan<>(live.config().withPort(name, p -> after), live.transientPorts(),
                    "port " + name + " impairment " + (parsed != null ? "set" : "cleared"),
                    () -> sw.configurePort(name, c -> c.withImpair(parsed)),
                    () -> sw.configurePort(name, c -> c.withImpair(previous)), after);
        }
    }

        /** Changes the MAC aging time; entries are judged by the new time from the next aging pass. */
    record SetAging(int seconds) implements Change<Integer> {
        @Override
        public Plan<Integer> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            ConfigValidator.agingSeconds(seconds, "agingSeconds", errors);
            LiveState.invalidIfAny(errors);
            MacTable fdb = live.sw().fdb();
            long previous = fdb.agingMillis();
            return new Plan<>(live.config().withAgingSeconds(seconds), live.transientPorts(), "aging " + seconds + " s",
                    () -> fdb.setAgingMillis(seconds * 1000L), () -> fdb.setAgingMillis(previous), seconds);
        }
    }

    /** Adds a mirror; it is answered as stored (port lists and VLANs normalized). */
    record AddMirror(MirrorSpec spec) implements Change<MirrorSpec> {
        @Override
        public Plan<MirrorSpec> plan(LiveState live) {
            MirrorConfig mirror = check(spec, live);
            if (live.config().mirrors().stream().anyMatch(m -> m.name().equals(spec.name()))) {
                throw new ConflictException("mirror '" + spec.name() + "' already exists");
            }
            MirrorSpec stored = MirrorSpec.of(mirror);
            List<MirrorSpec> next = new ArrayList<>(live.config().mirrors());
            next.add(stored);
            Switch sw = live.sw();
            return new Plan<>(live.config().withMirrors(next), live.transientPorts(), "mirror " + spec.name() + " added",
                    () -> addLive(sw, mirror), () -> sw.removeMirror(spec.name()), stored);
        }
    }

    /** Replaces a mirror's definition; its name stays. */
    record ReplaceMirror(String name, MirrorSpec spec) implements Change<MirrorSpec> {
        @Override
        public Plan<MirrorSpec> plan(LiveState live) {
            MirrorConfig mirror = check(spec, live);
            if (!name.equals(spec.name())) {
                throw new InvalidRequestException("name", "must be '" + name + "', the mirror being replaced");
            }
            MirrorConfig previous = live.requireMirror(name).toMirrorConfig();
            MirrorSpec stored = MirrorSpec.of(mirror);
            Switch sw = live.sw();
            return new Plan<>(live.config().withMirrors(live.config().mirrors().stream()
                    .map(m -> m.name().equals(name) ? stored : m).toList()), live.transientPorts(), "mirror " + name + " replaced",
                    () -> {
                        sw.removeMirror(name);
                        try {
                            addLive(sw, mirror);
                        } catch (ConflictException e) {
                            sw.addMirror(previous);
                            throw e;
                        }
                    },
                    () -> {
                        sw.removeMirror(name);
                        sw.addMirror(previous);
                    }, stored);
        }
    }

    /** Removes a mirror. */
    record RemoveMirror(String name) implements Change<Void> {
        @Override
        public Plan<Void> plan(LiveState live) {
            MirrorSpec before = live.requireMirror(name);
            Switch sw = live.sw();
            return new Plan<>(live.config().withMirrors(live.config().mirrors().stream()
                    .filter(m -> !m.name().equals(name)).toList()), live.transientPorts(), "mirror " + name + " removed",
                    () -> sw.removeMirror(name), () -> sw.addMirror(before.toMirrorConfig()), null);
        }
    }

    /** Pins a MAC to a port; an entry for the same (VLAN, MAC) must be removed first. */
    record AddStaticMac(StaticMacSpec spec) implements Change<StaticMacSpec> {
        @Override
        public Plan<StaticMacSpec> plan(LiveState live) {
            List<FieldError> errors = new ArrayList<>();
            ConfigValidator.staticMac(spec, "", live.portNames(), errors);
            LiveState.invalidIfAny(errors);
            long mac = MacAddress.parse(spec.mac());
            StaticMacSpec stored = new StaticMacSpec(MacAddress.format(mac), spec.vlan(), spec.port());
            if (findStatic(live, spec.vlan(), mac) != null) {
                throw new ConflictException("a static entry for " + stored.mac() + " in vlan " + spec.vlan() + " already exists");
            }
            List<StaticMacSpec> next = new ArrayList<>(live.config().staticMacs());
            next.add(stored);
            Switch sw = live.sw();
            return new Plan<>(live.config().withStaticMacs(next), live.transientPorts(),
                    "static " + stored.mac() + " vlan " + spec.vlan() + " on " + spec.port(),
                    () -> sw.fdb().addStatic(spec.vlan(), mac, sw.topology().idOf(spec.port())),
                    () -> sw.fdb().removeStatic(spec.vlan(), mac), stored);
        }
    }

    /** Removes a static entry. */
    record RemoveStaticMac(int vlan, long mac) implements Change<Void> {
        @Override
        public Plan<Void> plan(LiveState live) {
            StaticMacSpec before = findStatic(live, vlan, mac);
            if (before == null) {
                throw new NotFoundException("no static entry for " + MacAddress.format(mac) + " in vlan " + vlan);
            }
            Switch sw = live.sw();
            return new Plan<>(live.config().withStaticMacs(live.config().staticMacs().stream().filter(s -> s != before).toList()),
                    live.transientPorts(), "static " + before.mac() + " vlan " + vlan + " removed",
                    () -> sw.fdb().removeStatic(vlan, mac),
                    () -> sw.fdb().addStatic(vlan, mac, sw.topology().idOf(before.port())), null);
        }
    }

    private static MirrorConfig check(MirrorSpec spec, LiveState live) {
        List<FieldError> errors = new ArrayList<>();
        MirrorConfig mirror = ConfigValidator.mirror(spec, "", live.portNames(), errors);
        LiveState.invalidIfAny(errors);
        return mirror;
    }

    private static void addLive(Switch sw, MirrorConfig mirror) {
        try {
            sw.addMirror(mirror);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
    }

    private static StaticMacSpec findStatic(LiveState live, int vlan, long mac) {
        return live.config().staticMacs().stream()
                .filter(s -> s.vlan() == vlan && MacAddress.parse(s.mac()) == mac).findFirst().orElse(null);
    }
}
