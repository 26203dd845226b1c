package io.tapswitch.agent.vm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A lab: a set of QEMU guests whose NICs are TAP devices that become ports of
 * the switch. The YAML format is documented in {@code vm-configs/README.md}.
 *
 * <p>Instances returned by {@link #load} and {@link #parse} are validated and
 * resolved: every VM carries its effective kernel, initrd, disk, memory and
 * vCPU count (the {@code guest} defaults already applied) and every file path
 * is absolute, so later stages never need to know where the file came from.
 *
 * @param name    lab name, used for the state directory and in listings
 * @param guest   defaults shared by all VMs
 * @param vms     the guests, in start order
 * @param mirrors port mirroring sessions the switch should set up for the lab
 * @param user    the user the lab's QEMU processes run as and who owns its TAPs; only an agent
 *                running as root may name one (default {@value GuestUser#DEFAULT_USER}), see {@link GuestUser}
 * @param checks  what the lab demonstrates, proven by {@code tapswitch vm test} (see {@link LabCheck})
 */
public record LabFile(String name, Guest guest, List<Vm> vms, List<Mirror> mirrors, String user, List<LabCheck> checks) {

    /** Memory in MiB when neither the VM nor the guest defaults say otherwise. */
    public static final int DEFAULT_MEMORY_MIB = 256;
    /** vCPUs when neither the VM nor the guest defaults say otherwise. */
    public static final int DEFAULT_VCPUS = 1;
    /** QEMU machine type when the guest defaults do not name one. */
    public static final String DEFAULT_MACHINE = "q35";

    public LabFile {
        guest = guest == null ? Guest.EMPTY : guest;
        vms = vms == null ? List.of() : List.copyOf(vms);
        mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /**
     * Defaults for every VM of the lab.
     *
     * @param kernel  kernel image for direct boot ({@code -kernel})
     * @param initrd  initramfs ({@code -initrd}); needs a kernel
     * @param disk    disk image, attached as a virtio disk in snapshot mode
     * @param memory  memory in MiB
     * @param vcpus   number of vCPUs
     * @param accel   auto, tcg or kvm
     * @param machine QEMU machine type, q35 or pc
     * @param append  extra kernel command line words, added before the ts.* ones
     */
    public record Guest(String kernel, String initrd, String disk, Integer memory, Integer vcpus,
                        Accel accel, String machine, String append) {
        static final Guest EMPTY = new Guest(null, null, null, null, null, null, null, null);

        /** The accelerator to use, {@link Accel#AUTO} when unset. */
        public Accel effectiveAccel() {
            return accel == null ? Accel.AUTO : accel;
        }

        /** The machine type to use, {@value LabFile#DEFAULT_MACHINE} when unset. */
        public String effectiveMachine() {
            return machine == null ? DEFAULT_MACHINE : machine;
        }
    }

    /**
     * One guest.
     *
     * @param name   VM name; also the guest hostname
     * @param kernel overrides {@link Guest#kernel()}
     * @param initrd overrides {@link Guest#initrd()}
     * @param disk   overrides {@link Guest#disk()}; without a VM-level kernel the VM boots this disk
     * @param memory overrides {@link Guest#memory()}
     * @param vcpus  overrides {@link Guest#vcpus()}
     * @param run    shell command the guest runs once its network is up
     * @param append extra kernel command line words for this VM only
     * @param nics   network interfaces, eth0 first
     * @param host   the fabric host (agent name) the VM runs on; null for the agent that brings the lab up
     */
    public record Vm(String name, String kernel, String initrd, String disk, Integer memory, Integer vcpus,
                     String run, String append, List<Nic> nics, String host) {
        public Vm {
            nics = nics == null ? List.of() : List.copyOf(nics);
        }

        /** The switch port names (TAP interface names) of this VM, in NIC order. */
        public List<String> ports() {
            return nics.stream().map(Nic::port).toList();
        }
    }

    /**
     * A guest NIC and the switch port it plugs into.
     *
     * @param port       switch port name, which is also the host TAP interface name
     * @param mac        guest MAC address
     * @param ip         IPv4 address with prefix length, configured on the guest interface
     * @param ip6        IPv6 address with prefix length
     * @param vlan       access VLAN of the switch port (frames leave the port untagged)
     * @param trunk      VLANs the switch port carries tagged
     * @param nativeVlan VLAN of untagged frames on a trunk port
     * @param vlans      802.1Q subinterfaces created inside the guest
     * @param qinq       802.1ad subinterfaces created inside the guest
     * @param tunnel     S-VLAN of a dot1q-tunnel (802.1ad customer) switch port: whatever the guest
     *                   sends, tagged or not, is carried inside an S-tag of this VLAN on trunks
     * @param impair     link impairment of the NIC's switch port (egress: towards the guest,
     *                   ingress: from it), applied when the lab attaches the port; absent means none
     */
    public record Nic(String port, String mac, String ip, String ip6, Integer vlan, List<Integer> trunk,
                      Integer nativeVlan, List<GuestVlan> vlans, List<GuestQinq> qinq, Integer tunnel,
                      io.tapswitch.agent.config.ImpairSpec impair) {
        public Nic {
            trunk = trunk == null ? List.of() : List.copyOf(trunk);
            vlans = vlans == null ? List.of() : List.copyOf(vlans);
            qinq = qinq == null ? List.of() : List.copyOf(qinq);
        }
    }

    /**
     * An 802.1Q subinterface inside the guest ({@code eth0.ID}).
     *
     * @param id  VLAN id
     * @param ip  IPv4 address with prefix length
     * @param ip6 IPv6 address with prefix length
     */
    public record GuestVlan(Integer id, String ip, String ip6) {
    }

    /**
     * An 802.1ad (S-tag) subinterface inside the guest ({@code eth0.OUTER}),
     * optionally with an 802.1Q subinterface on top ({@code eth0.OUTER.INNER}).
     * The addresses go on the innermost interface.
     *
     * @param outer service VLAN id (S-tag)
     * @param inner customer VLAN id (C-tag), or null for a single S-tagged interface
     * @param ip    IPv4 address with prefix length
     * @param ip6   IPv6 address with prefix length
     */
    public record GuestQinq(Integer outer, Integer inner, String ip, String ip6) {
    }

    /**
     * A port mirroring session: copies of the traffic of {@code sources} are
     * sent out of {@code output}.
     *
     * @param name      session name
     * @param sources   ports whose traffic is copied
     * @param output    port receiving the copies, typically a monitor VM's NIC
     * @param direction ingress, egress or both (the default)
     */
    public record Mirror(String name, List<String> sources, String output, String direction) {
        public Mirror {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }

        /** The direction to mirror, {@code both} when unset. */
        public String effectiveDirection() {
            return direction == null ? "both" : direction;
        }
    }

    /** Finds a VM by name. */
    public Vm vm(String vmName) {
        return vms.stream().filter(v -> v.name().equals(vmName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + name + " has no VM named " + vmName));
    }

    /** Every switch port of the lab, in VM and NIC order. */
    public List<String> ports() {
        return vms.stream().flatMap(v -> v.ports().stream()).toList();
    }

    /** Reads, validates and resolves a lab file; relative paths are taken from the file's directory. */
    public static LabFile load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidLabException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        return parse(yaml, dir, file.toString());
    }

    /**
     * Parses, validates and resolves lab YAML.
     *
     * @param yaml    the document
     * @param baseDir directory relative kernel, initrd and disk paths are resolved against
     * @param source  name of the document for error messages
     */
    public static LabFile parse(String yaml, Path baseDir, String source) {
        LabFile raw;
        try {
            raw = MAPPER.readValue(yaml, LabFile.class);
        } catch (JsonMappingException e) {
            throw new InvalidLabException(source, describe(e), e);
        } catch (JsonProcessingException e) {
            throw new InvalidLabException(source, "not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (raw == null) {
            throw new InvalidLabException(source, List.of("the document is empty"));
        }
        List<String> problems = LabValidator.validate(raw);
        if (!problems.isEmpty()) {
            throw new InvalidLabException(source, problems);
        }
        return raw.resolve(baseDir.toAbsolutePath().normalize());
    }

    private LabFile resolve(Path baseDir) {
        List<Vm> resolved = new ArrayList<>();
        for (Vm vm : vms) {
            boolean bootsOwnDisk = bootsOwnDisk(vm);
            String kernel = bootsOwnDisk ? null : firstNonNull(vm.kernel(), guest.kernel());
            String initrd = bootsOwnDisk ? null : firstNonNull(vm.initrd(), guest.initrd());
            String disk = firstNonNull(vm.disk(), guest.disk());
            resolved.add(new Vm(vm.name(), absolute(baseDir, kernel), absolute(baseDir, initrd),
                    absolute(baseDir, disk),
                    firstNonNull(vm.memory(), guest.memory(), DEFAULT_MEMORY_MIB),
                    firstNonNull(vm.vcpus(), guest.vcpus(), DEFAULT_VCPUS),
                    vm.run(), vm.append(), vm.nics(), vm.host()));
        }
        Guest g = new Guest(absolute(baseDir, guest.kernel()), absolute(baseDir, guest.initrd()),
                absolute(baseDir, guest.disk()), guest.memory(), guest.vcpus(), guest.effectiveAccel(),
                guest.effectiveMachine(), guest.append());
        return new LabFile(name, g, resolved, mirrors, user, checks);
    }

    /**
     * A VM that names its own disk but no kernel boots that disk; inheriting
     * the lab's default kernel would silently bypass the disk's bootloader.
     */
    static boolean bootsOwnDisk(Vm vm) {
        return vm.disk() != null && vm.kernel() == null;
    }

    private static String absolute(Path baseDir, String path) {
        return path == null ? null : baseDir.resolve(path).normalize().toString();
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String describe(JsonMappingException e) {
        String path = fieldPath(e.getPath());
        if (e instanceof UnrecognizedPropertyException unknown) {
            return path + ": unknown field '" + unknown.getPropertyName() + "' (known: "
                    + Objects.toString(unknown.getKnownPropertyIds(), "?") + ")";
        }
        return (path.isEmpty() ? "" : path + ": ") + e.getOriginalMessage();
    }

    private static String fieldPath(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            }
        }
        return sb.toString();
    }

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
}
