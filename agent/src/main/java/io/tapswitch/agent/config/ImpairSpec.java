package io.tapswitch.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tapswitch.core.impair.Impairment;
import io.tapswitch.core.impair.LinkImpairment;

/**
 * A port's link impairment as written in the configuration file ({@code ports[i].impair}), in API
 * requests ({@code PUT /api/v1/ports/NAME/impair}) and in lab files ({@code impair:} on a NIC): what
 * the switch does to the frames it sends out of the port ({@code egress}) and to those it receives
 * from it ({@code ingress}). An absent direction, or one with every setting absent or zero, is a
 * perfect link; {@code {}} clears both. Checked by {@link ImpairValidator}.
 *
 * @param egress  frames the switch sends out of the port
 * @param ingress frames the switch receives from the port
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImpairSpec(Direction egress, Direction ingress) {
    @JsonCreator
    public ImpairSpec(@JsonProperty("egress") Direction egress, @JsonProperty("ingress") Direction ingress) {
        this.egress = egress;
        this.ingress = ingress;
    }

    /** The engine's impairment, null for a perfect link; call after validation. */
    public LinkImpairment toLinkImpairment() {
        return LinkImpairment.of(egress == null ? null : egress.toImpairment(),
                ingress == null ? null : ingress.toImpairment());
    }

    /** The spec of the engine's {@code link}, or null when it does nothing. */
    public static ImpairSpec of(LinkImpairment link) {
        return link == null ? null : new ImpairSpec(Direction.of(link.egress()), Direction.of(link.ingress()));
    }

    /**
     * One direction's settings; absent means zero (none).
     *
     * @param delayMs          added delay, 0..10000 ms, fractions allowed
     * @param jitterMs         delay variation, 0..delayMs ms
     * @param lossPercent      share of frames lost, 0..100
     * @param duplicatePercent share of frames sent twice, 0..100
     * @param reorderPercent   share of frames that skip the delay, 0..100; needs a delay
     * @param rateKbit         rate limit in kbit/s, 8..100000000; absent means unlimited
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Direction(Double delayMs, Double jitterMs, Double lossPercent, Double duplicatePercent,
                            Double reorderPercent, Long rateKbit) {
        @JsonCreator
        public Direction(@JsonProperty("delayMs") Double delayMs,
                         @JsonProperty("jitterMs") Double jitterMs,
                         @JsonProperty("lossPercent") Double lossPercent,
                         @JsonProperty("duplicatePercent") Double duplicatePercent,
                         @JsonProperty("reorderPercent") Double reorderPercent,
                         @JsonProperty("rateKbit") Long rateKbit) {
            this.delayMs = delayMs;
            this.jitterMs = jitterMs;
            this.lossPercent = lossPercent;
            this.duplicatePercent = duplicatePercent;
            this.reorderPercent = reorderPercent;
            this.rateKbit = rateKbit;
        }

        /** The engine's settings; call after validation. */
        public Impairment toImpairment() {
            return new Impairment(zero(delayMs), zero(jitterMs), zero(lossPercent), zero(duplicatePercent),
                    zero(reorderPercent), rateKbit == null ? 0 : rateKbit);
        }

        /** The settings of {@code impairment} that are not zero, or null for none. */
        static Direction of(Impairment impairment) {
            if (impairment == null) {
                return null;
            }
            return new Direction(orNull(impairment.delayMs()), orNull(impairment.jitterMs()),
                    orNull(impairment.lossPercent()), orNull(impairment.duplicatePercent()),
                    orNull(impairment.reorderPercent()), impairment.rateKbit() == 0 ? null : impairment.rateKbit());
        }

        private static double zero(Double value) {
            return value == null ? 0 : value;
        }

        private static Double orNull(double value) {
            return value == 0 ? null : value;
        }
    }
}
