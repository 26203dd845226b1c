package io.tapswitch.agent.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What {@link VmManager#up} leaves on disk so that another process can later
 * list or tear down the lab: one JSON file per lab with the QEMU pids.
 *
 * <p>Besides the pid the process start time is kept, because pids are reused
 * and {@code down} must never signal an unrelated process that happens to
 * have inherited a recorded pid.
 *
 * @param lab lab name
 * @param vms the VMs that were started
 */
record LabState(String lab, List<VmRecord> vms) {
    static final String FILE_NAME = "lab.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    LabState {
        vms = vms == null ? List.of() : List.copyOf(vms);
    }

    /**
     * One started VM.
     *
     * @param name             VM name
     * @param pid              QEMU process id
     * @param startEpochMillis QEMU process start time, or -1 when the OS did not report it
     * @param ports            the VM's TAP devices
     * @param log              console log file
     * @param socket           console socket
     * @param stopped          the VM was stopped on purpose ({@code vm stop}): its QEMU being gone is
     *                         no crash, and nothing restarts it but {@code vm start}
     */
    record VmRecord(String name, long pid, long startEpochMillis, List<String> ports, String log, String socket,
                    boolean stopped) {

        /** The same VM marked as stopped on purpose, or as running again. */
        VmRecord withStopped(boolean stop) {
            return new VmRecord(name, pid, startEpochMillis, ports, log, socket, stop);
        }

        /** The live QEMU process this record describes, if it still runs. */
        Optional<ProcessHandle> process() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> startEpochMillis < 0
                    || p.info().startInstant().map(t -> t.toEpochMilli() == startEpochMillis).orElse(true));
        }
    }

    void write(Path labDir) {
        try {
            Files.createDirectories(labDir);
            Path tmp = labDir.resolve(FILE_NAME + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, labDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write lab state in " + labDir, e);
        }
    }

    /** This state with the record of VM {@code vm} replaced. */
    LabState with(VmRecord vm) {
        return new LabState(lab, vms.stream().map(v -> v.name().equals(vm.name()) ? vm : v).toList());
    }

    static Optional<LabState> read(Path labDir) {
        Path file = labDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), LabState.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read lab state " + file, e);
        }
    }

    static void delete(Path labDir) {
        try {
            Files.deleteIfExists(labDir.resolve(FILE_NAME));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete lab state in " + labDir, e);
        }
    }
}
