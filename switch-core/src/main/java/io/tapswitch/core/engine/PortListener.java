package io.tapswitch.core.engine;

/**
 * Hears about ports coming and going and changing state. Called from forwarding threads (state) or
 * the control thread (add/remove): implementations hand the event off and return.
 */
public interface PortListener {
    PortListener NONE = new PortListener() {
    };

    default void portAdded(String name) {
    }

    default void portRemoved(String name) {
    }

    default void portStateChanged(String name, boolean operUp) {
    }
}
