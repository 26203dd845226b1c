package io.tapswitch.agent.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of the {@code cluster} and {@code vxlan} sections, reported like the rest of the
 * configuration: every problem, each under its field path.
 */
final class FabricValidator {
    /** VNIs are 24 bits; the highest one is reserved for the tunnels' health probes. */
    static final int MAX_VNI = (1 << 24) - 2;
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private FabricValidator() {
    }

    static void cluster(ClusterSpec c, String prefix, List<FieldError> errors) {
        if (c.hostId() != null && !HOST_ID.matcher(c.hostId()).matches()) {
            errors.add(new FieldError(join(prefix, "hostId"), "use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        if (c.address() == null) {
            errors.add(new FieldError(join(prefix, "address"), "is required: the underlay IPv4 address this agent binds to"));
        } else {
            ipv4(c.address(), join(prefix, "address"), errors);
        }
        portNumber(c.port(), join(prefix, "port"), errors);
        portNumber(c.eventBusPort(), join(prefix, "eventBusPort"), errors);
        if (c.port() == c.eventBusPort()) {
            errors.add(new FieldError(join(prefix, "eventBusPort"), "must differ from port " + c.port()));
        }
        for (int i = 0; i < c.members().size(); i++) {
            member(c.members().get(i), join(prefix, "members[" + i + "]"), errors);
        }
        if (c.heartbeatSeconds() < 1 || c.heartbeatSeconds() > 300) {
            errors.add(new FieldError(join(prefix, "heartbeatSeconds"), "must be 1 to 300, was " + c.heartbeatSeconds()));
        }
        if (c.mergeSeconds() < 2 || c.mergeSeconds() > 600) {
            errors.add(new FieldError(join(prefix, "mergeSeconds"), "must be 2 to 600, was " + c.mergeSeconds()));
        }
        if (c.tls() != null) {
            String tls = join(prefix, "tls");
            if (c.tls().keyStore() == null) {
                errors.add(new FieldError(join(tls, "keyStore"), "is required: a PKCS#12 file with this agent's certificate and key"));
            }
            if (c.tls().trustStore() == null) {
                errors.add(new FieldError(join(tls, "trustStore"), "is required: a PKCS#12 file with the certificates peers must present"));
            }
        }
    }

    static void vxlan(VxlanSpec v, ClusterSpec cluster, String prefix, List<FieldError> errors) {
        if (v.address() == null) {
            if (cluster == null) {
                errors.add(new FieldError(join(prefix, "address"), "is required without a cluster section: the local underlay IPv4 address"));
            }
        } else {
            ipv4(v.address(), join(prefix, "address"), errors);
        }
        portNumber(v.port(), join(prefix, "port"), errors);
        if (v.underlayMtu() < 576 || v.underlayMtu() > 65535) {
            errors.add(new FieldError(join(prefix, "underlayMtu"), "must be 576 to 65535, was " + v.underlayMtu()));
        }
        if (v.vniBase() < 1 || v.vniBase() > MAX_VNI - 4094) {
            errors.add(new FieldError(join(prefix, "vniBase"), "must be 1 to " + (MAX_VNI - 4094)
                    + " (VLANs 0-4094 are added to it), was " + v.vniBase()));
        }
        Map<Integer, Integer> vlanOfVni = new HashMap<>();
        for (Map.Entry<Integer, Integer> e : v.vniMap().entrySet()) {
            String field = join(prefix, "vniMap." + e.getKey());
            if (e.getKey() == null || e.getKey() < 0 || e.getKey() > 4094) {
                errors.add(new FieldError(field, "the key must be a VLAN 0 to 4094"));
            }
            Integer vni = e.getValue();
            if (vni == null || vni < 1 || vni > MAX_VNI) {
                errors.add(new FieldError(field, "must be a VNI 1 to " + MAX_VNI + ", was " + vni));
            } else if (vlanOfVni.put(vni, e.getKey()) != null) {
                errors.add(new FieldError(field, "VNI " + vni + " is already mapped to VLAN " + vlanOfVni.get(vni)));
            }
        }
        Set<String> names = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (int i = 0; i < v.staticVteps().size(); i++) {
            String field = join(prefix, "staticVteps[" + i + "]");
            VxlanSpec.StaticVtep s = v.staticVteps().get(i);
            if (s == null) {
                errors.add(new FieldError(field, "must not be null"));
                continue;
            }
            if (s.name() != null && ConfigValidator.interfaceName(s.name(), join(field, "name"), errors)
                    && !names.add(s.name())) {
                errors.add(new FieldError(join(field, "name"), "duplicate name '" + s.name() + "'"));
            }
            if (s.address() == null) {
                errors.add(new FieldError(join(field, "address"), "is required"));
            } else if (ipv4(s.address(), join(field, "address"), errors)
                    && !endpoints.add(s.address() + ":" + s.port())) {
                errors.add(new FieldError(join(field, "address"), "duplicate VTEP " + s.address() + ":" + s.port()));
            }
            portNumber(s.port(), join(field, "port"), errors);
            if (s.vnis().isEmpty()) {
                errors.add(new FieldError(join(field, "vnis"), "give at least one VNI the VTEP serves"));
            }
            for (int j = 0; j < s.vnis().size(); j++) {
                Integer vni = s.vnis().get(j);
                if (vni == null || v.vlanOf(vni) < 0) {
                    errors.add(new FieldError(join(field, "vnis[" + j + "]"), "VNI " + vni
                            + " is not mapped to a VLAN (vniBase " + v.vniBase() + " to " + (v.vniBase() + 4094)
                            + ", or vniMap)"));
                }
            }
        }
    }

    /** Whether {@code text} is {@code IPv4:port}, a VTEP's endpoint. */
    static boolean endpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        List<FieldError> errors = new java.util.ArrayList<>();
        try {
            portNumber(Integer.parseInt(text.substring(colon + 1)), "", errors);
        } catch (NumberFormatException e) {
            return false;
        }
        return ipv4(text.substring(0, colon), "", errors) && errors.isEmpty();
    }

    private static void member(String text, String field, List<FieldError> errors) {
        if (text == null) {
            errors.add(new FieldError(field, "must not be null"));
            return;
        }
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? text : text.substring(0, colon);
        if (colon >= 0) {
            try {
                portNumber(Integer.parseInt(text.substring(colon + 1)), field, errors);
            } catch (NumberFormatException e) {
                errors.add(new FieldError(field, "must be ADDRESS or ADDRESS:PORT, was '" + text + "'"));
                return;
            }
        }
        ipv4(host, field, errors);
    }

    /** Whether {@code text} is a dotted IPv4 address usable as a unicast underlay address. */
    private static boolean ipv4(String text, String field, List<FieldError> errors) {
        java.util.regex.Matcher m = IPV4.matcher(text);
        boolean ok = m.matches();
        for (int i = 1; ok && i <= 4; i++) {
            ok = Integer.parseInt(m.group(i)) <= 255;
        }
        if (!ok) {
            errors.add(new FieldError(field, "must be an IPv4 address like 198.19.77.1, was '" + text + "'"));
            return false;
        }
        int first = Integer.parseInt(m.group(1));
        if (first == 0 || first == 127 || first >= 224) {
            errors.add(new FieldError(field, "must be a unicast address on the underlay, was " + text));
            return false;
        }
        return true;
    }

    private static void portNumber(int port, String field, List<FieldError> errors) {
        if (port < 1 || port > 65535) {
            errors.add(new FieldError(field, "must be a port 1 to 65535, was " + port));
        }
    }

    private static String join(String prefix, String field) {
        return ConfigValidator.join(prefix, field);
    }
}
