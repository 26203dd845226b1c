package io.tapswitch.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The JUnit XML of a lab test, read back with a real XML parser as a CI server would. */
class JunitReportTest {
    private static final List<CheckResult> RESULTS = List.of(
            new CheckResult("lab1", "reach", "ping", CheckResult.Status.PASS, 1234, "3/3 received, rtt avg 1.2 ms", List.of("vm1")),
            new CheckResult("lab1", "isolated", "isolation", CheckResult.Status.FAIL, 2500,
                    "vm1 -> vm2: 2/2 replies, <3> frames & \"quotes\" \u0001", List.of("vm1", "vm2")),
            new CheckResult("lab1", "kernel", "exec", CheckResult.Status.ERROR, 60000, "timed out", List.of("vm3")));

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oneSuiteNamedAfterTheLabWithOneCasePerCheck(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reports/out.xml");
        JunitReport.write(file, "lab1", RESULTS);
        Element suite = parse(Files.readString(file)).getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(suite.getAttribute("name")).isEqualTo("lab1");
        assertThat(suite.getAttribute("tests")).isEqualTo("3");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("errors")).isEqualTo("1");
        assertThat(suite.getAttribute("time")).isEqualTo("63.734");
        NodeList cases = suite.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(3);
        Element reach = (Element) cases.item(0);
        assertThat(reach.getAttribute("name")).isEqualTo("reach");
        assertThat(reach.getAttribute("classname")).isEqualTo("lab1");
        assertThat(reach.getAttribute("time")).isEqualTo("1.234");
        assertThat(reach.getElementsByTagName("failure").getLength()).isZero();
        assertThat(reach.getElementsByTagName("system-out").item(0).getTextContent()).isEqualTo("ping: 3/3 received, rtt avg 1.2 ms");
    }

    @Test
    void aFailureCarriesTheEvidenceEscapedAndAnErrorIsAnError() throws Exception {
        Element suite = parse(JunitReport.toXml("lab1", RESULTS)).getDocumentElement();
        Element failure = (Element) ((Element) suite.getElementsByTagName("testcase").item(1)).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("vm1 -> vm2: 2/2 replies, <3> frames & \"quotes\" ?");
        assertThat(failure.getAttribute("type")).isEqualTo("isolation");
        assertThat(failure.getTextContent()).isEqualTo(failure.getAttribute("message"));
        Element kernel = (Element) suite.getElementsByTagName("testcase").item(2);
        assertThat(kernel.getElementsByTagName("failure").getLength()).isZero();
        assertThat(((Element) kernel.getElementsByTagName("error").item(0)).getAttribute("message")).isEqualTo("timed out");
    }
}
