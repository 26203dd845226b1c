package io.tapswitch.tests.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.tapswitch.agent.host.CommandResult;
import io.tapswitch.agent.host.HostCommand;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container image every lab host runs: an empty ({@code FROM scratch}) file system with a
 * static busybox for the userland, plus the machine's own {@code tcpdump} and {@code iperf3}
 * with the shared libraries they load.
 *
 * <p>No image registry is reachable from the machines this project runs on, so the image is
 * assembled locally from Debian packages that {@code scripts/host-setup.sh} installs. Building
 * takes several seconds, so the image is kept under a fixed name after the run and rebuilt only
 * when its inputs change: a label records a digest of every file that goes into it.
 */
public final class HostImage {

    /** The name the image is cached under between test runs. */
    public static final String NAME = "tapswitch/host:1";

    private static final String FINGERPRINT_LABEL = "io.tapswitch.host-image.fingerprint";
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<Path> TOOLS = List.of(Path.of("/usr/bin/tcpdump"), Path.of("/usr/bin/iperf3"));
    private static final Pattern LDD_LIBRARY = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)");
    private static final int EXECUTABLE = 0755;
    private static final int READABLE = 0644;

    /** Root and nobody are enough for tcpdump's privilege handling and for busybox's id/ps. */
    private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n";
    private static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

    private static volatile boolean ready;

    private HostImage() {
    }

    /**
     * Makes sure the image exists and is current, building it when needed, and returns its name.
     *
     * @throws IllegalStateException when a needed program is missing from the machine
     */
    public static synchronized String ensureBuilt() {
        if (ready) {
            return NAME;
        }
        Map<String, Path> files = contents();
        String dockerfile = dockerfile(files.keySet());
        String fingerprint = fingerprint(dockerfile, files);
        if (!fingerprint.equals(currentFingerprint().orElse(null))) {
            build(dockerfile, files, fingerprint);
        }
        ready = true;
        return NAME;
    }

    /** Maps each path inside the image to the machine file whose content it gets. */
    private static Map<String, Path> contents() {
        Map<String, Path> files = new TreeMap<>();
        files.put("/bin/busybox", require(BUSYBOX));
        for (Path tool : TOOLS) {
            files.put(tool.toString(), require(tool));
            for (String library : sharedLibraries(tool)) {
                files.put(library, require(Path.of(library)));
            }
        }
        return files;
    }

    private static Path require(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing; run scripts/host-setup.sh as root");
        }
        return path;
    }

    /** The libraries the dynamic loader would map for the program, loader included. */
    private static Set<String> sharedLibraries(Path program) {
        CommandResult ldd = HostCommand.check("ldd", program.toString());
        Set<String> libraries = new LinkedHashSet<>();
        for (String line : ldd.stdout().split("\n")) {
            Matcher matcher = LDD_LIBRARY.matcher(line.strip());
            if (matcher.find()) {
                libraries.add(matcher.group(1));
            }
        }
        if (libraries.isEmpty()) {
            throw new IllegalStateException("ldd found no libraries for " + program + ": " + ldd.describe());
        }
        return libraries;
    }

    private static String dockerfile(Set<String> imagePaths) {
        StringBuilder text = new StringBuilder("FROM scratch\n");
        for (String imagePath : imagePaths) {
            text.append("COPY ").append(contextName(imagePath)).append(' ').append(imagePath).append('\n');
        }
        text.append("COPY etc/passwd /etc/passwd\n")
                .append("COPY etc/group /etc/group\n")
                .append("RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n")
                .append("RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/tmp\", \"/root\", \"/var/run\"]\n")
                .append("ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin\n")
                .append("CMD [\"/bin/sleep\", \"86400\"]\n");
        return text.toString();
    }

    /** Build-context names are kept flat and distinct from the absolute paths in the image. */
    private static String contextName(String imagePath) {
        return "rootfs" + imagePath;
    }

    private static String fingerprint(String dockerfile, Map<String, Path> files) {
        MessageDigest digest = sha256();
        digest.update(dockerfile.getBytes(StandardCharsets.UTF_8));
        digest.update(PASSWD.getBytes(StandardCharsets.UTF_8));
        digest.update(GROUP.getBytes(StandardCharsets.UTF_8));
        byte[] buffer = new byte[1 << 16];
        for (Map.Entry<String, Path> file : files.entrySet()) {
            digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file.getValue())) {
                for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
                    digest.update(buffer, 0, read);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> currentFingerprint() {
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            InspectImageResponse image = docker.inspectImageCmd(NAME).exec();
            Map<String, String> labels = image.getConfig() == null ? null : image.getConfig().getLabels();
            return Optional.ofNullable(labels).map(all -> all.get(FINGERPRINT_LABEL));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Builds the image. The build's own containers get no network: the engine runs without a
     * default bridge, and the build needs none anyway.
     */
    private static void build(String dockerfile, Map<String, Path> files, String fingerprint) {
        ImageFromDockerfile image = new ImageFromDockerfile(NAME, false)
                .withFileFromString("Dockerfile", dockerfile + "LABEL " + FINGERPRINT_LABEL + "=" + fingerprint + "\n")
                .withFileFromTransferable("etc/passwd", Transferable.of(PASSWD, READABLE))
                .withFileFromTransferable("etc/group", Transferable.of(GROUP, READABLE))
                .withBuildImageCmdModifier(command -> command.withNetworkMode("none").withPull(false));
        for (Map.Entry<String, Path> file : files.entrySet()) {
            image.withFileFromPath(contextName(file.getKey()), realPath(file.getValue()), EXECUTABLE);
        }
        String built = image.get();
        if (!Objects.equals(NAME, built)) {
            throw new IllegalStateException("image was built as " + built + " instead of " + NAME);
        }
    }

    /** Libraries are usually symlinks; the image needs the file they point to, under the link's name. */
    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
