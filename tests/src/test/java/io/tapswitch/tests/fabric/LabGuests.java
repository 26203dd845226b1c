package io.tapswitch.tests.fabric;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapswitch.agent.vm.ConsolePaths;
import io.tapswitch.agent.vm.GuestConsole;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The guests that agents reported when labs were posted to them ({@code POST /api/v1/labs}), as the
 * API lists them: name, host, QEMU pid and console log. The agents run as separate processes, so a
 * test reaches a guest the way the CLI does, over the serial console whose socket lies next to the
 * log. A guest whose lab could not be brought down is killed at the end, but only while its pid is
 * still that guest's QEMU: a pid the system has given to another process since is left alone.
 */
final class LabGuests {
    private final List<JsonNode> views = new ArrayList<>();

    /** Adds the guests listed in the answer to {@code POST /api/v1/labs}. */
    void addAll(JsonNode labUp) {
        labUp.path("vms").forEach(views::add);
    }

    /** Every guest added, in the order the agents listed them. */
    List<JsonNode> all() {
        return Collections.unmodifiableList(views);
    }

    /** The guest named {@code name}; fails if none was added. */
    JsonNode get(String name) {
        return views.stream().filter(v -> v.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no guest " + name + " among " + views));
    }

    /** Forgets the guests, for a lab posted again (the agents start new QEMUs with new pids). */
    void clear() {
        views.clear();
    }

    /** Runs a shell command in guest {@code vm} over its serial console. */
    GuestConsole.Result exec(String vm, String command, Duration timeout) throws Exception {
        Path log = Path.of(get(vm).path("consoleLog").asText());
        try (GuestConsole console = GuestConsole.connect(ConsolePaths.in(log.getParent(), vm).socket())) {
            return console.exec(command, timeout);
        } catch (TimeoutException e) {
            throw new AssertionError("guest " + vm + " did not finish '" + command + "' in " + timeout, e);
        }
    }

    /**
     * Pings {@code address} twice from {@code vm} until both answers come back or {@code within} has
     * passed, and returns what the last ping printed. A guest's first pings over a fabric can go
     * unanswered while the agents still set up the tunnel and learn the MACs.
     */
    String pingUntilAnswered(String vm, String address, Duration within) throws Exception {
        String last = "";
        long deadline = System.nanoTime() + within.toNanos();
        while (!last.contains("2 packets received") && System.nanoTime() < deadline) {
            last = exec(vm, "ping -c 2 -W 2 " + address, Duration.ofSeconds(20)).output();
        }
        return last;
    }

    /** Whether {@code vm}'s QEMU still runs under the pid the agent reported. */
    static boolean qemuAlive(JsonNode vm) {
        return ProcessHandle.of(vm.path("pid").asLong()).filter(ProcessHandle::isAlive)
                .filter(p -> isQemuOf(p, vm)).isPresent();
    }

    /** Kills every guest's QEMU still running under its reported pid. */
    void killLeftovers() {
        for (JsonNode vm : views) {
            ProcessHandle.of(vm.path("pid").asLong()).filter(p -> isQemuOf(p, vm)).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean isQemuOf(ProcessHandle process, JsonNode vm) {
        String name = vm.path("name").asText();
        return process.info().commandLine().map(c -> c.contains("qemu") && c.contains(name)).orElse(false);
    }
}
