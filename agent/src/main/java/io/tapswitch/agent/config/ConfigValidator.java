package io.tapswitch.agent.config;

import io.tapswitch.core.engine.MirrorConfig;
import io.tapswitch.core.engine.PortSecurity;
import io.tapswitch.core.engine.StormControl;
import io.tapswitch.core.engine.SwitchOptions;
import io.tapswitch.core.fdb.MacTable;
import io.tapswitch.core.frame.MacAddress;
import io.tapswitch.core.sys.NetDevice;
import io.tapswitch.core.vlan.VlanConfig;
import io.tapswitch.core.vlan.VlanMode;
import io.tapswitch.core.vlan.VlanSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules a configuration must follow, shared by the file loader and the API.
 *
 * <p>Each check appends {@link FieldError}s under a path prefix rather than stopping at the first,
 * so that a whole file, or one API request (prefix {@code ""}), is reported in one go. The engine's
 * own records ({@link VlanConfig}, {@link MirrorConfig}) stay the authority on their invariants:
 * their messages start with the field name, which is turned into a path here.
 */
public final class ConfigValidator {
    public static final int MAX_NAME_LENGTH = 64;
    public static final int MIN_MAC_TABLE_SIZE = 16;
    public static final int MAX_MAC_TABLE_SIZE = 1_000_000;

    private ConfigValidator() {
    }

