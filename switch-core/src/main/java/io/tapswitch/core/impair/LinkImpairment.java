package io.tapswitch.core.impair;

/**
 * A port's impairments in both directions; either may be null (a perfect link that way).
 *
 * @param egress  frames the switch sends out of the port
 * @param ingress frames the switch receives from the port
 */
public record LinkImpairment(Impairment egress, Impairment ingress) {
    public LinkImpairment {
        if (egress != null && !egress.active()) {
            egress = null;
        }
        if (ingress != null && !ingress.active()) {
            ingress = null;
        }
    }

    /** The impairment of {@code egress} and {@code ingress}, or null when neither does anything. */
    public static LinkImpairment of(Impairment egress, Impairment ingress) {
        LinkImpairment link = new LinkImpairment(egress, ingress);
        return link.egress == null && link.ingress == null ? null : link;
    }
}
