package io.tapswitch.agent.state;

import io.tapswitch.agent.config.AgentConfig;
import io.tapswitch.agent.config.ConfigLoader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The configuration file as the agent's durable state, replaced atomically on every change.
 *
 * <p>A crash (kill -9, power loss) at any instant must leave either the old or the new file, never
 * a torn one, because the next start reads it. So the new text goes to a temporary file in the same
 * directory (a rename is only atomic within one file system), which is fsynced before it is renamed
 * over the old name; the directory is fsynced afterwards so that the rename itself survives a power
 * loss. A leftover temporary file from a crash is harmless and is overwritten by the next write.
 *
 * <p>A file that holds the API token is written readable by its owner only, whatever mode it had
 * ({@link ConfigSecrecy}); one without keeps its mode, and a new one is owner-only too. Comments in a hand-written file are not preserved: the file becomes the agent's.
 * The one exception is a first line {@code # yaml-language-server: $schema=...}, which tells editors
 * where the file's JSON Schema is: it is kept, so that the file stays checked as it is edited by hand.
 */
public final class ConfigFile {
    /** How a line naming the file's JSON Schema for editors (the YAML language server's modeline) starts. */
    static final String SCHEMA_LINE = "# yaml-language-server: $schema=";

    private final Path path;
    private final ChannelOpener opener;
    private final ConfigLoader codec = new ConfigLoader();

    public ConfigFile(Path path) {
        this(path, FileChannel::open);
    }

    /**
     * With the channels for the temporary file and the directory opened by {@code opener}: a test
     * hands in channels that record their fsyncs, because a crash test cannot show them (a killed
     * process leaves the page cache behind, so its file survives without any fsync).
     */
    ConfigFile(Path path, ChannelOpener opener) {
        this.path = path.toAbsolutePath();
        this.opener = opener;
    }

    /** Opens a file channel, as {@link FileChannel#open(Path, OpenOption...)} does. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    public Path path() {
        return path;
    }

    /** The current file's editor schema line with its newline, or "" when it has none (or cannot be read). */
    private String schemaLine() {
        try (java.io.BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            return first != null && first.startsWith(SCHEMA_LINE) ? first + "\n" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Replaces the file's content with {@code config}; on failure the old file is left as it was. */
    public void write(AgentConfig config) throws IOException {
        byte[] text = (schemaLine() + codec.toYaml(config)).getBytes(StandardCharsets.UTF_8);
        Path dir = path.getParent();
        Path temp = dir.resolve("." + path.getFileName() + ".tmp");
        Set<PosixFilePermission> mode = ConfigSecrecy.modeFor(config, Files.exists(path) ? Files.getPosixFilePermissions(path) : null);
        try (FileChannel out = opener.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Files.setPosixFilePermissions(temp, mode);
            ByteBuffer buf = ByteBuffer.wrap(text);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = opener.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
