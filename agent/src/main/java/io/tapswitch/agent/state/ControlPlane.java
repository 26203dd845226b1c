package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigValidator;
import io.tapswitch.agent.config.FieldError;
import io.tapswitch.agent.config.MirrorSpec;
import io.tapswitch.agent.config.PortSpec;
import io.tapswitch.agent.config.StaticMacSpec;
import io.tapswitch.agent.config.VlanSpec;
import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.PortConfig;
import io.tapswitch.core.engine.PortListener;
import io.tapswitch.core.engine.Switch;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.FdbListener;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.port.Port;
import io.tapswitch.core.vlan.VlanConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one place where the switch's configuration changes: it applies a change to the running
 * {@link Switch}, persists the resulting {@link AgentConfig}, and numbers it with a revision.
 *
 * <p><b>Serialized.</b> Every change holds this object's monitor from validation to persistence, so
 * concurrent API requests apply one after the other and each sees the state the previous one left.
 * Callers run these methods on worker threads: they open devices and fsync files.
 *
 * <p><b>All or nothing.</b> A change is validated completely before anything is touched, so bad
 * input never changes state. It is then applied live and persisted; if persisting fails, the live
 * change is undone, so the running switch and the file never disagree for long.
 *
 * <p><b>Lab ports.</b> Ports a VM lab attached live only as long as the lab: their TAPs vanish
 * when the lab goes down, so writing them to the file would make the next start fail on a device
 * that no longer exists. They, and the mirrors and static entries that refer to them, are left
 * out of the file while showing in {@link #config()} like any other port.
 *
 * <p><b>Revisions.</b> The revision starts at 1 when the agent starts and grows by one per committed
 * change. A caller may pass the revision it last saw; if another change came in between, the call
 * fails with a conflict rather than overwrite a decision it never saw.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

    private final Switch sw;
    private final ConfigFile file;
    private final DeviceOpener opener;
    private final Consumer<ConfigChange> changes;
    private volatile AgentConfig config;
    private volatile long revision = 1;
    private volatile Map<String, String> labPorts = Map.of();

    private ControlPlane(Switch sw, AgentConfig config, ConfigFile file, DeviceOpener opener, Consumer<ConfigChange> changes) {
        this.sw = sw;
        this.config = config;
        this.file = file;
        this.opener = opener;
        this.changes = changes;
    }

    /**
     * Builds the switch {@code config} describes: ports with their VLAN settings, then mirrors, then
     * static entries. On failure everything opened so far is closed.
     *
     * @param file    where changes are persisted; null for a switch whose changes are not kept (the demo)
     * @param created told about the switch as soon as it exists, before any port is added
     */
    public static ControlPlane start(AgentConfig config, ConfigFile file, DeviceOpener opener, FdbListener fdbListener,
                                     PortListener portListener, Consumer<Switch> created,
                                     Consumer<ConfigChange> changes) throws Exception {
        SwitchOptions options = SwitchOptions.defaults()
                .withName(config.name())
                .withMacTableSize(config.macTableSize())
                .withAgingMillis(config.agingSeconds() * 1000L);
        Switch s = new Switch(options, fdbListener, portListener);
        try {
            created.accept(s);
            for (PortSpec spec : config.ports()) {
                Port device = opener.open(spec);
                s.addPort(device, portConfig(spec));
            }
            for (MirrorSpec m : config.mirrors()) {
                s.addMirror(m.toMirrorConfig());
            }
            for (StaticMacSpec e : config.staticMacs()) {
                s.fdb().addStatic(e.vlan(), MacAddress.parse(e.mac()), s.topology().idOf(e.port()));
            }
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return new ControlPlane(s, config, file, opener, changes == null ? c -> { } : changes);
    }

    static PortConfig portConfig(PortSpec spec) {
        VlanConfig vlan = spec.vlan() == null ? VlanConfig.DEFAULT : spec.vlan().toVlanConfig();
        return new PortConfig(spec.name(), spec.enabled(), vlan);
    }

    public Switch datapath() {
        return sw;
    }

    /** The configuration as last committed. */
    public AgentConfig config() {
        return config;
    }

    public long revision() {
        return revision;
    }

    /** Where changes are persisted, or null. */
    public ConfigFile file() {
        return file;
    }

    /**
     * Adds a port that belongs to VM lab {@code lab}: live like any port, but never persisted (see
     * the class comment).
     */
    public synchronized PortSpec addLabPort(String lab, PortSpec spec) {
        Map<String, String> before = labPorts;
        if (config.port(spec.name()) == null) {
            Map<String, String> next = new HashMap<>(before);
            next.put(spec.name(), lab);
            labPorts = Map.copyOf(next);
        }
        try {
            return addPort(spec, null);
        } catch (RuntimeException e) {
            labPorts = before;
            throw e;
        }
    }

    /** The lab a port belongs to, or null for a port of the configuration. */
    public String labOf(String port) {
        return labPorts.get(port);
    }

    /** Adds a port: opens its device, attaches it, persists. */
    public synchronized PortSpec addPort(PortSpec spec, Long ifMatch) {
        checkRevision(ifMatch);
        List<FieldError> errors = new ArrayList<>();
        ConfigValidator.port(spec, "", errors);
        invalidIfAny(errors);
        if (config.port(spec.name()) != null) {
            throw new ConflictException("port '" + spec.name() + "' already exists");
        }
        if (config.ports().size() >= MacTable.MAX_PORTS) {
            throw new ConflictException("the switch already has " + MacTable.MAX_PORTS + " ports");
        }
        attach(spec);
        List<PortSpec> ports = new ArrayList<>(config.ports());
        ports.add(spec);
        commit(config.withPorts(ports), "port " + spec.name() + " added", () -> sw.removePort(spec.name()));
        return spec;
    }

    private void attach(PortSpec spec) {
        Port device;
        try {
            device = opener.open(spec);
        } catch (Exception e) {
            throw new ConflictException("cannot open the device of port '" + spec.name() + "': " + e.getMessage());
        }
        try {
            sw.addPort(device, portConfig(spec));
        } catch (Exception e) {
            throw new ConflictException("cannot add port '" + spec.name() + "': " + e.getMessage());
        }
    }

    /**
     * Removes a port, and the static entries pointing at it. Refused while a mirror uses the port,
     * so that removing a port never silently changes what a mirror captures.
     */
    public synchronized void removePort(String name, Long ifMatch) {
        checkRevision(ifMatch);
        PortSpec spec = requirePort(name);
        for (MirrorSpec m : config.mirrors()) {
            if (m.portNames().contains(name)) {
                throw new ConflictException("port '" + name + "' is used by mirror '" + m.name() + "'; remove the mirror first");
            }
        }
        List<StaticMacSpec> pinned = config.staticMacs().stream().filter(s -> s.port().equals(name)).toList();
        List<StaticMacSpec> kept = config.staticMacs().stream().filter(s -> !s.port().equals(name)).toList();
        int id = sw.topology().idOf(name);
        for (StaticMacSpec s : pinned) {
            sw.fdb().removeStatic(s.vlan(), MacAddress.parse(s.mac()));
        }
        sw.removePort(name);
        AgentConfig next = config.withPorts(config.ports().stream().filter(p -> p != spec).toList()).withStaticMacs(kept);
        commit(next, "port " + name + " removed", () -> {
            attach(spec);
            int again = sw.topology().idOf(name);
            for (StaticMacSpec s : pinned) {
                sw.fdb().addStatic(s.vlan(), MacAddress.parse(s.mac()), again);
            }
        });
        if (labPorts.containsKey(name)) {
            Map<String, String> left = new HashMap<>(labPorts);
            left.remove(name);
            labPorts = Map.copyOf(left);
        }
        LOG.debug("port {} (#{}) removed with {} static entries", name, id, pinned.size());
    }

    /** Sets a port's administrative state. */
    public synchronized PortSpec setEnabled(String name, boolean enabled, Long ifMatch) {
        checkRevision(ifMatch);
        PortSpec before = requirePort(name);
        PortSpec after = before.withEnabled(enabled);
        sw.configurePort(name, c -> c.withAdminUp(enabled));
        commit(config.withPort(name, p -> after), "port " + name + (enabled ? " enabled" : " disabled"),
                () -> sw.configurePort(name, c -> c.withAdminUp(before.enabled())));
        return after;
    }

    /** Sets a port's VLAN mode and membership. */
    public synchronized PortSpec setVlan(String name, VlanSpec vlan, Long ifMatch) {
        checkRevision(ifMatch);
        List<FieldError> errors = new ArrayList<>();
        VlanConfig parsed = ConfigValidator.vlan(vlan, "", errors);
        invalidIfAny(errors);
        PortSpec before = requirePort(name);
        VlanSpec normalized = VlanSpec.of(parsed);
        PortSpec after = before.withVlan(normalized);
        VlanConfig previous = sw.topology().config(sw.topology().idOf(name)).vlan();
        sw.configurePort(name, c -> c.withVlan(parsed));
        commit(config.withPort(name, p -> after), "port " + name + " vlan " + parsed.mode().wireName(),
                () -> sw.configurePort(name, c -> c.withVlan(previous)));
        return after;
    }

    /** Changes the MAC aging time; entries are judged by the new time from the next aging pass. */
    public synchronized void setAgingSeconds(int seconds, Long ifMatch) {
        checkRevision(ifMatch);
        List<FieldError> errors = new ArrayList<>();
        ConfigValidator.agingSeconds(seconds, "agingSeconds", errors);
        invalidIfAny(errors);
        long previous = sw.fdb().agingMillis();
        sw.fdb().setAgingMillis(seconds * 1000L);
        commit(config.withAgingSeconds(seconds), "aging " + seconds + " s", () -> sw.fdb().setAgingMillis(previous));
    }

    public synchronized MirrorSpec addMirror(MirrorSpec spec, Long ifMatch) {
        checkRevision(ifMatch);
        MirrorConfig mirror = checkMirror(spec);
        if (findMirror(spec.name()) != null) {
            throw new ConflictException("mirror '" + spec.name() + "' already exists");
        }
        addLive(mirror);
        MirrorSpec stored = MirrorSpec.of(mirror);
        List<MirrorSpec> next = new ArrayList<>(config.mirrors());
        next.add(stored);
        commit(config.withMirrors(next), "mirror " + spec.name() + " added", () -> sw.removeMirror(spec.name()));
        return stored;
    }

    /** Replaces a mirror's definition; its name stays. */
    public synchronized MirrorSpec replaceMirror(String name, MirrorSpec spec, Long ifMatch) {
        checkRevision(ifMatch);
        MirrorConfig mirror = checkMirror(spec);
        if (!name.equals(spec.name())) {
            throw new InvalidRequestException("name", "must be '" + name + "', the mirror being replaced");
        }
        MirrorSpec before = requireMirror(name);
        MirrorConfig previous = before.toMirrorConfig();
        sw.removeMirror(name);
        try {
            addLive(mirror);
        } catch (ConflictException e) {
            sw.addMirror(previous);
            throw e;
        }
        MirrorSpec stored = MirrorSpec.of(mirror);
        commit(config.withMirrors(config.mirrors().stream().map(m -> m.name().equals(name) ? stored : m).toList()),
                "mirror " + name + " replaced", () -> {
                    sw.removeMirror(name);
                    sw.addMirror(previous);
                });
        return stored;
    }

    public synchronized void removeMirror(String name, Long ifMatch) {
        checkRevision(ifMatch);
        MirrorSpec before = requireMirror(name);
        sw.removeMirror(name);
        commit(config.withMirrors(config.mirrors().stream().filter(m -> !m.name().equals(name)).toList()),
                "mirror " + name + " removed", () -> sw.addMirror(before.toMirrorConfig()));
    }

    private MirrorConfig checkMirror(MirrorSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        List<String> ports = config.ports().stream().map(PortSpec::name).toList();
        MirrorConfig mirror = ConfigValidator.mirror(spec, "", ports, errors);
        invalidIfAny(errors);
        return mirror;
    }

    private void addLive(MirrorConfig mirror) {
        try {
            sw.addMirror(mirror);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
    }

    /** Pins a MAC to a port; an entry for the same (VLAN, MAC) must be removed first. */
    public synchronized StaticMacSpec addStaticMac(StaticMacSpec spec, Long ifMatch) {
        checkRevision(ifMatch);
        List<FieldError> errors = new ArrayList<>();
        ConfigValidator.staticMac(spec, "", config.ports().stream().map(PortSpec::name).toList(), errors);
        invalidIfAny(errors);
        long mac = MacAddress.parse(spec.mac());
        StaticMacSpec stored = new StaticMacSpec(MacAddress.format(mac), spec.vlan(), spec.port());
        if (findStatic(spec.vlan(), mac) != null) {
            throw new ConflictException("a static entry for " + stored.mac() + " in vlan " + spec.vlan() + " already exists");
        }
        sw.fdb().addStatic(spec.vlan(), mac, sw.topology().idOf(spec.port()));
        List<StaticMacSpec> next = new ArrayList<>(config.staticMacs());
        next.add(stored);
        commit(config.withStaticMacs(next), "static " + stored.mac() + " vlan " + spec.vlan() + " on " + spec.port(),
                () -> sw.fdb().removeStatic(spec.vlan(), mac));
        return stored;
    }

    public synchronized void removeStaticMac(int vlan, long mac, Long ifMatch) {
        checkRevision(ifMatch);
        StaticMacSpec before = findStatic(vlan, mac);
        if (before == null) {
            throw new NotFoundException("no static entry for " + MacAddress.format(mac) + " in vlan " + vlan);
        }
        sw.fdb().removeStatic(vlan, mac);
        commit(config.withStaticMacs(config.staticMacs().stream().filter(s -> s != before).toList()),
                "static " + before.mac() + " vlan " + vlan + " removed",
                () -> sw.fdb().addStatic(vlan, mac, sw.topology().idOf(before.port())));
    }

    /**
     * Forgets learned entries (static ones stay) of one port, one VLAN, both, or all. Not a
     * configuration change: nothing is persisted and the revision stays.
     *
     * @param port a port name, or null for every port
     * @param vlan a VLAN ID, or -1 for every VLAN
     * @return how many entries were removed
     */
    public synchronized int flush(String port, int vlan) {
        int id = -1;
        if (port != null) {
            requirePort(port);
            id = sw.topology().idOf(port);
        }
        return sw.fdb().flush(id, vlan, false);
    }

    private StaticMacSpec findStatic(int vlan, long mac) {
        return config.staticMacs().stream()
                .filter(s -> s.vlan() == vlan && MacAddress.parse(s.mac()) == mac).findFirst().orElse(null);
    }

    private MirrorSpec findMirror(String name) {
        return config.mirrors().stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }

    public MirrorSpec requireMirror(String name) {
        MirrorSpec m = findMirror(name);
        if (m == null) {
            throw new NotFoundException("no mirror named '" + name + "'");
        }
        return m;
    }

    public PortSpec requirePort(String name) {
        PortSpec spec = config.port(name);
        if (spec == null) {
            throw new NotFoundException("no port named '" + name + "'");
        }
        return spec;
    }

    private void checkRevision(Long ifMatch) {
        if (ifMatch != null && ifMatch != revision) {
            throw new ConflictException("revision " + ifMatch + " is stale: the configuration is at revision " + revision);
        }
    }

    private static void invalidIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
    }

    /** Persists {@code next} and makes it current; if the file cannot be written, undoes the live change. */
    private void commit(AgentConfig next, String summary, Runnable undo) {
        if (file != null) {
            try {
                file.write(persistable(next));
            } catch (IOException e) {
                LOG.error("cannot persist the configuration to {}; undoing '{}'", file.path(), summary, e);
                try {
                    undo.run();
                } catch (RuntimeException undoFailure) {
                    LOG.error("undoing '{}' failed; the running switch differs from {}", summary, file.path(), undoFailure);
                }
                throw new UncheckedIOException("cannot write " + file.path() + ": " + e.getMessage(), e);
            }
        }
        config = next;
        revision++;
        changes.accept(new ConfigChange(revision, summary));
    }

    /** {@code next} without lab ports and what refers to them. */
    private AgentConfig persistable(AgentConfig next) {
        Map<String, String> lab = labPorts;
        if (lab.isEmpty()) {
            return next;
        }
        return next.withPorts(next.ports().stream().filter(p -> !lab.containsKey(p.name())).toList())
                .withMirrors(next.mirrors().stream().filter(m -> m.portNames().stream().noneMatch(lab::containsKey)).toList())
                .withStaticMacs(next.staticMacs().stream().filter(e -> !lab.containsKey(e.port())).toList());
    }

    /** Stops the switch: ports are closed and TAPs it created removed. */
    @Override
    public void close() {
        sw.close();
    }
}
