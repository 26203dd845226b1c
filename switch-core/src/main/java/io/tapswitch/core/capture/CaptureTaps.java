package io.tapswitch.core.capture;

import io.tapswitch.core.frame.Frame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The captures currently attached to ports and mirrors, immutable: the switch swaps in a new set
 * when one starts or ends, and the frame path pays one field read and one boolean test while none
 * is running.
 */
public final class CaptureTaps {
    public static final CaptureTaps NONE = new CaptureTaps(new Capture[0][], Map.of());

    private final Capture[][] byPort;
    private final Map<String, Capture[]> byMirror;
    private final boolean any;

    private CaptureTaps(Capture[][] byPort, Map<String, Capture[]> byMirror) {
        this.byPort = byPort;
        this.byMirror = byMirror;
        this.any = Arrays.stream(byPort).anyMatch(c -> c != null && c.length > 0) || !byMirror.isEmpty();
    }

    public boolean any() {
        return any;
    }

    /** A frame received on, or sent through, port {@code id}. */
    public void port(int id, Frame frame) {
        if (id < byPort.length) {
            Capture[] list = byPort[id];
            if (list != null) {
                for (Capture c : list) {
                    c.offer(frame);
                }
            }
        }
    }

    /** A copy made by mirror {@code name}. */
    public void mirror(String name, Frame frame) {
        Capture[] list = byMirror.get(name);
        if (list != null) {
            for (Capture c : list) {
                c.offer(frame);
            }
        }
    }

    public CaptureTaps withPort(int id, Capture c) {
        Capture[][] next = Arrays.copyOf(byPort, Math.max(byPort.length, id + 1));
        next[id] = append(next[id], c);
        return new CaptureTaps(next, byMirror);
    }

    public CaptureTaps withMirror(String name, Capture c) {
        Map<String, Capture[]> next = new HashMap<>(byMirror);
        next.put(name, append(next.get(name), c));
        return new CaptureTaps(byPort, Map.copyOf(next));
    }

    /** The same set without {@code c}, wherever it was attached. */
    public CaptureTaps without(Capture c) {
        Capture[][] ports = new Capture[byPort.length][];
        for (int i = 0; i < byPort.length; i++) {
            ports[i] = remove(byPort[i], c);
        }
        Map<String, Capture[]> mirrors = new HashMap<>();
        byMirror.forEach((k, v) -> {
            Capture[] left = remove(v, c);
            if (left != null && left.length > 0) {
                mirrors.put(k, left);
            }
        });
        return new CaptureTaps(ports, Map.copyOf(mirrors));
    }

    /** The captures attached to port {@code id}. */
    public List<Capture> onPort(int id) {
        return id < byPort.length && byPort[id] != null ? List.of(byPort[id]) : List.of();
    }

    /** The captures attached to mirror {@code name}. */
    public List<Capture> onMirror(String name) {
        Capture[] list = byMirror.get(name);
        return list == null ? List.of() : List.of(list);
    }

    /** Every capture attached. */
    public List<Capture> all() {
        List<Capture> out = new ArrayList<>();
        for (Capture[] list : byPort) {
            if (list != null) {
                out.addAll(Arrays.asList(list));
            }
        }
        byMirror.values().forEach(list -> out.addAll(Arrays.asList(list)));
        return out;
    }

    private static Capture[] append(Capture[] list, Capture c) {
        Capture[] next = list == null ? new Capture[1] : Arrays.copyOf(list, list.length + 1);
        next[next.length - 1] = c;
        return next;
    }

    private static Capture[] remove(Capture[] list, Capture c) {
        if (list == null) {
            return null;
        }
        return Arrays.stream(list).filter(x -> x != c).toArray(Capture[]::new);
    }
}
