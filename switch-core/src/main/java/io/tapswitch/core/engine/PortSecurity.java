package io.tapswitch.core.engine;

/**
 * Port security: a bound on how many stations one port may have learned.
 *
 * <p>A guest spraying random source MACs cannot then fill even its fair share of the MAC table:
 * beyond {@code maxMacs}, new stations are either forwarded without being learned
 * ({@link Violation#LEARN_STOP}, the frames still flow but flood in return) or dropped
 * ({@link Violation#DROP}). Both are counted.
 *
 * @param maxMacs   how many dynamic entries the port may hold (0 = no limit)
 * @param violation what happens to frames from a station beyond the limit
 */
public record PortSecurity(int maxMacs, Violation violation) {
    public static final PortSecurity NONE = new PortSecurity(0, Violation.LEARN_STOP);

    public PortSecurity {
        if (maxMacs < 0 || maxMacs > 1_000_000) {
            throw new IllegalArgumentException("maxMacs: must be 0 (no limit) to 1000000, was " + maxMacs);
        }
        if (violation == null) {
            violation = Violation.LEARN_STOP;
        }
    }

    public boolean limited() {
        return maxMacs > 0;
    }

    /** What to do with a frame from a station the port may not learn. */
    public enum Violation {
        LEARN_STOP,
        DROP
    }
}
