package io.tapswitch.agent.vm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows a VM's serial console log to wait for a line the guest prints.
 *
 * <p>Tests synchronise on guest markers such as {@code TS-READY} instead of
 * sleeping; polling the file QEMU appends to works from any process and does
 * not need a connection to the console socket.
 */
public final class ConsoleLog {
    private static final long POLL_MILLIS = 100;

    private ConsoleLog() {
    }

    /**
     * Waits until a line of {@code log} (reading from its start) matches
     * {@code pattern} and returns that line without its line terminator.
     *
     * @throws TimeoutException if no line matched within {@code timeout}
     */
    public static String waitFor(Path log, Pattern pattern, Duration timeout)
            throws TimeoutException, InterruptedException {
        return waitFor(log, 0, pattern, timeout);
    }

    /** Like {@link #waitFor(Path, Pattern, Duration)} but only considers output after byte {@code fromOffset}. */
    public static String waitFor(Path log, long fromOffset, Pattern pattern, Duration timeout)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long offset = fromOffset;
        StringBuilder partial = new StringBuilder();
        while (true) {
            if (Files.exists(log)) {
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    if (file.length() > offset) {
                        file.seek(offset);
                        byte[] chunk = new byte[(int) Math.min(file.length() - offset, 1 << 20)];
                        file.readFully(chunk);
                        offset += chunk.length;
                        partial.append(new String(chunk, StandardCharsets.UTF_8));
                        String hit = completeLineMatching(partial, pattern);
                        if (hit != null) {
                            return hit;
                        }
                    }
                } catch (IOException e) {
                    // QEMU may be rotating or creating the file; try again on the next poll.
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no console line matching /" + pattern + "/ in " + log + " within " + timeout);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Current size of the log, to wait only for output produced after this point. */
    public static long size(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String completeLineMatching(StringBuilder buffer, Pattern pattern) {
        int start = 0;
        int newline;
        while ((newline = buffer.indexOf("\n", start)) >= 0) {
            String line = stripCarriageReturns(buffer.substring(start, newline));
            start = newline + 1;
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return line;
            }
        }
        buffer.delete(0, start);
        return null;
    }

    private static String stripCarriageReturns(String line) {
        return line.replace("\r", "");
    }
}
