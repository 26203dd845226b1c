package io.tapswitch.agent.check;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A lab test as JUnit XML, the format CI servers (Jenkins, GitLab, GitHub actions) show test
 * results from: one {@code <testsuite>} named after the lab, one {@code <testcase>} per check
 * (class name = lab, so reports group them), a {@code <failure>} for FAIL and an {@code <error>}
 * for ERROR whose message is the evidence, and the evidence of every check in its
 * {@code <system-out>} so a passing check still shows what was seen.
 */
public final class JunitReport {
    private JunitReport() {
    }

    /** Writes the report of lab {@code lab} to {@code file}, replacing it. */
    public static void write(Path file, String lab, List<CheckResult> results) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toXml(lab, results));
    }

    /** The report as an XML document. */
    public static String toXml(String lab, List<CheckResult> results) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", lab);
            w.writeAttribute("tests", Integer.toString(results.size()));
            w.writeAttribute("failures", Long.toString(count(results, CheckResult.Status.FAIL)));
            w.writeAttribute("errors", Long.toString(count(results, CheckResult.Status.ERROR)));
            w.writeAttribute("skipped", "0");
            w.writeAttribute("time", seconds(results.stream().mapToLong(CheckResult::durationMillis).sum()));
            w.writeCharacters("\n");
            for (CheckResult r : results) {
                w.writeCharacters("  ");
                w.writeStartElement("testcase");
                w.writeAttribute("name", r.name());
                w.writeAttribute("classname", lab);
                w.writeAttribute("time", seconds(r.durationMillis()));
                if (r.status() != CheckResult.Status.PASS) {
                    w.writeStartElement(r.status() == CheckResult.Status.FAIL ? "failure" : "error");
                    w.writeAttribute("message", clean(r.evidence()));
                    w.writeAttribute("type", r.kind());
                    w.writeCharacters(clean(r.evidence()));
                    w.writeEndElement();
                }
                w.writeStartElement("system-out");
                w.writeCharacters(r.kind() + ": " + clean(r.evidence()));
                w.writeEndElement();
                w.writeEndElement();
                w.writeCharacters("\n");
            }
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write JUnit XML", e);
        }
        return text.toString();
    }

    /** XML 1.0 cannot carry most control characters, even escaped; guest output may hold them. */
    private static String clean(String s) {
        return s == null ? "" : s.replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "?");
    }

    private static long count(List<CheckResult> results, CheckResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }
}