    /**
     * Checks the datapath section: at least one loop and no more than the processors the JVM sees (a
     * loop more than there are cores only takes turns with the others), and a bounded spin.
     */
    static void datapath(DatapathSpec datapath, String prefix, List<FieldError> errors) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (datapath.threads() < 1 || datapath.threads() > cores) {
            errors.add(new FieldError(prefix + ".threads", "must be 1 to " + cores + " (the available processors), was "
                    + datapath.threads()));
        }
        if (datapath.spinMicros() < 0 || datapath.spinMicros() > SwitchOptions.MAX_SPIN_MICROS) {
            errors.add(new FieldError(prefix + ".spinMicros", "must be 0 to " + SwitchOptions.MAX_SPIN_MICROS + ", was "
                    + datapath.spinMicros()));
        }
    }

    /** Checks a whole configuration; returns every problem found. */
    public static List<FieldError> validate(AgentConfig config) {
        List<FieldError> errors = new ArrayList<>();
        if (config.name().isBlank() || config.name().length() > MAX_NAME_LENGTH) {
            errors.add(new FieldError("name", "must be 1 to " + MAX_NAME_LENGTH + " characters"));
        }
        if (config.macTableSize() < MIN_MAC_TABLE_SIZE || config.macTableSize() > MAX_MAC_TABLE_SIZE) {
            errors.add(new FieldError("macTableSize", "must be between " + MIN_MAC_TABLE_SIZE + " and "
                    + MAX_MAC_TABLE_SIZE + ", was " + config.macTableSize()));
        }
        agingSeconds(config.agingSeconds(), "agingSeconds", errors);
        http(config.http(), "http", errors);
        if (config.cluster() != null) {
            FabricValidator.cluster(config.cluster(), "cluster", errors);
        }
        if (config.vxlan() != null) {
            FabricValidator.vxlan(config.vxlan(), config.cluster(), "vxlan", errors);
        }
        if (config.datapath() != null) {
            datapath(config.datapath(), "datapath", errors);
        }
        if (config.ports().size() > MacTable.MAX_PORTS) {
            errors.add(new FieldError("ports", "at most " + MacTable.MAX_PORTS + " ports"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.ports().size(); i++) {
            PortSpec port = config.ports().get(i);
            String field = "ports[" + i + "]";
            if (port(port, field, errors) && !names.add(port.name())) {
                errors.add(new FieldError(field + ".name", "duplicate port name '" + port.name() + "'"));
            }
            if (port != null && (port.kind() == PortSpec.PortKindSpec.VTEP || port.kind() == PortSpec.PortKindSpec.TUNNEL)) {
                errors.add(new FieldError(field + ".kind", "tunnel ports come from the vxlan section and the cluster"));
            }
        }
        Set<String> mirrorNames = new HashSet<>();
        Set<String> outputs = new HashSet<>();
        for (int i = 0; i < config.mirrors().size(); i++) {
            MirrorSpec m = config.mirrors().get(i);
            String field = "mirrors[" + i + "]";
            if (mirror(m, field, names, errors) != null) {
                if (!mirrorNames.add(m.name())) {
                    errors.add(new FieldError(field + ".name", "duplicate mirror name '" + m.name() + "'"));
                }
                if (m.outputPort() != null && !outputs.add(m.outputPort())) {
                    errors.add(new FieldError(field + ".outputPort", "'" + m.outputPort() + "' is already a mirror output"));
                }
            }
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < config.staticMacs().size(); i++) {
            StaticMacSpec s = config.staticMacs().get(i);
            String field = "staticMacs[" + i + "]";
            if (staticMac(s, field, names, errors) && !keys.add(s.vlan() + "/" + MacAddress.parse(s.mac()))) {
                errors.add(new FieldError(field + ".mac", "duplicate entry for " + s.mac() + " in vlan " + s.vlan()));
            }
        }
        for (int i = 0; i < config.autoAttach().size(); i++) {
            autoAttach(config.autoAttach().get(i), "autoAttach[" + i + "]", errors);
        }
        if (config.bridgeHelper() != null) {
            bridgeHelper(config.bridgeHelper(), "bridgeHelper", errors);
        }
        return errors;
    }

    /** Checks one auto-attach rule: its glob, and its VLAN settings as a port's. */
    public static void autoAttach(AutoAttachSpec rule, String prefix, List<FieldError> errors) {
        if (rule == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return;
        }
        if (rule.match() == null || rule.match().isEmpty()) {
            errors.add(new FieldError(join(prefix, "match"), "is required: a glob over interface names, like vm-*"));
        } else if (rule.match().length() > AutoAttachSpec.MAX_MATCH_LENGTH) {
            errors.add(new FieldError(join(prefix, "match"), "must be at most " + AutoAttachSpec.MAX_MATCH_LENGTH + " characters"));
        } else {
            try {
                AutoAttachSpec.glob(rule.match());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(join(prefix, "match"), "'" + rule.match() + "' is not a glob: " + e.getMessage()));
            }
        }
        if (rule.vlan() != null) {
            vlan(rule.vlan(), join(prefix, "vlan"), errors);
        }
    }

    /** Checks the bridge helper's section: absolute paths, and a socket path a UNIX address can hold. */
    static void bridgeHelper(BridgeHelperSpec spec, String prefix, List<FieldError> errors) {
        if (!spec.socket().startsWith("/")) {
            errors.add(new FieldError(join(prefix, "socket"), "must be an absolute path, was '" + spec.socket() + "'"));
        } else if (spec.socket().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            errors.add(new FieldError(join(prefix, "socket"), "must be at most 107 bytes (a UNIX socket address)"));
        }
        if (!spec.acl().startsWith("/")) {
            errors.add(new FieldError(join(prefix, "acl"), "must be an absolute path, was '" + spec.acl() + "'"));
        }
    }

    public static void agingSeconds(int seconds, String field, List<FieldError> errors) {
        long min = MacTable.MIN_AGING_MILLIS / 1000;
        long max = MacTable.MAX_AGING_MILLIS / 1000;
        if (seconds < min || seconds > max) {
            errors.add(new FieldError(field, "must be between " + min + " and " + max + ", was " + seconds));
        }
    }

    static void http(HttpSpec http, String prefix, List<FieldError> errors) {
        if (http == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return;
        }
        if (http.host() == null || http.host().isBlank()) {
            errors.add(new FieldError(join(prefix, "host"), "must not be empty"));
        }
        if (http.port() < 0 || http.port() > 65535) {
            errors.add(new FieldError(join(prefix, "port"), "must be 0 (any free port) to 65535, was " + http.port()));
        }
        String token = http.token();
        if (token != null && (token.length() < HttpSpec.MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            errors.add(new FieldError(join(prefix, "token"), "must be at least " + HttpSpec.MIN_TOKEN_LENGTH
                    + " printable characters without spaces"));
        }
    }

    /** Checks one port; returns whether it has a usable name (so callers may check uniqueness). */
    public static boolean port(PortSpec port, String prefix, List<FieldError> errors) {
        if (port == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return false;
        }
        boolean named = true;
        if (port.name() == null) {
            errors.add(new FieldError(join(prefix, "name"), "is required"));
            named = false;
        } else if (!interfaceName(port.name(), join(prefix, "name"), errors)) {
            named = false;
        }
        if (port.kind() == PortSpec.PortKindSpec.VTEP) {
            if (port.remote() == null || !FabricValidator.endpoint(port.remote())) {
                errors.add(new FieldError(join(prefix, "remote"), "must be the remote VTEP as ADDRESS:PORT, was "
                        + port.remote()));
            }
            if (port.vlan() != null && !"trunk".equals(port.vlan().mode())) {
                errors.add(new FieldError(join(prefix, "vlan.mode"), "a vtep port is a trunk"));
            }
        } else if (port.remote() != null) {
            errors.add(new FieldError(join(prefix, "remote"), "only a vtep port has a remote end"));
        }
        if (port.kind() == PortSpec.PortKindSpec.NETDEV && port.create() == PortSpec.CreateMode.CREATE) {
            errors.add(new FieldError(join(prefix, "create"), "a netdev port attaches to an existing interface"));
        }
        if (port.vlan() != null) {
            vlan(port.vlan(), join(prefix, "vlan"), errors);
        }
        if (port.security() != null) {
            security(port.security(), join(prefix, "security"), errors);
        }
        if (port.storm() != null) {
            storm(port.storm(), join(prefix, "storm"), errors);
        }
        if (port.impair() != null) {
            ImpairValidator.impair(port.impair(), join(prefix, "impair"), errors);
        }
        return named;
    }

    /** The engine's port security for {@code spec}, or null after adding the errors. */
    public static PortSecurity security(SecuritySpec spec, String prefix, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return null;
        }
        int before = errors.size();
        if (spec.maxMacs() != null && (spec.maxMacs() < 0 || spec.maxMacs() > 1_000_000)) {
            errors.add(new FieldError(join(prefix, "maxMacs"), "must be 0 (no limit) to 1000000, was " + spec.maxMacs()));
        }
        if (spec.violation() != null && !SecuritySpec.LEARN_STOP.equals(spec.violation())
                && !SecuritySpec.DROP.equals(spec.violation())) {
            errors.add(new FieldError(join(prefix, "violation"), "must be '" + SecuritySpec.LEARN_STOP + "' or '"
                    + SecuritySpec.DROP + "', was '" + spec.violation() + "'"));
        }
        return errors.size() > before ? null : spec.toPortSecurity();
    }

    /** The engine's storm control for {@code spec}, or null after adding the errors. */
    public static StormControl storm(StormSpec spec, String prefix, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return null;
        }
        int before = errors.size();
        ppsLimit(spec.broadcastPps(), join(prefix, "broadcastPps"), errors);
        ppsLimit(spec.multicastPps(), join(prefix, "multicastPps"), errors);
        ppsLimit(spec.unknownUnicastPps(), join(prefix, "unknownUnicastPps"), errors);
        return errors.size() > before ? null : spec.toStormControl();
    }

    private static void ppsLimit(Integer pps, String field, List<FieldError> errors) {
        if (pps != null && (pps < 0 || pps > 100_000_000)) {
            errors.add(new FieldError(field, "must be 0 (no limit) to 100000000 frames per second, was " + pps));
        }
    }

    /** Checks an interface name the way the kernel will; returns whether it is valid. */
    public static boolean interfaceName(String name, String field, List<FieldError> errors) {
        try {
            NetDevice.checkName(name);
            return true;
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
            return false;
        }
    }

    /** The engine's VLAN configuration for {@code spec}, or null after adding the errors. */
    public static VlanConfig vlan(VlanSpec spec, String prefix, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return null;
        }
        int before = errors.size();
        if (spec.mode() == null) {
            errors.add(new FieldError(join(prefix, "mode"), "is required"));
        } else {
            try {
                VlanMode.parse(spec.mode());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(join(prefix, "mode"), e.getMessage()));
            }
        }
        if (spec.tag() != null && (spec.tag() < VlanSet.MIN_VID || spec.tag() > VlanSet.MAX_VID)) {
            errors.add(new FieldError(join(prefix, "tag"), "must be a VLAN ID in 1-4094, was " + spec.tag()));
        }
        try {
            VlanSet.parse(spec.trunks());
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(join(prefix, "trunks"), e.getMessage()));
        }
        if (spec.tpid() != null && (spec.tpid() < 0x600 || spec.tpid() > 0xffff)) {
            errors.add(new FieldError(join(prefix, "tpid"), "must be an ethertype 0x0600-0xffff, was " + spec.tpid()));
        }
        if (errors.size() > before) {
            return null;
        }
        try {
            return spec.toVlanConfig();
        } catch (IllegalArgumentException e) {
            errors.add(engineError(prefix, e));
            return null;
        }
    }

    /**
     * The engine's mirror for {@code spec}, or null after adding the errors.
     *
     * @param portNames the ports the mirror may refer to
     */
    public static MirrorConfig mirror(MirrorSpec spec, String prefix, Collection<String> portNames, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return null;
        }
        int before = errors.size();
        if (spec.name() != null && !spec.name().matches("[A-Za-z0-9._-]{1,64}")) {
            errors.add(new FieldError(join(prefix, "name"), "use 1 to 64 letters, digits, '.', '_' or '-'"));
        }
        portsExist(spec.srcPorts(), join(prefix, "srcPorts"), portNames, errors);
        portsExist(spec.dstPorts(), join(prefix, "dstPorts"), portNames, errors);
        if (spec.outputPort() != null && !portNames.contains(spec.outputPort())) {
            errors.add(new FieldError(join(prefix, "outputPort"), "no port named '" + spec.outputPort() + "'"));
        }
        MirrorConfig config = null;
        try {
            config = spec.toMirrorConfig();
        } catch (IllegalArgumentException e) {
            errors.add(engineError(prefix, e));
        }
        return errors.size() == before ? config : null;
    }

    private static void portsExist(List<String> names, String field, Collection<String> portNames, List<FieldError> errors) {
        for (int i = 0; i < names.size(); i++) {
            if (!portNames.contains(names.get(i))) {
                errors.add(new FieldError(field + "[" + i + "]", "no port named '" + names.get(i) + "'"));
            }
        }
    }

    /** Checks a static entry; returns whether it is valid. */
    public static boolean staticMac(StaticMacSpec spec, String prefix, Collection<String> portNames, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return false;
        }
        int before = errors.size();
        if (spec.mac() == null) {
            errors.add(new FieldError(join(prefix, "mac"), "is required"));
        } else {
            try {
                long mac = MacAddress.parse(spec.mac());
                if (!MacAddress.isLearnable(mac)) {
                    errors.add(new FieldError(join(prefix, "mac"), "must be a unicast, nonzero address"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(join(prefix, "mac"), e.getMessage()));
            }
        }
        if (spec.vlan() < 0 || spec.vlan() > 4094) {
            errors.add(new FieldError(join(prefix, "vlan"), "must be 0 (untagged on trunks) to 4094, was " + spec.vlan()));
        }
        if (spec.port() == null) {
            errors.add(new FieldError(join(prefix, "port"), "is required"));
        } else if (!portNames.contains(spec.port())) {
            errors.add(new FieldError(join(prefix, "port"), "no port named '" + spec.port() + "'"));
        }
        return errors.size() == before;
    }

    /**
     * Turns an engine record's complaint ({@code "tag: needs a VLAN ID..."}) into a field error under
     * {@code prefix}; a message without a leading field name is reported against the prefix itself.
     */
    static FieldError engineError(String prefix, IllegalArgumentException e) {
        String msg = String.valueOf(e.getMessage());
        int colon = msg.indexOf(": ");
        if (colon > 0 && msg.substring(0, colon).matches("[a-zA-Z]+")) {
            return new FieldError(join(prefix, msg.substring(0, colon)), msg.substring(colon + 2));
        }
        return new FieldError(prefix, msg);
    }

    /** {@code a.b}, or just {@code b} at the top of a document. */
    public static String join(String prefix, String field) {
        return prefix == null || prefix.isEmpty() ? field : prefix + "." + field;
    }
}
