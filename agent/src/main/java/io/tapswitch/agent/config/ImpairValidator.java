package io.tapswitch.agent.config;

import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;

import java.util.List;

/**
 * Checks an {@link ImpairSpec} field by field, naming each bad one under the caller's prefix
 * ({@code ports[2].impair.egress.lossPercent}, {@code vms[0].nics[1].impair.ingress.rateKbit}), with
 * the ranges of {@link Impairment}.
 */
public final class ImpairValidator {
    private ImpairValidator() {
    }

    /**
     * The engine's impairment for {@code spec} (null: a perfect link), or null after adding errors;
     * callers tell the two apart by the errors.
     */
    public static LinkImpairment impair(ImpairSpec spec, String prefix, List<FieldError> errors) {
        if (spec == null) {
            errors.add(new FieldError(prefix, "must not be null"));
            return null;
        }
        int before = errors.size();
        direction(spec.egress(), ConfigValidator.join(prefix, "egress"), errors);
        direction(spec.ingress(), ConfigValidator.join(prefix, "ingress"), errors);
        return errors.size() > before ? null : spec.toLinkImpairment();
    }

    private static void direction(ImpairSpec.Direction d, String prefix, List<FieldError> errors) {
        if (d == null) {
            return;
        }
        double delay = d.delayMs() == null ? 0 : d.delayMs();
        range(d.delayMs(), 0, Impairment.MAX_DELAY_MS, ConfigValidator.join(prefix, "delayMs"), "ms", errors);
        if (d.jitterMs() != null && !(d.jitterMs() >= 0 && d.jitterMs() <= delay)) {
            errors.add(new FieldError(ConfigValidator.join(prefix, "jitterMs"),
                    "must be 0 to delayMs (" + delay + ") ms, was " + d.jitterMs()));
        }
        range(d.lossPercent(), 0, 100, ConfigValidator.join(prefix, "lossPercent"), "%", errors);
        range(d.duplicatePercent(), 0, 100, ConfigValidator.join(prefix, "duplicatePercent"), "%", errors);
        String reorder = ConfigValidator.join(prefix, "reorderPercent");
        if (range(d.reorderPercent(), 0, 100, reorder, "%", errors) && d.reorderPercent() != null
                && d.reorderPercent() > 0 && !(delay > 0)) {
            errors.add(new FieldError(reorder, "needs delayMs > 0: a reordered frame skips the delay"));
        }
        if (d.rateKbit() != null && (d.rateKbit() < Impairment.MIN_RATE_KBIT || d.rateKbit() > Impairment.MAX_RATE_KBIT)) {
            errors.add(new FieldError(ConfigValidator.join(prefix, "rateKbit"), "must be " + Impairment.MIN_RATE_KBIT
                    + " to " + Impairment.MAX_RATE_KBIT + " kbit/s, was " + d.rateKbit()));
        }
    }

    /** Adds an error unless {@code value} is absent or within [min, max]; returns whether it was fine. */
    private static boolean range(Double value, double min, double max, String field, String unit, List<FieldError> errors) {
        if (value != null && !(value >= min && value <= max)) {
            errors.add(new FieldError(field, "must be " + fmt(min) + " to " + fmt(max) + " " + unit + ", was " + value));
            return false;
        }
        return true;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
