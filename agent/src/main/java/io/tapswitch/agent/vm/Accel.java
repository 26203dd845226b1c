package io.tapswitch.agent.vm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The QEMU accelerator a lab asks for.
 *
 * <p>{@link #AUTO} exists because KVM can be present but broken (a nested or
 * restricted host may expose {@code /dev/kvm} yet abort or hang guests), so
 * the only trustworthy answer comes from a probe boot; see {@link AccelProbe}.
 */
public enum Accel {
    AUTO, TCG, KVM;

    /** The spelling used in lab files and on the QEMU command line. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the lab-file spelling, rejecting anything but auto, tcg and kvm. */
    @JsonCreator
    public static Accel of(String text) {
        for (Accel accel : values()) {
            if (accel.id().equals(text)) {
                return accel;
            }
        }
        throw new IllegalArgumentException("accel must be one of auto, tcg, kvm but was '" + text + "'");
    }
}
