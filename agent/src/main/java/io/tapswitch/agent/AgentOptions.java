package io.tapswitch.agent;

import io.tapswitch.agent.config.HttpSpec;
import io.tapswitch.agent.state.DeviceOpener;
import io.tapswitch.agent.vm.QemuCommand;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How an agent is built, as opposed to what switch it runs (that is the {@code AgentConfig}):
 * where its configuration is persisted, where it keeps VM lab state, where its API listens when
 * the caller overrides the configuration, which QEMU it starts, and how it opens port devices.
 *
 * <p>A Vert.x-style data object: every field has a documented default, setters return this object
 * for chaining, the copy constructor takes a snapshot, and the serializable fields round-trip
 * through JSON. The device opener is the seam that lets tests run a real agent on in-memory ports,
 * without root and without touching the kernel.
 */
public final class AgentOptions {
    /**
     * Default {@link #stateDirectory()}: the directory systemd made for the service
     * ({@code RuntimeDirectory=tapswitch} sets {@code $RUNTIME_DIRECTORY}, owned by the service's
     * user), else {@code /run/tapswitch}. {@code /run} is emptied at boot, like the guests it describes.
     */
    public static final Path DEFAULT_STATE_DIRECTORY = runtimeDirectory(System.getenv("RUNTIME_DIRECTORY"));
    /** Default {@link #qemuBinary()}, looked up on the {@code PATH}. */
    public static final String DEFAULT_QEMU_BINARY = QemuCommand.DEFAULT_BINARY;

    private Path configFile;
    private Path stateDirectory = DEFAULT_STATE_DIRECTORY;
    private HttpSpec http;
    private String qemuBinary = DEFAULT_QEMU_BINARY;
    private DeviceOpener deviceOpener = SystemDevices.INSTANCE;

    public AgentOptions() {
    }

    /** The first of systemd's colon-separated {@code $RUNTIME_DIRECTORY} paths, or {@code /run/tapswitch}. */
    static Path runtimeDirectory(String fromSystemd) {
        if (fromSystemd == null || fromSystemd.isBlank()) {
            return Path.of("/run/tapswitch");
        }
        return Path.of(fromSystemd.split(":")[0]);
    }

    /** A copy of {@code other}. */
    public AgentOptions(AgentOptions other) {
        this.configFile = other.configFile;
        this.stateDirectory = other.stateDirectory;
        this.http = other.http;
        this.qemuBinary = other.qemuBinary;
        this.deviceOpener = other.deviceOpener;
    }

    /** Options from their JSON form ({@link #toJson()}); absent fields keep their defaults. */
    public AgentOptions(JsonObject json) {
        String file = json.getString("configFile");
        this.configFile = file == null ? null : Path.of(file);
        this.stateDirectory = Path.of(json.getString("stateDirectory", DEFAULT_STATE_DIRECTORY.toString()));
        JsonObject api = json.getJsonObject("http");
        this.http = api == null ? null
                : new HttpSpec(api.getString("host"), api.getInteger("port"), api.getString("token"));
        this.qemuBinary = json.getString("qemuBinary", DEFAULT_QEMU_BINARY);
    }

    /** The serializable fields; the device opener is code and is left out. */
    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("stateDirectory", stateDirectory.toString())
                .put("qemuBinary", qemuBinary);
        if (configFile != null) {
            json.put("configFile", configFile.toString());
        }
        if (http != null) {
            JsonObject api = new JsonObject().put("host", http.host()).put("port", http.port());
            if (http.token() != null) {
                api.put("token", http.token());
            }
            json.put("http", api);
        }
        return json;
    }

    /** The file API changes are written back to; null (the default) keeps them in memory only. */
    public Path configFile() {
        return configFile;
    }

    public AgentOptions setConfigFile(Path file) {
        this.configFile = file;
        return this;
    }

    /**
     * Where the agent keeps run-time state: VM labs live in its {@code vms/} directory (serial logs,
     * console sockets, QEMU pids), which is also how a restarted agent finds the guests of one that
     * was killed. Default {@link #DEFAULT_STATE_DIRECTORY}.
     */
    public Path stateDirectory() {
        return stateDirectory;
    }

    public AgentOptions setStateDirectory(Path directory) {
        this.stateDirectory = Objects.requireNonNull(directory, "stateDirectory");
        return this;
    }

    /** The VM labs' state directory, inside {@link #stateDirectory()}. */
    public Path labStateDirectory() {
        return stateDirectory.resolve("vms");
    }

    /**
     * Where the API listens, overriding the configuration's {@code http} section without changing
     * what is persisted (the demo's {@code --http-port}, tests on an ephemeral port); null (the
     * default) uses the configuration's.
     */
    public HttpSpec http() {
        return http;
    }

    public AgentOptions setHttp(HttpSpec spec) {
        this.http = spec;
        return this;
    }

    /** The QEMU executable VM labs start. Default {@link #DEFAULT_QEMU_BINARY}. */
    public String qemuBinary() {
        return qemuBinary;
    }

    public AgentOptions setQemuBinary(String binary) {
        this.qemuBinary = Objects.requireNonNull(binary, "qemuBinary");
        return this;
    }

    /** Opens the device behind each port. Default: the kernel's TAPs and packet sockets ({@link SystemDevices}). */
    public DeviceOpener deviceOpener() {
        return deviceOpener;
    }

    public AgentOptions setDeviceOpener(DeviceOpener opener) {
        this.deviceOpener = Objects.requireNonNull(opener, "deviceOpener");
        return this;
    }

    @Override
    public String toString() {
        return "AgentOptions" + toJson().put("http", http == null ? null : http.toString()).encode();
    }
}
