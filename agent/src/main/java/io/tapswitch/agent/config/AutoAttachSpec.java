package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.regex.Pattern;

/**
 * An auto-attach rule: an interface whose name matches {@code match} becomes a {@code netdev} port
 * with the rule's VLAN settings as soon as it appears, and the port goes when the interface goes.
 * It is how a TAP that someone else makes (libvirt's {@code <interface type='ethernet'>}, a QEMU
 * started by hand, a container's veth) joins the switch with nothing to call.
 *
 * @param match a shell glob over interface names: {@code *} any run of characters, {@code ?} one,
 *              {@code [abc]}, {@code [a-z]} and {@code [!0-9]} one of (or none of) a set
 * @param vlan  the port's VLAN settings; absent means the switch's default, a trunk of all VLANs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AutoAttachSpec(String match, VlanSpec vlan) {
    /** The longest pattern accepted: a glob for 15-character names has no use for more. */
    public static final int MAX_MATCH_LENGTH = 64;

    @JsonCreator
    public AutoAttachSpec(@JsonProperty("match") String match, @JsonProperty("vlan") VlanSpec vlan) {
        this.match = match;
        this.vlan = vlan;
    }

    /** Whether interface {@code name} matches this rule; call after validation. */
    public boolean matches(String name) {
        return glob(match).matcher(name).matches();
    }

    /**
     * The regular expression of a glob: everything but the glob's operators is literal.
     *
     * @throws IllegalArgumentException naming what is wrong with the glob
     */
    public static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        throw new IllegalArgumentException("'[' at " + i + " has no closing ']'");
                    }
                    String set = glob.substring(i + 1, close);
                    boolean negated = set.startsWith("!");
                    if (negated) {
                        set = set.substring(1);
                    }
                    if (set.isEmpty()) {
                        throw new IllegalArgumentException("'[' at " + i + " holds no characters");
                    }
                    re.append(negated ? "[^" : "[");
                    for (int k = 0; k < set.length(); k++) {
                        char s = set.charAt(k);
                        boolean range = s == '-' && k > 0 && k < set.length() - 1;
                        if (range && set.charAt(k - 1) > set.charAt(k + 1)) {
                            throw new IllegalArgumentException("range " + set.charAt(k - 1) + "-" + set.charAt(k + 1)
                                    + " at " + i + " is backwards");
                        }
                        re.append(range ? "-" : Pattern.quote(String.valueOf(s)));
                    }
                    re.append(']');
                    i = close;
                }
                case ']' -> throw new IllegalArgumentException("']' at " + i + " closes no '['");
                default -> {
                    if (!nameCharacter(c)) {
                        throw new IllegalArgumentException("'" + c + "' at " + i
                                + " cannot be in an interface name: use letters, digits, '-', '_', '.' and * ? [...]");
                    }
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            i++;
        }
        return Pattern.compile(re.toString());
    }

    private static boolean nameCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    }
}
