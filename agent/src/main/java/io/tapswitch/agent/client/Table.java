package io.tapswitch.agent.client;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with columns padded to their widest cell, the way {@code ip} and {@code ovs}
 * tools print, so that output lines up in a terminal and still splits on whitespace in scripts.
 * Cells that look like numbers are right-aligned.
 */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    public Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            Object c = i < cells.length ? cells[i] : null;
            r[i] = c == null || c.toString().isEmpty() ? "-" : c.toString();
        }
        rows.add(r);
        return this;
    }

    public void print(PrintStream out) {
        int[] width = new int[columns];
        boolean[] numeric = new boolean[columns];
        java.util.Arrays.fill(numeric, rows.size() > 1);
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], rows.get(r)[c].length());
                if (r > 0 && !rows.get(r)[c].matches("-?[0-9]+|-")) {
                    numeric[c] = false;
                }
            }
        }
        for (String[] row : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row[c];
                String pad = " ".repeat(width[c] - cell.length());
                boolean last = c == columns - 1;
                sb.append(numeric[c] ? pad + cell : last ? cell : cell + pad);
                if (!last) {
                    sb.append("  ");
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
