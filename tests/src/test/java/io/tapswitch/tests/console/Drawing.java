package io.tapswitch.tests.console;

import org.openqa.selenium.chrome.ChromeDriver;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks of how the topology is drawn, read from cytoscape ({@code window.tapswitch.snapshot()}):
 * labels on screen apart from each other, edges drawn as lines rather than slabs.
 */
final class Drawing {
    /** The widest an edge is drawn in model units: graph.js's edgeWidth at its bound. */
    static final double MAX_EDGE_WIDTH = 9.5;

    private Drawing() {
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> snapshot(ChromeDriver page, String kind) {
        return (List<Map<String, Object>>) ((Map<String, Object>) page.executeScript("return window.tapswitch.snapshot()")).get(kind);
    }

    /** No two labels drawn overlap (cytoscape's rendered boxes), and at least {@code atLeast} are drawn. */
    static void assertLabelsApart(ChromeDriver page, int atLeast) {
        List<Map<String, Object>> labels = snapshot(page, "labels");
        assertThat(labels).hasSizeGreaterThanOrEqualTo(atLeast);
        for (int a = 0; a < labels.size(); a++) {
            for (int b = a + 1; b < labels.size(); b++) {
                assertThat(overlap(box(labels.get(a)), box(labels.get(b))))
                        .as("labels %s and %s overlap", labels.get(a).get("text"), labels.get(b).get("text")).isFalse();
            }
        }
    }

    /** Every edge is a line: at least 1 and at most MAX_EDGE_WIDTH wide; a VM's to its port at most 3, in the VM's color. */
    static void assertEdgesAreLines(ChromeDriver page) {
        List<Map<String, Object>> edges = snapshot(page, "edgeWidths");
        assertThat(edges).allSatisfy(e -> assertThat(((Number) e.get("width")).doubleValue())
                .as("width of %s", e.get("id")).isBetween(1.0, MAX_EDGE_WIDTH));
        assertThat(edges).filteredOn(e -> ((String) e.get("classes")).contains("vmlink")).allSatisfy(e -> {
            assertThat(((Number) e.get("width")).doubleValue()).as("width of %s", e.get("id")).isLessThanOrEqualTo(3.0);
            assertThat((String) e.get("color")).as("color of %s", e.get("id")).isEqualTo("rgb(94,53,177)");
        });
    }

    @SuppressWarnings("unchecked")
    static double[] box(Map<String, Object> element) {
        Map<String, Number> b = (Map<String, Number>) element.get("box");
        return new double[] {b.get("x1").doubleValue(), b.get("y1").doubleValue(), b.get("x2").doubleValue(), b.get("y2").doubleValue()};
    }

    static boolean overlap(double[] a, double[] b) {
        return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    }
}
